//! A sync as the app runs it: push the outbox oldest first, then pull the workspace's changes
//! page by page; one sync at a time, its progress kept in memory for the status bar.

use serde::Serialize;
use userdesk_model::sync::{
    ClientId, Me, Mutation, PushRequest, PushResponse, MAX_PULL_LIMIT, MAX_PUSH_MUTATIONS,
};
use userdesk_model::{ErrorCode, SyncProgress};

use crate::error::{CoreError, Result};
use crate::store::outbox;
use crate::store::Store;
use crate::sync::client::{base_url, SyncClient};
use crate::sync::state::{self, read_state, to_u64};

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

/// Runs syncs one at a time over one HTTP client.
#[derive(Debug)]
pub struct SyncEngine {
    client: SyncClient,
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

impl SyncEngine {
    /// An engine with its own HTTP client.
    pub fn new() -> Result<Self> {
        Ok(Self {
            client: SyncClient::new()?,
            running: tokio::sync::Mutex::new(()),
            live: std::sync::Mutex::default(),
        })
    }

    /// A page of a customer's History from the server.
    pub(crate) async fn history(
        &self,
        server_url: &str,
        token: &str,
        query: &userdesk_model::HistoryQuery,
    ) -> Result<userdesk_model::AuditPage> {
        let base = base_url(server_url)?;
        self.client.history(&base, token, query).await
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
        // And one at a time across the processes on this store.
        let _one_process = store.exclusive("sync").await?;
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
        state::record_outcome(store, &result).await?;
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
        let mut renumbered = false;
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
            let response: PushResponse = match self.client.push(base, token, &request).await {
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
            if let Some(reused) = response.reused {
                // This store numbered edits again from where a backup (or a lost commit) left
                // it: they go again after the server's last, none mistaken for one it has. Once
                // a sync: a server asking again is not to be followed in circles.
                if renumbered || reused == 0 {
                    return Err(CoreError::Protocol(format!(
                        "the server answered mutation {reused} was used before, again"
                    )));
                }
                renumbered = true;
                tracing::warn!(
                    reused,
                    server_last = response.last_mutation_id,
                    "renumbering the outbox"
                );
                store
                    .renumber_from(reused, response.last_mutation_id)
                    .await?;
                after = reused - 1;
                continue;
            }
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
        let mut pages = self
            .client
            .pages(base, token, client_id, cookie, options.pull_limit);
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

    /// After [`CoreError::ServerRolledBack`], once the manager agreed: asks the server where it
    /// now stands with this client (an empty push), then starts the store again from there
    /// ([`Store::restart_from`]): the next sync downloads the workspace as the server now has
    /// it and sends the edits not yet sent. Returns how many edits the server had confirmed and
    /// no longer holds (they cannot be sent again: the store kept them only until confirmed).
    pub async fn recover(&self, store: &Store, server_url: &str, token: &str) -> Result<u64> {
        let _one_at_a_time = self.running.lock().await;
        let base = base_url(server_url)?;
        let _one_process = store.exclusive("sync").await?;
        let state = {
            let mut conn = store.pool.acquire().await?;
            read_state(&mut conn).await?
        };
        let request = PushRequest {
            client_id: state.client_id,
            mutations: Vec::new(),
        };
        let answer = self.client.push(&base, token, &request).await?;
        let confirmed = to_u64(state.confirmed_mutation);
        let lost = confirmed.saturating_sub(answer.last_mutation_id);
        tracing::warn!(
            confirmed,
            server_last = answer.last_mutation_id,
            "starting again from a server restored from a backup"
        );
        store.restart_from(answer.last_mutation_id).await?;
        Ok(lost)
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
        self.client.me(&base_url(server_url)?, token).await
    }
}

/// Most bytes of mutation arguments one push carries (a server takes 4 MB bodies by default):
/// pictures and long notes go a few at a time rather than in one refused request.
const MAX_PUSH_BYTES: usize = 1024 * 1024;

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
