//! Workspaces: their version counter, and batches of platform data written under one version.

use chrono::Utc;
use sqlx::Row as _;

use super::{millis, profiles, properties, segments, sessions, Conn, Db};
use crate::ids::WorkspaceId;
use crate::storage::{PlatformBatch, Result, StorageError};

pub(super) async fn ensure(
    pool: &sqlx::Pool<Db>,
    name: &str,
    data_protection_email: &str,
) -> Result<WorkspaceId> {
    sqlx::query(
        "INSERT INTO workspaces (id, name, data_protection_email, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(WorkspaceId::new())
    .bind(name)
    .bind(data_protection_email)
    .bind(millis(Utc::now()))
    .execute(pool)
    .await?;
    find(pool, name)
        .await?
        .ok_or_else(|| StorageError::UnknownWorkspace(name.to_string()))
}

pub(super) async fn find(pool: &sqlx::Pool<Db>, name: &str) -> Result<Option<WorkspaceId>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM workspaces WHERE name = $1")
            .bind(name)
            .fetch_optional(pool)
            .await?,
    )
}

/// The workspace's next version. The update holds the row's write lock until the transaction
/// ends, so transactions of one workspace commit in the order of their versions.
pub(super) async fn bump_version(conn: &mut Conn, workspace: WorkspaceId) -> Result<i64> {
    let version: Option<i64> = sqlx::query_scalar(
        "UPDATE workspaces SET version = version + 1 WHERE id = $1 RETURNING version",
    )
    .bind(workspace)
    .fetch_optional(&mut *conn)
    .await?;
    version.ok_or_else(|| StorageError::UnknownWorkspace(workspace.to_string()))
}

/// The workspace's current version and the version up to which tombstones were pruned.
pub(super) async fn versions(conn: &mut Conn, workspace: WorkspaceId) -> Result<(i64, i64)> {
    let row = sqlx::query("SELECT version, pruned_version FROM workspaces WHERE id = $1")
        .bind(workspace)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StorageError::UnknownWorkspace(workspace.to_string()))?;
    Ok((row.try_get("version")?, row.try_get("pruned_version")?))
}

pub(super) async fn insert_batch(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    batch: &PlatformBatch,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let version = bump_version(&mut tx, workspace).await?;
    let conn: &mut Conn = &mut tx;
    properties::insert_definitions(conn, workspace, &batch.properties, version).await?;
    sessions::insert_goals(conn, workspace, &batch.goals, version).await?;
    segments::insert_segments(conn, workspace, &batch.segments, version).await?;
    // SESSIONS, LIVE CHAT TAKEOVER and DEVICE follow from the sessions, whatever the batch says.
    let profiles = sessions::settled_profiles(batch);
    profiles::insert(conn, workspace, &profiles, version).await?;
    properties::insert_values(conn, workspace, &batch.property_values, version).await?;
    sessions::insert_sessions(conn, workspace, &batch.sessions, version).await?;
    sessions::settle_earlier_profiles(conn, workspace, batch, version).await?;
    sessions::insert_messages(conn, workspace, &batch.messages, version).await?;
    sessions::insert_completions(conn, workspace, &batch.goal_completions, version).await?;
    super::notes::insert(conn, workspace, &batch.notes, version).await?;
    segments::insert_members(conn, workspace, &batch.segment_members, version).await?;
    tx.commit().await?;
    Ok(())
}
