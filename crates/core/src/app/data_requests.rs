//! A customer's export and delete requests.

use userdesk_model::ProfileId;
use userdesk_model::{DataRequestKind, DataRequestView};

use super::AppCore;
use crate::error::Result;
use crate::sync::auto::AutoSync;
use crate::time::format_timestamp;

impl AppCore {
    /// The customer's export and delete requests, the latest first, with the state of each
    /// one's email.
    pub async fn data_requests(&self, profile_id: ProfileId) -> Result<Vec<DataRequestView>> {
        let id = profile_id;
        let me = self.note_author().await?;
        let list = self.store.data_requests(id, &me).await?;
        Ok(list.into_iter().map(|r| self.request_view(r)).collect())
    }

    /// "Request to Export User" or "Request to Delete User", once the manager has confirmed it:
    /// queued at once, mailed by the server once synced.
    pub async fn request_data(
        &self,
        profile_id: ProfileId,
        kind: DataRequestKind,
    ) -> Result<DataRequestView> {
        let id = profile_id;
        let me = self.note_author().await?;
        let queued = self.store.request_data(id, kind, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.request_view(queued))
    }

    pub(super) fn request_view(
        &self,
        local: crate::store::data_requests::LocalRequest,
    ) -> DataRequestView {
        let tz = self.time_zone();
        let r = local.request;
        DataRequestView {
            id: r.id,
            kind: r.kind,
            state: r.state,
            reason: r.reason,
            requested_by: r.requested_by,
            requested: format_timestamp(r.requested_at, tz),
            sent: r.sent_at.map(|at| format_timestamp(at, tz)),
            pending: local.pending,
        }
    }
}
