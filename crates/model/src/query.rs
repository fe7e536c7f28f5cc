use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;
use crate::jobs::JobId;
use crate::profile::{Platform, ProfileRow, ProfileStatus, ProfileType};
use crate::segments::SegmentId;
use crate::sessions::GoalId;

/// The most rows one page may ask for.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// The Last seen filter; windows are counted from midnight in the manager's time zone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum LastSeenWindow {
    #[default]
    Any,
    Today,
    Last7Days,
    Last30Days,
}

/// Which profiles the All users table shows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfileFilter {
    /// `None` shows both; the table always picks one, so archived profiles stay under Archived.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<ProfileStatus>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kind: Option<ProfileType>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub platform: Option<Platform>,
    pub last_seen: LastSeenWindow,
    /// Only the members of this segment.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub segment: Option<SegmentId>,
    /// Only the customers of this bulk job (opened from its notification or the jobs panel).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub job: Option<JobId>,
    /// Only the customers who completed this goal (opened from the Goals list).
    #[cfg_attr(feature = "ts", ts(optional))]
    pub goal: Option<GoalId>,
    /// A full or partial name, email or phone number; empty matches everyone.
    pub search: String,
}

/// A column of the All users table that can be sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum SortColumn {
    #[default]
    Username,
    Email,
    Phone,
    Location,
    Created,
    LastSeen,
    Sessions,
    Status,
}

impl SortColumn {
    /// Every sortable column.
    pub const ALL: [SortColumn; 8] = [
        Self::Username,
        Self::Email,
        Self::Phone,
        Self::Location,
        Self::Created,
        Self::LastSeen,
        Self::Sessions,
        Self::Status,
    ];
}

/// Ascending or descending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum SortDirection {
    #[default]
    Asc,
    Desc,
}

/// The table's sort: a column and a direction. Empty values sort after every other value in
/// ascending order (and so first in descending order); ties are broken by profile id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SortOrder {
    pub column: SortColumn,
    pub direction: SortDirection,
}

/// The sort value of the row a page ended on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum CursorValue {
    Text(String),
    Int(#[cfg_attr(feature = "ts", ts(type = "number"))] i64),
}

/// Where the next page starts: just after this sort value and id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Cursor {
    pub column: SortColumn,
    pub value: CursorValue,
    pub id: ProfileId,
}

/// One page of the All users table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ListRequest {
    #[serde(default)]
    pub filter: ProfileFilter,
    #[serde(default)]
    pub sort: SortOrder,
    /// Start after this row (keyset pagination); `None` starts at the top.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub after: Option<Cursor>,
    /// Rows to skip from the start (or from `after`): for a jump of the scroll bar.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub offset: u64,
    pub limit: u32,
}

/// A page of rows, and the cursor for the page after it (`None` on the last page).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfilePage {
    pub rows: Vec<ProfileRow>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub next: Option<Cursor>,
}
