//! Errors as the API answers them: a status code and a JSON `{code, message, fields}` body.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use userdesk_model::{ApiError, ErrorCode};

use crate::storage::StorageError;

/// An error answer of the HTTP API.
#[derive(Debug)]
pub struct HttpError {
    pub status: StatusCode,
    pub body: ApiError,
    /// Seconds to wait before retrying, for the `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl HttpError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError::new(code, message),
            retry_after: None,
        }
    }

    /// 400: the request is malformed.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidRequest, message)
    }

    /// 401: no valid token.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// 404: no such route.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }
}

impl From<StorageError> for HttpError {
    fn from(error: StorageError) -> Self {
        match &error {
            StorageError::ForeignClient => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this client id belongs to another workspace: sign in again to get a new one",
            ),
            StorageError::ColleaguesClient => Self::new(
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "this client id belongs to another manager of the workspace: each manager's app \
                 syncs under its own",
            ),
            StorageError::InvalidRequest(message) => Self::invalid(message.clone()),
            // A database that is busy, restarting or unreachable: the client retries later.
            StorageError::Database(_) => {
                tracing::warn!(%error, "transient storage failure");
                let mut answer = Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "the server's database is unavailable; retry later",
                );
                answer.retry_after = Some(5);
                answer
            }
            StorageError::Migration(_)
            | StorageError::Corrupt(_)
            | StorageError::UnknownWorkspace(_)
            | StorageError::UnsupportedUrl(_) => {
                tracing::error!(%error, "storage failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    "the server failed; the failure is logged",
                )
            }
        }
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
