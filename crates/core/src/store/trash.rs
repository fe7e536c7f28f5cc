//! The Trash: a deleted customer keeps their row in `profiles`, marked with when they went to
//! the Trash and by whom (`trashed_at`, `trashed_by`), and everything attached to them stays
//! where it is, until Restore clears the mark, or Delete forever (or the server's purge) deletes
//! the row. The table, its counts and the search index leave marked rows out; the sort indexes
//! do not hold the mark, so moving 100,000 customers rewrites one small index.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use userdesk_model::sync::{Op, MAX_MEMBERS_PER_MUTATION};
use userdesk_model::{Profile, ProfileId, Trashed};

use super::profiles::{id_list, read_any};
use super::{outbox, server_copies, Store};
use crate::error::Result;

/// The ids of a JSON array of hex ids, for `IN (...)`.
const IDS: &str = "SELECT unhex(value) FROM json_each(?)";

/// A customer in the Trash, as the Trash view needs them.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct TrashEntry {
    pub id: ProfileId,
    pub username: String,
    pub email: String,
    pub trashed_at: i64,
    pub trashed_by: String,
}

/// The Trash columns of a profile row, read back.
pub(crate) fn trashed_of(at: Option<i64>, by: Option<String>) -> Result<Option<Trashed>> {
    match at {
        Some(at) => Ok(Some(Trashed {
            by: by.unwrap_or_default(),
            at: super::profiles::from_millis(at)?,
        })),
        None => Ok(None),
    }
}

/// Moves the customers among `ids` (at most [`MAX_MEMBERS_PER_MUTATION`]) into the Trash
/// (`to_trash`; those in the table) or out of it (those in the Trash, as they now are), and
/// queues their `profile.trash` or `profile.restore`; returns those moved. A move into the Trash
/// names no manager: the server does once it syncs.
pub(crate) async fn move_in(
    conn: &mut SqliteConnection,
    ids: &[ProfileId],
    to_trash: bool,
    at: DateTime<Utc>,
) -> Result<Vec<ProfileId>> {
    debug_assert!(ids.len() <= MAX_MEMBERS_PER_MUTATION);
    let (set, from) = if to_trash {
        ("trashed_at = ?, trashed_by = ''", "trashed_at IS NULL")
    } else {
        (
            "trashed_at = NULL, trashed_by = NULL",
            "trashed_at IS NOT NULL",
        )
    };
    let sql = format!("UPDATE profiles SET {set} WHERE id IN ({IDS}) AND {from} RETURNING id");
    let mut query = sqlx::query_scalar(&sql);
    if to_trash {
        query = query.bind(at.timestamp_millis());
    }
    let moved: Vec<ProfileId> = query.bind(id_list(ids)).fetch_all(&mut *conn).await?;
    if !moved.is_empty() {
        let profile_ids = moved.clone();
        let op = if to_trash {
            Op::ProfileTrash { profile_ids }
        } else {
            Op::ProfileRestore { profile_ids }
        };
        outbox::append(conn, &op, at).await?;
    }
    Ok(moved)
}

/// Deletes a customer of the Trash forever and queues its `profile.delete`, keeping the
/// server's copy until the server confirms (a refusal puts them back in the Trash); false when
/// the Trash does not hold them.
pub(crate) async fn delete_forever_in(
    conn: &mut SqliteConnection,
    id: ProfileId,
    at: DateTime<Utc>,
) -> Result<bool> {
    let Some(current) = read_any(conn, id).await?.filter(|p| p.trashed.is_some()) else {
        return Ok(false);
    };
    server_copies::keep_server_copy(conn, &current).await?;
    super::profiles::delete_profile(conn, id).await?;
    outbox::append(conn, &Op::ProfileDelete { profile_id: id }, at).await?;
    Ok(true)
}

impl Store {
    /// Moves the customers among `ids` to the Trash, all in one transaction (one
    /// `profile.trash` per [`MAX_MEMBERS_PER_MUTATION`]); returns those moved, in the table
    /// until now.
    pub async fn trash_profiles(&self, ids: &[ProfileId]) -> Result<Vec<ProfileId>> {
        self.move_profiles(ids, true).await
    }

    /// Moves the customers among `ids` that are in the Trash back to the table, in one
    /// transaction; returns those moved.
    pub async fn restore_profiles(&self, ids: &[ProfileId]) -> Result<Vec<ProfileId>> {
        self.move_profiles(ids, false).await
    }

    async fn move_profiles(&self, ids: &[ProfileId], to_trash: bool) -> Result<Vec<ProfileId>> {
        let mut tx = self.write_transaction().await?;
        let mut moved = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_MEMBERS_PER_MUTATION) {
            moved.extend(move_in(&mut tx, chunk, to_trash, self.now()).await?);
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Deletes forever the customers among `ids` that are in the Trash; returns how many.
    pub async fn delete_forever(&self, ids: &[ProfileId]) -> Result<u64> {
        // In transactions of 500: emptying a Trash of 100,000 never holds the store's write
        // lock for long, and each customer goes with its mutation, or not at all.
        let mut deleted = 0;
        for chunk in ids.chunks(500) {
            let mut tx = self.write_transaction().await?;
            for id in chunk {
                if delete_forever_in(&mut tx, *id, self.now()).await? {
                    deleted += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(deleted)
    }

    /// How many customers the Trash holds.
    pub async fn trash_count(&self) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM profiles WHERE trashed_at IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// A page of the Trash, the latest deleted first.
    pub(crate) async fn trash_page(&self, offset: u32, limit: u32) -> Result<Vec<TrashEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, username, email, trashed_at, coalesce(trashed_by, '') AS trashed_by \
             FROM profiles WHERE trashed_at IS NOT NULL ORDER BY trashed_at DESC, id \
             LIMIT ? OFFSET ?",
        )
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every customer the Trash holds.
    pub(crate) async fn trash_ids(&self) -> Result<Vec<ProfileId>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM profiles WHERE trashed_at IS NOT NULL \
                 ORDER BY trashed_at DESC, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The Username of a customer in the Trash ("" when it holds none such).
    pub(crate) async fn trashed_username(&self, id: ProfileId) -> Result<String> {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT username FROM profiles WHERE id = ? AND trashed_at IS NOT NULL",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(name.unwrap_or_default())
    }

    /// One customer of the Trash.
    pub async fn trashed_profile(&self, id: ProfileId) -> Result<Option<Profile>> {
        let mut conn = self.pool.acquire().await?;
        Ok(read_any(&mut conn, id)
            .await?
            .filter(|p| p.trashed.is_some()))
    }
}
