//! "Request to Export User" and "Request to Delete User": a request is queued here as its
//! outbox mutation, and the server mails it to the workspace's data-protection contact once it
//! arrives; the state of that email comes back with the pull. Until the server has it, a request
//! shows as waiting to sync.

use sqlx::SqliteConnection;
use userdesk_model::sync::Op;
use userdesk_model::{DataRequest, DataRequestKind, DataRequestState, ProfileId, RequestId};

use crate::error::{CoreError, Result};
use crate::store::outbox;
use crate::store::profiles;
use crate::store::synced::{self, Owner, RecordKind};
use crate::store::Store;

/// A request and whether the server has it yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalRequest {
    pub request: DataRequest,
    pub pending: bool,
}

async fn read(
    conn: &mut SqliteConnection,
    profile: ProfileId,
    me: &str,
) -> Result<Vec<LocalRequest>> {
    let mut list: Vec<LocalRequest> = synced::owned_by::<DataRequest>(
        conn,
        RecordKind::Request,
        Owner::Profile,
        profile.to_string(),
    )
    .await?
    .into_iter()
    .map(|request| LocalRequest {
        request,
        pending: false,
    })
    .collect();
    for (op, requested_at) in outbox::pending_ops_named(conn, "request.").await? {
        let (request_id, profile_id, kind) = match op {
            Op::RequestExport {
                request_id,
                profile_id,
            } => (request_id, profile_id, DataRequestKind::Export),
            Op::RequestDelete {
                request_id,
                profile_id,
            } => (request_id, profile_id, DataRequestKind::Delete),
            _ => continue,
        };
        if profile_id != profile || list.iter().any(|r| r.request.id == request_id) {
            continue;
        }
        list.push(LocalRequest {
            request: DataRequest {
                id: request_id,
                profile_id,
                kind,
                state: DataRequestState::Queued,
                reason: String::new(),
                requested_by: me.to_string(),
                requested_at,
                attempts: 0,
                next_attempt_at: None,
                sent_at: None,
            },
            pending: true,
        });
    }
    list.sort_by(|a, b| {
        b.request
            .requested_at
            .cmp(&a.request.requested_at)
            .then(b.request.id.cmp(&a.request.id))
    });
    Ok(list)
}

impl Store {
    /// The customer's export and delete requests, the latest first.
    pub(crate) async fn data_requests(
        &self,
        profile: ProfileId,
        me: &str,
    ) -> Result<Vec<LocalRequest>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        read(&mut conn, profile, me).await
    }

    /// Queues a request about the customer: its mutation, in one transaction.
    pub(crate) async fn request_data(
        &self,
        profile: ProfileId,
        kind: DataRequestKind,
        me: &str,
    ) -> Result<LocalRequest> {
        let mut tx = self.write_transaction().await?;
        profiles::must_exist(&mut tx, profile).await?;
        let request_id = RequestId::new();
        let op = match kind {
            DataRequestKind::Export => Op::RequestExport {
                request_id,
                profile_id: profile,
            },
            DataRequestKind::Delete => Op::RequestDelete {
                request_id,
                profile_id: profile,
            },
        };
        outbox::append(&mut tx, &op, self.now()).await?;
        let queued = read(&mut tx, profile, me)
            .await?
            .into_iter()
            .find(|r| r.request.id == request_id)
            .ok_or_else(|| CoreError::Corrupt(format!("request {request_id} vanished")))?;
        tx.commit().await?;
        Ok(queued)
    }
}
