//! Telling a manager whose edit a colleague replaced unseen: every applied edit of a user-details
//! field records its writer; an edit whose base (the value its manager saw) is not the value it
//! replaces leaves a notice for that value's writer, pulled like any record.

use chrono::{DateTime, Utc};
use sqlx::Row as _;
use userdesk_model::sync::{ClientId, Entity, Overwrite, OverwriteId};
use userdesk_model::{Field, ProfileId};
use uuid::Uuid;

use super::changes::{self, by_ids, Kind, CHUNK};
use super::{millis, time, Conn};
use crate::ids::WorkspaceId;
use crate::storage::{Result, StorageError};

/// The mutation being applied, and who sent it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Writer<'a> {
    pub client: ClientId,
    pub mutation_id: i64,
    pub manager: &'a str,
    pub now: DateTime<Utc>,
}

/// One field an edit sets: the value it replaces, the value its manager saw, the new value.
pub(super) struct FieldWrite<'a> {
    pub field: Field,
    pub replaced: &'a str,
    pub base: Option<&'a str>,
    pub value: &'a str,
}

/// Records `writer` as the field's last writer, first leaving a notice for the previous writer
/// when this edit replaces their value without having seen it.
pub(super) async fn record_write(
    conn: &mut Conn,
    workspace: WorkspaceId,
    profile: ProfileId,
    write: &FieldWrite<'_>,
    writer: &Writer<'_>,
    version: i64,
) -> Result<()> {
    let unseen = write
        .base
        .is_some_and(|base| base != write.replaced && write.value != write.replaced);
    if unseen {
        let previous = sqlx::query(
            "SELECT client_id, mutation_id FROM field_writes WHERE profile_id = $1 AND field = $2",
        )
        .bind(profile)
        .bind(write.field.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(previous) = previous {
            let client: ClientId = previous.try_get("client_id")?;
            let mutation_id: i64 = previous.try_get("mutation_id")?;
            if client != writer.client {
                let id = OverwriteId::new();
                sqlx::query(
                    "INSERT INTO overwrites (id, workspace_id, profile_id, client_id, mutation_id,
                         field, replaced, value, by_manager, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(workspace)
                .bind(profile)
                .bind(client)
                .bind(mutation_id)
                .bind(write.field.as_str())
                .bind(write.replaced)
                .bind(write.value)
                .bind(writer.manager)
                .bind(millis(writer.now))
                .execute(&mut *conn)
                .await?;
                changes::touch(
                    conn,
                    workspace,
                    Kind::Overwrite,
                    &id.to_string(),
                    version,
                    false,
                )
                .await?;
            }
        }
    }
    sqlx::query(
        "INSERT INTO field_writes (profile_id, field, client_id, mutation_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (profile_id, field)
         DO UPDATE SET client_id = excluded.client_id, mutation_id = excluded.mutation_id",
    )
    .bind(profile)
    .bind(write.field.as_str())
    .bind(writer.client)
    .bind(writer.mutation_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(super) async fn fetch(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        let select = "SELECT id, profile_id, client_id, mutation_id, field, replaced, value,
            by_manager, at FROM overwrites";
        for row in by_ids(select, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let field: String = row.try_get("field")?;
            let mutation_id: i64 = row.try_get("mutation_id")?;
            let notice = Overwrite {
                id: row.try_get("id")?,
                client_id: row.try_get("client_id")?,
                mutation_id: u64::try_from(mutation_id).unwrap_or(0),
                profile_id: row.try_get("profile_id")?,
                field: Field::parse(&field)
                    .ok_or_else(|| StorageError::Corrupt(format!("unknown field {field:?}")))?,
                replaced: row.try_get("replaced")?,
                value: row.try_get("value")?,
                by: row.try_get("by_manager")?,
                at: time(row.try_get("at")?)?,
            };
            found.push((notice.id.to_string(), Entity::Overwrite(notice)));
        }
    }
    Ok(found)
}
