//! The Trash: Delete moves customers there, the Trash view lists them with who deleted them
//! and when, and Restore or Delete forever empties it.

use userdesk_model::{
    ProfileId, TrashPage, TrashQuery, TrashRow, TrashSelection, Trashed, MAX_TRASH_PAGE,
};

use super::undo::{UndoAction, UndoStep};
use super::AppCore;
use crate::error::{CoreError, Result};
use crate::sync::auto::AutoSync;
use crate::time::{format_date, format_timestamp};

impl AppCore {
    /// A page of the Trash, the latest deleted first.
    pub async fn trash(&self, query: TrashQuery) -> Result<TrashPage> {
        if query.limit == 0 || query.limit > MAX_TRASH_PAGE {
            return Err(CoreError::InvalidRequest(format!(
                "a page of the Trash holds 1 to {MAX_TRASH_PAGE} customers"
            )));
        }
        let tz = self.time_zone();
        let me = self.account().await?.map(|a| a.manager);
        let entries = self.store.trash_page(query.offset, query.limit).await?;
        let mut rows = Vec::with_capacity(entries.len());
        for entry in entries {
            let trashed = Trashed {
                at: crate::store::profiles::from_millis(entry.trashed_at)?,
                by: entry.trashed_by,
            };
            let deleted_by = if trashed.by.is_empty() || Some(&trashed.by) == me.as_ref() {
                "you".to_string()
            } else {
                trashed.by.clone()
            };
            rows.push(TrashRow {
                id: entry.id,
                username: entry.username,
                email: entry.email,
                deleted_by,
                deleted: format_timestamp(trashed.at, tz),
                purge_on: format_date(trashed.purge_at(), tz),
            });
        }
        Ok(TrashPage {
            rows,
            total: self.store.trash_count().await?,
        })
    }

    /// The customers of the Trash a selection names; refused when it names none the Trash holds.
    async fn in_trash(&self, selection: &TrashSelection) -> Result<Vec<ProfileId>> {
        let ids = match selection {
            TrashSelection::All => self.store.trash_ids().await?,
            TrashSelection::Ids { ids } => {
                if ids.is_empty() {
                    return Err(CoreError::InvalidRequest(
                        "select at least one customer in the Trash".into(),
                    ));
                }
                ids.clone()
            }
        };
        if ids.is_empty() {
            return Err(CoreError::InvalidRequest("the Trash is empty".into()));
        }
        Ok(ids)
    }

    /// Restore: the customers go back to the table as they now are (with any colleague's edit
    /// made meanwhile), with everything attached to them. Refused, changing nothing, when none
    /// of them is in the Trash any more (deleted forever, or purged after its days).
    pub async fn restore_profiles(&self, selection: &TrashSelection) -> Result<u64> {
        let ids = self.in_trash(selection).await?;
        let moved = self.store.restore_profiles(&ids).await?;
        if moved.is_empty() {
            return Err(CoreError::NotInTrash { count: ids.len() });
        }
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        Ok(moved.len() as u64)
    }

    /// Delete forever: the customers and everything attached to them are gone, here and (once
    /// synced) on the server. Refused when none of them is in the Trash.
    pub async fn delete_forever(&self, selection: &TrashSelection) -> Result<u64> {
        if !self.may_delete().await? {
            return Err(CoreError::Forbidden(
                "only an admin may delete customers forever; they stay in the Trash until the \
                 server deletes them after 30 days"
                    .into(),
            ));
        }
        let ids = self.in_trash(selection).await?;
        let deleted = self.store.delete_forever(&ids).await?;
        if deleted == 0 {
            return Err(CoreError::NotInTrash { count: ids.len() });
        }
        self.with_auto_sync(AutoSync::edited);
        Ok(deleted)
    }

    /// Whether this manager may delete for good (customers, segments): an admin, or anyone
    /// before the first sign-in (the store is this computer's alone).
    pub(super) async fn may_delete(&self) -> Result<bool> {
        Ok(self.account().await?.is_none_or(|a| a.role == "admin"))
    }

    /// Remembers, for Undo, customers moved to the Trash.
    pub(super) fn remember_trashed(&self, moved: Vec<ProfileId>, label: String) {
        self.undo.push(UndoAction {
            label,
            steps: vec![UndoStep::Trashed { profiles: moved }],
        });
    }
}
