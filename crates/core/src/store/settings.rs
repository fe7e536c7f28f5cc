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
    /// When the update server was last reached (RFC 3339).
    pub const UPDATE_CHECKED_AT: &str = "updates.checked_at";
}

const ACCOUNT_KEYS: [&str; 4] = [
    keys::ACCOUNT_SERVER_URL,
    keys::ACCOUNT_WORKSPACE,
    keys::ACCOUNT_MANAGER,
    keys::ACCOUNT_ROLE,
];

/// The store takes the workspace `identity` (its server and name) as the one it holds: refused
/// if it holds another's; the first time, the demo goes, with everything done to it (it exists
/// on no server).
async fn adopt_workspace(conn: &mut sqlx::SqliteConnection, identity: &Identity) -> Result<()> {
    let held: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
        .bind(keys::SYNCED_WORKSPACE)
        .fetch_optional(&mut *conn)
        .await?;
    let identity_now = identity.current.as_str();
    match held {
        // Kept by an older version as the server's address and the workspace's name: the same
        // workspace, now known by its id.
        Some(held) if held != identity_now && held == identity.legacy => {
            sqlx::query("UPDATE settings SET value = ? WHERE key = ?")
                .bind(identity_now)
                .bind(keys::SYNCED_WORKSPACE)
                .execute(&mut *conn)
                .await?;
            return Ok(());
        }
        // The same workspace goes on; another's is refused.
        Some(held) => return identity.must_be(&held),
        None => {}
    }
    let demo: bool = sqlx::query_scalar(
        "SELECT cookie IS NULL AND EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = ?) \
         FROM sync_state WHERE id = 1",
    )
    .bind(keys::DEMO_SEEDED)
    .bind(DEMO_KEPT)
    .fetch_one(&mut *conn)
    .await?;
    if demo {
        crate::store::clear_workspace(conn).await?;
        crate::store::outbox::start_afresh(conn).await?;
        sqlx::query("DELETE FROM jobs").execute(&mut *conn).await?;
        sqlx::query("UPDATE settings SET value = ? WHERE key = ?")
            .bind(DEMO_DROPPED)
            .bind(keys::DEMO_SEEDED)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?)")
        .bind(keys::SYNCED_WORKSPACE)
        .bind(identity_now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Which workspace a store holds the customers of.
#[derive(Clone, Debug)]
pub(crate) struct Identity {
    /// As the server tells it now (see `Me::workspace_identity`).
    pub current: String,
    /// As an older version kept it: the server's address and the workspace's name.
    pub legacy: String,
}

impl Identity {
    pub(crate) fn of(me: &userdesk_model::sync::Me, base: &str) -> Self {
        Self {
            current: me.workspace_identity(base),
            legacy: format!("{base} {}", me.workspace),
        }
    }

    /// Refuses a store that holds `held`, another workspace's customers.
    pub(crate) fn must_be(&self, held: &str) -> Result<()> {
        if held == self.current || held == self.legacy {
            return Ok(());
        }
        Err(crate::error::CoreError::InvalidRequest(format!(
            "this computer's Userdesk holds the customers of another workspace ({held}); \
             sign in to that one"
        )))
    }
}

impl Store {
    /// As at a sign-in: the store takes the workspace `identity` as the one it holds, or refuses
    /// if it holds another's (and the demo goes the first time).
    pub(crate) async fn adopt_workspace(&self, identity: &Identity) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        adopt_workspace(&mut tx, identity).await?;
        tx.commit().await?;
        Ok(())
    }
}

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
        identity: &Identity,
        handover: Option<Handover>,
    ) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        if let Some(handover) = handover {
            handover.apply(&mut tx).await?;
        }
        adopt_workspace(&mut tx, identity).await?;
        let values = [
            (keys::ACCOUNT_SERVER_URL, account.server_url.as_str()),
            (keys::ACCOUNT_WORKSPACE, account.workspace.as_str()),
            (keys::ACCOUNT_MANAGER, account.manager.as_str()),
            (keys::ACCOUNT_ROLE, account.role.as_str()),
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
