//! The change log and the pull: every record's newest version (or tombstone), walked in the
//! workspace's version order and paged on (version, kind, key).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::{Entity, PatchOp, PropertyValueKey, PullResponse, Tombstone};
use uuid::Uuid;

use super::{
    millis, notes, overwrites, pictures, profiles, properties, requests, segments, sessions,
    workspaces, Conn, Db,
};
use crate::ids::WorkspaceId;
use crate::managers::Principal;
use crate::storage::{Pruned, PullQuery, Result, StorageError};

/// Rows per multi-row statement: well under both databases' limits on bound parameters.
pub(super) const CHUNK: usize = 500;

/// The kind of a record in the change log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Kind {
    Profile,
    Property,
    PropertyValue,
    Note,
    Segment,
    SegmentMember,
    Goal,
    GoalCompletion,
    Session,
    Message,
    Request,
    Overwrite,
    Picture,
}

impl Kind {
    /// Whether one record of the kind can weigh hundreds of kilobytes.
    fn can_be_big(self) -> bool {
        matches!(
            self,
            Self::Picture | Self::Segment | Self::Note | Self::Message
        )
    }

    const ALL: [Kind; 13] = [
        Self::Profile,
        Self::Property,
        Self::PropertyValue,
        Self::Note,
        Self::Segment,
        Self::SegmentMember,
        Self::Goal,
        Self::GoalCompletion,
        Self::Session,
        Self::Message,
        Self::Request,
        Self::Overwrite,
        Self::Picture,
    ];

    pub(super) fn as_str(&self) -> &'static str {
        match self {
            Self::Profile => "profile",
            Self::Property => "property",
            Self::PropertyValue => "property_value",
            Self::Note => "note",
            Self::Segment => "segment",
            Self::SegmentMember => "segment_member",
            Self::Goal => "goal",
            Self::GoalCompletion => "goal_completion",
            Self::Session => "session",
            Self::Message => "message",
            Self::Request => "request",
            Self::Overwrite => "overwrite",
            Self::Picture => "picture",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The change-log key of a record with two ids.
pub(super) fn pair_key(a: &Uuid, b: &Uuid) -> String {
    format!("{a}:{b}")
}

fn uuid_key(key: &str) -> Result<Uuid> {
    Uuid::parse_str(key).map_err(|_| StorageError::Corrupt(format!("change key {key:?}")))
}

fn pair(key: &str) -> Result<(Uuid, Uuid)> {
    let (a, b) = key
        .split_once(':')
        .ok_or_else(|| StorageError::Corrupt(format!("change key {key:?}")))?;
    Ok((uuid_key(a)?, uuid_key(b)?))
}

/// Records that a record changed (or was deleted) at `version`.
pub(super) async fn touch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    kind: Kind,
    key: &str,
    version: i64,
    deleted: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO changes (workspace_id, kind, entity_key, version, deleted)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace_id, kind, entity_key)
         DO UPDATE SET version = excluded.version, deleted = excluded.deleted",
    )
    .bind(workspace)
    .bind(kind.as_str())
    .bind(key)
    .bind(version)
    .bind(deleted)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// [`touch`] for many records of one kind.
pub(super) async fn touch_many(
    conn: &mut Conn,
    workspace: WorkspaceId,
    kind: Kind,
    keys: &[String],
    version: i64,
    deleted: bool,
) -> Result<()> {
    for chunk in keys.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO changes (workspace_id, kind, entity_key, version, deleted) ",
        );
        query.push_values(chunk, |mut row, key| {
            row.push_bind(workspace)
                .push_bind(kind.as_str())
                .push_bind(key)
                .push_bind(version)
                .push_bind(deleted);
        });
        query.push(
            " ON CONFLICT (workspace_id, kind, entity_key)
              DO UPDATE SET version = excluded.version, deleted = excluded.deleted",
        );
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// A place in the change log: everything at or before it has been delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Position {
    version: i64,
    kind: String,
    key: String,
}

impl Position {
    /// Just after every change of `version` and the versions before it.
    fn after_version(version: i64) -> Self {
        // No row has an empty kind, so (v + 1, "", "") sorts before every row of v + 1.
        Self {
            // A cookie's version is the client's to send: the largest one reads as past the end.
            version: version.saturating_add(1),
            kind: String::new(),
            key: String::new(),
        }
    }
}

/// Why a cookie was not used as it is.
enum CookieError {
    /// Not a cookie this server writes.
    Malformed,
    /// A cookie of another workspace.
    Foreign,
}

/// A cookie names the workspace, so one handed to another account starts over.
fn encode_cookie(workspace: WorkspaceId, position: &Position) -> String {
    let tag = workspace.as_uuid().simple();
    if position.kind.is_empty() {
        format!("{tag}.{}", position.version - 1)
    } else {
        format!(
            "{tag}.{}.{}.{}",
            position.version, position.kind, position.key
        )
    }
}

fn decode_cookie(workspace: WorkspaceId, cookie: &str) -> Result<Position, CookieError> {
    let mut parts = cookie.splitn(4, '.');
    let tag = parts.next().ok_or(CookieError::Malformed)?;
    let version: i64 = parts
        .next()
        .and_then(|v| v.parse().ok())
        .filter(|v| *v >= 0)
        .ok_or(CookieError::Malformed)?;
    let position = match (parts.next(), parts.next()) {
        (None, None) => Position::after_version(version),
        (Some(kind), Some(key)) if Kind::parse(kind).is_some() && !key.is_empty() => Position {
            version,
            kind: kind.to_string(),
            key: key.to_string(),
        },
        _ => return Err(CookieError::Malformed),
    };
    if tag != workspace.as_uuid().simple().to_string() {
        return Err(CookieError::Foreign);
    }
    Ok(position)
}

struct ChangeRow {
    kind: String,
    key: String,
    version: i64,
    deleted: bool,
    /// The record, when the page's own statement already read it (`Some(None)`: it is gone).
    record: Option<Option<Entity>>,
}

/// One change of a page read by the database's [`super::super::PAGE_JSON`] statement: the change
/// log's row, then the columns of the profile, property value or segment member it names (null
/// when the record is of another kind, deleted or gone).
#[derive(serde::Deserialize)]
struct JsonChange(
    i64,
    String,
    String,
    i64,
    // The profile: found, then its columns.
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    // The property value: found, then its value.
    i64,
    Option<String>,
    // The segment member: found.
    i64,
    // The profile in the Trash: when, and by whom.
    Option<i64>,
    Option<String>,
);

impl JsonChange {
    fn into_row(self) -> Result<ChangeRow> {
        let JsonChange(
            version,
            kind,
            key,
            deleted,
            has_profile,
            email,
            first_name,
            last_name,
            phone,
            location,
            created_at,
            last_seen_at,
            device,
            sessions,
            live_chat_takeover,
            status,
            profile_kind,
            platform,
            has_value,
            value,
            has_member,
            trashed_at,
            trashed_by,
        ) = self;
        let deleted = deleted != 0;
        let parsed_kind = Kind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("change kind {kind:?}")))?;
        let missing = |what: &str| StorageError::Corrupt(format!("{what} of {kind} {key}"));
        let record = match parsed_kind {
            _ if deleted => None,
            Kind::Profile if has_profile == 0 => Some(None),
            Kind::Profile => {
                use userdesk_model::{Platform, Profile, ProfileStatus, ProfileType};
                let status = status.ok_or_else(|| missing("status"))?;
                let profile_kind = profile_kind.ok_or_else(|| missing("type"))?;
                let platform = platform.ok_or_else(|| missing("platform"))?;
                Some(Some(Entity::Profile(Profile {
                    id: userdesk_model::ProfileId::from_uuid(uuid_key(&key)?),
                    email: email.ok_or_else(|| missing("email"))?,
                    first_name: first_name.ok_or_else(|| missing("first name"))?,
                    last_name: last_name.ok_or_else(|| missing("last name"))?,
                    phone: phone.ok_or_else(|| missing("phone"))?,
                    location: location.ok_or_else(|| missing("location"))?,
                    created_at: super::time(created_at.ok_or_else(|| missing("created_at"))?)?,
                    last_seen_at: super::time(
                        last_seen_at.ok_or_else(|| missing("last_seen_at"))?,
                    )?,
                    device: device.ok_or_else(|| missing("device"))?,
                    sessions: super::count(sessions.ok_or_else(|| missing("sessions"))?),
                    live_chat_takeover: live_chat_takeover
                        .ok_or_else(|| missing("live_chat_takeover"))?
                        != 0,
                    status: super::parsed(&status, ProfileStatus::parse, "status")?,
                    kind: super::parsed(&profile_kind, ProfileType::parse, "profile type")?,
                    platform: super::parsed(&platform, Platform::parse, "platform")?,
                    trashed: profiles::trashed(trashed_at, trashed_by)?,
                })))
            }
            Kind::PropertyValue if has_value == 0 => Some(None),
            Kind::PropertyValue => {
                let (profile, property) = pair(&key)?;
                Some(Some(Entity::PropertyValue(userdesk_model::PropertyValue {
                    profile_id: userdesk_model::ProfileId::from_uuid(profile),
                    property_id: userdesk_model::PropertyId::from_uuid(property),
                    value: value.ok_or_else(|| missing("value"))?,
                })))
            }
            Kind::SegmentMember if has_member == 0 => Some(None),
            Kind::SegmentMember => {
                let (segment, profile) = pair(&key)?;
                Some(Some(Entity::SegmentMember(userdesk_model::SegmentMember {
                    segment_id: userdesk_model::SegmentId::from_uuid(segment),
                    profile_id: userdesk_model::ProfileId::from_uuid(profile),
                })))
            }
            _ => None,
        };
        Ok(ChangeRow {
            kind,
            key,
            version,
            deleted,
            record,
        })
    }
}

/// Up to `limit` changes after `start`, in order, read the way the database does it best.
async fn read_page(
    conn: &mut Conn,
    workspace: WorkspaceId,
    start: &Position,
    limit: i64,
) -> Result<Vec<ChangeRow>> {
    if let Some(sql) = super::super::PAGE_JSON {
        // One statement reads the change log's rows with the records they name and hands them
        // over as one JSON array: row by row, the driver's handover costs more than the reading.
        let json: String = sqlx::query_scalar(sql)
            .bind(workspace)
            .bind(start.version)
            .bind(&start.kind)
            .bind(&start.key)
            .bind(limit)
            .fetch_one(&mut *conn)
            .await?;
        let changes: Vec<JsonChange> = serde_json::from_str(&json)
            .map_err(|e| StorageError::Corrupt(format!("a page of the change log: {e}")))?;
        let mut rows = changes
            .into_iter()
            .map(JsonChange::into_row)
            .collect::<Result<Vec<_>>>()?;
        // The aggregate follows the change log's order; should a plan ever differ, sort.
        let order = |a: &ChangeRow, b: &ChangeRow| {
            (a.version, &a.kind, &a.key).cmp(&(b.version, &b.kind, &b.key))
        };
        if !rows.windows(2).all(|w| order(&w[0], &w[1]).is_lt()) {
            rows.sort_by(order);
        }
        return Ok(rows);
    }
    let rows = sqlx::query(
        "SELECT kind, entity_key, version, deleted FROM changes
         WHERE workspace_id = $1 AND (version, kind, entity_key) > ($2, $3, $4)
         ORDER BY version, kind, entity_key
         LIMIT $5",
    )
    .bind(workspace)
    .bind(start.version)
    .bind(&start.kind)
    .bind(&start.key)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ChangeRow {
                kind: row.try_get("kind")?,
                key: row.try_get("entity_key")?,
                version: row.try_get("version")?,
                deleted: row.try_get("deleted")?,
                record: None,
            })
        })
        .collect()
}

pub(super) async fn pull(
    pool: &sqlx::Pool<Db>,
    principal: &Principal,
    query: &PullQuery,
) -> Result<PullResponse> {
    let workspace = principal.workspace_id;
    let mut tx = pool.begin().await?;
    if let Some(snapshot) = super::super::SNAPSHOT {
        sqlx::query(snapshot).execute(&mut *tx).await?;
    }
    let (current, pruned) = workspaces::versions(&mut tx, workspace).await?;
    let client_last = super::sync::client_last_mutation(&mut tx, principal, query.client_id)
        .await?
        .unwrap_or(0);
    let start = Position::after_version(0);
    let (start, reset) = match query.cookie.as_deref().map(|c| decode_cookie(workspace, c)) {
        None => (Position::after_version(0), false),
        // A cookie older than the pruned tombstones, or newer than this database (one restored
        // from a backup), cannot be continued: the client starts over.
        Some(Ok(position)) if position.version <= pruned || position.version > current + 1 => {
            (start, true)
        }
        Some(Ok(position)) => (position, false),
        Some(Err(CookieError::Foreign)) => (start, true),
        Some(Err(CookieError::Malformed)) => {
            return Err(StorageError::InvalidRequest(
                "the cookie is not one this server issued".to_string(),
            ))
        }
    };
    let limit = i64::from(query.limit);
    let rows = read_page(&mut tx, workspace, &start, limit + 1).await?;
    // The page ends at `limit` changes, or earlier where its records pass the byte budget.
    let (page, patch, mut rest) = within_budget(&mut tx, workspace, rows, limit).await?;
    // A notice that a colleague replaced an edit goes to the client that made the edit alone:
    // no client learns another's id.
    let mut patch = patch;
    patch.retain(|op| match op {
        PatchOp::Put(Entity::Overwrite(notice)) => notice.client_id == query.client_id,
        _ => true,
    });
    let has_more = !rest.is_empty();
    let next = if has_more {
        Some(rest.swap_remove(0))
    } else {
        None
    };
    let (cookie, last_mutation_id) = match (page.last(), next) {
        (Some(last), Some(next)) => {
            // The page may end inside a version (one mutation can touch many records): then
            // the client's mutation of that version is not wholly in it yet.
            let whole_version = next.version > last.version;
            let included = if whole_version {
                last.version
            } else {
                last.version - 1
            };
            let position = if whole_version {
                Position::after_version(last.version)
            } else {
                Position {
                    version: last.version,
                    kind: last.kind.clone(),
                    key: last.key.clone(),
                }
            };
            let last_mutation =
                super::sync::last_mutation_at(&mut tx, query.client_id, included).await?;
            (encode_cookie(workspace, &position), last_mutation)
        }
        _ => (
            encode_cookie(workspace, &Position::after_version(current)),
            client_last,
        ),
    };
    // A sync from nothing learns on its first page how much is coming, for its progress bar.
    let total = if query.cookie.is_none() || reset {
        let logged: i64 =
            sqlx::query_scalar("SELECT count(*) FROM changes WHERE workspace_id = $1")
                .bind(workspace)
                .fetch_one(&mut *tx)
                .await?;
        Some(u64::try_from(logged).unwrap_or(0))
    } else {
        None
    };
    tx.commit().await?;
    Ok(PullResponse {
        cookie,
        has_more,
        last_mutation_id,
        reset,
        total,
        patch,
    })
}

use crate::storage::PULL_PAGE_BYTES as PAGE_BYTES;

/// Changes fetched together while a page is filled: a few of the kinds that can be big (a
/// picture, a segment with long rules, a note, a message), many of the others.
const HEAVY_PER_FETCH: usize = 8;
const LIGHT_PER_FETCH: usize = 512;

/// The first of `rows` (at most `limit` of them) whose records fit in [`PAGE_BYTES`] (always
/// one at least), with their patch; then the rows left for the next page.
async fn within_budget(
    conn: &mut Conn,
    workspace: WorkspaceId,
    mut rows: Vec<ChangeRow>,
    limit: i64,
) -> Result<(Vec<ChangeRow>, Vec<PatchOp>, Vec<ChangeRow>)> {
    let limit = usize::try_from(limit).unwrap_or(0).max(1);
    let mut rest = rows.split_off(limit.min(rows.len()));
    let mut page = Vec::with_capacity(rows.len());
    let mut patch = Vec::with_capacity(rows.len());
    let mut bytes = 0usize;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        // The next rows to fetch together: up to a few big ones or many small ones.
        let mut chunk = Vec::new();
        let mut heavy = 0;
        while let Some(row) =
            rows.next_if(|_| heavy < HEAVY_PER_FETCH && chunk.len() < LIGHT_PER_FETCH)
        {
            if row.record.is_none()
                && !row.deleted
                && Kind::parse(&row.kind).is_some_and(Kind::can_be_big)
            {
                heavy += 1;
            }
            chunk.push(row);
        }
        let ops = patch_of(conn, workspace, &mut chunk).await?;
        let mut chunk = chunk.into_iter();
        for op in ops {
            let Some(row) = chunk.next() else { break };
            let weight = op.as_ref().map_or(0, weight);
            if bytes + weight > PAGE_BYTES && !page.is_empty() {
                // This change and the rest wait for the next page, in order.
                let mut left = vec![row];
                left.extend(chunk);
                left.extend(rows);
                left.append(&mut rest);
                return Ok((page, patch, left));
            }
            bytes += weight;
            page.push(row);
            if let Some(op) = op {
                patch.push(op);
            }
        }
    }
    Ok((page, patch, rest))
}

/// About how many bytes `op` takes in a pull's answer: measured for the kinds whose size
/// varies, a fixed allowance for the small ones.
fn weight(op: &PatchOp) -> usize {
    match op {
        PatchOp::Delete(_) => 128,
        PatchOp::Put(Entity::Profile(_)) | PatchOp::Put(Entity::SegmentMember(_)) => 512,
        PatchOp::Put(Entity::PropertyValue(value)) => 256 + value.value.len(),
        PatchOp::Put(Entity::Picture(picture)) => 256 + picture.png.len(),
        PatchOp::Put(entity) => serde_json::to_vec(entity).map_or(PAGE_BYTES, |json| json.len()),
    }
}

/// The records of `page` as they are now, one for each row in its order (`None` where the
/// record went with its parent: the parent's tombstone tells the client to drop it).
async fn patch_of(
    conn: &mut Conn,
    workspace: WorkspaceId,
    page: &mut [ChangeRow],
) -> Result<Vec<Option<PatchOp>>> {
    let mut wanted: HashMap<Kind, Vec<&str>> = HashMap::new();
    for row in page.iter().filter(|r| !r.deleted && r.record.is_none()) {
        let kind = Kind::parse(&row.kind)
            .ok_or_else(|| StorageError::Corrupt(format!("change kind {:?}", row.kind)))?;
        wanted.entry(kind).or_default().push(&row.key);
    }
    let mut found: HashMap<(Kind, String), Entity> = HashMap::new();
    for (kind, keys) in wanted {
        for (key, entity) in fetch(conn, workspace, kind, &keys).await? {
            found.insert((kind, key), entity);
        }
    }
    let mut patch = Vec::with_capacity(page.len());
    for row in page {
        let kind = Kind::parse(&row.kind)
            .ok_or_else(|| StorageError::Corrupt(format!("change kind {:?}", row.kind)))?;
        let op = match row.record.take() {
            _ if row.deleted => Some(PatchOp::Delete(tombstone(kind, &row.key)?)),
            Some(record) => record.map(PatchOp::Put),
            None => found.remove(&(kind, row.key.clone())).map(PatchOp::Put),
        };
        patch.push(op);
    }
    Ok(patch)
}

/// The records of `kind` with these keys that the workspace holds, each with its key.
pub(super) async fn fetch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    kind: Kind,
    keys: &[&str],
) -> Result<Vec<(String, Entity)>> {
    if matches!(kind, Kind::PropertyValue | Kind::SegmentMember) {
        let pairs = keys.iter().map(|k| pair(k)).collect::<Result<Vec<_>>>()?;
        return match kind {
            Kind::PropertyValue => properties::fetch_values(conn, workspace, &pairs).await,
            _ => segments::fetch_members(conn, workspace, &pairs).await,
        };
    }
    let ids = keys
        .iter()
        .map(|k| uuid_key(k))
        .collect::<Result<Vec<_>>>()?;
    match kind {
        Kind::Profile => profiles::fetch(conn, workspace, &ids).await,
        Kind::Property => properties::fetch_definitions(conn, workspace, &ids).await,
        Kind::Note => notes::fetch(conn, workspace, &ids).await,
        Kind::Segment => segments::fetch_segments(conn, workspace, &ids).await,
        Kind::Goal => sessions::fetch_goals(conn, workspace, &ids).await,
        Kind::GoalCompletion => sessions::fetch_completions(conn, workspace, &ids).await,
        Kind::Session => sessions::fetch_sessions(conn, workspace, &ids).await,
        Kind::Message => sessions::fetch_messages(conn, workspace, &ids).await,
        Kind::Request => requests::fetch(conn, workspace, &ids).await,
        Kind::Overwrite => overwrites::fetch(conn, workspace, &ids).await,
        Kind::Picture => pictures::fetch(conn, workspace, &ids).await,
        Kind::PropertyValue | Kind::SegmentMember => Ok(Vec::new()),
    }
}

fn tombstone(kind: Kind, key: &str) -> Result<Tombstone> {
    use userdesk_model::*;
    Ok(match kind {
        Kind::Profile => Tombstone::Profile(ProfileId::from_uuid(uuid_key(key)?)),
        Kind::Property => Tombstone::Property(PropertyId::from_uuid(uuid_key(key)?)),
        Kind::PropertyValue => {
            let (profile, property) = pair(key)?;
            Tombstone::PropertyValue(PropertyValueKey {
                profile_id: ProfileId::from_uuid(profile),
                property_id: PropertyId::from_uuid(property),
            })
        }
        Kind::Note => Tombstone::Note(NoteId::from_uuid(uuid_key(key)?)),
        Kind::Segment => Tombstone::Segment(SegmentId::from_uuid(uuid_key(key)?)),
        Kind::SegmentMember => {
            let (segment, profile) = pair(key)?;
            Tombstone::SegmentMember(SegmentMember {
                segment_id: SegmentId::from_uuid(segment),
                profile_id: ProfileId::from_uuid(profile),
            })
        }
        Kind::Goal => Tombstone::Goal(GoalId::from_uuid(uuid_key(key)?)),
        Kind::GoalCompletion => {
            Tombstone::GoalCompletion(GoalCompletionId::from_uuid(uuid_key(key)?))
        }
        Kind::Session => Tombstone::Session(SessionId::from_uuid(uuid_key(key)?)),
        Kind::Message => Tombstone::Message(MessageId::from_uuid(uuid_key(key)?)),
        Kind::Request => Tombstone::Request(RequestId::from_uuid(uuid_key(key)?)),
        Kind::Overwrite => {
            Tombstone::Overwrite(userdesk_model::sync::OverwriteId::from_uuid(uuid_key(key)?))
        }
        Kind::Picture => Tombstone::Picture(ProfileId::from_uuid(uuid_key(key)?)),
    })
}

pub(super) async fn prune_tombstones(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    version: i64,
) -> Result<u64> {
    let mut tx = pool.begin().await?;
    // Taking the version lock first keeps pruning in line with the writers.
    workspaces::bump_version(&mut tx, workspace).await?;
    let pruned = sqlx::query(
        "DELETE FROM changes WHERE workspace_id = $1 AND deleted = $2 AND version <= $3",
    )
    .bind(workspace)
    .bind(true)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("UPDATE workspaces SET pruned_version = $2 WHERE id = $1 AND pruned_version < $2")
        .bind(workspace)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(pruned)
}

/// Forgets the workspace's history processed before `before`: the tombstones and the processed
/// mutations up to the last version processed then. Each client keeps its latest mutation at or
/// below that version (a pull still tells it its last mutation), and cookies from before it get
/// a reset (a new download), as after any pruning.
pub(super) async fn prune_before(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    before: DateTime<Utc>,
) -> Result<Pruned> {
    let version: Option<i64> = sqlx::query_scalar(
        "SELECT max(m.version) FROM mutations m JOIN clients c ON c.id = m.client_id
         WHERE c.workspace_id = $1 AND m.processed_at < $2",
    )
    .bind(workspace)
    .bind(millis(before))
    .fetch_one(pool)
    .await?;
    let Some(version) = version else {
        return Ok(Pruned::default());
    };
    let tombstones = prune_tombstones(pool, workspace, version).await?;
    let mutations = sqlx::query(
        "DELETE FROM mutations
         WHERE version <= $2
           AND client_id IN (SELECT id FROM clients WHERE workspace_id = $1)
           AND (client_id, version) NOT IN (
               SELECT client_id, max(version) FROM mutations
               WHERE version <= $2 AND client_id IN (SELECT id FROM clients WHERE workspace_id = $1)
               GROUP BY client_id)",
    )
    .bind(workspace)
    .bind(version)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(Pruned {
        version,
        tombstones,
        mutations,
    })
}

/// Builds `SELECT ... WHERE workspace_id = ? AND id IN (...)` for one chunk of ids.
pub(super) fn by_ids<'a>(
    select: &'a str,
    workspace: WorkspaceId,
    ids: &'a [Uuid],
) -> QueryBuilder<'a, Db> {
    by_column(select, "id", workspace, ids)
}

/// Builds `SELECT ... WHERE workspace_id = ? AND <column> IN (...)` for one chunk of ids.
pub(super) fn by_column<'a>(
    select: &'a str,
    column: &str,
    workspace: WorkspaceId,
    ids: &'a [Uuid],
) -> QueryBuilder<'a, Db> {
    let mut query = QueryBuilder::<Db>::new(select);
    query.push(" WHERE workspace_id = ");
    query.push_bind(workspace);
    query.push(format!(" AND {column} IN ("));
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
    query
}
