//! The SQLite implementation: one file, WAL, nothing else to run. The default.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Result;

/// The database the shared SQL is compiled for here.
type Db = sqlx::Sqlite;

/// A read transaction in SQLite's WAL mode already reads one snapshot.
const SNAPSHOT: Option<&str> = None;

// The same SQL, compiled a second time for this database: loading it twice is the point.
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

/// The platform's storage on SQLite.
pub type SqliteStorage = sql::Store;

impl SqliteStorage {
    /// Opens (creating if needed) the database at `url` and brings its schema up to date.
    #[tracing::instrument]
    pub async fn open(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(sql::Store::new(pool))
    }
}
