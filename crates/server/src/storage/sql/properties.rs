//! Property definitions and the values profiles carry.

use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::Entity;
use userdesk_model::{ProfileId, PropertyDefinition, PropertyFormat, PropertyId, PropertyValue};
use uuid::Uuid;

use super::changes::{self, by_column, by_ids, pair_key, Kind, CHUNK};
use super::sync::{invalid, not_found, Applied};
use super::{parsed, profiles, Conn, Db};
use crate::ids::WorkspaceId;
use crate::storage::{Result, StorageError};

const SELECT: &str =
    "SELECT id, workspace_id, name, description, format, choices FROM property_definitions";

fn choices_json(choices: &[String]) -> Result<String> {
    serde_json::to_string(choices).map_err(|e| StorageError::Corrupt(format!("choices: {e}")))
}

fn decode(row: &super::Row) -> Result<PropertyDefinition> {
    let format: String = row.try_get("format")?;
    let choices: String = row.try_get("choices")?;
    Ok(PropertyDefinition {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        format: parsed(&format, PropertyFormat::parse, "property format")?,
        choices: serde_json::from_str(&choices)
            .map_err(|e| StorageError::Corrupt(format!("choices: {e}")))?,
    })
}

/// The definition with `id`, and the workspace that owns it (which may not be the caller's).
async fn find(
    conn: &mut Conn,
    id: PropertyId,
) -> Result<Option<(WorkspaceId, PropertyDefinition)>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some((row.try_get("workspace_id")?, decode(&row)?))),
        None => Ok(None),
    }
}

pub(super) async fn define(
    conn: &mut Conn,
    workspace: WorkspaceId,
    property: &PropertyDefinition,
    version: i64,
) -> Result<Applied> {
    if let Err(reason) = property.validate() {
        return Ok(invalid(reason));
    }
    match find(conn, property.id).await? {
        Some((owner, _)) if owner != workspace => {
            return Ok(invalid(format!(
                "property id {} is already taken",
                property.id
            )))
        }
        Some((_, existing)) if existing.format != property.format => {
            return Ok(invalid(format!(
                "the format of {:?} is {}: a property's format cannot change",
                existing.name,
                existing.format.as_str()
            )))
        }
        _ => {}
    }
    let same_name: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM property_definitions WHERE workspace_id = $1 AND name = $2 AND id <> $3",
    )
    .bind(workspace)
    .bind(&property.name)
    .bind(property.id)
    .fetch_one(&mut *conn)
    .await?;
    if same_name > 0 {
        return Ok(invalid(format!(
            "a property named {:?} already exists",
            property.name
        )));
    }
    sqlx::query(
        "INSERT INTO property_definitions (id, workspace_id, name, description, format, choices)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name,
             description = excluded.description, choices = excluded.choices",
    )
    .bind(property.id)
    .bind(workspace)
    .bind(&property.name)
    .bind(&property.description)
    .bind(property.format.as_str())
    .bind(choices_json(&property.choices)?)
    .execute(&mut *conn)
    .await?;
    changes::touch(
        conn,
        workspace,
        Kind::Property,
        &property.id.to_string(),
        version,
        false,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn delete(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: PropertyId,
    version: i64,
) -> Result<Applied> {
    let deleted =
        sqlx::query("DELETE FROM property_definitions WHERE workspace_id = $1 AND id = $2")
            .bind(workspace)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if deleted == 0 {
        return Ok(not_found("property", id));
    }
    changes::touch(
        conn,
        workspace,
        Kind::Property,
        &id.to_string(),
        version,
        true,
    )
    .await?;
    Ok(Ok(()))
}

pub(super) async fn set(
    conn: &mut Conn,
    workspace: WorkspaceId,
    profile: ProfileId,
    property: PropertyId,
    value: Option<&str>,
    version: i64,
) -> Result<Applied> {
    let definition = match find(conn, property).await? {
        Some((owner, definition)) if owner == workspace => definition,
        _ => return Ok(not_found("property", property)),
    };
    if !profiles::exists(conn, workspace, profile).await? {
        return Ok(not_found("profile", profile));
    }
    let key = pair_key(profile.as_uuid(), property.as_uuid());
    let Some(raw) = value else {
        sqlx::query("DELETE FROM property_values WHERE profile_id = $1 AND property_id = $2")
            .bind(profile)
            .bind(property)
            .execute(&mut *conn)
            .await?;
        changes::touch(conn, workspace, Kind::PropertyValue, &key, version, true).await?;
        return Ok(Ok(()));
    };
    let value = match definition.format.normalize(raw, &definition.choices) {
        Ok(value) => value,
        Err(reason) => return Ok(invalid(format!("{}: {reason}", definition.name))),
    };
    sqlx::query(
        "INSERT INTO property_values (profile_id, property_id, workspace_id, value)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (profile_id, property_id) DO UPDATE SET value = excluded.value",
    )
    .bind(profile)
    .bind(property)
    .bind(workspace)
    .bind(&value)
    .execute(&mut *conn)
    .await?;
    changes::touch(conn, workspace, Kind::PropertyValue, &key, version, false).await?;
    Ok(Ok(()))
}

pub(super) async fn insert_definitions(
    conn: &mut Conn,
    workspace: WorkspaceId,
    definitions: &[PropertyDefinition],
    version: i64,
) -> Result<()> {
    for chunk in definitions.chunks(CHUNK) {
        let choices = chunk
            .iter()
            .map(|d| choices_json(&d.choices))
            .collect::<Result<Vec<_>>>()?;
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO property_definitions (id, workspace_id, name, description, format, choices) ",
        );
        query.push_values(chunk.iter().zip(choices), |mut row, (d, choices)| {
            row.push_bind(d.id)
                .push_bind(workspace)
                .push_bind(&d.name)
                .push_bind(&d.description)
                .push_bind(d.format.as_str())
                .push_bind(choices);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = definitions.iter().map(|d| d.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Property, &keys, version, false).await
}

pub(super) async fn insert_values(
    conn: &mut Conn,
    workspace: WorkspaceId,
    values: &[PropertyValue],
    version: i64,
) -> Result<()> {
    for chunk in values.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO property_values (profile_id, property_id, workspace_id, value) ",
        );
        query.push_values(chunk, |mut row, v| {
            row.push_bind(v.profile_id)
                .push_bind(v.property_id)
                .push_bind(workspace)
                .push_bind(&v.value);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = values
        .iter()
        .map(|v| pair_key(v.profile_id.as_uuid(), v.property_id.as_uuid()))
        .collect();
    changes::touch_many(conn, workspace, Kind::PropertyValue, &keys, version, false).await
}

pub(super) async fn fetch_definitions(
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
            let definition = decode(&row)?;
            found.push((definition.id.to_string(), Entity::Property(definition)));
        }
    }
    Ok(found)
}

pub(super) async fn fetch_values(
    conn: &mut Conn,
    workspace: WorkspaceId,
    pairs: &[(Uuid, Uuid)],
) -> Result<Vec<(String, Entity)>> {
    // Read by profile (the key's first column, so the primary key serves) and keep the wanted
    // pairs: SQLite cannot look a list of row values up in an index.
    let wanted: std::collections::HashSet<(Uuid, Uuid)> = pairs.iter().copied().collect();
    let mut profiles: Vec<Uuid> = pairs.iter().map(|(profile, _)| *profile).collect();
    profiles.sort_unstable();
    profiles.dedup();
    let mut found = Vec::new();
    for chunk in profiles.chunks(CHUNK) {
        let rows = by_column(
            "SELECT profile_id, property_id, value FROM property_values",
            "profile_id",
            workspace,
            chunk,
        )
        .build()
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let value = PropertyValue {
                profile_id: row.try_get("profile_id")?,
                property_id: row.try_get("property_id")?,
                value: row.try_get("value")?,
            };
            let pair = (*value.profile_id.as_uuid(), *value.property_id.as_uuid());
            if wanted.contains(&pair) {
                found.push((pair_key(&pair.0, &pair.1), Entity::PropertyValue(value)));
            }
        }
    }
    Ok(found)
}
