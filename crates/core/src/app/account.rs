//! Signing in to the platform's server: the address and whom the token signs in are settings of
//! the store, the token itself lives in the operating system's keychain.

use std::sync::Arc;

use userdesk_model::{Account, SignIn, SyncView};

use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::store::settings::{keys, Handover, Identity};
use crate::sync::auto::AutoSyncOptions;
use crate::sync::{base_url, SyncReport};
use crate::time::format_timestamp;
use userdesk_model::sync::ClientId;

/// The keychain service the desktop app keeps its tokens under.
pub const KEYCHAIN_SERVICE: &str = "app.userdesk.desktop";

impl AppCore {
    /// Checks `request`'s token with the server and, when it signs a manager in, keeps it in the
    /// keychain and the account in the store. A refused or unreachable sign-in changes nothing.
    pub async fn sign_in(&self, request: &SignIn) -> Result<Account> {
        let server_url = base_url(&request.server_url)?;
        let token = request.token.trim();
        if token.is_empty() {
            return Err(CoreError::InvalidRequest(
                "paste the token the platform issued to you".into(),
            ));
        }
        if token.len() > 256 || token.chars().any(char::is_control) {
            return Err(CoreError::InvalidRequest(
                "that is not a token the platform issues".into(),
            ));
        }
        let me = self.sync_engine().whoami(&server_url, token).await?;
        let identity = Identity::of(&me, &server_url);
        let store = self.store();
        // Checked before the token is kept: a refused sign-in changes nothing.
        if let Some(synced) = store.setting(keys::SYNCED_WORKSPACE).await? {
            identity.must_be(&synced)?;
        }
        let account = Account {
            server_url,
            workspace: me.workspace,
            manager: me.manager,
            role: me.role,
        };
        // The client id syncs for one manager: another one signing in here gets one of their
        // own, once the last one's unsent edits are sent (by them) or dropped (confirmed).
        let handover = match store.setting(keys::CLIENT_MANAGER).await? {
            Some(previous) if previous != account.manager => {
                let count = store.pending_count().await?;
                if count > 0 && !request.discard_pending {
                    return Err(CoreError::PendingOfAnotherManager {
                        manager: previous,
                        signing_in: account.manager,
                        count,
                    });
                }
                Some(Handover {
                    client: ClientId::new(),
                    discard: count > 0,
                })
            }
            _ => None,
        };
        let previous_client = store.client_id().await?;
        let client = handover.map_or(previous_client, |h| h.client);
        self.keychain().save(&client.to_string(), token).await?;
        store.save_account(&account, &identity, handover).await?;
        if client != previous_client {
            // The old id's token (if a sign-out left one) has no use any more.
            let _ = self.keychain().forget(&previous_client.to_string()).await;
        }
        self.refresh_search_index_in_background();
        Ok(account)
    }

    /// Signs out: stops syncing and forgets the token. Pending edits stay in the store and are
    /// pushed after the next sign-in.
    pub async fn sign_out(&self) -> Result<()> {
        self.stop_auto_sync();
        self.store().forget_account().await?;
        let client = self.store().client_id().await?.to_string();
        // Signed out whatever the keychain says: the app no longer syncs as that manager. A
        // token the keychain could not drop stays there until the next sign-in replaces it.
        if let Err(error) = self.keychain().forget(&client).await {
            tracing::warn!(%error, "signed out; the token stays in the keychain, which could not be reached");
        }
        Ok(())
    }

    /// Whom the app is signed in as.
    pub async fn account(&self) -> Result<Option<Account>> {
        self.store().account().await
    }

    /// The account and its token, or [`CoreError::NotSignedIn`].
    pub(super) async fn credentials(&self) -> Result<(Account, String)> {
        let account = self.account().await?.ok_or(CoreError::NotSignedIn)?;
        let client = self.store().client_id().await?.to_string();
        let token = self
            .keychain()
            .token(&client)
            .await?
            .ok_or(CoreError::NotSignedIn)?;
        Ok((account, token))
    }

    /// "Sync now" as the signed-in manager.
    pub async fn sync_now(&self) -> Result<SyncReport> {
        let (account, token) = self.credentials().await?;
        self.sync_to(&account.server_url, &token).await
    }

    /// Starts the background sync when signed in; says whether it started.
    pub async fn resume_sync(self: &Arc<Self>, options: AutoSyncOptions) -> Result<bool> {
        match self.credentials().await {
            Ok((account, token)) => {
                self.start_auto_sync(account.server_url, token, options);
                Ok(true)
            }
            Err(CoreError::NotSignedIn) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Everything the status bar and Settings show about sync.
    pub async fn sync_view(&self) -> Result<SyncView> {
        let status = self.sync_status().await?;
        let live = self.sync_engine().live();
        let tz = self.time_zone();
        Ok(SyncView {
            account: self.account().await?,
            online: live.online,
            syncing: live.syncing,
            pending: status.pending,
            last_synced: status.last_synced_at.map(|at| format_timestamp(at, tz)),
            first_sync: live.first_sync,
            error: status.last_error,
            rejections: self.rejections().await?,
        })
    }
}
