//! The PostgreSQL implementation, for a workspace that outgrows one machine.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;

use super::Result;

/// The database the shared SQL is compiled for here.
type Db = sqlx::Postgres;

/// A pull reads its page, its versions and the client's last mutation from one snapshot.
const SNAPSHOT: Option<&str> = Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");

/// PostgreSQL hands rows over quickly: a pull page reads the change log, then the records.
const PAGE_JSON: Option<&str> = None;

/// A claim skips the rows another claim holds, rather than waiting for it and taking them too.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";

/// PostgreSQL is backed up by its own tools, from outside the server.
const BACKUP: Result<&str, &str> = Err(
    "back up PostgreSQL with its own tools: pg_dump --format=custom (or continuous archiving); \
     see the server's README",
);

// The same SQL, compiled a second time for this database: loading it twice is the point.
#[allow(clippy::duplicate_mod)]
#[path = "../sql/mod.rs"]
mod sql;

/// The platform's storage on PostgreSQL.
pub type PostgresStorage = sql::Store;

impl PostgresStorage {
    /// Connects to the database at `url` and brings its schema up to date.
    #[tracing::instrument(skip(url))]
    pub async fn open(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(sql::Store::new(pool))
    }
}
