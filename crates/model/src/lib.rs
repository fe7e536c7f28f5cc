//! Plain types shared by every part of Userdesk. No I/O.

mod about;
mod account;
mod audit;
mod batch;
mod error;
mod history;
mod ids;
mod jobs;
mod notes;
mod profile;
mod properties;
mod query;
mod requests;
mod segments;
mod sessions;
pub mod sync;
mod text;
mod trash;
mod undo;
mod uuid_id;
mod validation;

pub use about::{UpdateStatus, UpdateView};
pub use account::{Account, SignIn, SyncProgress, SyncView};
pub use audit::{
    AuditChange, AuditEntry, AuditOutcome, AuditPage, AuditQuery, AuditRefusal, HistoryQuery,
};
pub use batch::PlatformBatch;
pub use error::{ApiError, ErrorCode};
pub use history::{HistoryChange, HistoryRow, HistoryView, PutBack};
pub use ids::ProfileId;
pub use jobs::{thousands, JobAction, JobId, JobState, JobView, Selection};
pub use notes::{Note, NoteId, NoteView};
pub use profile::{
    username as profile_username, Picture, PictureView, Platform, Profile, ProfileDetails,
    ProfilePatch, ProfileRow, ProfileStatus, ProfileType, MAX_PICTURE_PNG_BYTES,
};
pub use properties::{
    ProfilePropertyView, PropertyDefinition, PropertyDraft, PropertyFormat, PropertyId,
    PropertySort, PropertyValue, PropertyView, MAX_CHOICES,
};
pub use query::{
    Cursor, CursorValue, LastSeenWindow, ListRequest, ProfileFilter, ProfilePage, SortColumn,
    SortDirection, SortOrder, MAX_PAGE_SIZE,
};
pub use requests::{DataRequest, DataRequestKind, DataRequestState, DataRequestView, RequestId};
pub use segments::{
    RuleOperator, Segment, SegmentDraft, SegmentId, SegmentMember, SegmentRef, SegmentRule,
    SegmentView, MAX_RULES,
};
pub use sessions::{
    BotSession, Conversation, Goal, GoalCompletion, GoalCompletionId, GoalCompletionView, GoalId,
    GoalSummary, Message, MessageId, MessageView, Sender, SessionId, SessionOrder, SessionTotals,
    SessionView,
};
pub use text::{check_label, check_long_text, MAX_LONG_TEXT_LEN};
pub use trash::{
    TrashPage, TrashQuery, TrashRow, TrashSelection, Trashed, MAX_TRASH_PAGE, TRASH_DAYS,
};
pub use undo::{UndoKept, UndoReport, UndoView};
pub use validation::{Field, FieldError, ValidPatch, ValidationErrors};
