//! The sync state the store keeps (client id, cookie, what the server confirmed, the last
//! outcome) and the status bar's view of it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;
use userdesk_model::sync::ClientId;
use userdesk_model::{ApiError, ErrorCode};

use crate::error::Result;
use crate::store::Store;

/// Where sync stands, for the status bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncStatus {
    /// Local edits waiting for the server.
    pub pending: u64,
    /// When a sync last completed.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Why the last sync failed, if it did.
    pub last_error: Option<ApiError>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StateRecord {
    pub client_id: ClientId,
    pub cookie: Option<String>,
    pub confirmed_mutation: i64,
    pub pulled_pages: i64,
}

pub(crate) async fn read_state(conn: &mut SqliteConnection) -> Result<StateRecord> {
    Ok(sqlx::query_as(
        "SELECT client_id, cookie, confirmed_mutation, pulled_pages FROM sync_state WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await?)
}

pub(crate) fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

pub(crate) fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

pub(crate) fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn code_from_name(name: &str) -> ErrorCode {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .unwrap_or(ErrorCode::Internal)
}

/// Keeps the outcome of a sync: when it last completed, or why it failed.
pub(crate) async fn record_outcome<T>(store: &Store, result: &Result<T>) -> Result<()> {
    let mut conn = store.pool.acquire().await?;
    match result {
        Ok(_) => {
            sqlx::query(
                "UPDATE sync_state SET last_synced_at = ?, last_error_code = NULL, \
                 last_error = NULL WHERE id = 1",
            )
            .bind(Utc::now().timestamp_millis())
            .execute(&mut *conn)
            .await?;
        }
        Err(error) => {
            let api = error.to_api_error();
            sqlx::query("UPDATE sync_state SET last_error_code = ?, last_error = ? WHERE id = 1")
                .bind(code_name(api.code))
                .bind(&api.message)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// Pending edits, last sync time and last error.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let (synced_at, code, message): (Option<i64>, Option<String>, Option<String>) =
            sqlx::query_as(
                "SELECT last_synced_at, last_error_code, last_error FROM sync_state WHERE id = 1",
            )
            .fetch_one(&self.pool)
            .await?;
        Ok(SyncStatus {
            pending: self.pending_count().await?,
            last_synced_at: synced_at.and_then(DateTime::from_timestamp_millis),
            last_error: code
                .map(|code| ApiError::new(code_from_name(&code), message.unwrap_or_default())),
        })
    }
}
