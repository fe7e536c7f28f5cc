//! Managers and the hashes of their tokens.

use chrono::Utc;
use sqlx::Row as _;

use super::{millis, parsed, Db};
use crate::ids::{ManagerId, WorkspaceId};
use crate::managers::{Principal, Role};
use crate::storage::{Result, StorageError};

pub(super) async fn authenticate(
    pool: &sqlx::Pool<Db>,
    token_hash: &str,
) -> Result<Option<Principal>> {
    let row = sqlx::query(
        "SELECT m.id, m.workspace_id, m.email, m.role, m.time_zone, w.name AS workspace_name
         FROM tokens t
         JOIN managers m ON m.id = t.manager_id
         JOIN workspaces w ON w.id = m.workspace_id
         WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let role: String = row.try_get("role")?;
    Ok(Some(Principal {
        workspace_id: row.try_get("workspace_id")?,
        manager_id: row.try_get("id")?,
        email: row.try_get("email")?,
        role: parsed(&role, Role::parse, "role")?,
        workspace_name: row.try_get("workspace_name")?,
        time_zone: row.try_get("time_zone")?,
    }))
}

pub(super) async fn ensure(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    email: &str,
    role: Role,
    time_zone: &str,
) -> Result<ManagerId> {
    sqlx::query(
        "INSERT INTO managers (id, workspace_id, email, role, time_zone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (workspace_id, email) DO UPDATE SET role = excluded.role",
    )
    .bind(ManagerId::new())
    .bind(workspace)
    .bind(email)
    .bind(role.as_str())
    .bind(time_zone)
    .bind(millis(Utc::now()))
    .execute(pool)
    .await?;
    let id: Option<ManagerId> =
        sqlx::query_scalar("SELECT id FROM managers WHERE workspace_id = $1 AND email = $2")
            .bind(workspace)
            .bind(email)
            .fetch_optional(pool)
            .await?;
    id.ok_or_else(|| StorageError::Corrupt(format!("manager {email} vanished")))
}

pub(super) async fn add_token(
    pool: &sqlx::Pool<Db>,
    manager: ManagerId,
    token_hash: &str,
) -> Result<()> {
    sqlx::query("INSERT INTO tokens (token_hash, manager_id, created_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(manager)
        .bind(millis(Utc::now()))
        .execute(pool)
        .await?;
    Ok(())
}
