//! Customers' pictures: set or removed by a manager's app, pulled by every app.

use chrono::{DateTime, Utc};
use sqlx::Row as _;
use userdesk_model::sync::Entity;
use userdesk_model::{Picture, ProfileId};
use uuid::Uuid;

use super::changes::{self, by_column, Kind, CHUNK};
use super::sync::{invalid, not_found, Applied};
use super::{millis, profiles, time, Conn};
use crate::ids::WorkspaceId;
use crate::storage::Result;

const SELECT: &str = "SELECT profile_id, png, updated_at FROM profile_pictures";

/// Sets the customer's picture, or removes it with `None`; a picture that is not a 256×256 PNG
/// of a sensible size is refused.
pub(super) async fn set(
    conn: &mut Conn,
    workspace: WorkspaceId,
    profile: ProfileId,
    png: Option<&str>,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    if let Some(Err(reason)) = png.map(Picture::check) {
        return Ok(invalid(reason));
    }
    if !profiles::exists(conn, workspace, profile).await? {
        return Ok(not_found("profile", profile));
    }
    match png {
        Some(png) => {
            sqlx::query(
                "INSERT INTO profile_pictures (profile_id, workspace_id, png, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (profile_id) DO UPDATE SET png = excluded.png,
                     updated_at = excluded.updated_at",
            )
            .bind(profile)
            .bind(workspace)
            .bind(png)
            .bind(millis(now))
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM profile_pictures WHERE workspace_id = $1 AND profile_id = $2")
                .bind(workspace)
                .bind(profile)
                .execute(&mut *conn)
                .await?;
        }
    }
    changes::touch(
        conn,
        workspace,
        Kind::Picture,
        &profile.to_string(),
        version,
        png.is_none(),
    )
    .await?;
    Ok(Ok(()))
}

/// The pictures of these customers, keyed like the change log.
pub(super) async fn fetch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for row in by_column(SELECT, "profile_id", workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let picture = Picture {
                profile_id: row.try_get("profile_id")?,
                png: row.try_get("png")?,
                updated_at: time(row.try_get("updated_at")?)?,
            };
            found.push((picture.profile_id.to_string(), Entity::Picture(picture)));
        }
    }
    Ok(found)
}
