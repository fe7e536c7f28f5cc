//! Notes managers keep about a customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;

crate::uuid_id!(
    /// A note's id.
    NoteId = "string & { readonly __brand: 'NoteId' }"
);

/// A manager's note on a profile; the server stamps the author and the times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: NoteId,
    pub profile_id: ProfileId,
    /// The email of the manager who wrote it.
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A note as the Details window shows it: the server's copy with this app's edits not yet
/// confirmed laid over it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct NoteView {
    pub id: NoteId,
    /// The email of the manager who wrote it.
    pub author: String,
    pub body: String,
    /// When it was written, in the manager's time zone.
    pub created: String,
    /// When it was last changed, if it was, in the manager's time zone.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<String>,
    /// Written or changed here and not yet confirmed by the server.
    pub pending: bool,
}
