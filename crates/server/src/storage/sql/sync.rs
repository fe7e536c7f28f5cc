//! Processing one pushed mutation: skip, refuse a gap, apply or reject, always together with the
//! client's last mutation id in one transaction.

use chrono::{DateTime, Utc};
use sqlx::{Acquire as _, Row as _};
use userdesk_model::sync::{ClientId, Mutation, Op, OpError, Rejection};
use userdesk_model::{ApiError, ErrorCode, FieldError};

use super::overwrites::Writer;
use super::{
    audit, millis, notes, pictures, profiles, properties, requests, segments, workspaces, Conn, Db,
};
use crate::ids::{ManagerId, WorkspaceId};
use crate::managers::{Principal, Role};
use crate::storage::{MutationOutcome, Result, StorageError};

/// A mutation's effect, or why it was refused for good.
pub(super) type Applied = std::result::Result<(), ApiError>;

/// A refusal: the record is not in the caller's workspace (or anywhere).
pub(super) fn not_found(what: &str, id: impl std::fmt::Display) -> Applied {
    Err(ApiError::new(
        ErrorCode::NotFound,
        format!("no {what} with id {id}"),
    ))
}

/// A refusal: the arguments break a rule.
pub(super) fn invalid(message: impl Into<String>) -> Applied {
    Err(ApiError::new(ErrorCode::InvalidRequest, message))
}

/// A refusal: the manager may not do this.
fn forbidden(message: impl Into<String>) -> Applied {
    Err(ApiError::new(ErrorCode::Forbidden, message))
}

/// The client's last processed mutation, registering the client with the workspace and binding
/// it to the manager on first sight (a client registered before clients had managers is bound
/// now).
async fn register_client(conn: &mut Conn, principal: &Principal, client: ClientId) -> Result<u64> {
    sqlx::query(
        "INSERT INTO clients (id, workspace_id, last_mutation_id, manager_id) VALUES ($1, $2, 0, $3)
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(client)
    .bind(principal.workspace_id)
    .bind(principal.manager_id)
    .execute(&mut *conn)
    .await?;
    let last = client_last_mutation(conn, principal, client)
        .await?
        .ok_or_else(|| StorageError::Corrupt(format!("client {client} vanished")))?;
    sqlx::query("UPDATE clients SET manager_id = $2 WHERE id = $1 AND manager_id IS NULL")
        .bind(client)
        .bind(principal.manager_id)
        .execute(&mut *conn)
        .await?;
    Ok(last)
}

/// The client's last processed mutation, `None` for a client never seen. A client of another
/// workspace, or another manager's, is refused.
pub(super) async fn client_last_mutation(
    conn: &mut Conn,
    principal: &Principal,
    client: ClientId,
) -> Result<Option<u64>> {
    let row =
        sqlx::query("SELECT workspace_id, manager_id, last_mutation_id FROM clients WHERE id = $1")
            .bind(client)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let workspace: WorkspaceId = row.try_get("workspace_id")?;
    if workspace != principal.workspace_id {
        return Err(StorageError::ForeignClient);
    }
    let manager: Option<ManagerId> = row.try_get("manager_id")?;
    if manager.is_some_and(|m| m != principal.manager_id) {
        return Err(StorageError::ColleaguesClient);
    }
    let last: i64 = row.try_get("last_mutation_id")?;
    Ok(Some(u64::try_from(last).unwrap_or(0)))
}

/// The client's last mutation processed at or before `version`.
pub(super) async fn last_mutation_at(
    conn: &mut Conn,
    client: ClientId,
    version: i64,
) -> Result<u64> {
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT mutation_id FROM mutations WHERE client_id = $1 AND version <= $2
         ORDER BY version DESC LIMIT 1",
    )
    .bind(client)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(last.and_then(|l| u64::try_from(l).ok()).unwrap_or(0))
}

/// The mutation's number as stored, if it is one the protocol allows.
fn mutation_number(mutation: &Mutation) -> Result<i64> {
    i64::try_from(mutation.id)
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            StorageError::InvalidRequest(format!(
                "mutation ids count from 1 and stay below 2^63; got {}",
                mutation.id
            ))
        })
}

pub(super) async fn process(
    pool: &sqlx::Pool<Db>,
    principal: &Principal,
    client: ClientId,
    mutations: &[Mutation],
    now: DateTime<Utc>,
) -> Result<Vec<MutationOutcome>> {
    let numbers = mutations
        .iter()
        .map(mutation_number)
        .collect::<Result<Vec<_>>>()?;
    let workspace = principal.workspace_id;
    let mut tx = pool.begin().await?;
    // The version lock comes first: the rest of the push runs alone in the workspace.
    let mut version = workspaces::bump_version(&mut tx, workspace).await?;
    let mut version_used = false;
    let mut last = register_client(&mut tx, principal, client).await?;
    let mut outcomes = Vec::with_capacity(mutations.len());
    for (mutation, id) in mutations.iter().zip(numbers) {
        if let Some(mut outcome) = sequence(id, last) {
            if matches!(outcome, MutationOutcome::Duplicate)
                && !same_content(&mut tx, client, id, mutation).await?
            {
                outcome = MutationOutcome::Reused {
                    last_mutation_id: last,
                };
            }
            let stop = matches!(
                outcome,
                MutationOutcome::Gap { .. } | MutationOutcome::Reused { .. }
            );
            outcomes.push(outcome);
            if stop {
                break;
            }
            continue;
        }
        // Every processed mutation gets its own version, so a pull page can tell which of a
        // client's mutations it wholly includes.
        if version_used {
            version = workspaces::bump_version(&mut tx, workspace).await?;
        }
        version_used = true;
        // A savepoint per mutation: a refused one leaves no partial effect behind.
        let (refusal, changed) = {
            let mut savepoint = tx.begin().await?;
            let op = Op::from_mutation(mutation);
            // What the audit log says it changed: the records it touches, before and after.
            let touched = op.as_ref().map(audit::touched).unwrap_or_default();
            let before = audit::snapshot(&mut savepoint, workspace, &touched).await?;
            let applied = match op {
                Ok(op) => apply(&mut savepoint, principal, client, id, &op, version, now).await,
                Err(OpError::Unknown(name)) => Ok(Err(ApiError::new(
                    ErrorCode::UnknownMutation,
                    format!("unknown mutation {name:?}; known: {}", Op::NAMES.join(", ")),
                ))),
                Err(e) => Ok(Err(ApiError::new(ErrorCode::InvalidRequest, e.to_string()))),
            };
            let refusal = match applied {
                Ok(Ok(())) => None,
                Ok(Err(refusal)) => Some(refusal),
                Err(StorageError::Database(sqlx::Error::Database(e)))
                    if e.is_unique_violation()
                        || e.is_foreign_key_violation()
                        || e.is_check_violation() =>
                {
                    Some(ApiError::new(
                        ErrorCode::InvalidRequest,
                        "the change conflicts with the workspace's data",
                    ))
                }
                // Data this database cannot keep: the same push would fail the same way for
                // ever, so this mutation is refused and the push goes on.
                Err(StorageError::Database(sqlx::Error::Database(e))) if cannot_keep(&*e) => {
                    tracing::warn!(error = %e, "a mutation the database cannot keep: refused");
                    Some(ApiError::new(
                        ErrorCode::InvalidRequest,
                        "the change holds data the server's database cannot keep",
                    ))
                }
                // Anything else is the database failing: nothing of this push is kept.
                Err(e) => return Err(e),
            };
            let mut changed = Vec::new();
            match refusal {
                None => {
                    let after = audit::snapshot(&mut savepoint, workspace, &touched).await?;
                    changed = audit::changes(&touched, &before, &after);
                    savepoint.commit().await?;
                }
                Some(_) => savepoint.rollback().await?,
            }
            (refusal, changed)
        };
        let rejection = refusal.map(|refusal| Rejection {
            mutation_id: mutation.id,
            name: mutation.name.clone(),
            code: refusal.code,
            message: refusal.message,
            fields: refusal.fields,
            profile_id: None,
        });
        record(
            &mut tx,
            principal,
            client,
            mutation,
            id,
            version,
            rejection.as_ref(),
            now,
        )
        .await?;
        let processed = audit::Processed {
            workspace,
            manager: &principal.email,
            client,
            mutation,
            mutation_id: id,
            now,
        };
        let outcome = match &rejection {
            None => Ok(changed.as_slice()),
            Some(rejection) => Err(rejection),
        };
        audit::write(&mut tx, &processed, outcome).await?;
        last = u64::try_from(id).unwrap_or(last);
        outcomes.push(match rejection {
            None => MutationOutcome::Applied,
            Some(rejection) => MutationOutcome::Rejected(rejection),
        });
    }
    if version_used {
        tx.commit().await?;
    }
    Ok(outcomes)
}

/// Whether mutation `id` of the client, processed before, had `mutation`'s content (a mutation
/// processed before hashes were kept, or one pruned since, counts as the same).
async fn same_content(
    conn: &mut Conn,
    client: ClientId,
    id: i64,
    mutation: &Mutation,
) -> Result<bool> {
    let kept: Option<Option<String>> = sqlx::query_scalar(
        "SELECT content_hash FROM mutations WHERE client_id = $1 AND mutation_id = $2",
    )
    .bind(client)
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match kept.flatten() {
        Some(hash) => hash == mutation.content_hash(),
        None => true,
    })
}

/// Whether a database error is about the data itself (the same statement fails the same way every
/// time): PostgreSQL's data exceptions (SQLSTATE class 22: a NUL in text, a number out of
/// range) and integrity violations (23); SQLite's "too big", "mismatch" and "range".
fn cannot_keep(error: &dyn sqlx::error::DatabaseError) -> bool {
    let Some(code) = error.code() else {
        return false;
    };
    let code = code.as_ref();
    (code.len() == 5 && (code.starts_with("22") || code.starts_with("23")))
        || matches!(code, "18" | "20" | "25")
}

/// What to do with mutation `id` when the client's last processed one is `last`, unless it is next.
fn sequence(id: i64, last: u64) -> Option<MutationOutcome> {
    let last_signed = i64::try_from(last).unwrap_or(i64::MAX);
    if id <= last_signed {
        Some(MutationOutcome::Duplicate)
    } else if id > last_signed + 1 {
        Some(MutationOutcome::Gap {
            last_mutation_id: last,
        })
    } else {
        None
    }
}

#[allow(clippy::too_many_arguments)]
async fn record(
    conn: &mut Conn,
    principal: &Principal,
    client: ClientId,
    mutation: &Mutation,
    id: i64,
    version: i64,
    rejection: Option<&Rejection>,
    now: DateTime<Utc>,
) -> Result<()> {
    let fields = match rejection {
        Some(r) => Some(
            serde_json::to_string(&r.fields)
                .map_err(|e| StorageError::Corrupt(format!("rejection fields: {e}")))?,
        ),
        None => None,
    };
    let code = rejection.map(|r| {
        serde_json::to_value(r.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    });
    sqlx::query(
        "INSERT INTO mutations (client_id, mutation_id, version, name, manager_id,
             rejection_code, rejection_message, rejection_fields, processed_at, content_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(client)
    .bind(id)
    .bind(version)
    // Names are bounded so a hostile client cannot store megabytes per mutation, and kept
    // without control characters (PostgreSQL keeps no NUL in text).
    .bind(
        mutation
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(100)
            .collect::<String>(),
    )
    .bind(principal.manager_id)
    .bind(code)
    .bind(rejection.map(|r| r.message.clone()))
    .bind(fields)
    .bind(millis(now))
    .bind(mutation.content_hash())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE clients SET last_mutation_id = $2 WHERE id = $1")
        .bind(client)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(super) async fn recorded_rejection(
    pool: &sqlx::Pool<Db>,
    client: ClientId,
    mutation_id: u64,
) -> Result<Option<Rejection>> {
    let Ok(id) = i64::try_from(mutation_id) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT name, rejection_code, rejection_message, rejection_fields FROM mutations
         WHERE client_id = $1 AND mutation_id = $2 AND rejection_code IS NOT NULL",
    )
    .bind(client)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let code: String = row.try_get("rejection_code")?;
    let fields: Option<String> = row.try_get("rejection_fields")?;
    let corrupt = |e: serde_json::Error| StorageError::Corrupt(format!("rejection: {e}"));
    Ok(Some(Rejection {
        mutation_id,
        name: row.try_get("name")?,
        code: serde_json::from_value(serde_json::Value::String(code)).map_err(corrupt)?,
        message: row
            .try_get::<Option<String>, _>("rejection_message")?
            .unwrap_or_default(),
        fields: match fields {
            Some(f) => serde_json::from_str::<Vec<FieldError>>(&f).map_err(corrupt)?,
            None => Vec::new(),
        },
        profile_id: None,
    }))
}

/// Only admins delete what others may still need.
fn admin_only(principal: &Principal, what: &str) -> Applied {
    if principal.role == Role::Admin {
        Ok(())
    } else {
        forbidden(format!("only an admin may delete {what}"))
    }
}

#[allow(clippy::too_many_arguments)]
async fn apply(
    conn: &mut Conn,
    principal: &Principal,
    client: ClientId,
    mutation_id: i64,
    op: &Op,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let ws = principal.workspace_id;
    match op {
        Op::ProfilePatch {
            profile_id,
            patch,
            base,
        } => {
            let writer = Writer {
                client,
                mutation_id,
                manager: &principal.email,
                now,
            };
            profiles::patch(
                conn,
                ws,
                *profile_id,
                patch,
                base.as_ref(),
                &writer,
                version,
            )
            .await
        }
        Op::ProfileSetStatus { profile_id, status } => {
            profiles::set_status(conn, ws, *profile_id, *status, version).await
        }
        Op::ProfileSetPicture { profile_id, png } => {
            pictures::set(conn, ws, *profile_id, png.as_deref(), version, now).await
        }
        Op::ProfileTrash { profile_ids } => {
            profiles::trash(conn, ws, profile_ids, &principal.email, now, version).await
        }
        Op::ProfileRestore { profile_ids } => {
            profiles::restore(conn, ws, profile_ids, version).await
        }
        Op::ProfileDelete { profile_id } => {
            if let Err(e) = admin_only(principal, "profiles") {
                return Ok(Err(e));
            }
            profiles::delete(conn, ws, *profile_id, version).await
        }
        Op::PropertyDefine { property } => properties::define(conn, ws, property, version).await,
        Op::PropertyDelete { property_id } => {
            if let Err(e) = admin_only(principal, "properties") {
                return Ok(Err(e));
            }
            properties::delete(conn, ws, *property_id, version).await
        }
        Op::PropertySet {
            profile_id,
            property_id,
            value,
        } => {
            properties::set(
                conn,
                ws,
                *profile_id,
                *property_id,
                value.as_deref(),
                version,
            )
            .await
        }
        Op::NoteCreate {
            note_id,
            profile_id,
            body,
        } => notes::create(conn, principal, *note_id, *profile_id, body, version, now).await,
        Op::NoteUpdate { note_id, body } => {
            notes::update(conn, principal, *note_id, Some(body), version, now).await
        }
        Op::NoteDelete { note_id } => {
            notes::update(conn, principal, *note_id, None, version, now).await
        }
        Op::SegmentCreate { segment, members } => {
            segments::create(conn, ws, segment, members, version).await
        }
        Op::SegmentUpdate { segment } => segments::update(conn, ws, segment, version).await,
        Op::SegmentDelete { segment_id } => {
            if let Err(e) = admin_only(principal, "segments") {
                return Ok(Err(e));
            }
            segments::delete(conn, ws, *segment_id, version).await
        }
        Op::SegmentAddMembers {
            segment_id,
            profile_ids,
        } => segments::set_members(conn, ws, *segment_id, profile_ids, true, version).await,
        Op::SegmentRemoveMembers {
            segment_id,
            profile_ids,
        } => segments::set_members(conn, ws, *segment_id, profile_ids, false, version).await,
        Op::RequestExport {
            request_id,
            profile_id,
        } => {
            let kind = userdesk_model::DataRequestKind::Export;
            requests::create(
                conn,
                principal,
                *request_id,
                *profile_id,
                kind,
                version,
                now,
            )
            .await
        }
        Op::RequestDelete {
            request_id,
            profile_id,
        } => {
            let kind = userdesk_model::DataRequestKind::Delete;
            requests::create(
                conn,
                principal,
                *request_id,
                *profile_id,
                kind,
                version,
                now,
            )
            .await
        }
    }
}
