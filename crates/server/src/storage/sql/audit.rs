//! The audit log: each processed mutation with its manager, time and app; for an applied one the
//! values it replaced and wrote, field by field, read from the records it touched just before
//! and just after it ran (in its own transaction, so nothing else came between); for a refused
//! one the refusal and what it asked for.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};
use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::{ClientId, Entity, Mutation, Op, Rejection};
use userdesk_model::{
    AuditChange, AuditEntry, AuditOutcome, AuditPage, AuditQuery, AuditRefusal, ErrorCode,
    HistoryQuery,
};
use uuid::Uuid;

use super::changes::{self, pair_key, Kind, CHUNK};
use super::{millis, parsed, time, Conn, Db};
use crate::ids::WorkspaceId;
use crate::storage::{Result, StorageError};

/// Most entries one page returns.
pub const MAX_AUDIT_PAGE: u32 = 1_000;

/// Text longer than this is kept shortened in a refused mutation's request.
const LONG_TEXT: usize = 2_000;

/// The records `op` may change: what the log reads before and after it.
pub(super) fn touched(op: &Op) -> Vec<(Kind, String)> {
    let one = |kind: Kind, id: &dyn std::fmt::Display| vec![(kind, id.to_string())];
    match op {
        Op::ProfilePatch { profile_id, .. }
        | Op::ProfileSetStatus { profile_id, .. }
        | Op::ProfileDelete { profile_id } => one(Kind::Profile, profile_id),
        Op::ProfileTrash { profile_ids } | Op::ProfileRestore { profile_ids } => profile_ids
            .iter()
            .map(|id| (Kind::Profile, id.to_string()))
            .collect(),
        Op::ProfileSetPicture { profile_id, .. } => one(Kind::Picture, profile_id),
        Op::PropertyDefine { property } => one(Kind::Property, &property.id),
        Op::PropertyDelete { property_id } => one(Kind::Property, property_id),
        Op::PropertySet {
            profile_id,
            property_id,
            ..
        } => vec![(
            Kind::PropertyValue,
            pair_key(profile_id.as_uuid(), property_id.as_uuid()),
        )],
        Op::NoteCreate { note_id, .. }
        | Op::NoteUpdate { note_id, .. }
        | Op::NoteDelete { note_id } => one(Kind::Note, note_id),
        Op::SegmentCreate { segment, members } => {
            let mut keys = one(Kind::Segment, &segment.id);
            keys.extend(members_of(segment.id.as_uuid(), members));
            keys
        }
        Op::SegmentUpdate { segment } => one(Kind::Segment, &segment.id),
        Op::SegmentDelete { segment_id } => one(Kind::Segment, segment_id),
        Op::SegmentAddMembers {
            segment_id,
            profile_ids,
        }
        | Op::SegmentRemoveMembers {
            segment_id,
            profile_ids,
        } => members_of(segment_id.as_uuid(), profile_ids),
        Op::RequestExport { request_id, .. } | Op::RequestDelete { request_id, .. } => {
            one(Kind::Request, request_id)
        }
    }
}

fn members_of(segment: &uuid::Uuid, profiles: &[userdesk_model::ProfileId]) -> Vec<(Kind, String)> {
    profiles
        .iter()
        .map(|p| (Kind::SegmentMember, pair_key(segment, p.as_uuid())))
        .collect()
}

/// The records `keys` name as they are now, each as its fields (`None`: not there).
pub(super) async fn snapshot(
    conn: &mut Conn,
    workspace: WorkspaceId,
    keys: &[(Kind, String)],
) -> Result<Vec<Option<Map<String, Value>>>> {
    let mut found = Vec::with_capacity(keys.len());
    let mut at = 0;
    while at < keys.len() {
        // Runs of one kind are read together (a segment's members, for one).
        let kind = keys[at].0;
        let end = keys[at..]
            .iter()
            .position(|(k, _)| *k != kind)
            .map_or(keys.len(), |n| at + n);
        let wanted: Vec<&str> = keys[at..end].iter().map(|(_, key)| key.as_str()).collect();
        let records = changes::fetch(conn, workspace, kind, &wanted).await?;
        for key in &wanted {
            let record = records
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, entity)| fields_of(entity))
                .transpose()?;
            found.push(record);
        }
        at = end;
    }
    Ok(found)
}

/// A record's fields as the log keeps them: a picture as its size and SHA-256, not its bytes.
fn fields_of(entity: &Entity) -> Result<Map<String, Value>> {
    let corrupt = |e: serde_json::Error| StorageError::Corrupt(format!("audit record: {e}"));
    let mut value = serde_json::to_value(entity).map_err(corrupt)?;
    let mut fields = match value.get_mut("value").map(Value::take) {
        Some(Value::Object(fields)) => fields,
        _ => return Err(StorageError::Corrupt("audit record without fields".into())),
    };
    if let Entity::Picture(picture) = entity {
        fields.insert(
            "png".into(),
            Value::String(format!(
                "{} bytes of PNG, SHA-256 {:x}",
                picture.png.len(),
                Sha256::digest(picture.png.as_bytes())
            )),
        );
    }
    Ok(fields)
}

/// Every field that differs between the records before and after, record by record.
pub(super) fn changes(
    keys: &[(Kind, String)],
    before: &[Option<Map<String, Value>>],
    after: &[Option<Map<String, Value>>],
) -> Vec<AuditChange> {
    let mut found = Vec::new();
    let empty = Map::new();
    for (((kind, key), was), is) in keys.iter().zip(before).zip(after) {
        let (was_map, is_map) = (
            was.as_ref().unwrap_or(&empty),
            is.as_ref().unwrap_or(&empty),
        );
        let mut fields: Vec<&String> = was_map.keys().chain(is_map.keys()).collect();
        fields.sort();
        fields.dedup();
        for field in fields {
            let before = was_map.get(field).cloned().unwrap_or(Value::Null);
            let after = is_map.get(field).cloned().unwrap_or(Value::Null);
            if before != after {
                found.push(AuditChange {
                    record: kind.as_str().to_string(),
                    key: key.clone(),
                    field: field.clone(),
                    before,
                    after,
                });
            }
        }
    }
    found
}

/// A refused mutation's arguments, long texts shortened.
fn requested(mutation: &Mutation) -> Value {
    fn shorten(value: &Value) -> Value {
        match value {
            Value::String(s) if s.chars().count() > LONG_TEXT => {
                let kept: String = s.chars().take(LONG_TEXT).collect();
                Value::String(format!("{kept}… ({} characters)", s.chars().count()))
            }
            Value::Array(items) => Value::Array(items.iter().map(shorten).collect()),
            Value::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), shorten(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    shorten(&mutation.args)
}

/// One processed mutation, as the log writes it.
pub(super) struct Processed<'a> {
    pub workspace: WorkspaceId,
    pub manager: &'a str,
    pub client: ClientId,
    pub mutation: &'a Mutation,
    pub mutation_id: i64,
    pub now: DateTime<Utc>,
}

/// Writes the entry of a processed mutation: its changes, or its refusal and request.
pub(super) async fn write(
    conn: &mut Conn,
    processed: &Processed<'_>,
    outcome: std::result::Result<&[AuditChange], &Rejection>,
) -> Result<()> {
    let corrupt = |e: serde_json::Error| StorageError::Corrupt(format!("audit detail: {e}"));
    let (state, code, message, detail) = match outcome {
        Ok(changes) => (
            AuditOutcome::Applied,
            None,
            None,
            serde_json::to_string(changes).map_err(corrupt)?,
        ),
        Err(rejection) => (
            AuditOutcome::Refused,
            Some(code_name(rejection.code)),
            Some(rejection.message.clone()),
            serde_json::to_string(&requested(processed.mutation)).map_err(corrupt)?,
        ),
    };
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (workspace_id, at, manager_email, client_id, mutation_id, name,
             outcome, refusal_code, refusal_message, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING seq",
    )
    .bind(processed.workspace)
    .bind(millis(processed.now))
    .bind(processed.manager)
    .bind(processed.client)
    .bind(processed.mutation_id)
    // As the mutations table keeps it: bounded, without control characters.
    .bind(
        processed
            .mutation
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>(),
    )
    .bind(state.as_str())
    .bind(code)
    .bind(message)
    .bind(detail)
    .fetch_one(&mut *conn)
    .await?;
    if let Ok(changes) = outcome {
        let customers = customers_of(changes);
        for chunk in customers.into_iter().collect::<Vec<_>>().chunks(CHUNK) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO audit_profiles (workspace_id, profile_id, seq) ",
            );
            insert.push_values(chunk, |mut row, profile| {
                row.push_bind(processed.workspace)
                    .push_bind(*profile)
                    .push_bind(seq);
            });
            insert.build().execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// The customer a change is about, if it is about one: their profile or picture, one of their
/// property values ("profile:property") or segment memberships ("segment:profile").
fn customer_of(change: &AuditChange) -> Option<Uuid> {
    let id = match change.record.as_str() {
        "profile" | "picture" => change.key.as_str(),
        "property_value" => change.key.split(':').next()?,
        "segment_member" => change.key.split(':').nth(1)?,
        _ => return None,
    };
    Uuid::parse_str(id).ok()
}

/// Every customer the changes are about, each once.
fn customers_of(changes: &[AuditChange]) -> std::collections::BTreeSet<Uuid> {
    changes.iter().filter_map(customer_of).collect()
}

/// One page of a customer's History, the latest first: the applied entries that changed them,
/// each with only its changes of them.
pub(super) async fn history(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    query: &HistoryQuery,
) -> Result<AuditPage> {
    let limit = query.limit.unwrap_or(100).clamp(1, MAX_AUDIT_PAGE);
    let profile = *query.profile_id.as_uuid();
    let mut select = QueryBuilder::<Db>::new(
        "SELECT a.seq, a.at, a.manager_email, a.client_id, a.mutation_id, a.name, a.outcome,
             a.refusal_code, a.refusal_message, a.detail
         FROM audit_profiles AS p JOIN audit_log AS a ON a.seq = p.seq
         WHERE p.workspace_id = ",
    );
    select.push_bind(workspace);
    select.push(" AND p.profile_id = ").push_bind(profile);
    if let Some(before) = query.before {
        select
            .push(" AND p.seq < ")
            .push_bind(i64::try_from(before).unwrap_or(i64::MAX));
    }
    select
        .push(" ORDER BY p.seq DESC LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = select.build().fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let mut entries = Vec::with_capacity(rows.len().min(limit as usize));
    for row in rows.iter().take(limit as usize) {
        let mut entry = decode(row)?;
        entry
            .changes
            .retain(|change| customer_of(change) == Some(profile));
        entries.push(entry);
    }
    let next = if more {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(AuditPage { entries, next })
}

fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// One page of the workspace's log, oldest first.
pub(super) async fn read(
    pool: &sqlx::Pool<Db>,
    workspace: WorkspaceId,
    query: &AuditQuery,
) -> Result<AuditPage> {
    let limit = query
        .limit
        .unwrap_or(MAX_AUDIT_PAGE)
        .clamp(1, MAX_AUDIT_PAGE);
    let mut select = QueryBuilder::<Db>::new(
        "SELECT seq, at, manager_email, client_id, mutation_id, name, outcome, refusal_code,
             refusal_message, detail FROM audit_log WHERE workspace_id = ",
    );
    select.push_bind(workspace);
    if let Some(after) = query.after {
        select
            .push(" AND seq > ")
            .push_bind(i64::try_from(after).unwrap_or(i64::MAX));
    }
    if let Some(since) = query.since {
        select.push(" AND at >= ").push_bind(millis(since));
    }
    if let Some(manager) = &query.manager {
        select
            .push(" AND manager_email = ")
            .push_bind(manager.clone());
    }
    select
        .push(" ORDER BY seq LIMIT ")
        .push_bind(i64::from(limit) + 1);
    let rows = select.build().fetch_all(pool).await?;
    let more = rows.len() > limit as usize;
    let mut entries = Vec::with_capacity(rows.len().min(limit as usize));
    for row in rows.iter().take(limit as usize) {
        entries.push(decode(row)?);
    }
    let next = if more {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    Ok(AuditPage { entries, next })
}

fn decode(row: &super::Row) -> Result<AuditEntry> {
    let corrupt = |e: serde_json::Error| StorageError::Corrupt(format!("audit entry: {e}"));
    let outcome: String = row.try_get("outcome")?;
    let outcome = parsed(&outcome, AuditOutcome::parse, "audit outcome")?;
    let detail: String = row.try_get("detail")?;
    let code: Option<String> = row.try_get("refusal_code")?;
    let refusal = match code {
        Some(code) => Some(AuditRefusal {
            code: serde_json::from_value(Value::String(code)).map_err(corrupt)?,
            message: row
                .try_get::<Option<String>, _>("refusal_message")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let (changes, request) = match outcome {
        AuditOutcome::Applied => (serde_json::from_str(&detail).map_err(corrupt)?, Value::Null),
        AuditOutcome::Refused => (Vec::new(), serde_json::from_str(&detail).map_err(corrupt)?),
    };
    let seq: i64 = row.try_get("seq")?;
    let mutation_id: i64 = row.try_get("mutation_id")?;
    Ok(AuditEntry {
        seq: u64::try_from(seq).unwrap_or(0),
        at: time(row.try_get("at")?)?,
        manager: row.try_get("manager_email")?,
        client_id: row.try_get("client_id")?,
        mutation_id: u64::try_from(mutation_id).unwrap_or(0),
        mutation: row.try_get("name")?,
        outcome,
        refusal,
        changes,
        request,
    })
}
