//! The local SQLite store: opening it, and a module per table or concern. An edit, its outbox
//! mutation and, while it is pending, the server's copy of the record commit together, so the
//! outbox and the server copies live here too.

pub(crate) mod bot_sessions;
pub(crate) mod data_requests;
pub(crate) mod demo;
pub(crate) mod history;
pub(crate) mod listing;
pub(crate) mod notes;
pub(crate) mod outbox;
pub(crate) mod pictures;
pub(crate) mod profiles;
pub(crate) mod properties;
pub(crate) mod search;
pub(crate) mod segments;
pub(crate) mod server_copies;
pub(crate) mod settings;
pub(crate) mod synced;
pub(crate) mod trash;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use sqlx::Transaction;

use crate::error::Result;
use crate::time::Clock;

/// The local SQLite database: profiles, settings, the sync outbox and state, and later jobs.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: SqlitePool,
    /// What the outbox, notes, requests and jobs take "now" from.
    clock: Clock,
    /// The database file, beside which the locks between processes live.
    path: std::path::PathBuf,
}

/// Held while this process alone does something to the store that another process on the same
/// store (the app and `userdesk-cli`) must not do at the same time; released when dropped (or
/// when the process ends, however it ends).
#[derive(Debug)]
pub struct ProcessLock {
    _file: std::fs::File,
}

/// The page cache of each pooled connection, in KiB.
pub(crate) const CACHE_KIB: i64 = 4 * 1024;

impl Store {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    #[tracing::instrument]
    pub async fn open(path: &Path) -> Result<Self> {
        keep_private(path)?;
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Every commit waits for the disk: an edit the manager saved survives a power cut,
            // and its mutation number is never handed out twice. A first download's pages are
            // the exception (sync/apply.rs): they can be pulled again.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Each pooled connection keeps up to 4 MiB of pages; a first download raises its
            // connection's cache while it writes (sync/apply.rs).
            .pragma("cache_size", format!("-{CACHE_KIB}"))
            .pragma("temp_store", "memory")
            // Pages are read into those caches, not mapped: a mapped page SQLite has read once
            // (the search index's build reads them all) stays counted in the app's resident
            // memory, where the system's file cache holds it for no process.
            .pragma("mmap_size", "0")
            // The write-ahead log is copied back into the database once it holds 64 MB rather
            // than 4 MB: a first sync's commits rewrite the same index pages again and again,
            // and each checkpoint copies a page once however many commits wrote it.
            .pragma("wal_autocheckpoint", "16384")
            // Searches made before the in-memory index is ready match in any case with REGEXP.
            .with_regexp()
            // Long reads (the search index's build) hand rows over in bigger batches.
            .row_buffer_size(1024);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let mut conn = pool.acquire().await?;
        crate::store::outbox::ensure_client_id(&mut conn).await?;
        drop(conn);
        Ok(Self {
            pool,
            clock: Clock::system(),
            path: path.to_path_buf(),
        })
    }

    /// Waits until no other process holds the store's `what` lock (`sync`, `jobs`), then holds
    /// it: a sync of one process never interleaves with another's (whose older answer would
    /// look like a server that forgot edits), nor do two processes fire the same job.
    pub async fn exclusive(&self, what: &str) -> Result<ProcessLock> {
        let path = std::path::PathBuf::from(format!("{}.{what}.lock", self.path.display()));
        tokio::task::spawn_blocking(move || {
            let failed = |e: std::io::Error| {
                crate::error::CoreError::Files(format!("locking {}: {e}", path.display()))
            };
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(false);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options.open(&path).map_err(failed)?;
            file.lock().map_err(failed)?;
            Ok(ProcessLock { _file: file })
        })
        .await
        .map_err(|e| crate::error::CoreError::Task(format!("waiting for a store lock: {e}")))?
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The same store, reading the time from `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// The clock the store reads the time from.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The time now, by the store's clock.
    pub(crate) fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// A transaction holding the write lock from its start, so one that reads then writes never
    /// fails on a snapshot another connection has written past (SQLITE_BUSY_SNAPSHOT); waiting
    /// for the lock is bounded by the busy timeout.
    pub(crate) async fn write_transaction(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Closes every connection, checkpointing the write-ahead log.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The connection pool, for the benchmark's raw-SQL yardstick.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

/// The store holds customers' personal data: on Unix its folder, when the store creates it, is
/// the manager's alone (0700), and its files are (0600) whatever folder they are in. SQLite
/// gives its write-ahead log and shared memory the database file's mode.
fn keep_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        let failed = |what: &str, e: std::io::Error| {
            crate::error::CoreError::Files(format!("{what} {}: {e}", path.display()))
        };
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !folder.exists() {
                std::fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(folder)
                    .map_err(|e| failed("creating the folder of", e))?;
            }
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(path)
            .map_err(|e| failed("creating", e))?;
        // A store made by an earlier version, or copied in, is made private too.
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| failed("making private", e))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Empties the store of the workspace it holds: customers, the server's copies, every pulled
/// record (staged ones of a first sync too). The outbox, the settings and the sync state stay.
/// A reset page rebuilds from here; the first sign-in of a store that never synced drops its
/// demo workspace with it.
pub(crate) async fn clear_workspace(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM profiles")
        .execute(&mut *conn)
        .await?;
    server_copies::clear(conn).await?;
    for table in [
        "synced_records",
        "property_values",
        "segment_members",
        "staged_property_values",
        "staged_segment_members",
        "profile_history",
    ] {
        sqlx::query(&format!("DELETE FROM {table}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use sqlx::migrate::Migrator;
    use sqlx::sqlite::SqliteConnectOptions;
    use userdesk_model::{ProfileId, PropertyId, SegmentId};

    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn the_store_is_the_managers_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("app.userdesk.desktop");
        let path = folder.join("userdesk.sqlite3");
        let store = Store::open(&path).await.unwrap();
        store.set_setting("time_zone", "UTC").await.unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700);
        for name in [
            "userdesk.sqlite3",
            "userdesk.sqlite3-wal",
            "userdesk.sqlite3-shm",
        ] {
            assert_eq!(mode(&folder.join(name)), 0o600, "{name}");
        }
        store.close().await;
        // One made readable by others (an older version, a copy) is made private again.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(&path).await.unwrap();
        assert_eq!(mode(&path), 0o600);
        store.close().await;
    }

    #[tokio::test]
    async fn every_connection_of_the_store_waits_for_the_disk_at_commit() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        // Every connection the pool holds, at once: each is FULL (2).
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut conn = store.pool.acquire().await.unwrap();
            let level: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
            assert_eq!(level, 2, "synchronous is FULL");
            held.push(conn);
        }
    }

    /// Property values and segment members pulled before they had tables of their own (kept
    /// whole in `synced_records`, or staged by a first sync under way) move to their tables.
    #[tokio::test]
    async fn an_upgraded_store_keeps_its_pulled_property_values_and_segment_members() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let before = SqlitePool::connect_with(
            SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true),
        )
        .await
        .unwrap();
        let mut migrator: Migrator = sqlx::migrate!("./migrations");
        migrator.migrations = Cow::Owned(
            migrator
                .migrations
                .iter()
                .filter(|m| m.version < 20261203000001)
                .cloned()
                .collect(),
        );
        migrator.run(&before).await.unwrap();
        let (customer, other) = (ProfileId::new(), ProfileId::new());
        let (plan, segment) = (PropertyId::new(), SegmentId::new());
        let value = |p: ProfileId, v: &str| {
            serde_json::json!({"kind": "property_value", "value":
                {"profileId": p, "propertyId": plan, "value": v}})
            .to_string()
        };
        let value_key =
            |p: ProfileId| serde_json::json!({"profileId": p, "propertyId": plan}).to_string();
        let member_key =
            |p: ProfileId| serde_json::json!({"segmentId": segment, "profileId": p}).to_string();
        let member = |p: ProfileId| {
            serde_json::json!({"kind": "segment_member", "value":
                {"segmentId": segment, "profileId": p}})
            .to_string()
        };
        for (table, kind, key, record) in [
            (
                "synced_records",
                "property_value",
                value_key(customer),
                Some(value(customer, "Gold")),
            ),
            (
                "synced_records",
                "segment_member",
                member_key(customer),
                Some(member(customer)),
            ),
            (
                "staged_records",
                "property_value",
                value_key(other),
                Some(value(other, "Silver")),
            ),
            (
                "staged_records",
                "segment_member",
                member_key(other),
                Some(member(other)),
            ),
            ("staged_records", "segment_member", member_key(other), None),
        ] {
            sqlx::query(&format!(
                "INSERT INTO {table} (kind, key, record, version) VALUES (?, ?, ?, 1)"
            ))
            .bind(kind)
            .bind(key)
            .bind(record)
            .execute(&before)
            .await
            .unwrap();
        }
        before.close().await;

        let store = Store::open(&path).await.unwrap();
        let values: Vec<(ProfileId, PropertyId, String)> =
            sqlx::query_as("SELECT profile_id, property_id, value FROM property_values")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(values, vec![(customer, plan, "Gold".to_string())]);
        let members: Vec<(SegmentId, ProfileId)> =
            sqlx::query_as("SELECT segment_id, profile_id FROM segment_members")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(members, vec![(segment, customer)]);
        let staged: Vec<(ProfileId, Option<String>)> =
            sqlx::query_as("SELECT profile_id, value FROM staged_property_values")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(staged, vec![(other, Some("Silver".to_string()))]);
        let staged: Vec<(ProfileId, bool)> =
            sqlx::query_as("SELECT profile_id, present FROM staged_segment_members ORDER BY rowid")
                .fetch_all(&store.pool)
                .await
                .unwrap();
        assert_eq!(staged, vec![(other, true), (other, false)]);
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM synced_records")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
        store.close().await;
    }
}
