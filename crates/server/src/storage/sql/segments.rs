//! Segments, their rules and their hand-picked members.

use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::{Entity, MAX_MEMBERS_PER_MUTATION};
use userdesk_model::{ProfileId, Segment, SegmentId, SegmentMember};
use uuid::Uuid;

use super::changes::{self, by_column, by_ids, pair_key, Kind, CHUNK};
use super::sync::{invalid, not_found, Applied};
use super::{profiles, Conn, Db};
use crate::ids::WorkspaceId;
use crate::storage::{Result, StorageError};

const SELECT: &str = "SELECT id, name, description, rules FROM segments";

fn rules_json(segment: &Segment) -> Result<String> {
    serde_json::to_string(&segment.rules).map_err(|e| StorageError::Corrupt(format!("rules: {e}")))
}

/// The workspace that owns the segment, if it exists anywhere.
async fn owner(conn: &mut Conn, id: SegmentId) -> Result<Option<WorkspaceId>> {
    Ok(
        sqlx::query_scalar("SELECT workspace_id FROM segments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

pub(super) async fn create(
    conn: &mut Conn,
    workspace: WorkspaceId,
    segment: &Segment,
    members: &[ProfileId],
    version: i64,
) -> Result<Applied> {
    if let Err(reason) = segment.validate() {
        return Ok(invalid(reason));
    }
    if owner(conn, segment.id).await?.is_some() {
        return Ok(invalid(format!(
            "segment id {} is already taken",
            segment.id
        )));
    }
    if let Err(refusal) = check_members(conn, workspace, members).await? {
        return Ok(Err(refusal));
    }
    sqlx::query(
        "INSERT INTO segments (id, workspace_id, name, description, rules) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(segment.id)
    .bind(workspace)
    .bind(&segment.name)
    .bind(&segment.description)
    .bind(rules_json(segment)?)
    .execute(&mut *conn)
    .await?;
    changes::touch(
        conn,
        workspace,
        Kind::Segment,
        &segment.id.to_string(),
        version,
        false,
    )
    .await?;
    write_members(conn, workspace, segment.id, members, true, version).await?;
    Ok(Ok(()))
}

pub(super) async fn update(
    conn: &mut Conn,
    workspace: WorkspaceId,
    segment: &Segment,
    version: i64,
) -> Result<Applied> {
    if let Err(reason) = segment.validate() {
        return Ok(invalid(reason));
    }
    let updated = sqlx::query(
        "UPDATE segments SET name = $3, description = $4, rules = $5 WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace)
    .bind(segment.id)
    .bind(&segment.name)
    .bind(&segment.description)
    .bind(rules_json(segment)?)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(not_found("segment", segment.id));
    }
    changes::touch(
        conn,
        workspace,
        Kind::Segment,
        &segment.id.to_string(),
        version,
        false,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn delete(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: SegmentId,
    version: i64,
) -> Result<Applied> {
    let deleted = sqlx::query("DELETE FROM segments WHERE workspace_id = $1 AND id = $2")
        .bind(workspace)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if deleted == 0 {
        return Ok(not_found("segment", id));
    }
    changes::touch(
        conn,
        workspace,
        Kind::Segment,
        &id.to_string(),
        version,
        true,
    )
    .await?;
    Ok(Ok(()))
}

async fn check_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
    members: &[ProfileId],
) -> Result<Applied> {
    if members.len() > MAX_MEMBERS_PER_MUTATION {
        return Ok(invalid(format!(
            "one change adds or removes at most {MAX_MEMBERS_PER_MUTATION} members; split the rest"
        )));
    }
    let mut unique = members.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let found = profiles::count_existing(conn, workspace, &unique).await?;
    if found < unique.len() {
        return Ok(Err(userdesk_model::ApiError::new(
            userdesk_model::ErrorCode::NotFound,
            format!("{} of the profiles do not exist", unique.len() - found),
        )));
    }
    Ok(Ok(()))
}

pub(super) async fn set_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
    segment: SegmentId,
    profiles: &[ProfileId],
    member: bool,
    version: i64,
) -> Result<Applied> {
    if owner(conn, segment).await? != Some(workspace) {
        return Ok(not_found("segment", segment));
    }
    if member {
        if let Err(refusal) = check_members(conn, workspace, profiles).await? {
            return Ok(Err(refusal));
        }
    } else if profiles.len() > MAX_MEMBERS_PER_MUTATION {
        return Ok(invalid(format!(
            "one change adds or removes at most {MAX_MEMBERS_PER_MUTATION} members; split the rest"
        )));
    }
    write_members(conn, workspace, segment, profiles, member, version).await?;
    Ok(Ok(()))
}

async fn write_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
    segment: SegmentId,
    profiles: &[ProfileId],
    member: bool,
    version: i64,
) -> Result<()> {
    let mut unique = profiles.to_vec();
    unique.sort_unstable();
    unique.dedup();
    // Only the memberships that change are logged: naming customers already in (or never in)
    // the segment writes nothing a client would pull.
    let mut changed: Vec<ProfileId> = Vec::with_capacity(unique.len());
    for chunk in unique.chunks(CHUNK) {
        let mut query = if member {
            let mut query = QueryBuilder::<Db>::new(
                "INSERT INTO segment_members (segment_id, profile_id, workspace_id) ",
            );
            query.push_values(chunk, |mut row, profile| {
                row.push_bind(segment)
                    .push_bind(*profile)
                    .push_bind(workspace);
            });
            query.push(" ON CONFLICT (segment_id, profile_id) DO NOTHING");
            query
        } else {
            let mut query =
                QueryBuilder::<Db>::new("DELETE FROM segment_members WHERE segment_id = ");
            query.push_bind(segment);
            query.push(" AND profile_id IN (");
            let mut list = query.separated(", ");
            for profile in chunk {
                list.push_bind(*profile);
            }
            list.push_unseparated(")");
            query
        };
        query.push(" RETURNING profile_id");
        let rows: Vec<ProfileId> = query.build_query_scalar().fetch_all(&mut *conn).await?;
        changed.extend(rows);
    }
    let keys: Vec<String> = changed
        .iter()
        .map(|p| pair_key(segment.as_uuid(), p.as_uuid()))
        .collect();
    changes::touch_many(
        conn,
        workspace,
        Kind::SegmentMember,
        &keys,
        version,
        !member,
    )
    .await
}

pub(super) async fn insert_segments(
    conn: &mut Conn,
    workspace: WorkspaceId,
    segments: &[Segment],
    version: i64,
) -> Result<()> {
    for chunk in segments.chunks(CHUNK) {
        let rules = chunk.iter().map(rules_json).collect::<Result<Vec<_>>>()?;
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO segments (id, workspace_id, name, description, rules) ",
        );
        query.push_values(chunk.iter().zip(rules), |mut row, (s, rules)| {
            row.push_bind(s.id)
                .push_bind(workspace)
                .push_bind(&s.name)
                .push_bind(&s.description)
                .push_bind(rules);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = segments.iter().map(|s| s.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Segment, &keys, version, false).await
}

pub(super) async fn insert_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
    members: &[SegmentMember],
    version: i64,
) -> Result<()> {
    for chunk in members.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO segment_members (segment_id, profile_id, workspace_id) ",
        );
        query.push_values(chunk, |mut row, m| {
            row.push_bind(m.segment_id)
                .push_bind(m.profile_id)
                .push_bind(workspace);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = members
        .iter()
        .map(|m| pair_key(m.segment_id.as_uuid(), m.profile_id.as_uuid()))
        .collect();
    changes::touch_many(conn, workspace, Kind::SegmentMember, &keys, version, false).await
}

pub(super) async fn fetch_segments(
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
            let rules: String = row.try_get("rules")?;
            let segment = Segment {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                rules: serde_json::from_str(&rules)
                    .map_err(|e| StorageError::Corrupt(format!("rules: {e}")))?,
            };
            found.push((segment.id.to_string(), Entity::Segment(segment)));
        }
    }
    Ok(found)
}

pub(super) async fn fetch_members(
    conn: &mut Conn,
    workspace: WorkspaceId,
    pairs: &[(Uuid, Uuid)],
) -> Result<Vec<(String, Entity)>> {
    // One lookup per segment on the primary key (segment_id, profile_id).
    let mut by_segment: std::collections::BTreeMap<Uuid, Vec<Uuid>> = Default::default();
    for (segment, profile) in pairs {
        by_segment.entry(*segment).or_default().push(*profile);
    }
    let mut found = Vec::new();
    for (segment, profiles) in by_segment {
        for chunk in profiles.chunks(CHUNK) {
            let mut query = by_column(
                "SELECT profile_id FROM segment_members",
                "profile_id",
                workspace,
                chunk,
            );
            query.push(" AND segment_id = ");
            query.push_bind(segment);
            for row in query.build().fetch_all(&mut *conn).await? {
                let member = SegmentMember {
                    segment_id: SegmentId::from_uuid(segment),
                    profile_id: row.try_get("profile_id")?,
                };
                found.push((
                    pair_key(&segment, member.profile_id.as_uuid()),
                    Entity::SegmentMember(member),
                ));
            }
        }
    }
    Ok(found)
}
