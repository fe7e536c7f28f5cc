//! The server's copy of each profile that pending local mutations change, the base a pull
//! rebases them on.

use std::collections::HashSet;

use sqlx::SqliteConnection;
use userdesk_model::{Profile, ProfileId};

use crate::error::{CoreError, Result};

fn to_json(profile: &Profile) -> Result<String> {
    serde_json::to_string(profile)
        .map_err(|e| CoreError::Corrupt(format!("profile {}: {e}", profile.id)))
}

/// Keeps `current` as the server's copy unless one is kept already: with no mutation pending on
/// the profile, the local row is exactly the server's.
pub(crate) async fn keep_server_copy(conn: &mut SqliteConnection, current: &Profile) -> Result<()> {
    sqlx::query("INSERT OR IGNORE INTO profile_shadows (id, record) VALUES (?, ?)")
        .bind(current.id)
        .bind(to_json(current)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// [`keep_server_copy`] for many profiles, in one statement.
pub(crate) async fn keep_server_copies(
    conn: &mut SqliteConnection,
    current: &[Profile],
) -> Result<()> {
    if current.is_empty() {
        return Ok(());
    }
    let rows = current
        .iter()
        .map(|p| {
            Ok(serde_json::json!([
                p.id.as_uuid().simple().to_string(),
                to_json(p)?
            ]))
        })
        .collect::<Result<Vec<_>>>()?;
    sqlx::query(
        "INSERT OR IGNORE INTO profile_shadows (id, record) \
         SELECT unhex(value ->> 0), value ->> 1 FROM json_each(?)",
    )
    .bind(serde_json::Value::from(rows).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
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
    Ok(())
}

/// Forgets the server's copy.
pub(crate) async fn remove(conn: &mut SqliteConnection, id: ProfileId) -> Result<()> {
    sqlx::query("DELETE FROM profile_shadows WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The profiles a server copy is kept for.
pub(crate) async fn ids(conn: &mut SqliteConnection) -> Result<HashSet<ProfileId>> {
    let ids: Vec<ProfileId> = sqlx::query_scalar("SELECT id FROM profile_shadows")
        .fetch_all(&mut *conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Every server copy kept.
pub(crate) async fn all(conn: &mut SqliteConnection) -> Result<Vec<Profile>> {
    let records: Vec<String> = sqlx::query_scalar("SELECT record FROM profile_shadows")
        .fetch_all(&mut *conn)
        .await?;
    records
        .iter()
        .map(|r| {
            serde_json::from_str(r)
                .map_err(|e| CoreError::Corrupt(format!("server copy of a profile: {e}")))
        })
        .collect()
}

/// The server's copy of one profile, if one is kept.
pub(crate) async fn get(conn: &mut SqliteConnection, id: ProfileId) -> Result<Option<Profile>> {
    let record: Option<String> =
        sqlx::query_scalar("SELECT record FROM profile_shadows WHERE id = ?")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    record
        .map(|r| {
            serde_json::from_str(&r)
                .map_err(|e| CoreError::Corrupt(format!("server copy of a profile: {e}")))
        })
        .transpose()
}
