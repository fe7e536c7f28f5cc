//! Sync as the app runs it: now, in the background, its status and the server's refusals.

use std::sync::Arc;

use userdesk_model::sync::Rejection;

use super::AppCore;
use crate::error::Result;
use crate::sync::auto::{AutoSync, AutoSyncOptions};
use crate::sync::{SyncOptions, SyncReport, SyncStatus};

impl AppCore {
    /// "Sync now": pushes the pending edits and pulls the workspace's changes; one sync runs at
    /// a time, a second call waits for the first.
    pub async fn sync_to(&self, server_url: &str, token: &str) -> Result<SyncReport> {
        self.sync_with(server_url, token, SyncOptions::default())
            .await
    }

    /// A sync with a token given for it alone (`userdesk-cli sync --server`; nothing is kept):
    /// checked with the server first, as a sign-in is, so the store never mixes the customers
    /// of two workspaces; the first time, the store takes the token's workspace (and the demo
    /// goes).
    pub async fn sync_as(
        &self,
        server_url: &str,
        token: &str,
        options: SyncOptions,
    ) -> Result<SyncReport> {
        let base = crate::sync::base_url(server_url)?;
        let me = self.sync_engine().whoami(&base, token).await?;
        self.store()
            .adopt_workspace(&crate::store::settings::Identity::of(&me, &base))
            .await?;
        self.sync_with(&base, token, options).await
    }

    /// "Download again" after the server was restored from an older backup (a sync stopped with
    /// `server_rolled_back`), as the signed-in manager: the store starts again from the server
    /// as it now is and syncs; returns how many confirmed edits the server no longer holds.
    pub async fn recover_sync(&self) -> Result<u64> {
        let (account, token) = self.credentials().await?;
        self.recover_with(&account.server_url, &token).await
    }

    /// As [`Self::recover_sync`], with the server and token given.
    pub async fn recover_with(&self, server_url: &str, token: &str) -> Result<u64> {
        let lost = self.sync.recover(&self.store, server_url, token).await?;
        self.refresh_search_index_in_background();
        self.sync_to(server_url, token).await?;
        Ok(lost)
    }

    /// As [`Self::sync_to`], with the page and batch sizes given.
    pub async fn sync_with(
        &self,
        server_url: &str,
        token: &str,
        options: SyncOptions,
    ) -> Result<SyncReport> {
        let result = self
            .sync
            .sync_once(&self.store, server_url, token, options)
            .await;
        // Pages applied before a failure are committed: the index follows them either way.
        self.refresh_search_index_in_background();
        result
    }

    /// Syncs in the background from now on: after edits, on a timer, and with retries; replaces
    /// any background sync already running. The token lives only in memory here.
    pub fn start_auto_sync(
        self: &Arc<Self>,
        server_url: String,
        token: String,
        options: AutoSyncOptions,
    ) {
        let core = Arc::downgrade(self);
        let auto = AutoSync::start(options, move || {
            let (core, server_url, token) = (core.clone(), server_url.clone(), token.clone());
            async move {
                match core.upgrade() {
                    Some(core) => core.sync_to(&server_url, &token).await,
                    // The app is closing: nothing left to sync.
                    None => Ok(SyncReport::default()),
                }
            }
        });
        auto.now();
        *self.auto_sync.lock().unwrap_or_else(|e| e.into_inner()) = Some(auto);
    }

    /// Stops the background sync (sign-out, sync turned off).
    pub fn stop_auto_sync(&self) {
        self.auto_sync
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Asks the background sync to run at once (back online); nothing when it is not running.
    pub fn back_online(&self) {
        self.with_auto_sync(AutoSync::now);
    }

    pub(crate) fn with_auto_sync(&self, wake: impl FnOnce(&AutoSync)) {
        // A poisoned lock still holds a valid handle: waking it is harmless.
        if let Some(auto) = self
            .auto_sync
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            wake(auto);
        }
    }

    /// Pending edits, last sync time and last error.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        self.store.sync_status().await
    }

    /// The edits the server refused, with its reasons, until the manager dismisses them.
    pub async fn rejections(&self) -> Result<Vec<Rejection>> {
        self.store.rejections().await
    }

    /// Hides a refused edit from the list.
    pub async fn dismiss_rejection(&self, mutation_id: u64) -> Result<()> {
        self.store.dismiss_rejection(mutation_id).await
    }
}
