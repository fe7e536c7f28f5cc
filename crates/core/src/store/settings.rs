//! The manager's settings kept in the local store.

use userdesk_model::Account;

use crate::error::Result;
use crate::store::Store;

/// The key of each setting in the `settings` table.
pub(crate) mod keys {
    pub const TIME_ZONE: &str = "time_zone";
    pub const DEMO_SEEDED: &str = "demo_seeded";
    pub const ACCOUNT_SERVER_URL: &str = "account.server_url";
    pub const ACCOUNT_WORKSPACE: &str = "account.workspace";
    pub const ACCOUNT_MANAGER: &str = "account.manager";
    pub const ACCOUNT_ROLE: &str = "account.role";
    /// The server and workspace whose customers the store holds, from the first sign-in on.
    pub const SYNCED_WORKSPACE: &str = "sync.workspace";
    /// The delay of Active and Archive jobs, in seconds.
    pub const JOB_DELAY_SECONDS: &str = "jobs.delay_seconds";
    /// The manager the store's client id syncs for (the server binds a client id to the
    /// manager who first pushes under it); kept through sign-out.
    pub const CLIENT_MANAGER: &str = "sync.client_manager";
}

const ACCOUNT_KEYS: [&str; 4] = [
    keys::ACCOUNT_SERVER_URL,
    keys::ACCOUNT_WORKSPACE,
    keys::ACCOUNT_MANAGER,
    keys::ACCOUNT_ROLE,
];

/// Another manager takes over the store: a client id of their own (the server binds one to the
/// manager who first pushes under it), numbered from 1. With `discard`, the previous manager's
/// unsent edits go, and the workspace is downloaded again so nothing of them is left shown.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handover {
    pub client: userdesk_model::sync::ClientId,
    pub discard: bool,
}

impl Handover {
    async fn apply(self, conn: &mut sqlx::SqliteConnection) -> Result<()> {
        if self.discard {
            crate::store::clear_workspace(conn).await?;
            sqlx::query("DELETE FROM jobs").execute(&mut *conn).await?;
            sqlx::query("UPDATE sync_state SET cookie = NULL, pulled_pages = 0 WHERE id = 1")
                .execute(&mut *conn)
                .await?;
        }
        crate::store::outbox::start_afresh(conn).await?;
        sqlx::query("UPDATE sync_state SET client_id = ? WHERE id = 1")
            .bind(self.client)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// [`keys::DEMO_SEEDED`] while the demo is in the store, and once the first sign-in dropped it.
pub(crate) const DEMO_KEPT: &str = "1";
const DEMO_DROPPED: &str = "dropped";

impl Store {
    /// A setting's value, if it was ever set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Sets a setting, replacing its value.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whom the app is signed in as, if anyone.
    pub async fn account(&self) -> Result<Option<Account>> {
        let mut values = Vec::with_capacity(ACCOUNT_KEYS.len());
        for key in ACCOUNT_KEYS {
            match self.setting(key).await? {
                Some(value) => values.push(value),
                None => return Ok(None),
            }
        }
        let [server_url, workspace, manager, role]: [String; 4] = match values.try_into() {
            Ok(values) => values,
            Err(_) => return Ok(None),
        };
        Ok(Some(Account {
            server_url,
            workspace,
            manager,
            role,
        }))
    }

    /// Records the signed-in account in one transaction. The first sign-in of a store holding
    /// the demo also removes it, with everything done to it: it exists on no server.
    pub(crate) async fn save_account(
        &self,
        account: &Account,
        identity: &str,
        handover: Option<Handover>,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        if let Some(handover) = handover {
            handover.apply(&mut tx).await?;
        }
        let demo: bool = sqlx::query_scalar(
            "SELECT cookie IS NULL AND EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = ?) \
             FROM sync_state WHERE id = 1",
        )
        .bind(keys::DEMO_SEEDED)
        .bind(DEMO_KEPT)
        .fetch_one(&mut *tx)
        .await?;
        if demo {
            crate::store::clear_workspace(&mut tx).await?;
            crate::store::outbox::start_afresh(&mut tx).await?;
            sqlx::query("DELETE FROM jobs").execute(&mut *tx).await?;
            sqlx::query("UPDATE settings SET value = ? WHERE key = ?")
                .bind(DEMO_DROPPED)
                .bind(keys::DEMO_SEEDED)
                .execute(&mut *tx)
                .await?;
        }
        let values = [
            (keys::ACCOUNT_SERVER_URL, account.server_url.as_str()),
            (keys::ACCOUNT_WORKSPACE, account.workspace.as_str()),
            (keys::ACCOUNT_MANAGER, account.manager.as_str()),
            (keys::ACCOUNT_ROLE, account.role.as_str()),
            (keys::SYNCED_WORKSPACE, identity),
            (keys::CLIENT_MANAGER, account.manager.as_str()),
        ];
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the signed-in account (the workspace the store holds is kept).
    pub(crate) async fn forget_account(&self) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        for key in ACCOUNT_KEYS {
            sqlx::query("DELETE FROM settings WHERE key = ?")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
