//! The index as the app shares it: searches read it, one refresher at a time brings it up to
//! date.

use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::{Mutex, RwLock};

use crate::error::Result;

use super::*;

/// date.
#[derive(Debug, Default)]
pub(crate) struct SharedIndex {
    pub(crate) index: Arc<RwLock<ProfileIndex>>,
    pub(super) refreshing: Mutex<()>,
}

impl SharedIndex {
    /// Whether a refresh is running now.
    pub(crate) fn is_refreshing(&self) -> bool {
        self.refreshing.try_lock().is_err()
    }

    /// Builds the index again from every profile, then catches up with what changed meanwhile.
    pub(crate) async fn rebuild(&self, pool: &SqlitePool) -> Result<()> {
        {
            let _one_at_a_time = self.refreshing.lock().await;
            let built = ProfileIndex::build(pool).await?;
            *self.index.write().await = built;
        }
        self.refresh(pool).await
    }

    /// Brings the index up to date with every change committed so far, then prunes the log.
    pub(crate) async fn refresh(&self, pool: &SqlitePool) -> Result<()> {
        let _one_at_a_time = self.refreshing.lock().await;
        loop {
            let step = self.index.write().await.catch_up(pool).await?;
            match step {
                CatchUp::Current => return Ok(()),
                CatchUp::Applied(_) => {}
                CatchUp::Rebuild => {
                    // Searches keep using SQLite while the new index is built beside the old.
                    let built = ProfileIndex::build(pool).await?;
                    *self.index.write().await = built;
                }
            }
            let through = self.index.read().await.through();
            if let Some(through) = through {
                sqlx::query("DELETE FROM profile_changes WHERE id <= ?")
                    .bind(through)
                    .execute(pool)
                    .await?;
            }
        }
    }
}
