//! Plain types shared by every part of Userdesk. No I/O.

mod error;
mod ids;
mod profile;
mod query;
mod validation;

pub use error::{ApiError, ErrorCode};
pub use ids::ProfileId;
pub use profile::{
    username as profile_username, Platform, Profile, ProfileDetails, ProfilePatch, ProfileRow,
    ProfileStatus, ProfileType,
};
pub use query::{
    Cursor, CursorValue, LastSeenWindow, ListRequest, ProfileFilter, ProfilePage, SortColumn,
    SortDirection, SortOrder, MAX_PAGE_SIZE,
};
pub use validation::{Field, FieldError, ValidPatch, ValidationErrors};
