//! Opening the local SQLite store.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    Sqlite, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use sqlx::Transaction;

use crate::error::Result;

/// The local SQLite database: profiles, settings, the sync outbox and state, and later jobs.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    #[tracing::instrument]
    pub async fn open(path: &Path) -> Result<Self> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            .pragma("mmap_size", "1073741824")
            // Long reads (the search index's build) hand rows over in bigger batches.
            .row_buffer_size(1024);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let mut conn = pool.acquire().await?;
        crate::outbox::ensure_client_id(&mut conn).await?;
        drop(conn);
        Ok(Self { pool })
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
