//! Customer profiles: their user details, status, and deletion with everything attached.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::{Entity, MAX_MEMBERS_PER_MUTATION};
use userdesk_model::{
    ApiError, ErrorCode, Field, Platform, Profile, ProfileId, ProfilePatch, ProfileStatus,
    ProfileType, Trashed,
};
use uuid::Uuid;

use super::changes::{self, by_ids, Kind, CHUNK};
use super::overwrites::{self, FieldWrite, Writer};
use super::sync::{invalid, not_found, Applied};
use super::{count, millis, parsed, time, Conn, Db, Row};
use crate::ids::WorkspaceId;
use crate::storage::Result;

const SELECT: &str = "SELECT id, email, first_name, last_name, phone, location, created_at,
    last_seen_at, device, sessions, live_chat_takeover, status, kind, platform, trashed_at,
    trashed_by FROM profiles";

/// Whether the profile exists in the workspace: ids of other workspaces do not.
pub(super) async fn exists(conn: &mut Conn, workspace: WorkspaceId, id: ProfileId) -> Result<bool> {
    let found: i64 =
        sqlx::query_scalar("SELECT count(*) FROM profiles WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
    Ok(found > 0)
}

/// How many of `ids` are profiles of the workspace.
pub(super) async fn count_existing(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[ProfileId],
) -> Result<usize> {
    let mut unique: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    unique.sort_unstable();
    unique.dedup();
    let mut found = 0usize;
    for chunk in unique.chunks(CHUNK) {
        let rows = by_ids("SELECT id FROM profiles", workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?;
        found += rows.len();
    }
    Ok(found)
}

pub(super) async fn patch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: ProfileId,
    patch: &ProfilePatch,
    base: Option<&ProfilePatch>,
    writer: &Writer<'_>,
    version: i64,
) -> Result<Applied> {
    let valid = match patch.clone().validate() {
        Ok(valid) => valid,
        Err(errors) => return Ok(Err(errors.into())),
    };
    let Some(current) = fetch_one(conn, workspace, id).await? else {
        return Ok(not_found("profile", id));
    };
    sqlx::query(
        "UPDATE profiles SET email = COALESCE($3, email), first_name = COALESCE($4, first_name),
             last_name = COALESCE($5, last_name), phone = COALESCE($6, phone),
             location = COALESCE($7, location)
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace)
    .bind(id)
    .bind(&valid.email)
    .bind(&valid.first_name)
    .bind(&valid.last_name)
    .bind(&valid.phone)
    .bind(&valid.location)
    .execute(&mut *conn)
    .await?;
    changes::touch(
        conn,
        workspace,
        Kind::Profile,
        &id.to_string(),
        version,
        false,
    )
    .await?;
    let applied = ProfilePatch {
        email: valid.email,
        first_name: valid.first_name,
        last_name: valid.last_name,
        phone: valid.phone,
        location: valid.location,
    };
    for field in Field::ALL {
        let Some(value) = field.of(&applied) else {
            continue;
        };
        let write = FieldWrite {
            field,
            replaced: field.in_profile(&current),
            base: base.and_then(|b| field.of(b)),
            value,
        };
        overwrites::record_write(conn, workspace, id, &write, writer, version).await?;
    }
    Ok(Ok(()))
}

pub(super) async fn set_status(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: ProfileId,
    status: ProfileStatus,
    version: i64,
) -> Result<Applied> {
    let updated =
        sqlx::query("UPDATE profiles SET status = $3 WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .bind(status.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if updated == 0 {
        return Ok(not_found("profile", id));
    }
    changes::touch(
        conn,
        workspace,
        Kind::Profile,
        &id.to_string(),
        version,
        false,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn delete(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: ProfileId,
    version: i64,
) -> Result<Applied> {
    // Notes, values, memberships, sessions and completions go with it (ON DELETE CASCADE); the
    // profile's tombstone tells clients to drop theirs.
    let deleted = sqlx::query("DELETE FROM profiles WHERE workspace_id = $1 AND id = $2")
        .bind(workspace)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Ok(not_found("profile", id));
    }
    changes::touch(
        conn,
        workspace,
        Kind::Profile,
        &id.to_string(),
        version,
        true,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn insert(
    conn: &mut Conn,
    workspace: WorkspaceId,
    profiles: &[Profile],
    version: i64,
) -> Result<()> {
    for chunk in profiles.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO profiles (id, workspace_id, email, first_name, last_name, phone, location,
                 created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind,
                 platform) ",
        );
        query.push_values(chunk, |mut row, p| {
            row.push_bind(p.id)
                .push_bind(workspace)
                .push_bind(&p.email)
                .push_bind(&p.first_name)
                .push_bind(&p.last_name)
                .push_bind(&p.phone)
                .push_bind(&p.location)
                .push_bind(millis(p.created_at))
                .push_bind(millis(p.last_seen_at))
                .push_bind(&p.device)
                .push_bind(i64::from(p.sessions))
                .push_bind(p.live_chat_takeover)
                .push_bind(p.status.as_str())
                .push_bind(p.kind.as_str())
                .push_bind(p.platform.as_str());
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = profiles.iter().map(|p| p.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Profile, &keys, version, false).await
}

fn decode(row: &Row) -> Result<Profile> {
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("kind")?;
    let platform: String = row.try_get("platform")?;
    Ok(Profile {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        first_name: row.try_get("first_name")?,
        last_name: row.try_get("last_name")?,
        phone: row.try_get("phone")?,
        location: row.try_get("location")?,
        created_at: time(row.try_get("created_at")?)?,
        last_seen_at: time(row.try_get("last_seen_at")?)?,
        device: row.try_get("device")?,
        sessions: count(row.try_get("sessions")?),
        live_chat_takeover: row.try_get("live_chat_takeover")?,
        status: parsed(&status, ProfileStatus::parse, "status")?,
        kind: parsed(&kind, ProfileType::parse, "profile type")?,
        platform: parsed(&platform, Platform::parse, "platform")?,
        trashed: trashed(row.try_get("trashed_at")?, row.try_get("trashed_by")?)?,
    })
}

/// The Trash columns of a profile row, read back.
pub(super) fn trashed(at: Option<i64>, by: Option<String>) -> Result<Option<Trashed>> {
    match (at, by) {
        (Some(at), Some(by)) => Ok(Some(Trashed { by, at: time(at)? })),
        _ => Ok(None),
    }
}

/// `profile.trash`: moves the workspace's profiles among `ids` to the Trash, keeping everything
/// attached to them; one already there keeps who deleted it first. Ids that are gone (deleted
/// forever meanwhile) are passed over: what the manager asked for is done. Refused only when
/// none of them exists, or with too many ids.
pub(super) async fn trash(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[ProfileId],
    by: &str,
    now: DateTime<Utc>,
    version: i64,
) -> Result<Applied> {
    move_trash(conn, workspace, ids, Some((by, now)), version).await
}

/// `profile.restore`: takes the workspace's profiles among `ids` out of the Trash, as they now
/// are (a colleague's edit made meanwhile stays). Refused when none of them exists any more:
/// they were deleted forever, and nothing brings them back.
pub(super) async fn restore(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[ProfileId],
    version: i64,
) -> Result<Applied> {
    move_trash(conn, workspace, ids, None, version).await
}

async fn move_trash(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[ProfileId],
    into: Option<(&str, DateTime<Utc>)>,
    version: i64,
) -> Result<Applied> {
    if ids.is_empty() {
        return Ok(invalid("name at least one customer"));
    }
    if ids.len() > MAX_MEMBERS_PER_MUTATION {
        return Ok(invalid(format!(
            "one change moves at most {MAX_MEMBERS_PER_MUTATION} customers; split the rest"
        )));
    }
    let mut unique: Vec<Uuid> = ids.iter().map(|id| *id.as_uuid()).collect();
    unique.sort_unstable();
    unique.dedup();
    let mut moved: Vec<String> = Vec::with_capacity(unique.len());
    let mut found = 0usize;
    for chunk in unique.chunks(CHUNK) {
        let rows = by_ids("SELECT id, trashed_at FROM profiles", workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?;
        found += rows.len();
        let mut changing: Vec<Uuid> = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: Uuid = row.try_get("id")?;
            let trashed_at: Option<i64> = row.try_get("trashed_at")?;
            if trashed_at.is_some() == into.is_none() {
                changing.push(id);
            }
        }
        if changing.is_empty() {
            continue;
        }
        let mut update = QueryBuilder::<Db>::new("UPDATE profiles SET trashed_at = ");
        match into {
            Some((by, now)) => {
                update.push_bind(millis(now));
                update.push(", trashed_by = ");
                update.push_bind(by.to_string());
            }
            None => {
                update.push("NULL, trashed_by = NULL");
            }
        }
        update.push(" WHERE workspace_id = ");
        update.push_bind(workspace);
        update.push(" AND id IN (");
        let mut list = update.separated(", ");
        for id in &changing {
            list.push_bind(*id);
        }
        list.push_unseparated(")");
        update.build().execute(&mut *conn).await?;
        moved.extend(
            changing
                .iter()
                .map(|id| ProfileId::from_uuid(*id).to_string()),
        );
    }
    if found == 0 {
        return Ok(match into {
            Some(_) => not_found("profile", ids[0]),
            None => Err(ApiError::new(
                ErrorCode::NotFound,
                if ids.len() == 1 {
                    "this customer was deleted forever (by Delete forever, or 30 days after \
                     going to the Trash) and cannot be restored"
                        .to_string()
                } else {
                    "these customers were deleted forever (by Delete forever, or 30 days after \
                     going to the Trash) and cannot be restored"
                        .to_string()
                },
            )),
        });
    }
    changes::touch_many(conn, workspace, Kind::Profile, &moved, version, false).await?;
    Ok(Ok(()))
}

/// Deletes forever the profiles that went to the Trash before `before`, in every workspace, each
/// workspace under a new version; returns how many.
pub(super) async fn purge_trash(pool: &sqlx::Pool<Db>, before: DateTime<Utc>) -> Result<u64> {
    let workspaces: Vec<WorkspaceId> = sqlx::query_scalar(
        "SELECT DISTINCT workspace_id FROM profiles WHERE trashed_at IS NOT NULL AND trashed_at < $1",
    )
    .bind(millis(before))
    .fetch_all(pool)
    .await?;
    let mut purged = 0u64;
    for workspace in workspaces {
        let mut tx = pool.begin().await?;
        let version = super::workspaces::bump_version(&mut tx, workspace).await?;
        let ids: Vec<Uuid> = sqlx::query_scalar(
            "DELETE FROM profiles WHERE workspace_id = $1 AND trashed_at IS NOT NULL \
             AND trashed_at < $2 RETURNING id",
        )
        .bind(workspace)
        .bind(millis(before))
        .fetch_all(&mut *tx)
        .await?;
        let keys: Vec<String> = ids
            .iter()
            .map(|id| ProfileId::from_uuid(*id).to_string())
            .collect();
        changes::touch_many(&mut tx, workspace, Kind::Profile, &keys, version, true).await?;
        tx.commit().await?;
        purged += keys.len() as u64;
    }
    Ok(purged)
}

/// The workspace's profile `id`, if it has one.
async fn fetch_one(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: ProfileId,
) -> Result<Option<Profile>> {
    let row = by_ids(SELECT, workspace, &[*id.as_uuid()])
        .build()
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(decode).transpose()
}

pub(super) async fn fetch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for row in by_ids(SELECT, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let profile = decode(&row)?;
            found.push((profile.id.to_string(), Entity::Profile(profile)));
        }
    }
    Ok(found)
}

pub(super) async fn total(pool: &sqlx::Pool<Db>, workspace: WorkspaceId) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM profiles WHERE workspace_id = $1")
        .bind(workspace)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
