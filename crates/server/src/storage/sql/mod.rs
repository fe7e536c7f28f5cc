//! The SQL both implementations share, compiled once for each database: the `sqlite` and
//! `postgres` modules each include this module (`#[path]`), so `super::Db` is SQLite in one copy
//! and PostgreSQL in the other.
//!
//! The dialect contract. The shared statements use only what both databases speak: numbered
//! parameters (`$1`), `ON CONFLICT … DO UPDATE`, `RETURNING`, row-value comparisons, integer
//! milliseconds for times and 16-byte blobs or UUIDs for ids as sqlx encodes them. Everything
//! else is the including module's, and it must define exactly:
//!
//! - `type Db`: the sqlx database (`sqlx::Sqlite` or `sqlx::Postgres`);
//! - `const SNAPSHOT: Option<&str>`: the statement that makes a read transaction one snapshot,
//!   or `None` where a transaction already is one (SQLite's WAL);
//! - `const PAGE_JSON: Option<&str>`: a pull page read as one JSON value (`$1` workspace,
//!   `$2..$4` the position after which to read, `$5` the limit), or `None` to read rows;
//! - `const SKIP_LOCKED: &str`: what a claim's subquery ends with so concurrent claims skip each
//!   other's rows (`""` where one writer runs at a time);
//! - `const BACKUP: Result<&str, &str>`: the statement copying the live database into the file
//!   `$1`, or why the database is backed up by its own tools instead;
//! - its `open`, with the connection's settings and its own migrations (`migrations/sqlite`,
//!   `migrations/postgres`, kept in step: the same tables and indexes, each in its dialect).
//!
//! Both copies run the same test story (`tests/it/common/story.rs`), which is what holds the two
//! to this contract.

mod audit;
mod changes;
mod managers;
mod notes;
mod overwrites;
mod pictures;
mod profiles;
mod properties;
mod requests;
mod segments;
mod sessions;
mod sync;
mod workspaces;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use userdesk_model::sync::{ClientId, Mutation, PullResponse, Rejection};
use userdesk_model::{AuditPage, AuditQuery, DataRequest, HistoryQuery, RequestId};

use super::Db;
use crate::ids::{ManagerId, WorkspaceId};
use crate::managers::{Principal, Role, TokenInfo};
use crate::storage::{
    Delivery, MutationOutcome, PendingRequest, PlatformBatch, Pruned, PullQuery, Result, Storage,
    StorageError,
};

/// A connection of this database.
type Conn = <Db as sqlx::Database>::Connection;
/// A row of this database.
type Row = <Db as sqlx::Database>::Row;

/// The platform's storage on one database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: sqlx::Pool<Db>,
}

impl Store {
    pub(super) fn new(pool: sqlx::Pool<Db>) -> Self {
        Self { pool }
    }

    /// The connection pool, for the benchmark's raw-SQL yardstick.
    pub fn pool(&self) -> &sqlx::Pool<Db> {
        &self.pool
    }
}

/// A time as stored: Unix milliseconds.
fn millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

/// Reads a stored time.
fn time(ms: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| StorageError::Corrupt(format!("time {ms} is out of range")))
}

/// Reads a stored enum through its `parse`.
fn parsed<T>(value: &str, parse: fn(&str) -> Option<T>, what: &str) -> Result<T> {
    parse(value).ok_or_else(|| StorageError::Corrupt(format!("unknown {what} {value:?}")))
}

/// A stored count, which no check lets go negative.
fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

#[async_trait]
impl Storage for Store {
    async fn health(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn authenticate(&self, token_hash: &str) -> Result<Option<Principal>> {
        managers::authenticate(&self.pool, token_hash).await
    }

    async fn ensure_workspace(
        &self,
        name: &str,
        data_protection_email: &str,
    ) -> Result<WorkspaceId> {
        workspaces::ensure(&self.pool, name, data_protection_email).await
    }

    async fn find_workspace(&self, name: &str) -> Result<Option<WorkspaceId>> {
        workspaces::find(&self.pool, name).await
    }

    async fn ensure_manager(
        &self,
        workspace: WorkspaceId,
        email: &str,
        role: Role,
        time_zone: &str,
    ) -> Result<ManagerId> {
        managers::ensure(&self.pool, workspace, email, role, time_zone).await
    }

    async fn add_token_until(
        &self,
        manager: ManagerId,
        token_hash: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        managers::add_token(&self.pool, manager, token_hash, expires_at).await
    }

    async fn manager_role(&self, workspace: WorkspaceId, email: &str) -> Result<Option<Role>> {
        managers::role(&self.pool, workspace, email).await
    }

    async fn set_manager_role(
        &self,
        workspace: WorkspaceId,
        email: &str,
        role: Role,
    ) -> Result<bool> {
        managers::set_role(&self.pool, workspace, email, role).await
    }

    async fn set_manager_disabled(
        &self,
        workspace: WorkspaceId,
        email: &str,
        disabled: bool,
    ) -> Result<bool> {
        managers::set_disabled(&self.pool, workspace, email, disabled).await
    }

    async fn tokens(&self, workspace: Option<WorkspaceId>) -> Result<Vec<TokenInfo>> {
        managers::tokens(&self.pool, workspace).await
    }

    async fn revoke_token(&self, id: &str) -> Result<TokenInfo> {
        managers::revoke(&self.pool, id).await
    }

    async fn process_push(
        &self,
        principal: &Principal,
        client: ClientId,
        mutations: &[Mutation],
        now: DateTime<Utc>,
    ) -> Result<Vec<MutationOutcome>> {
        sync::process(&self.pool, principal, client, mutations, now).await
    }

    async fn client_last_mutation(&self, principal: &Principal, client: ClientId) -> Result<u64> {
        let mut conn = self.pool.acquire().await?;
        Ok(sync::client_last_mutation(&mut conn, principal, client)
            .await?
            .unwrap_or(0))
    }

    async fn recorded_rejection(
        &self,
        client: ClientId,
        mutation_id: u64,
    ) -> Result<Option<Rejection>> {
        sync::recorded_rejection(&self.pool, client, mutation_id).await
    }

    async fn pull(&self, principal: &Principal, query: &PullQuery) -> Result<PullResponse> {
        changes::pull(&self.pool, principal, query).await
    }

    async fn prune_tombstones(&self, workspace: WorkspaceId, version: i64) -> Result<u64> {
        changes::prune_tombstones(&self.pool, workspace, version).await
    }

    async fn prune_before(&self, workspace: WorkspaceId, before: DateTime<Utc>) -> Result<Pruned> {
        changes::prune_before(&self.pool, workspace, before).await
    }

    async fn purge_trash(&self, before: DateTime<Utc>) -> Result<u64> {
        profiles::purge_trash(&self.pool, before).await
    }

    async fn insert_batch(&self, workspace: WorkspaceId, batch: &PlatformBatch) -> Result<()> {
        workspaces::insert_batch(&self.pool, workspace, batch).await
    }

    async fn audit(&self, workspace: WorkspaceId, query: &AuditQuery) -> Result<AuditPage> {
        audit::read(&self.pool, workspace, query).await
    }

    async fn history(&self, workspace: WorkspaceId, query: &HistoryQuery) -> Result<AuditPage> {
        audit::history(&self.pool, workspace, query).await
    }

    async fn due_requests(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PendingRequest>> {
        requests::due(&self.pool, now, limit).await
    }

    async fn next_request_due(&self) -> Result<Option<DateTime<Utc>>> {
        requests::next_due(&self.pool).await
    }

    async fn record_delivery(
        &self,
        request: RequestId,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> Result<()> {
        requests::record_delivery(&self.pool, request, delivery, now).await
    }

    async fn data_request(
        &self,
        workspace: WorkspaceId,
        request: RequestId,
    ) -> Result<Option<DataRequest>> {
        let mut conn = self.pool.acquire().await?;
        requests::get(&mut conn, workspace, request).await
    }

    async fn count_profiles(&self, workspace: WorkspaceId) -> Result<u64> {
        profiles::total(&self.pool, workspace).await
    }

    async fn backup(&self, to: &std::path::Path) -> Result<()> {
        let statement =
            super::BACKUP.map_err(|how| StorageError::InvalidRequest(how.to_string()))?;
        if to.exists() {
            return Err(StorageError::InvalidRequest(format!(
                "{} exists: a backup never overwrites a file",
                to.display()
            )));
        }
        let path = to.to_str().ok_or_else(|| {
            StorageError::InvalidRequest(format!("{} is not a UTF-8 path", to.display()))
        })?;
        sqlx::query(statement)
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
