//! Managers and the hashes of their tokens.

use chrono::{DateTime, Utc};
use sqlx::Row as _;

use super::{millis, parsed, time, Db};
use crate::ids::{ManagerId, WorkspaceId};
use crate::managers::{Principal, Role, TokenInfo};
use crate::storage::{Result, StorageError};

/// How stale a token's last use may get before a request writes it again: an hour, so a
/// busy token costs a write an hour, not one a request.
const LAST_USE_GRAIN_MS: i64 = 60 * 60 * 1000;

/// How many hex digits of a token's hash name it in lists and on the command line.
pub(crate) const TOKEN_ID_LEN: usize = 12;

pub(super) async fn authenticate(
    pool: &sqlx::Pool<Db>,
    token_hash: &str,
) -> Result<Option<Principal>> {
    let now = millis(Utc::now());
    let row = sqlx::query(
        "SELECT m.id, m.workspace_id, m.email, m.role, m.time_zone, w.name AS workspace_name,
                t.last_used_at
         FROM tokens t
         JOIN managers m ON m.id = t.manager_id
         JOIN workspaces w ON w.id = m.workspace_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL
           AND (t.expires_at IS NULL OR t.expires_at > $2) AND m.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if last_used.is_none_or(|at| at + LAST_USE_GRAIN_MS <= now) {
        sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(token_hash)
            .execute(pool)
            .await?;
    }
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
         ON CONFLICT (workspace_id, email) DO NOTHING",
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
    expires_at: Option<DateTime<Utc>>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tokens (token_hash, manager_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(manager)
    .bind(millis(Utc::now()))
    .bind(expires_at.map(millis))
    .execute(pool)
    .await?;
    Ok(())
}

/// The role of the manager with `email` in the workspace, if there is one.
pub(super) async fn role(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    email: &str,
) -> Result<Option<Role>> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM managers WHERE workspace_id = $1 AND email = $2")
            .bind(workspace)
            .bind(email)
            .fetch_optional(pool)
            .await?;
    role.map(|r| parsed(&r, Role::parse, "role")).transpose()
}

/// Gives the manager another role; false if there is no such manager.
pub(super) async fn set_role(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    email: &str,
    role: Role,
) -> Result<bool> {
    let done = sqlx::query("UPDATE managers SET role = $1 WHERE workspace_id = $2 AND email = $3")
        .bind(role.as_str())
        .bind(workspace)
        .bind(email)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Disables the manager (every token of theirs stops at once) or enables them again; false if
/// there is no such manager.
pub(super) async fn set_disabled(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    email: &str,
    disabled: bool,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE managers SET disabled_at = $1 WHERE workspace_id = $2 AND email = $3")
            .bind(disabled.then(|| millis(Utc::now())))
            .bind(workspace)
            .bind(email)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// Every token, or those of one workspace, by workspace, manager and creation.
pub(super) async fn tokens(
    pool: &sqlx::Pool<Db>,
    workspace: Option<WorkspaceId>,
) -> Result<Vec<TokenInfo>> {
    let rows = sqlx::query(
        "SELECT t.token_hash, t.created_at, t.expires_at, t.last_used_at, t.revoked_at,
                m.email, m.role, m.disabled_at, w.name
         FROM tokens t
         JOIN managers m ON m.id = t.manager_id
         JOIN workspaces w ON w.id = m.workspace_id
         WHERE $1 IS NULL OR w.id = $1
         ORDER BY w.name, m.email, t.created_at, t.token_hash",
    )
    .bind(workspace)
    .fetch_all(pool)
    .await?;
    let at = |ms: Option<i64>| ms.map(time).transpose();
    rows.iter()
        .map(|row| {
            let hash: String = row.try_get("token_hash")?;
            let role: String = row.try_get("role")?;
            Ok(TokenInfo {
                id: hash.chars().take(TOKEN_ID_LEN).collect(),
                workspace: row.try_get("name")?,
                manager: row.try_get("email")?,
                role: parsed(&role, Role::parse, "role")?,
                created_at: time(row.try_get("created_at")?)?,
                expires_at: at(row.try_get("expires_at")?)?,
                last_used_at: at(row.try_get("last_used_at")?)?,
                revoked_at: at(row.try_get("revoked_at")?)?,
                manager_disabled: row.try_get::<Option<i64>, _>("disabled_at")?.is_some(),
            })
        })
        .collect()
}

/// Revokes the one token whose hash starts with `id` (as `tokens` lists it): it is refused at
/// once. A prefix naming no token or several is an error, and revokes nothing.
pub(super) async fn revoke(pool: &sqlx::Pool<Db>, id: &str) -> Result<TokenInfo> {
    let id = id.trim().to_ascii_lowercase();
    if id.len() < 8 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(StorageError::InvalidRequest(format!(
            "{id:?} is not a token id: give the first {TOKEN_ID_LEN} hex digits `token list` shows"
        )));
    }
    let matching: Vec<TokenInfo> = tokens(pool, None)
        .await?
        .into_iter()
        .filter(|t| t.id.starts_with(&id) || id.starts_with(&t.id))
        .collect();
    let [token] = <[TokenInfo; 1]>::try_from(matching).map_err(|found| {
        StorageError::InvalidRequest(if found.is_empty() {
            format!("no token has the id {id}")
        } else {
            format!(
                "{} tokens have an id starting {id}: give more digits",
                found.len()
            )
        })
    })?;
    sqlx::query(
        "UPDATE tokens SET revoked_at = $1 WHERE revoked_at IS NULL AND token_hash LIKE $2",
    )
    .bind(millis(Utc::now()))
    .bind(format!("{}%", token.id))
    .execute(pool)
    .await?;
    Ok(token)
}
