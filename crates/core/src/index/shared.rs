//! The index as the app shares it: searches read it, one refresher at a time brings it up to
//! date.

use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::{Mutex, RwLock};
use userdesk_model::SortColumn;

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
            self.build(pool).await?;
        }
        self.refresh(pool).await
    }

    /// Builds the index from every profile (the refresher's lock held), reading again the sort
    /// orders the one it replaces had, and the table's first sort.
    async fn build(&self, pool: &SqlitePool) -> Result<()> {
        let mut wanted = self.index.read().await.ordered_columns();
        if !wanted.contains(&SortColumn::default()) {
            wanted.insert(0, SortColumn::default());
        }
        let mut built = ProfileIndex::build(pool).await?;
        for column in wanted {
            if let Some(order) = built.order_from_store(pool, column).await? {
                built.set_order(column, order);
            }
        }
        *self.index.write().await = built;
        give_back_freed().await;
        Ok(())
    }

    /// Reads `column`'s order into the index if it is not there yet; searches in that sort read
    /// SQLite until then (and if the store changed meanwhile, until the next time).
    pub(crate) async fn read_order(&self, pool: &SqlitePool, column: SortColumn) -> Result<()> {
        let _one_at_a_time = self.refreshing.lock().await;
        let order = {
            let index = self.index.read().await;
            if index.has_order(column) {
                return Ok(());
            }
            index.order_from_store(pool, column).await?
        };
        if let Some(order) = order {
            self.index.write().await.set_order(column, order);
        }
        give_back_freed().await;
        Ok(())
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
                    self.build(pool).await?;
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

/// Gives what the build freed (and the index it replaced) back to the system, off the runtime's
/// threads.
async fn give_back_freed() {
    // A failed join only means the memory stays with the allocator.
    let _ = tokio::task::spawn_blocking(crate::platform::memory::give_back_freed).await;
}
