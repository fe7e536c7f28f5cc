//! Managers' notes on profiles.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::Entity;
use userdesk_model::{check_long_text, Note, NoteId, ProfileId};
use uuid::Uuid;

use super::changes::{self, by_ids, Kind, CHUNK};
use super::sync::{invalid, not_found, Applied};
use super::{millis, profiles, time, Conn, Db};
use crate::ids::WorkspaceId;
use crate::managers::{Principal, Role};
use crate::storage::Result;

const SELECT: &str =
    "SELECT id, workspace_id, profile_id, author, body, created_at, updated_at FROM notes";

fn check_body(body: &str) -> std::result::Result<(), String> {
    if body.trim().is_empty() {
        return Err("a note needs some text".to_string());
    }
    check_long_text(body)
        .map(|_| ())
        .map_err(|e| format!("the note {e}"))
}

pub(super) async fn create(
    conn: &mut Conn,
    principal: &Principal,
    id: NoteId,
    profile: ProfileId,
    body: &str,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let workspace = principal.workspace_id;
    if let Err(reason) = check_body(body) {
        return Ok(invalid(reason));
    }
    if !profiles::exists(conn, workspace, profile).await? {
        return Ok(not_found("profile", profile));
    }
    let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM notes WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if taken > 0 {
        return Ok(invalid(format!("note id {id} is already taken")));
    }
    sqlx::query(
        "INSERT INTO notes (id, workspace_id, profile_id, author, body, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(id)
    .bind(workspace)
    .bind(profile)
    .bind(&principal.email)
    .bind(body)
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    changes::touch(conn, workspace, Kind::Note, &id.to_string(), version, false).await?;
    Ok(Ok(()))
}

/// Replaces a note's text, or deletes the note when `body` is `None`. Agents touch only their
/// own notes; admins any.
pub(super) async fn update(
    conn: &mut Conn,
    principal: &Principal,
    id: NoteId,
    body: Option<&str>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let workspace = principal.workspace_id;
    if let Some(Err(reason)) = body.map(check_body) {
        return Ok(invalid(reason));
    }
    let author: Option<String> =
        sqlx::query_scalar("SELECT author FROM notes WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(author) = author else {
        return Ok(not_found("note", id));
    };
    if principal.role != Role::Admin && author != principal.email {
        return Ok(Err(userdesk_model::ApiError::new(
            userdesk_model::ErrorCode::Forbidden,
            "an agent may change only their own notes",
        )));
    }
    match body {
        Some(body) => {
            sqlx::query(
                "UPDATE notes SET body = $3, updated_at = $4 WHERE workspace_id = $1 AND id = $2",
            )
            .bind(workspace)
            .bind(id)
            .bind(body)
            .bind(millis(now))
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM notes WHERE workspace_id = $1 AND id = $2")
                .bind(workspace)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    changes::touch(
        conn,
        workspace,
        Kind::Note,
        &id.to_string(),
        version,
        body.is_none(),
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn insert(
    conn: &mut Conn,
    workspace: WorkspaceId,
    notes: &[Note],
    version: i64,
) -> Result<()> {
    for chunk in notes.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO notes (id, workspace_id, profile_id, author, body, created_at, updated_at) ",
        );
        query.push_values(chunk, |mut row, n| {
            row.push_bind(n.id)
                .push_bind(workspace)
                .push_bind(n.profile_id)
                .push_bind(&n.author)
                .push_bind(&n.body)
                .push_bind(millis(n.created_at))
                .push_bind(millis(n.updated_at));
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = notes.iter().map(|n| n.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Note, &keys, version, false).await
}

pub(super) async fn fetch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for row in by_ids(SELECT, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let note = Note {
                id: row.try_get("id")?,
                profile_id: row.try_get("profile_id")?,
                author: row.try_get("author")?,
                body: row.try_get("body")?,
                created_at: time(row.try_get("created_at")?)?,
                updated_at: time(row.try_get("updated_at")?)?,
            };
            found.push((note.id.to_string(), Entity::Note(note)));
        }
    }
    Ok(found)
}
