//! The SQLite implementation: one file, WAL, nothing else to run. The default.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::Result;

/// The database the shared SQL is compiled for here.
type Db = sqlx::Sqlite;

/// A read transaction in SQLite's WAL mode already reads one snapshot.
const SNAPSHOT: Option<&str> = None;

/// A pull page in one statement: up to $5 changes of workspace $1 after ($2, $3, $4), each with
/// the columns of the profile, property value or segment member it names, as one JSON array of
/// arrays in the change log's order (see `JsonChange` in sql/changes.rs). SQLite hands one value
/// over far faster than thousands of rows.
const PAGE_JSON: Option<&str> = Some(
    "SELECT json_group_array(json_array(
         c.version, c.kind, c.entity_key, c.deleted,
         p.id IS NOT NULL, p.email, p.first_name, p.last_name, p.phone, p.location,
         p.created_at, p.last_seen_at, p.device, p.sessions, p.live_chat_takeover, p.status,
         p.kind, p.platform,
         v.profile_id IS NOT NULL, v.value,
         m.segment_id IS NOT NULL,
         p.trashed_at, p.trashed_by))
     FROM (SELECT workspace_id, kind, entity_key, version, deleted FROM changes
           WHERE workspace_id = $1 AND (version, kind, entity_key) > ($2, $3, $4)
           ORDER BY version, kind, entity_key
           LIMIT $5) AS c
     LEFT JOIN profiles AS p
         ON c.kind = 'profile' AND c.deleted = 0
         AND p.id = unhex(replace(c.entity_key, '-', '')) AND p.workspace_id = c.workspace_id
     LEFT JOIN property_values AS v
         ON c.kind = 'property_value' AND c.deleted = 0
         AND v.profile_id = unhex(replace(substr(c.entity_key, 1, 36), '-', ''))
         AND v.property_id = unhex(replace(substr(c.entity_key, 38), '-', ''))
         AND v.workspace_id = c.workspace_id
     LEFT JOIN segment_members AS m
         ON c.kind = 'segment_member' AND c.deleted = 0
         AND m.segment_id = unhex(replace(substr(c.entity_key, 1, 36), '-', ''))
         AND m.profile_id = unhex(replace(substr(c.entity_key, 38), '-', ''))
         AND m.workspace_id = c.workspace_id",
);

/// SQLite has one writer at a time: a claim is whole without row locks.
const SKIP_LOCKED: &str = "";

/// A consistent copy of the live database, written while the server runs (clients keep
/// syncing): a reader's snapshot, vacuumed into a new file.
const BACKUP: Result<&str, &str> = Ok("VACUUM INTO $1");

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
            // Every commit reaches the disk before the push is answered: a power cut never takes
            // back a mutation a client was told is applied.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory")
            // Reads of a big workspace (a pull looks up every record it sends) map the file
            // rather than copy each page through a system call.
            .pragma("mmap_size", "17179869184");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(sql::Store::new(pool))
    }
}
