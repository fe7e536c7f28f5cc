//! Where the platform's data lives: one [`Storage`] trait, implemented on SQLite (the default)
//! and on PostgreSQL (for a workspace that outgrows one machine), from the same SQL.

pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use userdesk_model::sync::{ClientId, Mutation, PullResponse, Rejection};
use userdesk_model::{DataRequest, DataRequestKind, ProfileId, RequestId};

use crate::ids::{ManagerId, WorkspaceId};
use crate::managers::{Principal, Role, TokenInfo};

/// Everything that can go wrong in storage; domain refusals are not errors but [`Rejection`]s.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("the database failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the database could not be upgraded: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds a value this version cannot read: {0}")]
    Corrupt(String),
    #[error("this client id belongs to another workspace")]
    ForeignClient,
    #[error("this client id belongs to another manager")]
    ColleaguesClient,
    #[error("{0}")]
    InvalidRequest(String),
    #[error("no workspace named {0:?}")]
    UnknownWorkspace(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
}

/// The storage result type.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// What became of one pushed mutation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MutationOutcome {
    /// Applied and committed with the client's new last mutation id.
    Applied,
    /// Refused for good; recorded, and the client's last mutation id still advanced.
    Rejected(Rejection),
    /// Already processed by an earlier push.
    Duplicate,
    /// Mutations between the client's last one and this one are missing.
    Gap { last_mutation_id: u64 },
    /// The id was processed before with other content: the client lost its numbering. It and
    /// the mutations after it are not processed.
    Reused { last_mutation_id: u64 },
}

/// What a pruning forgot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pruned {
    /// The version up to which history was forgotten (cookies before it get a reset).
    pub version: i64,
    pub tombstones: u64,
    pub mutations: u64,
}

/// One request of a pull, already checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullQuery {
    pub client_id: ClientId,
    pub cookie: Option<String>,
    pub limit: u32,
}

/// A data request waiting for its email, with what the email needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingRequest {
    pub id: RequestId,
    pub workspace_name: String,
    pub data_protection_email: String,
    pub profile_id: ProfileId,
    pub kind: DataRequestKind,
    pub customer: String,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub attempts: u32,
}

/// How one attempt to mail a data request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Sent,
    /// Failed; tried again at `retry_at`, or never again when it is `None`.
    Failed {
        reason: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// A batch of demo or imported platform records, written at once under one version.
pub use userdesk_model::PlatformBatch;

/// How many bytes of records a pull page carries at most (it always carries at least one
/// change, however big): a page of pictures or long segments is cut short of its change limit,
/// so neither the server nor the client ever holds more than this (and one record) of a page.
pub const PULL_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The platform's storage. Every method that reads or writes workspace data takes the workspace
/// from the caller's [`Principal`], never from the request.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Whether the database answers.
    async fn health(&self) -> Result<()>;

    /// The manager a token's SHA-256 belongs to, if any.
    async fn authenticate(&self, token_hash: &str) -> Result<Option<Principal>>;

    /// The workspace named `name`, created with `data_protection_email` if it does not exist (an
    /// existing one keeps its address).
    async fn ensure_workspace(
        &self,
        name: &str,
        data_protection_email: &str,
    ) -> Result<WorkspaceId>;

    /// The workspace named `name`, if it exists.
    async fn find_workspace(&self, name: &str) -> Result<Option<WorkspaceId>>;

    /// The manager with `email` in the workspace, created with `role` if new (an existing
    /// manager keeps theirs: [`Storage::set_manager_role`] changes it).
    async fn ensure_manager(
        &self,
        workspace: WorkspaceId,
        email: &str,
        role: Role,
        time_zone: &str,
    ) -> Result<ManagerId>;

    /// Stores a new token's SHA-256 for a manager, valid for good.
    async fn add_token(&self, manager: ManagerId, token_hash: &str) -> Result<()> {
        self.add_token_until(manager, token_hash, None).await
    }

    /// Stores a new token's SHA-256 for a manager, valid until `expires_at` (for good if `None`).
    async fn add_token_until(
        &self,
        manager: ManagerId,
        token_hash: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<()>;

    /// The role of the manager with `email` in the workspace, if there is such a manager.
    async fn manager_role(&self, workspace: WorkspaceId, email: &str) -> Result<Option<Role>>;

    /// Gives a manager another role; false if there is no such manager.
    async fn set_manager_role(
        &self,
        workspace: WorkspaceId,
        email: &str,
        role: Role,
    ) -> Result<bool>;

    /// Disables a manager (each of their tokens is refused at once) or enables them again;
    /// false if there is no such manager.
    async fn set_manager_disabled(
        &self,
        workspace: WorkspaceId,
        email: &str,
        disabled: bool,
    ) -> Result<bool>;

    /// Every token (never the secret: the first digits of its hash), or those of a workspace.
    async fn tokens(&self, workspace: Option<WorkspaceId>) -> Result<Vec<TokenInfo>>;

    /// Revokes the one token whose id (as [`Storage::tokens`] gives it) starts with `id`.
    async fn revoke_token(&self, id: &str) -> Result<TokenInfo>;

    /// Processes a push's mutations in order, in one transaction that commits before this
    /// returns: each applies (or is refused) in its own savepoint together with the client's last
    /// mutation id; ids already processed are skipped; the first gap ends the list. A database
    /// failure keeps nothing.
    async fn process_push(
        &self,
        principal: &Principal,
        client: ClientId,
        mutations: &[Mutation],
        now: DateTime<Utc>,
    ) -> Result<Vec<MutationOutcome>>;

    /// The client's last processed mutation (0 for a client never seen).
    async fn client_last_mutation(&self, principal: &Principal, client: ClientId) -> Result<u64>;

    /// The rejection recorded for a mutation an earlier push processed, if it was refused.
    async fn recorded_rejection(
        &self,
        client: ClientId,
        mutation_id: u64,
    ) -> Result<Option<Rejection>>;

    /// One page of the workspace's changes after the query's cookie, read from one snapshot.
    async fn pull(&self, principal: &Principal, query: &PullQuery) -> Result<PullResponse>;

    /// Forgets tombstones at or below `version`; older cookies get a reset afterwards.
    async fn prune_tombstones(&self, workspace: WorkspaceId, version: i64) -> Result<u64>;

    /// Forgets the workspace's tombstones and processed mutations from before `before` (each
    /// client keeps its latest); older cookies get a reset afterwards.
    async fn prune_before(&self, workspace: WorkspaceId, before: DateTime<Utc>) -> Result<Pruned>;

    /// Deletes forever every profile, in every workspace, that went to the Trash before
    /// `before`, with everything attached to it; returns how many.
    async fn purge_trash(&self, before: DateTime<Utc>) -> Result<u64>;

    /// Writes a batch of platform data under one new version of the workspace.
    async fn insert_batch(&self, workspace: WorkspaceId, batch: &PlatformBatch) -> Result<()>;

    /// One page of the workspace's audit log: every mutation processed, applied or refused,
    /// oldest first.
    async fn audit(
        &self,
        workspace: WorkspaceId,
        query: &userdesk_model::AuditQuery,
    ) -> Result<userdesk_model::AuditPage>;

    /// One page of a customer's History, the latest first: the applied entries of the audit
    /// log that changed them, each with only its changes of them.
    async fn history(
        &self,
        workspace: WorkspaceId,
        query: &userdesk_model::HistoryQuery,
    ) -> Result<userdesk_model::AuditPage>;

    /// Data requests whose email is due at `now`, oldest first.
    async fn due_requests(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<PendingRequest>>;

    /// The earliest time a queued data request is due, if any is queued.
    async fn next_request_due(&self) -> Result<Option<DateTime<Utc>>>;

    /// Records how an attempt to mail a request ended, as a change the clients pull.
    async fn record_delivery(
        &self,
        request: RequestId,
        delivery: &Delivery,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// A data request of the workspace, as clients see it.
    async fn data_request(
        &self,
        workspace: WorkspaceId,
        request: RequestId,
    ) -> Result<Option<DataRequest>>;

    /// How many profiles the workspace holds.
    async fn count_profiles(&self, workspace: WorkspaceId) -> Result<u64>;

    /// Writes a consistent copy of the whole database into the new file `to`, while the server
    /// runs (SQLite); PostgreSQL is backed up with its own tools.
    async fn backup(&self, to: &std::path::Path) -> Result<()>;

    /// Closes every connection.
    async fn close(&self);
}

/// Opens the database at `url` (`sqlite://PATH` or `postgres://...`) and brings its schema up
/// to date.
pub async fn open(url: &str) -> Result<Arc<dyn Storage>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(sqlite::SqliteStorage::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(postgres::PostgresStorage::open(url).await?))
    } else {
        Err(StorageError::UnsupportedUrl(url.to_string()))
    }
}
