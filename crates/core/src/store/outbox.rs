//! The outbox: local mutations waiting for the server, numbered without gaps per client.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use userdesk_model::sync::{ClientId, Mutation, Op};

use crate::error::{CoreError, Result};
use crate::store::Store;

#[derive(sqlx::FromRow)]
struct OutboxRecord {
    id: i64,
    name: String,
    args: String,
}

impl TryFrom<OutboxRecord> for Mutation {
    type Error = CoreError;

    fn try_from(r: OutboxRecord) -> Result<Self> {
        let id =
            u64::try_from(r.id).map_err(|_| CoreError::Corrupt(format!("mutation {}", r.id)))?;
        let args = serde_json::from_str(&r.args)
            .map_err(|e| CoreError::Corrupt(format!("arguments of mutation {id}: {e}")))?;
        Ok(Mutation {
            id,
            name: r.name,
            args,
        })
    }
}

/// Appends `op` to the outbox inside the caller's transaction, numbered after the last mutation
/// ever issued (not the last one kept: confirmed ones are trimmed), and returns its number.
pub(crate) async fn append(conn: &mut SqliteConnection, op: &Op, at: DateTime<Utc>) -> Result<u64> {
    let id: i64 = sqlx::query_scalar(
        "UPDATE sync_state SET last_issued_mutation = last_issued_mutation + 1 WHERE id = 1 \
         RETURNING last_issued_mutation",
    )
    .fetch_one(&mut *conn)
    .await?;
    let id = u64::try_from(id).map_err(|_| CoreError::Corrupt(format!("mutation {id}")))?;
    let mutation = op.to_mutation(id);
    let args = serde_json::to_string(&mutation.args)
        .map_err(|e| CoreError::Corrupt(format!("arguments of {}: {e}", mutation.name)))?;
    sqlx::query("INSERT INTO outbox (id, name, args, created_at) VALUES (?, ?, ?, ?)")
        .bind(id as i64)
        .bind(&mutation.name)
        .bind(args)
        .bind(at.timestamp_millis())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}

/// Appends `ops` to the outbox in order inside the caller's transaction, as [`append`] would one
/// by one, in two statements: one to number them, one to write them.
pub(crate) async fn append_all(
    conn: &mut SqliteConnection,
    ops: &[Op],
    at: DateTime<Utc>,
) -> Result<()> {
    if ops.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(ops.len()).unwrap_or(i64::MAX);
    let last: i64 = sqlx::query_scalar(
        "UPDATE sync_state SET last_issued_mutation = last_issued_mutation + ? WHERE id = 1 \
         RETURNING last_issued_mutation",
    )
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let first = u64::try_from(last - count + 1)
        .map_err(|_| CoreError::Corrupt(format!("mutation {last}")))?;
    let mut rows = Vec::with_capacity(ops.len());
    for (mutation_id, op) in (first..).zip(ops) {
        let mutation = op.to_mutation(mutation_id);
        let args = serde_json::to_string(&mutation.args)
            .map_err(|e| CoreError::Corrupt(format!("arguments of {}: {e}", mutation.name)))?;
        rows.push(serde_json::json!([mutation_id, mutation.name, args]));
    }
    let rows = serde_json::Value::from(rows).to_string();
    sqlx::query(
        "INSERT INTO outbox (id, name, args, created_at) \
         SELECT value ->> 0, value ->> 1, value ->> 2, ? FROM json_each(?) ORDER BY key",
    )
    .bind(at.timestamp_millis())
    .bind(rows)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Pending mutations numbered after `after`, oldest first, at most `limit` of them.
pub(crate) async fn pending_after(
    conn: &mut SqliteConnection,
    after: u64,
    limit: usize,
) -> Result<Vec<Mutation>> {
    let records: Vec<OutboxRecord> =
        sqlx::query_as("SELECT id, name, args FROM outbox WHERE id > ? ORDER BY id LIMIT ?")
            .bind(i64::try_from(after).unwrap_or(i64::MAX))
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(&mut *conn)
            .await?;
    records.into_iter().map(Mutation::try_from).collect()
}

/// Every pending mutation, oldest first.
pub(crate) async fn all_pending(conn: &mut SqliteConnection) -> Result<Vec<Mutation>> {
    pending_after(conn, 0, usize::MAX).await
}

/// The pending mutations of one family (`"note."`, `"request."`), oldest first, read as ops
/// with the time each was made: what a read lays over the pulled records.
pub(crate) async fn pending_ops_named(
    conn: &mut SqliteConnection,
    prefix: &str,
) -> Result<Vec<(Op, DateTime<Utc>)>> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT id, name, args, created_at FROM outbox WHERE name LIKE ? || '%' ORDER BY id",
    )
    .bind(prefix)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, name, args, at)| {
            let mutation = Mutation::try_from(OutboxRecord { id, name, args })?;
            let op = Op::from_mutation(&mutation)
                .map_err(|e| CoreError::Corrupt(format!("mutation {id}: {e}")))?;
            let at = chrono::DateTime::from_timestamp_millis(at)
                .ok_or_else(|| CoreError::Corrupt(format!("time of mutation {id}")))?;
            Ok((op, at))
        })
        .collect()
}

/// Drops the mutations the server has confirmed, those numbered up to `confirmed`.
pub(crate) async fn trim(conn: &mut SqliteConnection, confirmed: u64) -> Result<u64> {
    let done = sqlx::query("DELETE FROM outbox WHERE id <= ?")
        .bind(i64::try_from(confirmed).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Mints this installation's client id the first time the store opens; later calls keep it.
pub(crate) async fn ensure_client_id(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("INSERT OR IGNORE INTO sync_state (id, client_id) VALUES (1, ?)")
        .bind(ClientId::new())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets every edit waiting for a server and the refusals of earlier ones; the next mutation
/// is numbered 1 again. Only for a client no server has heard of: the store's edits so far were
/// made on the demo, before the first sign-in.
pub(crate) async fn start_afresh(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM outbox")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM rejections")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE sync_state SET last_issued_mutation = 0, confirmed_mutation = 0 WHERE id = 1",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Numbers the pending mutations from `first` on after `server_last`, in their order; the
/// number of the last one (`server_last` if there is none).
async fn renumber(conn: &mut SqliteConnection, first: u64, server_last: u64) -> Result<i64> {
    let first = i64::try_from(first).unwrap_or(i64::MAX);
    let server_last = i64::try_from(server_last)
        .map_err(|_| CoreError::Protocol(format!("mutation {server_last}")))?;
    let rows: Vec<(i64, String, String, i64)> =
        sqlx::query_as("SELECT id, name, args, created_at FROM outbox WHERE id >= ? ORDER BY id")
            .bind(first)
            .fetch_all(&mut *conn)
            .await?;
    sqlx::query("DELETE FROM outbox WHERE id >= ?")
        .bind(first)
        .execute(&mut *conn)
        .await?;
    let mut next = server_last;
    for (_, name, args, created_at) in rows {
        next += 1;
        sqlx::query("INSERT INTO outbox (id, name, args, created_at) VALUES (?, ?, ?, ?)")
            .bind(next)
            .bind(name)
            .bind(args)
            .bind(created_at)
            .execute(&mut *conn)
            .await?;
    }
    Ok(next)
}

impl Store {
    /// The server had already processed mutation `first` with other content (this store was
    /// put back from a backup, or lost its last commits, and numbered new edits again from where
    /// it stood): the pending mutations from `first` on are numbered after `server_last`, the
    /// server's last for this client, in their order, so none of them is taken for one it has.
    pub(crate) async fn renumber_from(&self, first: u64, server_last: u64) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let next = renumber(&mut tx, first, server_last).await?;
        sqlx::query(
            "UPDATE sync_state SET last_issued_mutation = max(last_issued_mutation, ?) WHERE id = 1",
        )
        .bind(next)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts again from the server as it now is, once it was restored from an older backup and
    /// its last mutation of this client is `server_last` (below what it had confirmed): the
    /// workspace is downloaded again from nothing at the next sync, the edits not yet sent are
    /// numbered after `server_last` (and re-applied on the records as they arrive), and the
    /// refusals of mutations the server no longer knows go.
    pub(crate) async fn restart_from(&self, server_last: u64) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let next = renumber(&mut tx, 0, server_last).await?;
        let last = i64::try_from(server_last)
            .map_err(|_| CoreError::Protocol(format!("mutation {server_last}")))?;
        sqlx::query("DELETE FROM rejections WHERE mutation_id > ?")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        crate::store::clear_workspace(&mut tx).await?;
        sqlx::query(
            "UPDATE sync_state SET last_issued_mutation = ?, confirmed_mutation = ?, \
             cookie = NULL, pulled_pages = 0 WHERE id = 1",
        )
        .bind(next)
        .bind(last)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The mutations not yet confirmed by the server, oldest first.
    pub async fn outbox(&self) -> Result<Vec<Mutation>> {
        let mut conn = self.pool.acquire().await?;
        all_pending(&mut conn).await
    }

    /// How many local edits wait for the server.
    pub async fn pending_count(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
            .fetch_one(&self.pool)
            .await?;
        u64::try_from(count).map_err(|_| CoreError::Corrupt(format!("outbox count {count}")))
    }

    /// This installation's client id, minted once when the store was first opened.
    pub async fn client_id(&self) -> Result<ClientId> {
        Ok(
            sqlx::query_scalar("SELECT client_id FROM sync_state WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{Profile, ProfilePatch};

    async fn store_with(count: usize) -> (Store, Vec<Profile>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(3, now).take(count).collect();
        store.insert_profiles(&profiles).await.unwrap();
        (store, profiles, dir)
    }

    fn location(value: &str) -> userdesk_model::ValidPatch {
        ProfilePatch {
            location: Some(value.into()),
            ..Default::default()
        }
        .validate()
        .unwrap()
    }

    #[tokio::test]
    async fn every_saved_edit_queues_one_mutation_numbered_without_gaps() {
        let (store, profiles, _dir) = store_with(3).await;
        for (i, p) in profiles.iter().enumerate() {
            store
                .patch_profile(p.id, &location(&format!("Town {i}")))
                .await
                .unwrap();
        }
        // Saving what is already there is no edit.
        store
            .patch_profile(profiles[0].id, &location("Town 0"))
            .await
            .unwrap();
        let queued = store.outbox().await.unwrap();
        assert_eq!(
            queued.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        for (m, p) in queued.iter().zip(&profiles) {
            let op = Op::from_mutation(m).unwrap();
            let Op::ProfilePatch {
                profile_id, patch, ..
            } = op
            else {
                panic!("{m:?}");
            };
            assert_eq!(profile_id, p.id);
            // Only the changed field travels.
            assert_eq!(
                patch.location.as_deref(),
                Some(format!("Town {}", m.id - 1).as_str())
            );
            assert_eq!(patch.email, None);
        }
        // Numbers are never reused, even once the outbox is trimmed.
        let mut conn = store.pool.acquire().await.unwrap();
        trim(&mut conn, 3).await.unwrap();
        drop(conn);
        store
            .patch_profile(profiles[1].id, &location("Elsewhere"))
            .await
            .unwrap();
        let queued = store.outbox().await.unwrap();
        assert_eq!(queued.iter().map(|m| m.id).collect::<Vec<_>>(), vec![4]);
    }

    #[tokio::test]
    async fn an_edit_lost_before_commit_leaves_neither_the_change_nor_its_mutation() {
        let (store, profiles, _dir) = store_with(2).await;
        let p = &profiles[0];
        {
            let mut tx = store.write_transaction().await.unwrap();
            let saved =
                crate::store::profiles::patch_in(&mut tx, p.id, &location("Nowhere"), Utc::now())
                    .await
                    .unwrap();
            assert_eq!(saved.location, "Nowhere");
            // The process dies here: the transaction is dropped uncommitted.
        }
        assert_eq!(store.get_profile(p.id).await.unwrap(), *p);
        assert!(store.outbox().await.unwrap().is_empty());
        // The number it took is free again: the next edit is still mutation 1.
        store
            .patch_profile(p.id, &location("Somewhere"))
            .await
            .unwrap();
        assert_eq!(
            store
                .outbox()
                .await
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect::<Vec<_>>(),
            vec![1]
        );
    }

    #[tokio::test]
    async fn the_client_id_is_minted_once_and_kept_across_openings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        let store = Store::open(&path).await.unwrap();
        let first = store.client_id().await.unwrap();
        store.close().await;
        let again = Store::open(&path).await.unwrap();
        assert_eq!(again.client_id().await.unwrap(), first);
    }
}
