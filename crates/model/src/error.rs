use serde::{Deserialize, Serialize};

use crate::validation::{FieldError, ValidationErrors};

/// What kind of failure an [`ApiError`] reports; the UI branches on this, never on the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ErrorCode {
    /// One or more fields were refused; `fields` says which and why.
    Validation,
    /// The profile (or other record) does not exist.
    NotFound,
    /// The request itself was malformed: a cursor for another sort, a page too large.
    InvalidRequest,
    /// An unknown IANA time zone name.
    InvalidTimeZone,
    /// The local database failed.
    Storage,
    /// No valid bearer token came with the request.
    Unauthorized,
    /// The token is valid but may not do this (another workspace's data, an admin-only change).
    Forbidden,
    /// A mutation arrived before the ones numbered below it: the client must push from its
    /// oldest pending mutation.
    MutationGap,
    /// The mutation's name is not one the server knows.
    UnknownMutation,
    /// Too many requests for this token; retry after the time the `Retry-After` header gives.
    RateLimited,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// A passing failure on the server (database busy or unreachable): retry later.
    Unavailable,
    /// A failure of the server itself; never caused by the request.
    Internal,
    /// The server no longer holds changes it had confirmed (restored from an older backup):
    /// sync stops, and the manager is told, rather than lose or repeat edits.
    ServerRolledBack,
    /// The server could not be reached: the app works offline and syncs later.
    Offline,
    /// The operating system's keychain could not keep or give back the sign-in token.
    Keychain,
    /// The server applied the edit, but another manager's later edit replaced the field.
    Overwritten,
    /// A picture that is not an image, is corrupt, or is too large.
    InvalidPicture,
    /// Another manager signs in on a computer where the last one left edits the server never
    /// got: the sign-in waits for that manager to send them, or for a confirmation to drop them.
    PendingOfAnotherManager,
    /// The desktop could not do what was asked of it: open a folder, copy to the clipboard,
    /// install an update.
    Desktop,
}

/// An error as it crosses the IPC boundary: `{code, message}`, plus the refused fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message}")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
}

impl ApiError {
    /// An error with no field details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(errors: ValidationErrors) -> Self {
        Self {
            code: ErrorCode::Validation,
            message: errors.to_string(),
            fields: errors.0,
        }
    }
}
