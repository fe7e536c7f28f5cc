//! Pulled records of the kinds kept whole in `synced_records`, named by [`RecordKind`]: kept and
//! forgotten as pages arrive, read by their customer, session or goal (each such read has a
//! partial index on exactly the expression it filters on), or by their id.

use serde::de::DeserializeOwned;
use sqlx::SqliteConnection;
use userdesk_model::sync::Tombstone;

use crate::error::{CoreError, Result};

/// A kind of record kept whole in `synced_records`; its name there is the wire's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RecordKind {
    Property,
    Segment,
    Goal,
    GoalCompletion,
    Session,
    Message,
    Note,
    Request,
    Picture,
}

impl RecordKind {
    /// Every kind.
    #[cfg(test)]
    pub(crate) const ALL: [RecordKind; 9] = [
        RecordKind::Property,
        RecordKind::Segment,
        RecordKind::Goal,
        RecordKind::GoalCompletion,
        RecordKind::Session,
        RecordKind::Message,
        RecordKind::Note,
        RecordKind::Request,
        RecordKind::Picture,
    ];

    /// The kind's name in `synced_records` and on the wire.
    pub(crate) fn name(self) -> &'static str {
        match self {
            RecordKind::Property => "property",
            RecordKind::Segment => "segment",
            RecordKind::Goal => "goal",
            RecordKind::GoalCompletion => "goal_completion",
            RecordKind::Session => "session",
            RecordKind::Message => "message",
            RecordKind::Note => "note",
            RecordKind::Request => "request",
            RecordKind::Picture => "picture",
        }
    }

    /// The kind a deletion names, if records of it are kept here (the others have tables of
    /// their own, or are notices).
    pub(crate) fn of(tombstone: &Tombstone) -> Option<RecordKind> {
        match tombstone {
            Tombstone::Property(_) => Some(RecordKind::Property),
            Tombstone::Segment(_) => Some(RecordKind::Segment),
            Tombstone::Goal(_) => Some(RecordKind::Goal),
            Tombstone::GoalCompletion(_) => Some(RecordKind::GoalCompletion),
            Tombstone::Session(_) => Some(RecordKind::Session),
            Tombstone::Message(_) => Some(RecordKind::Message),
            Tombstone::Note(_) => Some(RecordKind::Note),
            Tombstone::Request(_) => Some(RecordKind::Request),
            Tombstone::Picture(_) => Some(RecordKind::Picture),
            Tombstone::Profile(_)
            | Tombstone::PropertyValue(_)
            | Tombstone::SegmentMember(_)
            | Tombstone::Overwrite(_) => None,
        }
    }

    /// The owners records of this kind are read by, each through the partial index named.
    pub(crate) fn owners(self) -> &'static [(Owner, &'static str)] {
        match self {
            RecordKind::Note => &[(Owner::Profile, "synced_notes_by_profile")],
            RecordKind::Session => &[(Owner::Profile, "synced_sessions_by_profile")],
            RecordKind::Message => &[(Owner::Session, "synced_messages_by_session")],
            RecordKind::Request => &[(Owner::Profile, "synced_requests_by_profile")],
            RecordKind::GoalCompletion => &[
                (Owner::Profile, "synced_goal_completions_by_profile"),
                (Owner::Goal, "synced_goal_completions_by_goal"),
            ],
            RecordKind::Property | RecordKind::Segment | RecordKind::Goal | RecordKind::Picture => {
                &[]
            }
        }
    }
}

/// The id field a read filters on; each has an index per kind that is read by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Profile,
    Session,
    Goal,
}

impl Owner {
    /// The field of a record's value that names its owner.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Owner::Profile => "profileId",
            Owner::Session => "sessionId",
            Owner::Goal => "goalId",
        }
    }
}

/// The statement reading the records of `kind` that belong to an owner: the kind and the
/// expression spelt out exactly as the partial indexes spell them, so SQLite picks the index
/// when it prepares the statement (both come from the enums above, never from input).
pub(crate) fn owned_by_sql(kind: RecordKind, owner: Owner) -> String {
    format!(
        "SELECT json_extract(record, '$.value') FROM synced_records \
         WHERE kind = '{}' AND json_extract(record, '$.value.{}') = ?",
        kind.name(),
        owner.field()
    )
}

/// A record's value as its own type: read straight from the value's JSON, without the
/// envelope that names its kind (already chosen in SQL).
fn decode<T: DeserializeOwned>(kind: RecordKind, value: &str) -> Result<T> {
    serde_json::from_str(value)
        .map_err(|e| CoreError::Corrupt(format!("a pulled {}: {e}", kind.name())))
}

/// The pulled records of `kind` that belong to `owner` `id`.
pub(crate) async fn owned_by<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: RecordKind,
    owner: Owner,
    id: String,
) -> Result<Vec<T>> {
    debug_assert!(kind.owners().iter().any(|(o, _)| *o == owner));
    let records: Vec<String> = sqlx::query_scalar(&owned_by_sql(kind, owner))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    records.iter().map(|r| decode(kind, r)).collect()
}

/// The pulled record of `kind` with the id `id`, if the pull brought it.
pub(crate) async fn by_id<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: RecordKind,
    id: String,
) -> Result<Option<T>> {
    let key = serde_json::Value::String(id).to_string();
    let record: Option<String> = sqlx::query_scalar(
        "SELECT json_extract(record, '$.value') FROM synced_records WHERE kind = ? AND key = ?",
    )
    .bind(kind.name())
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    record.as_deref().map(|r| decode(kind, r)).transpose()
}

/// Every pulled record of `kind` (of the kinds a workspace holds few of: properties, segments,
/// goals).
pub(crate) async fn all_of<T: DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: RecordKind,
) -> Result<Vec<T>> {
    let records: Vec<String> = sqlx::query_scalar(
        "SELECT json_extract(record, '$.value') FROM synced_records WHERE kind = ?",
    )
    .bind(kind.name())
    .fetch_all(&mut *conn)
    .await?;
    records.iter().map(|r| decode(kind, r)).collect()
}

/// Keeps a pulled record of a kind without a table of its own, replacing an older version.
pub(crate) async fn put(
    conn: &mut SqliteConnection,
    kind: RecordKind,
    key: &str,
    record: &str,
    version: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO synced_records (kind, key, record, version) VALUES (?, ?, ?, ?) \
         ON CONFLICT (kind, key) DO UPDATE SET record = excluded.record, \
         version = excluded.version",
    )
    .bind(kind.name())
    .bind(key)
    .bind(record)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets a pulled record the server deleted.
pub(crate) async fn delete(conn: &mut SqliteConnection, kind: RecordKind, key: &str) -> Result<()> {
    sqlx::query("DELETE FROM synced_records WHERE kind = ? AND key = ?")
        .bind(kind.name())
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use chrono::{DateTime, Utc};
    use userdesk_demo::DemoWorkspace;
    use userdesk_model::sync::{Entity, PatchOp, PullResponse};
    use userdesk_model::{
        DataRequest, DataRequestKind, DataRequestState, Picture, PlatformBatch, RequestId,
    };

    fn anchor() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    /// A demo workspace's records of every kind kept here, and a data request and a picture.
    fn entities() -> Vec<Entity> {
        let mut all = PlatformBatch::default();
        for batch in DemoWorkspace::new(3, anchor()).batches(60, 60) {
            all = batch;
        }
        let profile = all.profiles[0].id;
        let mut entities: Vec<Entity> = Vec::new();
        entities.extend(all.properties.into_iter().map(Entity::Property));
        entities.extend(all.segments.into_iter().map(Entity::Segment));
        entities.extend(all.goals.into_iter().map(Entity::Goal));
        entities.extend(all.goal_completions.into_iter().map(Entity::GoalCompletion));
        entities.extend(all.sessions.into_iter().map(Entity::Session));
        entities.extend(all.messages.into_iter().map(Entity::Message));
        entities.extend(all.notes.into_iter().map(Entity::Note));
        entities.push(Entity::Request(DataRequest {
            id: RequestId::new(),
            profile_id: profile,
            kind: DataRequestKind::Export,
            state: DataRequestState::Queued,
            reason: String::new(),
            requested_by: "ada@example.com".to_string(),
            requested_at: anchor(),
            attempts: 0,
            next_attempt_at: None,
            sent_at: None,
        }));
        entities.push(Entity::Picture(Picture {
            profile_id: profile,
            png: String::new(),
            updated_at: anchor(),
        }));
        entities
    }

    #[test]
    fn each_kind_is_named_as_the_wire_names_it() {
        let names: Vec<String> = entities()
            .iter()
            .map(|e| {
                serde_json::to_value(e).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for kind in RecordKind::ALL {
            assert!(names.iter().any(|n| n == kind.name()), "{kind:?}");
        }
    }

    #[tokio::test]
    async fn every_kind_is_read_through_its_index_by_an_owner_id_never_null() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        let page = PullResponse {
            cookie: "c1".to_string(),
            has_more: false,
            last_mutation_id: 0,
            reset: false,
            total: None,
            patch: entities().into_iter().map(PatchOp::Put).collect(),
        };
        store.apply_page(&page).await.unwrap();
        let mut conn = store.pool.acquire().await.unwrap();
        for kind in RecordKind::ALL {
            let kept: i64 =
                sqlx::query_scalar("SELECT count(*) FROM synced_records WHERE kind = ?")
                    .bind(kind.name())
                    .fetch_one(&mut *conn)
                    .await
                    .unwrap();
            assert!(kept > 0, "{kind:?} was pulled and kept");
            for (owner, index) in kind.owners() {
                let path = format!("$.value.{}", owner.field());
                let null: i64 = sqlx::query_scalar(
                    "SELECT count(*) FROM synced_records WHERE kind = ? \
                     AND json_extract(record, ?) IS NULL",
                )
                .bind(kind.name())
                .bind(&path)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
                assert_eq!(null, 0, "{kind:?} by {owner:?}: {path} is never null");
                let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
                    "EXPLAIN QUERY PLAN {}",
                    owned_by_sql(kind, *owner)
                ))
                .bind("x")
                .fetch_all(&mut *conn)
                .await
                .unwrap();
                assert!(
                    plan.iter().any(|row| row.3.contains(index)),
                    "{kind:?} by {owner:?} uses {index}: {plan:?}"
                );
            }
        }
    }
}
