//! The server's copy of each profile that pending local mutations change, the base a pull
//! rebases them on. A profile whose only pending changes are of its status (a bulk job's) keeps
//! only the status it had (`status_shadows`): its copy is its row with that status.

use std::collections::{HashMap, HashSet};

use sqlx::SqliteConnection;
use userdesk_model::{Profile, ProfileId, ProfileStatus};

use crate::error::{CoreError, Result};
use crate::store::profiles;

fn to_json(profile: &Profile) -> Result<String> {
    serde_json::to_string(profile)
        .map_err(|e| CoreError::Corrupt(format!("profile {}: {e}", profile.id)))
}

/// Keeps `current` as the server's copy unless one is kept already: with no mutation pending on
/// the profile, the local row is exactly the server's. A status-only copy becomes a full one.
pub(crate) async fn keep_server_copy(conn: &mut SqliteConnection, current: &Profile) -> Result<()> {
    let mut copy = current.clone();
    let status: Option<String> = sqlx::query_scalar(
        "DELETE FROM status_shadows WHERE seq = (SELECT seq FROM profiles WHERE id = ?) \
         RETURNING status",
    )
    .bind(current.id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(status) = status {
        copy.status = parse_status(&status)?;
    }
    sqlx::query("INSERT OR IGNORE INTO profile_shadows (id, record) VALUES (?, ?)")
        .bind(copy.id)
        .bind(to_json(&copy)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps, as their server's copy, the status of the profiles at these rowids (a JSON array)
/// whose status is not `status`, unless a copy is kept already: what a bulk job's chunk needs
/// before it changes them, a few pages written whatever the number of profiles.
pub(crate) async fn keep_server_statuses(
    conn: &mut SqliteConnection,
    seqs_json: &str,
    status: ProfileStatus,
) -> Result<()> {
    sqlx::query(
        "INSERT OR IGNORE INTO status_shadows (seq, status) \
         SELECT p.seq, p.status FROM profiles AS p \
         WHERE p.seq IN (SELECT value FROM json_each(?1)) AND p.status <> ?2 \
         AND NOT EXISTS (SELECT 1 FROM profile_shadows AS s WHERE s.id = p.id)",
    )
    .bind(seqs_json)
    .bind(status.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn parse_status(status: &str) -> Result<ProfileStatus> {
    ProfileStatus::parse(status)
        .ok_or_else(|| CoreError::Corrupt(format!("the kept status {status:?}")))
}

/// Sets the server's copy to the pulled `profile`.
pub(crate) async fn put(conn: &mut SqliteConnection, profile: &Profile) -> Result<()> {
    sqlx::query(
        "INSERT INTO profile_shadows (id, record) VALUES (?, ?) \
         ON CONFLICT (id) DO UPDATE SET record = excluded.record",
    )
    .bind(profile.id)
    .bind(to_json(profile)?)
    .execute(&mut *conn)
    .await?;
    forget_status(conn, profile.id).await
}

async fn forget_status(conn: &mut SqliteConnection, id: ProfileId) -> Result<()> {
    sqlx::query("DELETE FROM status_shadows WHERE seq = (SELECT seq FROM profiles WHERE id = ?)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Forgets the server's copy.
pub(crate) async fn remove(conn: &mut SqliteConnection, id: ProfileId) -> Result<()> {
    sqlx::query("DELETE FROM profile_shadows WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    forget_status(conn, id).await
}

/// Forgets every server copy (a reset of the workspace).
pub(crate) async fn clear(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM profile_shadows")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM status_shadows")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The ids of the profiles with a server copy. Each join of the status copies to the profiles is
/// a CROSS JOIN, so that SQLite reads the copies and looks their rows up rather than walking every
/// profile (a pull reads them at every page).
const IDS: &str = "SELECT id FROM profile_shadows \
     UNION ALL SELECT p.id FROM status_shadows AS s CROSS JOIN profiles AS p ON p.seq = s.seq";

/// The profiles with a status-only copy, and that status.
const STATUS_COPIES: &str =
    "SELECT p.id, s.status FROM status_shadows AS s CROSS JOIN profiles AS p ON p.seq = s.seq";

/// The profiles a server copy is kept for.
pub(crate) async fn ids(conn: &mut SqliteConnection) -> Result<HashSet<ProfileId>> {
    let ids: Vec<ProfileId> = sqlx::query_scalar(IDS).fetch_all(&mut *conn).await?;
    Ok(ids.into_iter().collect())
}

/// Every server copy kept.
pub(crate) async fn all(conn: &mut SqliteConnection) -> Result<Vec<Profile>> {
    let records: Vec<String> = sqlx::query_scalar("SELECT record FROM profile_shadows")
        .fetch_all(&mut *conn)
        .await?;
    let mut copies = records
        .iter()
        .map(|r| {
            serde_json::from_str(r)
                .map_err(|e| CoreError::Corrupt(format!("server copy of a profile: {e}")))
        })
        .collect::<Result<Vec<Profile>>>()?;
    let statuses: HashMap<ProfileId, String> = sqlx::query_as(STATUS_COPIES)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    for mut copy in profiles::read_status_copied(conn).await? {
        if let Some(status) = statuses.get(&copy.id) {
            copy.status = parse_status(status)?;
            copies.push(copy);
        }
    }
    Ok(copies)
}

/// The server's copy of one profile, if one is kept.
pub(crate) async fn get(conn: &mut SqliteConnection, id: ProfileId) -> Result<Option<Profile>> {
    let record: Option<String> =
        sqlx::query_scalar("SELECT record FROM profile_shadows WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some(record) = record {
        return serde_json::from_str(&record)
            .map(Some)
            .map_err(|e| CoreError::Corrupt(format!("server copy of a profile: {e}")));
    }
    let status: Option<String> = sqlx::query_scalar(
        "SELECT s.status FROM status_shadows AS s JOIN profiles AS p ON p.seq = s.seq \
         WHERE p.id = ?",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(status) = status else {
        return Ok(None);
    };
    let mut copy = profiles::read_any(conn, id).await?;
    if let Some(copy) = &mut copy {
        copy.status = parse_status(&status)?;
    }
    Ok(copy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[tokio::test]
    async fn status_copies_are_read_without_walking_every_profile() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        for sql in [IDS, STATUS_COPIES] {
            let plan: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .fetch_all(store.pool())
                    .await
                    .unwrap();
            let steps: Vec<&str> = plan.iter().map(|(_, _, _, step)| step.as_str()).collect();
            assert!(
                steps.iter().any(|s| s.starts_with("SCAN s"))
                    && steps
                        .iter()
                        .any(|s| s.starts_with("SEARCH p USING INTEGER PRIMARY KEY")),
                "{sql}: {steps:?}"
            );
        }
    }
}
