//! Sync with the platform's server: push the outbox oldest first, then pull the workspace's
//! changes page by page, each page applied with the still-pending mutations rebased on top in
//! one transaction, the last page also trimming the outbox to what the server confirms.

pub(crate) mod auto;
pub(crate) mod bulk_load;
pub(crate) mod overwrites;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlx::SqliteConnection;
use userdesk_model::sync::{
    ClientId, Entity, Me, Mutation, Op, PatchOp, PullRequest, PullResponse, PushRequest,
    PushResponse, Rejection, Tombstone, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS,
};
use userdesk_model::{ApiError, ErrorCode, FieldError, Profile, ProfileId, SyncProgress};

use crate::error::{CoreError, Result};
use crate::store::outbox;
use crate::store::profiles::{self, apply_patch};
use crate::store::server_copies;
use crate::store::Store;
use bulk_load::Bulk;

/// How a sync talks to the server.
#[derive(Clone, Copy, Debug)]
pub struct SyncOptions {
    /// Changes asked for per pull page.
    pub pull_limit: u32,
    /// Mutations sent per push, at most the protocol's [`MAX_PUSH_MUTATIONS`].
    pub push_batch: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            // The largest pages the server gives: a first sync of a big workspace pays per page.
            pull_limit: MAX_PULL_LIMIT,
            push_batch: MAX_PUSH_MUTATIONS,
        }
    }
}

/// What one sync did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncReport {
    /// Mutations sent to the server.
    pub pushed: u64,
    /// Mutations the server applied.
    pub applied: u64,
    /// Mutations the server had already processed, and skipped.
    pub skipped: u64,
    /// Mutations the server refused (recorded for the manager).
    pub rejected: u64,
    /// Pull pages applied.
    pub pages: u64,
    /// Records changed or deleted by the pulled pages.
    pub pulled: u64,
    /// Whether the server made the client start over from nothing.
    pub reset: bool,
    /// Local edits still waiting for the server.
    pub pending: u64,
}

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

/// Runs syncs one at a time over one HTTP client.
#[derive(Debug)]
pub struct SyncEngine {
    http: reqwest::Client,
    running: tokio::sync::Mutex<()>,
    live: std::sync::Mutex<LiveState>,
}

/// Where the running sync stands, for the status bar; kept in memory only.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveState {
    /// Whether a sync is running now.
    pub syncing: bool,
    /// Whether the last attempt reached the server; `None` before any attempt.
    pub online: Option<bool>,
    /// The first download of the workspace, while it runs.
    pub first_sync: Option<SyncProgress>,
}

#[derive(sqlx::FromRow)]
struct StateRecord {
    client_id: ClientId,
    cookie: Option<String>,
    confirmed_mutation: i64,
    pulled_pages: i64,
}

async fn read_state(conn: &mut SqliteConnection) -> Result<StateRecord> {
    Ok(sqlx::query_as(
        "SELECT client_id, cookie, confirmed_mutation, pulled_pages FROM sync_state WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await?)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

impl SyncEngine {
    /// An engine with its own HTTP client.
    pub fn new() -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| CoreError::Offline(format!("the HTTP client could not start: {e}")))?;
        Ok(Self {
            http,
            running: tokio::sync::Mutex::new(()),
            live: std::sync::Mutex::default(),
        })
    }

    /// Pushes the outbox, then pulls every page of changes; a second call waits for the first.
    #[tracing::instrument(skip(self, store, token))]
    pub async fn sync_once(
        &self,
        store: &Store,
        server_url: &str,
        token: &str,
        options: SyncOptions,
    ) -> Result<SyncReport> {
        let _one_at_a_time = self.running.lock().await;
        let base = base_url(server_url)?;
        self.update_live(|live| live.syncing = true);
        let result = self.run(store, &base, token, options).await;
        self.update_live(|live| {
            live.syncing = false;
            live.first_sync = None;
            match &result {
                Err(CoreError::Offline(_)) => live.online = Some(false),
                Ok(_) | Err(CoreError::Server(_) | CoreError::ServerRolledBack { .. }) => {
                    live.online = Some(true)
                }
                Err(_) => {}
            }
        });
        let mut conn = store.pool.acquire().await?;
        match &result {
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
                sqlx::query(
                    "UPDATE sync_state SET last_error_code = ?, last_error = ? WHERE id = 1",
                )
                .bind(code_name(api.code))
                .bind(&api.message)
                .execute(&mut *conn)
                .await?;
            }
        }
        result
    }

    async fn run(
        &self,
        store: &Store,
        base: &str,
        token: &str,
        options: SyncOptions,
    ) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        let state = {
            let mut conn = store.pool.acquire().await?;
            read_state(&mut conn).await?
        };
        let confirmed = to_u64(state.confirmed_mutation);
        if state.cookie.is_none() {
            self.update_live(|live| live.first_sync = Some(SyncProgress::default()));
        }
        self.push(
            store,
            base,
            token,
            state.client_id,
            confirmed,
            options,
            &mut report,
        )
        .await?;
        self.pull(store, base, token, state.client_id, options, &mut report)
            .await?;
        report.pending = store.pending_count().await?;
        Ok(report)
    }

    #[allow(clippy::too_many_arguments)]
    async fn push(
        &self,
        store: &Store,
        base: &str,
        token: &str,
        client_id: ClientId,
        confirmed: u64,
        options: SyncOptions,
        report: &mut SyncReport,
    ) -> Result<()> {
        let batch = options.push_batch.clamp(1, MAX_PUSH_MUTATIONS);
        let mut after = 0;
        loop {
            let mutations = {
                let mut conn = store.pool.acquire().await?;
                within_push_bytes(outbox::pending_after(&mut conn, after, batch).await?)
            };
            let Some(last) = mutations.last().map(|m| m.id) else {
                return Ok(());
            };
            let count = mutations.len() as u64;
            let request = PushRequest {
                client_id,
                mutations,
            };
            let response: PushResponse =
                match self.post(&format!("{base}/v1/push"), token, &request).await {
                    Ok(response) => response,
                    // The outbox never starts past the mutation after the last confirmed one,
                    // so a gap means the server lost mutations it had confirmed.
                    Err(CoreError::Server(api)) if api.code == ErrorCode::MutationGap => {
                        return Err(CoreError::ServerRolledBack { confirmed });
                    }
                    Err(e) => return Err(e),
                };
            if response.last_mutation_id < confirmed {
                return Err(CoreError::ServerRolledBack { confirmed });
            }
            report.pushed += count;
            report.applied += u64::from(response.applied);
            report.skipped += u64::from(response.skipped);
            report.rejected += response.rejections.len() as u64;
            store.record_rejections(&response.rejections).await?;
            after = last;
        }
    }

    async fn pull(
        &self,
        store: &Store,
        base: &str,
        token: &str,
        client_id: ClientId,
        options: SyncOptions,
        report: &mut SyncReport,
    ) -> Result<()> {
        let cookie = {
            let mut conn = store.pool.acquire().await?;
            read_state(&mut conn).await?.cookie
        };
        let mut pages = self.fetch_pages(base, token, client_id, cookie, options);
        loop {
            let page = pages.next().await?;
            report.pages += 1;
            report.pulled += page.patch.len() as u64;
            report.reset |= page.reset;
            store.apply_page(&page).await?;
            self.update_live(|live| {
                // A reset downloads the workspace from nothing again: it shows as a first sync.
                if page.reset && live.first_sync.is_none() {
                    live.first_sync = Some(SyncProgress::default());
                }
                if let Some(progress) = &mut live.first_sync {
                    progress.pages += 1;
                    progress.pulled += page.patch.len() as u64;
                    if page.total.is_some() {
                        progress.total = page.total;
                    }
                }
            });
            if !page.has_more {
                return Ok(());
            }
        }
    }

    /// Fetches the pages after `cookie` one after the other in a task of its own, up to
    /// [`PAGES_AHEAD`] ahead of the page being applied, so the server builds the next pages while
    /// the store applies one. Each page applied saves its own cookie: pages fetched ahead and never
    /// applied (the sync failed or was stopped) are asked for again by the next sync.
    fn fetch_pages(
        &self,
        base: &str,
        token: &str,
        client_id: ClientId,
        cookie: Option<String>,
        options: SyncOptions,
    ) -> Fetching {
        let (sender, receiver) = tokio::sync::mpsc::channel(PAGES_AHEAD);
        let (http, url, token) = (
            self.http.clone(),
            format!("{base}/v1/pull"),
            token.to_string(),
        );
        let task = tokio::spawn(async move {
            let mut cookie = cookie;
            loop {
                let request = PullRequest {
                    client_id,
                    cookie: cookie.take(),
                    limit: Some(options.pull_limit),
                };
                let page: Result<PullResponse> = post(&http, &url, &token, &request).await;
                let next = match &page {
                    Ok(page) if page.has_more => Some(page.cookie.clone()),
                    _ => None,
                };
                // Sent in order; an applier that stopped takes no more.
                if sender.send(page).await.is_err() {
                    return;
                }
                match next {
                    Some(next) => cookie = Some(next),
                    None => return,
                }
            }
        });
        Fetching { receiver, task }
    }

    /// Where the running sync stands.
    pub fn live(&self) -> LiveState {
        self.live.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn update_live(&self, change: impl FnOnce(&mut LiveState)) {
        change(&mut self.live.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Asks the server whom `token` signs in: the check made before a token is kept.
    pub async fn whoami(&self, server_url: &str, token: &str) -> Result<Me> {
        let url = format!("{}/v1/me", base_url(server_url)?);
        let response = self.http.get(url).bearer_auth(token).send().await;
        read_answer(response).await
    }

    async fn post<Q: Serialize, A: DeserializeOwned>(
        &self,
        url: &str,
        token: &str,
        body: &Q,
    ) -> Result<A> {
        post(&self.http, url, token, body).await
    }
}

/// Pull pages on their way, in order: the task is stopped when they are no longer wanted.
struct Fetching {
    receiver: tokio::sync::mpsc::Receiver<Result<PullResponse>>,
    task: tokio::task::JoinHandle<()>,
}

impl Fetching {
    /// The next page, or why it could not be had.
    async fn next(&mut self) -> Result<PullResponse> {
        self.receiver.recv().await.unwrap_or_else(|| {
            Err(CoreError::Task(
                "the pull's pages stopped coming".to_string(),
            ))
        })
    }
}

impl Drop for Fetching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn post<Q: Serialize, A: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Q,
) -> Result<A> {
    let response = http.post(url).bearer_auth(token).json(body).send().await;
    read_answer(response).await
}

/// The server's answer as `A`, or its `{code, message}`, or why it could not be had.
async fn read_answer<A: DeserializeOwned>(
    response: reqwest::Result<reqwest::Response>,
) -> Result<A> {
    let response = response.map_err(|e| CoreError::Offline(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CoreError::Offline(e.without_url().to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            CoreError::Protocol(format!("the server's answer could not be read: {e}"))
        });
    }
    Err(CoreError::Server(
        serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| {
            ApiError::new(
                code_of_status(status.as_u16()),
                format!("the server answered {status}"),
            )
        }),
    ))
}

/// The server's address without a trailing slash, if it is an http(s) URL.
pub(crate) fn base_url(server_url: &str) -> Result<String> {
    let trimmed = server_url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        CoreError::InvalidRequest(format!("{trimmed:?} is not a server address: {e}"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CoreError::InvalidRequest(format!(
            "{trimmed:?} is not a server address: use https://…"
        )));
    }
    Ok(trimmed.to_string())
}

fn code_of_status(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::InvalidRequest,
        503 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}

fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn code_from_name(name: &str) -> ErrorCode {
    serde_json::from_value(serde_json::Value::String(name.to_string()))
        .unwrap_or(ErrorCode::Internal)
}

/// The profile an op changes in the `profiles` table, if any.
fn profile_of(op: &Op) -> Option<ProfileId> {
    match op {
        Op::ProfilePatch { profile_id, .. }
        | Op::ProfileSetStatus { profile_id, .. }
        | Op::ProfileDelete { profile_id } => Some(*profile_id),
        _ => None,
    }
}

/// The profile with the pending ops on top; `None` when one of them deletes it.
fn rebased(base: Profile, ops: &[&Op]) -> Option<Profile> {
    let mut profile = base;
    for op in ops {
        match op {
            Op::ProfilePatch { patch, .. } => profile = apply_patch(&profile, patch),
            Op::ProfileSetStatus { status, .. } => profile.status = *status,
            Op::ProfileDelete { .. } => return None,
            _ => {}
        }
    }
    Some(profile)
}

/// Pull pages fetched ahead of the one being applied (each up to a few MB decoded).
const PAGES_AHEAD: usize = 4;

/// Most bytes of mutation arguments one push carries (a server takes 4 MB bodies by default):
/// pictures and long notes go a few at a time rather than in one refused request.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;

/// The first mutations of `mutations` whose arguments fit in [`MAX_PUSH_BYTES`], and always
/// the first one.
fn within_push_bytes(mut mutations: Vec<Mutation>) -> Vec<Mutation> {
    let mut bytes = 0;
    let fits = mutations
        .iter()
        .position(|m| {
            bytes += m.name.len() + m.args.to_string().len();
            bytes > MAX_PUSH_BYTES
        })
        .map_or(mutations.len(), |over| over.max(1));
    mutations.truncate(fits);
    mutations
}

/// A generic record's kind and key, as the wire spells them.
fn kind_and_key(tombstone: &Tombstone) -> Result<(String, String)> {
    let json = serde_json::to_value(tombstone)
        .map_err(|e| CoreError::Protocol(format!("a pulled key could not be kept: {e}")))?;
    let kind = json["kind"].as_str().unwrap_or_default().to_string();
    Ok((kind, json["key"].to_string()))
}

/// The key a deletion of the entity would carry.
fn tombstone_of(entity: &Entity) -> Tombstone {
    match entity {
        Entity::Profile(p) => Tombstone::Profile(p.id),
        Entity::Property(p) => Tombstone::Property(p.id),
        Entity::PropertyValue(v) => {
            Tombstone::PropertyValue(userdesk_model::sync::PropertyValueKey {
                profile_id: v.profile_id,
                property_id: v.property_id,
            })
        }
        Entity::Note(n) => Tombstone::Note(n.id),
        Entity::Segment(s) => Tombstone::Segment(s.id),
        Entity::SegmentMember(m) => Tombstone::SegmentMember(*m),
        Entity::Goal(g) => Tombstone::Goal(g.id),
        Entity::GoalCompletion(c) => Tombstone::GoalCompletion(c.id),
        Entity::Session(s) => Tombstone::Session(s.id),
        Entity::Message(m) => Tombstone::Message(m.id),
        Entity::Request(r) => Tombstone::Request(r.id),
        Entity::Overwrite(o) => Tombstone::Overwrite(o.id),
        Entity::Picture(p) => Tombstone::Picture(p.profile_id),
    }
}

impl Store {
    /// Applies one pull page in one transaction: the records, the outbox trimmed to what the
    /// last page confirms, the pending mutations re-applied on top, and the cookie.
    #[tracing::instrument(skip_all, fields(ops = page.patch.len(), reset = page.reset))]
    pub(crate) async fn apply_page(&self, page: &PullResponse) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let state = read_state(&mut tx).await?;
        let confirmed = to_u64(state.confirmed_mutation);
        // A reset page may confirm less than before while it rebuilds from nothing; its last
        // page, like every other page, must not.
        if page.last_mutation_id < confirmed && (!page.reset || !page.has_more) {
            return Err(CoreError::ServerRolledBack { confirmed });
        }
        if page.reset {
            // The outbox stays: its edits are re-applied as their records arrive again.
            sqlx::query("DELETE FROM profiles")
                .execute(&mut *tx)
                .await?;
            server_copies::clear(&mut tx).await?;
            sqlx::query("DELETE FROM synced_records")
                .execute(&mut *tx)
                .await?;
            for table in [
                "property_values",
                "segment_members",
                "staged_property_values",
                "staged_segment_members",
            ] {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // A first download (or a reset's) into an empty store loads in bulk until its last page.
        let mut loading = bulk_load::loading(&mut tx).await?;
        if !loading && page.has_more && (state.cookie.is_none() || page.reset) {
            loading = bulk_load::start_if_empty(&mut tx).await?;
        }
        // Only the last page trims: a confirmed edit's record may have changed again since, and
        // then comes in a later page; trimmed before that page, the edit would vanish from the
        // screen behind an older server copy until the next sync got that far.
        let mut confirmed_edits = Vec::new();
        if !page.has_more {
            let confirmed: Vec<_> = outbox::all_pending(&mut tx)
                .await?
                .into_iter()
                .filter(|m| m.id <= page.last_mutation_id)
                .collect();
            confirmed_edits = overwrites::profile_edits(&confirmed)?;
            outbox::trim(&mut tx, page.last_mutation_id).await?;
        }
        let pending = outbox::all_pending(&mut tx).await?;
        let ops: Vec<Op> = pending
            .iter()
            .map(|m| {
                Op::from_mutation(m)
                    .map_err(|e| CoreError::Corrupt(format!("mutation {}: {e}", m.id)))
            })
            .collect::<Result<_>>()?;
        let mut pending_by_profile: HashMap<ProfileId, Vec<&Op>> = HashMap::new();
        for op in &ops {
            if let Some(id) = profile_of(op) {
                pending_by_profile.entry(id).or_default().push(op);
            }
        }
        let version = state.pulled_pages + 1;
        // Profiles with a server copy, and the records of the commonest kinds, are written in
        // bulk after the loop; a page names each record once, so the order between them is free.
        let shadowed = server_copies::ids(&mut tx).await?;
        let mut bulk = Bulk::default();
        for op in &page.patch {
            match op {
                PatchOp::Put(Entity::Profile(profile)) => {
                    if pending_by_profile.contains_key(&profile.id)
                        || shadowed.contains(&profile.id)
                    {
                        server_copies::put(&mut tx, profile).await?;
                    } else {
                        bulk.profile(profile);
                    }
                }
                PatchOp::Put(Entity::PropertyValue(value)) => bulk.value(value),
                PatchOp::Put(Entity::SegmentMember(member)) => bulk.member(member, true),
                PatchOp::Delete(Tombstone::PropertyValue(key)) => bulk.value_gone(key),
                PatchOp::Delete(Tombstone::SegmentMember(member)) => bulk.member(member, false),
                PatchOp::Delete(Tombstone::Profile(id)) => {
                    server_copies::remove(&mut tx, *id).await?;
                    profiles::delete_profile(&mut tx, *id).await?;
                }
                // A notice is kept only by the client whose edit it is about.
                PatchOp::Put(Entity::Overwrite(notice)) => {
                    if notice.client_id == state.client_id {
                        overwrites::record_notice(&mut tx, notice).await?;
                    }
                }
                PatchOp::Delete(Tombstone::Overwrite(_)) => {}
                PatchOp::Put(entity) => {
                    let (kind, key) = kind_and_key(&tombstone_of(entity))?;
                    let record = serde_json::to_string(entity).map_err(|e| {
                        CoreError::Protocol(format!("a pulled record could not be kept: {e}"))
                    })?;
                    sqlx::query(
                        "INSERT INTO synced_records (kind, key, record, version) VALUES (?, ?, ?, ?) \
                         ON CONFLICT (kind, key) DO UPDATE SET record = excluded.record, \
                         version = excluded.version",
                    )
                    .bind(kind)
                    .bind(key)
                    .bind(record)
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                }
                PatchOp::Delete(tombstone) => {
                    let (kind, key) = kind_and_key(tombstone)?;
                    sqlx::query("DELETE FROM synced_records WHERE kind = ? AND key = ?")
                        .bind(kind)
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        bulk.write(&mut tx, loading).await?;
        overwrites::record(&mut tx, &confirmed_edits, &pending_by_profile).await?;
        rebase(&mut tx, &pending_by_profile).await?;
        sqlx::query(
            "UPDATE sync_state SET cookie = ?, confirmed_mutation = max(confirmed_mutation, ?), \
             pulled_pages = ? WHERE id = 1",
        )
        .bind(&page.cookie)
        .bind(to_i64(page.last_mutation_id))
        .bind(version)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if loading && !page.has_more {
            bulk_load::finish(self).await?;
        }
        Ok(())
    }

    /// Keeps the server's refusals for the manager; one already kept stays as it is (dismissed
    /// or not).
    pub(crate) async fn record_rejections(&self, rejections: &[Rejection]) -> Result<()> {
        if rejections.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_transaction().await?;
        for r in rejections {
            let fields = serde_json::to_string(&r.fields)
                .map_err(|e| CoreError::Protocol(format!("a rejection could not be kept: {e}")))?;
            sqlx::query(
                "INSERT OR IGNORE INTO rejections (mutation_id, name, code, message, fields, \
                 rejected_at) VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(to_i64(r.mutation_id))
            .bind(&r.name)
            .bind(code_name(r.code))
            .bind(&r.message)
            .bind(fields)
            .bind(Utc::now().timestamp_millis())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The server's refusals the manager has not dismissed, oldest first.
    pub async fn rejections(&self) -> Result<Vec<Rejection>> {
        let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT mutation_id, name, code, message, fields FROM rejections \
             WHERE dismissed = 0 ORDER BY mutation_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(id, name, code, message, fields)| {
                Ok(Rejection {
                    mutation_id: to_u64(id),
                    name,
                    code: code_from_name(&code),
                    message,
                    fields: serde_json::from_str::<Vec<FieldError>>(&fields)
                        .map_err(|e| CoreError::Corrupt(format!("rejection fields: {e}")))?,
                })
            })
            .collect()
    }

    /// Hides a refusal from the list once the manager has read it.
    pub async fn dismiss_rejection(&self, mutation_id: u64) -> Result<()> {
        sqlx::query("UPDATE rejections SET dismissed = 1 WHERE mutation_id = ?")
            .bind(to_i64(mutation_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

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

/// Rebuilds every profile with a server copy: the copy plus its pending mutations, or the copy
/// alone (and the copy forgotten) once none is pending, which also undoes a refused edit.
async fn rebase(
    conn: &mut SqliteConnection,
    pending_by_profile: &HashMap<ProfileId, Vec<&Op>>,
) -> Result<()> {
    for base in server_copies::all(conn).await? {
        let id = base.id;
        let target = match pending_by_profile.get(&id) {
            Some(ops) => rebased(base, ops),
            None => {
                server_copies::remove(conn, id).await?;
                Some(base)
            }
        };
        let current = profiles::read_profile(conn, id).await?;
        match target {
            Some(profile) if current.as_ref() != Some(&profile) => {
                profiles::write_profile(conn, &profile).await?
            }
            None if current.is_some() => profiles::delete_profile(conn, id).await?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{Note, NoteId, ProfilePatch};

    async fn store_with(count: usize) -> (Store, Vec<Profile>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(21, now).take(count).collect();
        store.insert_profiles(&profiles).await.unwrap();
        (store, profiles, dir)
    }

    fn page(last_mutation_id: u64, reset: bool, patch: Vec<PatchOp>) -> PullResponse {
        PullResponse {
            cookie: format!("after-{last_mutation_id}"),
            has_more: false,
            last_mutation_id,
            reset,
            total: None,
            patch,
        }
    }

    async fn edit(store: &Store, id: ProfileId, patch: ProfilePatch) {
        store
            .patch_profile(id, &patch.validate().unwrap())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn pending_edits_stay_on_top_of_pulled_changes_until_confirmed() {
        let (store, profiles, _dir) = store_with(3).await;
        let mine = &profiles[0];
        edit(
            &store,
            mine.id,
            ProfilePatch {
                first_name: Some("Mine".into()),
                ..Default::default()
            },
        )
        .await;
        // Another manager moved the customer; this client's edit is not in the page yet.
        let mut theirs = mine.clone();
        theirs.location = "Quito".into();
        store
            .apply_page(&page(
                0,
                false,
                vec![PatchOp::Put(Entity::Profile(theirs.clone()))],
            ))
            .await
            .unwrap();
        let shown = store.get_profile(mine.id).await.unwrap();
        assert_eq!(
            (shown.first_name.as_str(), shown.location.as_str()),
            ("Mine", "Quito")
        );
        assert_eq!(store.pending_count().await.unwrap(), 1);

        // The server confirms the edit with the record as it now is.
        let mut confirmed = theirs.clone();
        confirmed.first_name = "Mine".into();
        store
            .apply_page(&page(
                1,
                false,
                vec![PatchOp::Put(Entity::Profile(confirmed.clone()))],
            ))
            .await
            .unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap(), confirmed);
        assert_eq!(store.pending_count().await.unwrap(), 0);
        let mut conn = store.pool.acquire().await.unwrap();
        assert!(server_copies::all(&mut conn).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_confirmed_edit_stays_on_screen_until_the_page_with_its_record_arrives() {
        let (store, profiles, _dir) = store_with(2).await;
        let mine = &profiles[0];
        edit(
            &store,
            mine.id,
            ProfilePatch {
                last_name: Some("Mine".into()),
                ..Default::default()
            },
        )
        .await;
        // The server applied the edit, then another manager changed the customer too: its
        // record now sits at a later version, past the end of this page, which already
        // confirms the edit.
        let mut first = page(1, false, vec![]);
        first.has_more = true;
        store.apply_page(&first).await.unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap().last_name, "Mine");
        assert_eq!(store.pending_count().await.unwrap(), 1);

        let mut now = mine.clone();
        now.last_name = "Mine".into();
        now.location = "Quito".into();
        store
            .apply_page(&page(
                1,
                false,
                vec![PatchOp::Put(Entity::Profile(now.clone()))],
            ))
            .await
            .unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap(), now);
        assert_eq!(store.pending_count().await.unwrap(), 0);
        let mut conn = store.pool.acquire().await.unwrap();
        assert!(server_copies::all(&mut conn).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_notice_of_a_replaced_edit_is_listed_once_and_only_by_the_client_that_made_it() {
        let (store, profiles, _dir) = store_with(2).await;
        let mine = {
            let mut conn = store.pool.acquire().await.unwrap();
            read_state(&mut conn).await.unwrap().client_id
        };
        let customer = &profiles[1];
        let notice = |client_id, field, replaced: &str, value: &str| {
            Entity::Overwrite(userdesk_model::sync::Overwrite {
                id: userdesk_model::sync::OverwriteId::new(),
                client_id,
                mutation_id: 4,
                profile_id: customer.id,
                field,
                replaced: replaced.into(),
                value: value.into(),
                by: "bob@example.com".into(),
                at: customer.created_at,
            })
        };
        use userdesk_model::Field::{FirstName, Location};
        let ops = vec![
            PatchOp::Put(notice(ClientId::new(), Location, "Oslo", "Rome")),
            PatchOp::Put(notice(mine, Location, "Paris", "Rome")),
            // The same notice pulled again (after a reset) is not listed twice.
            PatchOp::Put(notice(mine, Location, "Paris", "Rome")),
            PatchOp::Put(notice(mine, FirstName, "Ann", "Anna")),
        ];
        store.apply_page(&page(4, false, ops)).await.unwrap();
        let listed = store.rejections().await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].mutation_id, 4);
        assert_eq!(listed[0].code, ErrorCode::Overwritten);
        let fields: Vec<_> = listed[0].fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, [Location, FirstName]);
        assert!(
            listed[0].message.starts_with(&format!(
                "bob@example.com changed {} after you: location (your “Paris” was replaced",
                customer.username()
            )),
            "{}",
            listed[0].message
        );
        // Dismissed, it stays dismissed when the notice comes again.
        store.dismiss_rejection(4).await.unwrap();
        let again = vec![PatchOp::Put(notice(mine, Location, "Paris", "Rome"))];
        store.apply_page(&page(4, false, again)).await.unwrap();
        assert!(store.rejections().await.unwrap().is_empty());
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM synced_records")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, 0, "notices are not kept as records");
    }

    #[tokio::test]
    async fn a_refused_edit_is_undone_when_the_server_confirms_past_it() {
        let (store, profiles, _dir) = store_with(2).await;
        let p = &profiles[1];
        edit(
            &store,
            p.id,
            ProfilePatch {
                location: Some("Refused".into()),
                ..Default::default()
            },
        )
        .await;
        // The refusal advanced the client's last mutation without any record changing.
        store.apply_page(&page(1, false, vec![])).await.unwrap();
        assert_eq!(store.get_profile(p.id).await.unwrap(), *p);
    }

    #[tokio::test]
    async fn a_reset_rebuilds_from_nothing_and_keeps_the_outbox() {
        let (store, profiles, _dir) = store_with(3).await;
        let kept = &profiles[0];
        edit(
            &store,
            kept.id,
            ProfilePatch {
                last_name: Some("Pending".into()),
                ..Default::default()
            },
        )
        .await;
        let note = Note {
            id: NoteId::new(),
            profile_id: kept.id,
            author: "admin@example.com".into(),
            body: "Called back".into(),
            created_at: kept.created_at,
            updated_at: kept.created_at,
        };
        let reset = page(
            0,
            true,
            vec![
                PatchOp::Put(Entity::Profile(kept.clone())),
                PatchOp::Put(Entity::Note(note.clone())),
            ],
        );
        store.apply_page(&reset).await.unwrap();
        // Only what the server sent is left, with the pending edit on top.
        assert_eq!(store.profile_total().await.unwrap(), 1);
        assert_eq!(
            store.get_profile(kept.id).await.unwrap().last_name,
            "Pending"
        );
        assert_eq!(store.pending_count().await.unwrap(), 1);
        // A record of a kind without its own table is kept whole.
        let (record,): (String,) =
            sqlx::query_as("SELECT record FROM synced_records WHERE kind = 'note'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        let back: Entity = serde_json::from_str(&record).unwrap();
        assert_eq!(back, Entity::Note(note.clone()));
        store
            .apply_page(&page(
                0,
                false,
                vec![PatchOp::Delete(Tombstone::Note(note.id))],
            ))
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM synced_records")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
        let cookie: Option<String> = sqlx::query_scalar("SELECT cookie FROM sync_state")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(cookie.as_deref(), Some("after-0"));
    }

    #[tokio::test]
    async fn a_page_confirming_less_than_before_is_refused_and_changes_nothing() {
        let (store, profiles, _dir) = store_with(1).await;
        sqlx::query("UPDATE sync_state SET confirmed_mutation = 5")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut changed = profiles[0].clone();
        changed.location = "Elsewhere".into();
        let err = store
            .apply_page(&page(
                3,
                false,
                vec![PatchOp::Put(Entity::Profile(changed))],
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(err, CoreError::ServerRolledBack { confirmed: 5 }),
            "{err}"
        );
        assert_eq!(
            store.get_profile(profiles[0].id).await.unwrap(),
            profiles[0]
        );
    }

    /// A first download of three pages: profiles, property values, segment members and notes,
    /// a value changed again and one deleted in later pages, a customer deleted, and the
    /// manager's edit of a customer between the first and second pages.
    fn download(profiles: &[Profile]) -> Vec<PullResponse> {
        use userdesk_model::sync::PropertyValueKey;
        use userdesk_model::{PropertyId, PropertyValue, SegmentId, SegmentMember};
        let property = PropertyId::new();
        let segment = SegmentId::new();
        let value = |p: &Profile, v: &str| {
            Entity::PropertyValue(PropertyValue {
                profile_id: p.id,
                property_id: property,
                value: v.to_string(),
            })
        };
        let member = |p: &Profile| {
            Entity::SegmentMember(SegmentMember {
                segment_id: segment,
                profile_id: p.id,
            })
        };
        let note = Note {
            id: NoteId::new(),
            profile_id: profiles[1].id,
            author: "admin@example.com".into(),
            body: "Called back".into(),
            created_at: profiles[1].created_at,
            updated_at: profiles[1].created_at,
        };
        let (first, rest) = profiles.split_at(profiles.len() / 2);
        let mut one: Vec<PatchOp> = Vec::new();
        for p in first {
            one.push(PatchOp::Put(Entity::Profile(p.clone())));
            one.push(PatchOp::Put(value(p, "gold")));
            one.push(PatchOp::Put(member(p)));
        }
        one.push(PatchOp::Put(Entity::Note(note.clone())));
        let mut two: Vec<PatchOp> = rest
            .iter()
            .flat_map(|p| {
                [
                    PatchOp::Put(Entity::Profile(p.clone())),
                    PatchOp::Put(value(p, "silver")),
                ]
            })
            .collect();
        two.push(PatchOp::Put(value(&first[0], "platinum")));
        two.push(PatchOp::Delete(Tombstone::PropertyValue(
            PropertyValueKey {
                profile_id: first[1].id,
                property_id: property,
            },
        )));
        let mut moved = first[2].clone();
        moved.location = "Quito".into();
        let three = vec![
            PatchOp::Put(Entity::Profile(moved)),
            PatchOp::Delete(Tombstone::Profile(first[3].id)),
            PatchOp::Delete(Tombstone::SegmentMember(SegmentMember {
                segment_id: segment,
                profile_id: first[4].id,
            })),
            PatchOp::Put(value(&first[1], "bronze")),
            // A value kept by the first page, deleted by the last.
            PatchOp::Delete(Tombstone::PropertyValue(PropertyValueKey {
                profile_id: first[5].id,
                property_id: property,
            })),
            PatchOp::Delete(Tombstone::Note(note.id)),
        ];
        let pages = [one, two, three];
        let last = pages.len() - 1;
        pages
            .into_iter()
            .enumerate()
            .map(|(i, patch)| PullResponse {
                has_more: i < last,
                ..page(0, false, patch)
            })
            .collect()
    }

    /// Everything a pull writes, and the indexes of the profiles table.
    async fn dump(store: &Store) -> Vec<String> {
        let queries = [
            "SELECT json_array(seq, hex(id), email, first_name, last_name, phone, location, \
             username, created_at, last_seen_at, device, sessions, live_chat_takeover, status, \
             kind, platform) FROM profiles ORDER BY seq",
            "SELECT json_array(kind, key, record, version) FROM synced_records ORDER BY kind, key",
            "SELECT json_array(hex(profile_id), hex(property_id), value) FROM property_values \
             ORDER BY profile_id, property_id",
            "SELECT json_array(hex(segment_id), hex(profile_id)) FROM segment_members \
             ORDER BY segment_id, profile_id",
            "SELECT json_array(status, kind, platform, profiles) FROM profile_counts \
             WHERE profiles > 0 ORDER BY 1",
            "SELECT json_array(name, sql) FROM sqlite_master \
             WHERE tbl_name IN ('profiles', 'property_values', 'synced_records') ORDER BY name",
            "SELECT json_array(id, name, args) FROM outbox ORDER BY id",
            "SELECT json_array(hex(id), record) FROM profile_shadows ORDER BY id",
            "SELECT json_array(seq, status) FROM status_shadows ORDER BY seq",
            "SELECT json_array((SELECT count(*) FROM staged_property_values), \
             (SELECT count(*) FROM staged_segment_members))",
            "SELECT json_array(count(*), (SELECT bulk_load FROM sync_state)) FROM deferred_indexes",
        ];
        let mut rows = Vec::new();
        for sql in queries {
            let found: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(&store.pool)
                .await
                .unwrap();
            rows.push(format!("{sql}: {}", found.join("\n")));
        }
        rows
    }

    async fn empty_store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        (store, dir)
    }

    async fn loading(store: &Store) -> bool {
        let mut conn = store.pool.acquire().await.unwrap();
        bulk_load::loading(&mut conn).await.unwrap()
    }

    /// Applies the pages, the manager editing a customer after the first.
    async fn apply_download(store: &Store, pages: &[PullResponse], edited: ProfileId) {
        for (i, page) in pages.iter().enumerate() {
            store.apply_page(page).await.unwrap();
            if i == 0 {
                edit(
                    store,
                    edited,
                    ProfilePatch {
                        last_name: Some("Edited during the download".into()),
                        ..Default::default()
                    },
                )
                .await;
            }
        }
    }

    #[tokio::test]
    async fn a_first_download_loaded_in_bulk_leaves_the_store_the_ordinary_path_leaves() {
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(5, now).take(40).collect();
        let pages = download(&profiles);

        let (bulk_store, _a) = empty_store().await;
        bulk_store.apply_page(&pages[0]).await.unwrap();
        assert!(loading(&bulk_store).await, "an empty store loads in bulk");
        let during = dump(&bulk_store).await;
        assert!(!during[5].contains("profiles_by_username"), "{}", during[5]);
        for kept in ["profiles_by_status", "property_values_by_property"] {
            assert!(during[5].contains(kept), "{kept}: {}", during[5]);
        }
        assert!(
            during[2].ends_with(": "),
            "values are staged: {}",
            during[2]
        );
        edit(
            &bulk_store,
            profiles[0].id,
            ProfilePatch {
                last_name: Some("Edited during the download".into()),
                ..Default::default()
            },
        )
        .await;
        for page in &pages[1..] {
            bulk_store.apply_page(page).await.unwrap();
        }
        assert!(!loading(&bulk_store).await);

        // The ordinary path: a store that has synced before applies the same pages one by one.
        let (ordinary, _b) = empty_store().await;
        sqlx::query("UPDATE sync_state SET cookie = 'earlier'")
            .execute(&ordinary.pool)
            .await
            .unwrap();
        apply_download(&ordinary, &pages, profiles[0].id).await;
        assert!(!loading(&ordinary).await);

        assert_eq!(dump(&bulk_store).await, dump(&ordinary).await);
        let shown = bulk_store.get_profile(profiles[0].id).await.unwrap();
        assert_eq!(shown.last_name, "Edited during the download");
        assert_eq!(bulk_store.pending_count().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_bulk_load_cut_short_by_a_crash_ends_correct_when_the_sync_resumes() {
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(6, now).take(40).collect();
        let pages = download(&profiles);
        let (ordinary, _b) = empty_store().await;
        sqlx::query("UPDATE sync_state SET cookie = 'earlier'")
            .execute(&ordinary.pool)
            .await
            .unwrap();
        apply_download(&ordinary, &pages, profiles[0].id).await;
        let expected = dump(&ordinary).await;

        // Killed after the second page: the store on disk is what the committed pages left.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        {
            let store = Store::open(&path).await.unwrap();
            apply_download(&store, &pages[..2], profiles[0].id).await;
            assert!(loading(&store).await);
            store.close().await;
        }
        let store = Store::open(&path).await.unwrap();
        assert!(loading(&store).await, "the load goes on after a restart");
        store.apply_page(&pages[2]).await.unwrap();
        assert_eq!(dump(&store).await, expected);
        store.close().await;

        // Killed between the last page's commit and the end of the load: the next sync's (empty)
        // last page ends it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        {
            let store = Store::open(&path).await.unwrap();
            let mut cut: Vec<PullResponse> = pages.clone();
            cut[2].has_more = true;
            apply_download(&store, &cut, profiles[0].id).await;
            assert!(loading(&store).await);
            store.close().await;
        }
        let store = Store::open(&path).await.unwrap();
        store.apply_page(&page(0, false, vec![])).await.unwrap();
        assert!(!loading(&store).await);
        let mut after = dump(&store).await;
        let mut expected = expected;
        // Only the generic records' page numbers differ: one more page was applied.
        after.remove(1);
        expected.remove(1);
        assert_eq!(after, expected);
    }
}
