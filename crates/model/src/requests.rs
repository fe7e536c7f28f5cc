//! Requests to export or delete a customer's data, mailed to the workspace's data-protection contact.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;

crate::uuid_id!(
    /// A data request's id.
    RequestId = "string & { readonly __brand: 'RequestId' }"
);

/// What the customer's data should undergo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum DataRequestKind {
    Export,
    Delete,
}

impl DataRequestKind {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Delete => "delete",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Export, Self::Delete]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Where the request's email stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum DataRequestState {
    /// Waiting for its first attempt.
    Queued,
    Sent,
    /// The last attempt failed, `reason` says why; tried again at `next_attempt_at` if set.
    Failed,
}

impl DataRequestState {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// An export or delete request and the state of its email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataRequest {
    pub id: RequestId,
    pub profile_id: ProfileId,
    pub kind: DataRequestKind,
    pub state: DataRequestState,
    /// Why the last attempt failed; empty otherwise.
    pub reason: String,
    /// The email of the manager who asked.
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub attempts: u32,
    /// When the email is tried again; `None` once sent or given up.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A data request as the Details window shows it; times in the manager's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct DataRequestView {
    pub id: RequestId,
    pub kind: DataRequestKind,
    /// Where its email stands on the server; `queued` too while it waits to sync.
    pub state: DataRequestState,
    /// Why the last attempt to mail it failed; empty otherwise.
    pub reason: String,
    pub requested_by: String,
    pub requested: String,
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    /// Asked here and not yet on the server.
    pub pending: bool,
}
