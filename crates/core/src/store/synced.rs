//! Reading pulled records of the kinds kept whole in `synced_records`: by their customer or
//! session (each such read has a partial index on exactly the expression it filters on), or by
//! their id.

use serde::de::DeserializeOwned;
use sqlx::SqliteConnection;

use crate::error::{CoreError, Result};

/// The id field a read filters on; each has an index per kind that is read by it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner {
    Profile,
    Session,
    Goal,
}

/// A record's value as its own type: read straight from the value's JSON, without the
/// envelope that names its kind (already chosen in SQL).
fn decode<T: DeserializeOwned>(kind: &str, value: &str) -> Result<T> {
    serde_json::from_str(value).map_err(|e| CoreError::Corrupt(format!("a pulled {kind}: {e}")))
}

/// The pulled records of `kind` that belong to `owner` `id`.
pub(crate) async fn owned_by<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &'static str,
    owner: Owner,
    id: String,
) -> Result<Vec<T>> {
    // The kind and the expression are spelt out in the statement, exactly as the partial
    // indexes spell them, so SQLite picks the index when it prepares the statement. `kind` is
    // one of this crate's constants, never input.
    let field = match owner {
        Owner::Profile => "profileId",
        Owner::Session => "sessionId",
        Owner::Goal => "goalId",
    };
    let sql = format!(
        "SELECT json_extract(record, '$.value') FROM synced_records \
         WHERE kind = '{kind}' AND json_extract(record, '$.value.{field}') = ?"
    );
    let records: Vec<String> = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    records.iter().map(|r| decode(kind, r)).collect()
}

/// The pulled record of `kind` with the id `id`, if the pull brought it.
pub(crate) async fn by_id<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &'static str,
    id: String,
) -> Result<Option<T>> {
    let key = serde_json::Value::String(id).to_string();
    let record: Option<String> = sqlx::query_scalar(
        "SELECT json_extract(record, '$.value') FROM synced_records WHERE kind = ? AND key = ?",
    )
    .bind(kind)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    record.as_deref().map(|r| decode(kind, r)).transpose()
}

/// Every pulled record of `kind` (of the kinds a workspace holds few of: properties, segments,
/// goals).
pub(crate) async fn all_of<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &'static str,
) -> Result<Vec<T>> {
    let records: Vec<String> = sqlx::query_scalar(
        "SELECT json_extract(record, '$.value') FROM synced_records WHERE kind = ?",
    )
    .bind(kind)
    .fetch_all(&mut *conn)
    .await?;
    records.iter().map(|r| decode(kind, r)).collect()
}

/// Keeps a pulled record of a kind without a table of its own, replacing an older version.
pub(crate) async fn put(
    conn: &mut SqliteConnection,
    kind: &str,
    key: &str,
    record: &str,
    version: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO synced_records (kind, key, record, version) VALUES (?, ?, ?, ?) \
         ON CONFLICT (kind, key) DO UPDATE SET record = excluded.record, \
         version = excluded.version",
    )
    .bind(kind)
    .bind(key)
    .bind(record)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets a pulled record the server deleted.
pub(crate) async fn delete(conn: &mut SqliteConnection, kind: &str, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM synced_records WHERE kind = ? AND key = ?")
        .bind(kind)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
