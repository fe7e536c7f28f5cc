//! Segments: hand-picked or rule-based groups of customers.

use chrono::{DateTime, Utc};
use userdesk_model::{ProfileId, Selection};
use userdesk_model::{SegmentDraft, SegmentId, SegmentRef, SegmentView};

use super::views::segment_view;
use super::AppCore;
use crate::error::Result;
use crate::sync::auto::AutoSync;

impl AppCore {
    /// The Segments tab: the segments whose name or description holds `search`, by name, each
    /// with its number of members.
    pub async fn segments(&self, search: &str) -> Result<Vec<SegmentView>> {
        self.segments_at(search, self.store.now()).await
    }

    /// As [`Self::segments`], with Last seen rules counted back from `now`.
    pub async fn segments_at(&self, search: &str, now: DateTime<Utc>) -> Result<Vec<SegmentView>> {
        let list = self.store.segments(search, now, self.time_zone()).await?;
        Ok(list
            .into_iter()
            .map(|(local, members)| segment_view(local, members))
            .collect())
    }

    /// Creates a segment from a name, a description, rules and hand-picked members.
    pub async fn create_segment(
        &self,
        draft: SegmentDraft,
        members: &[ProfileId],
    ) -> Result<SegmentView> {
        let id = self.store.create_segment(draft, members).await?;
        self.with_auto_sync(AutoSync::edited);
        let view = self.segment_view_of(id).await?;
        self.remember_segment_created(&view);
        Ok(view)
    }

    /// Renames a segment, describes it or changes its rules.
    pub async fn update_segment(&self, id: SegmentId, draft: SegmentDraft) -> Result<SegmentView> {
        let before = self.segment_view_of(id).await?;
        self.store.update_segment(id, draft).await?;
        self.with_auto_sync(AutoSync::edited);
        let after = self.segment_view_of(id).await?;
        self.remember_segment_changed(&before, &after);
        Ok(after)
    }

    /// Deletes a segment; its customers stay.
    pub async fn delete_segment(&self, id: SegmentId) -> Result<()> {
        self.store.delete_segment(id).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// Adds the selected customers to a segment by hand ("Add to segment" beside Create
    /// segment; a filter is resolved now). Answers the segment as it now is.
    pub async fn add_to_segment(
        &self,
        id: SegmentId,
        selection: &Selection,
    ) -> Result<SegmentView> {
        let ids = self.selected_ids(selection).await?;
        let added = self.store.add_segment_members(id, &ids).await?;
        let view = self.segment_view_of(id).await?;
        if !added.is_empty() {
            self.with_auto_sync(AutoSync::edited);
            self.remember_members(&view, added, Vec::new());
        }
        Ok(view)
    }

    /// Takes the selected customers out of a segment's hand-picked members (the segment's table
    /// view, or Details); a member by the segment's rules is refused and nothing changes.
    pub async fn remove_from_segment(
        &self,
        id: SegmentId,
        selection: &Selection,
    ) -> Result<SegmentView> {
        let ids = self.selected_ids(selection).await?;
        let removed = self.store.remove_segment_members(id, &ids).await?;
        self.with_auto_sync(AutoSync::edited);
        let view = self.segment_view_of(id).await?;
        self.remember_members(&view, Vec::new(), removed);
        Ok(view)
    }

    /// The segments the customer belongs to, by name (each saying whether the customer was
    /// added by hand, and so can be taken out from Details).
    pub async fn profile_segments(&self, profile_id: ProfileId) -> Result<Vec<SegmentRef>> {
        let list = self
            .store
            .profile_segments(profile_id, self.store.now(), self.time_zone())
            .await?;
        Ok(list
            .into_iter()
            .map(|(s, handpicked)| SegmentRef {
                id: s.id,
                name: s.name,
                handpicked: Some(handpicked),
            })
            .collect())
    }

    pub(super) async fn segment_view_of(&self, id: SegmentId) -> Result<SegmentView> {
        let (local, members) = self
            .store
            .segment(id, self.store.now(), self.time_zone())
            .await?;
        Ok(segment_view(local, members))
    }
}
