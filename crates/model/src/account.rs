//! The manager's sign-in to the platform's server, as the app shows it.

use serde::{Deserialize, Serialize};

/// Whom the app is signed in as; the token itself stays in the operating system's keychain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Account {
    /// The server's address, such as `https://users.example.com`.
    pub server_url: String,
    /// The workspace the token is scoped to.
    pub workspace: String,
    /// The manager's email.
    pub manager: String,
    /// `admin` or `agent`.
    pub role: String,
}

/// What the Settings sign-in form sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SignIn {
    pub server_url: String,
    /// The bearer token the platform issued to the manager.
    pub token: String,
    /// The manager confirmed that the edits another manager made here and never sent are
    /// dropped: without it, such a sign-in is refused with `pending_of_another_manager`.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub discard_pending: bool,
}

/// How far the first download of a workspace has come.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SyncProgress {
    /// Records received so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pulled: u64,
    /// Pages applied so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pages: u64,
    /// How many records the whole download brings, once the server has said.
    #[cfg_attr(feature = "ts", ts(optional, type = "number"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// What the status bar and Settings show about sync.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SyncView {
    /// Whom the app is signed in as; `None` works offline only.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<Account>,
    /// Whether the last attempt reached the server; `None` before any attempt.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// Whether a sync is running now.
    pub syncing: bool,
    /// Local edits waiting for the server.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub pending: u64,
    /// When a sync last completed, in the manager's time zone.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_synced: Option<String>,
    /// The first download of the workspace, while it runs.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_sync: Option<SyncProgress>,
    /// Why the last sync failed, if it did.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ApiError>,
    /// Edits the server refused, until the manager dismisses them.
    pub rejections: Vec<crate::sync::Rejection>,
}
