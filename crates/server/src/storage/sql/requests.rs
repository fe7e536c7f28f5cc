//! Export and delete requests, and the state of the email each becomes.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::Entity;
use userdesk_model::{
    profile_username, DataRequest, DataRequestKind, DataRequestState, ProfileId, RequestId,
};
use uuid::Uuid;

use super::changes::{self, by_ids, Kind, CHUNK};
use super::sync::{invalid, not_found, Applied};
use super::{count, millis, parsed, time, workspaces, Conn, Db, Row};
use crate::ids::WorkspaceId;
use crate::managers::Principal;
use crate::storage::{Delivery, PendingRequest, Result};

const SELECT: &str = "SELECT id, profile_id, kind, state, reason, requested_by, requested_at,
    attempts, next_attempt_at, sent_at FROM data_requests";

pub(super) async fn create(
    conn: &mut Conn,
    principal: &Principal,
    id: RequestId,
    profile: ProfileId,
    kind: DataRequestKind,
    version: i64,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let workspace = principal.workspace_id;
    let row = sqlx::query(
        "SELECT first_name, last_name, email, phone FROM profiles WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace)
    .bind(profile)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(not_found("profile", profile));
    };
    let taken: i64 = sqlx::query_scalar("SELECT count(*) FROM data_requests WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    if taken > 0 {
        return Ok(invalid(format!("request id {id} is already taken")));
    }
    let first: String = row.try_get("first_name")?;
    let last: String = row.try_get("last_name")?;
    let email: String = row.try_get("email")?;
    let phone: String = row.try_get("phone")?;
    // Kept with the request: the email must say who the customer was even after a deletion.
    let customer = format!(
        "{} (email: {}, phone: {}, profile id: {profile})",
        profile_username(&profile, &first, &last, &email),
        if email.is_empty() { "none" } else { &email },
        if phone.is_empty() { "none" } else { &phone },
    );
    sqlx::query(
        "INSERT INTO data_requests (id, workspace_id, profile_id, kind, state, reason, customer,
             requested_by, requested_at, attempts, next_attempt_at)
         VALUES ($1, $2, $3, $4, 'queued', '', $5, $6, $7, 0, $7)",
    )
    .bind(id)
    .bind(workspace)
    .bind(profile)
    .bind(kind.as_str())
    .bind(customer)
    .bind(&principal.email)
    .bind(millis(now))
    .execute(&mut *conn)
    .await?;
    changes::touch(
        conn,
        workspace,
        Kind::Request,
        &id.to_string(),
        version,
        false,
    )
    .await?;
    Ok(Ok(()))
}

fn decode(row: &Row) -> Result<DataRequest> {
    let kind: String = row.try_get("kind")?;
    let state: String = row.try_get("state")?;
    let sent_at: Option<i64> = row.try_get("sent_at")?;
    let next_attempt_at: Option<i64> = row.try_get("next_attempt_at")?;
    Ok(DataRequest {
        id: row.try_get("id")?,
        profile_id: row.try_get("profile_id")?,
        kind: parsed(&kind, DataRequestKind::parse, "request kind")?,
        state: parsed(&state, DataRequestState::parse, "request state")?,
        reason: row.try_get("reason")?,
        requested_by: row.try_get("requested_by")?,
        requested_at: time(row.try_get("requested_at")?)?,
        attempts: count(row.try_get("attempts")?),
        next_attempt_at: next_attempt_at.map(time).transpose()?,
        sent_at: sent_at.map(time).transpose()?,
    })
}

pub(super) async fn get(
    conn: &mut Conn,
    workspace: WorkspaceId,
    id: RequestId,
) -> Result<Option<DataRequest>> {
    let row = sqlx::query(&format!("{SELECT} WHERE workspace_id = $1 AND id = $2"))
        .bind(workspace)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(decode).transpose()
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
            let request = decode(&row)?;
            found.push((request.id.to_string(), Entity::Request(request)));
        }
    }
    Ok(found)
}

/// How long a mailer holds the requests it claimed: past it, a request a crashed server was
/// mailing is due again.
const CLAIM_MS: i64 = 5 * 60 * 1000;

/// Claims up to `limit` requests due at `now` for this mailer and returns them: their next
/// attempt moves past the claim's lease in the same statement, so another server's mailer on
/// the same database never takes them too (PostgreSQL skips the rows another claim holds).
pub(super) async fn due(
    pool: &sqlx::Pool<Db>,
    now: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<PendingRequest>> {
    let mut tx = pool.begin().await?;
    let claimed: Vec<RequestId> = sqlx::query_scalar(&format!(
        "UPDATE data_requests SET next_attempt_at = $2
         WHERE next_attempt_at <= $1 AND id IN (
             SELECT id FROM data_requests WHERE next_attempt_at <= $1
             ORDER BY next_attempt_at, id LIMIT $3{}
         )
         RETURNING id",
        super::super::SKIP_LOCKED
    ))
    .bind(millis(now))
    .bind(millis(now) + CLAIM_MS)
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    let mut query = QueryBuilder::<Db>::new(
        "SELECT r.id, r.profile_id, r.kind, r.customer, r.requested_by, r.requested_at,
             r.attempts, w.name, w.data_protection_email
         FROM data_requests r JOIN workspaces w ON w.id = r.workspace_id
         WHERE r.id IN (",
    );
    let mut ids = query.separated(", ");
    for id in &claimed {
        ids.push_bind(*id);
    }
    ids.push_unseparated(") ORDER BY r.requested_at, r.id");
    let rows = query.build().fetch_all(pool).await?;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get("kind")?;
            Ok(PendingRequest {
                id: row.try_get("id")?,
                workspace_name: row.try_get("name")?,
                data_protection_email: row.try_get("data_protection_email")?,
                profile_id: row.try_get("profile_id")?,
                kind: parsed(&kind, DataRequestKind::parse, "request kind")?,
                customer: row.try_get("customer")?,
                requested_by: row.try_get("requested_by")?,
                requested_at: time(row.try_get("requested_at")?)?,
                attempts: count(row.try_get("attempts")?),
            })
        })
        .collect()
}

pub(super) async fn next_due(pool: &sqlx::Pool<Db>) -> Result<Option<DateTime<Utc>>> {
    let next: Option<i64> =
        sqlx::query_scalar("SELECT min(next_attempt_at) FROM data_requests WHERE state = 'queued'")
            .fetch_one(pool)
            .await?;
    next.map(time).transpose()
}

pub(super) async fn record_delivery(
    pool: &sqlx::Pool<Db>,
    id: RequestId,
    delivery: &Delivery,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let workspace: Option<WorkspaceId> =
        sqlx::query_scalar("SELECT workspace_id FROM data_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(workspace) = workspace else {
        return Ok(());
    };
    let version = workspaces::bump_version(&mut tx, workspace).await?;
    match delivery {
        Delivery::Sent => {
            sqlx::query(
                "UPDATE data_requests SET state = 'sent', reason = '', attempts = attempts + 1,
                     next_attempt_at = NULL, sent_at = $2
                 WHERE id = $1",
            )
            .bind(id)
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        Delivery::Failed { reason, retry_at } => {
            // Failed with its reason either way; a planned retry keeps its time, so the manager
            // sees both what went wrong and that it is not given up.
            sqlx::query(
                "UPDATE data_requests SET state = 'failed', reason = $2, attempts = attempts + 1,
                     next_attempt_at = $3
                 WHERE id = $1",
            )
            .bind(id)
            .bind(reason)
            .bind(retry_at.map(millis))
            .execute(&mut *tx)
            .await?;
        }
    }
    changes::touch(
        &mut tx,
        workspace,
        Kind::Request,
        &id.to_string(),
        version,
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
