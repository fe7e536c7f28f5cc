//! Notes managers keep about a customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;

crate::uuid_id!(
    /// A note's id.
    NoteId
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
