//! The server's audit log: every mutation a manager's app pushed, applied or refused, with who,
//! when, from which app, and the values it replaced and wrote. Only an admin reads it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::sync::ClientId;

/// Whether the server applied a mutation or refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    Applied,
    Refused,
}

impl AuditOutcome {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Refused => "refused",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Applied, Self::Refused]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One field of one record an applied mutation changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditChange {
    /// The kind of record, as the sync protocol names it: "profile", "note", "segment_member"…
    pub record: String,
    /// The record's key: its id, or "segment:profile" and "profile:property" for the records
    /// keyed by two ids.
    pub key: String,
    pub field: String,
    /// The value before; null when the record did not exist.
    pub before: serde_json::Value,
    /// The value after; null when the record no longer exists.
    pub after: serde_json::Value,
}

/// Why the server refused a mutation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRefusal {
    pub code: ErrorCode,
    pub message: String,
}

/// One mutation as the audit log keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its place in the log: later entries have larger numbers.
    pub seq: u64,
    /// When the server processed it.
    pub at: DateTime<Utc>,
    /// The email of the manager whose app pushed it.
    pub manager: String,
    /// The app installation that pushed it, and its number there.
    pub client_id: ClientId,
    pub mutation_id: u64,
    /// The mutation's name, such as "profile_patch".
    pub mutation: String,
    pub outcome: AuditOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<AuditRefusal>,
    /// What an applied mutation changed, field by field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<AuditChange>,
    /// What a refused mutation asked for: its arguments as sent (long texts shortened).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub request: serde_json::Value,
}

/// `POST /v1/history`: a page of one customer's History, the latest change first: the applied
/// entries of the audit log that changed them, each with only its changes of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    pub profile_id: crate::ProfileId,
    /// Only entries before this one (the `next` of the page before).
    #[serde(default)]
    pub before: Option<u64>,
    /// At most this many entries (1 to 1,000; 100 when absent).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Which entries of a workspace's audit log to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    /// Only entries processed at or after this time.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
    /// Only the entries of the manager with this email.
    #[serde(default)]
    pub manager: Option<String>,
    /// Only entries after this one (the previous page's `next`).
    #[serde(default)]
    pub after: Option<u64>,
    /// At most this many (the server caps it).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of the audit log, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts (`AuditQuery::after`, or `HistoryQuery::before`), when there
    /// may be more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u64>,
}
