//! The managers' notes on a customer.

use userdesk_model::NoteView;
use userdesk_model::{NoteId, ProfileId};

use super::AppCore;
use crate::error::Result;
use crate::sync::auto::AutoSync;
use crate::time::format_timestamp;

impl AppCore {
    /// The customer's notes, newest first, times in the manager's zone; notes written here and
    /// not yet on the server are marked pending.
    pub async fn notes(&self, profile_id: ProfileId) -> Result<Vec<NoteView>> {
        let id = profile_id;
        let me = self.note_author().await?;
        let notes = self.store.notes(id, &me).await?;
        Ok(notes.into_iter().map(|n| self.note_view(n)).collect())
    }

    /// "Add a note": kept at once, synced later. Empty or oversized text is refused.
    pub async fn add_note(&self, profile_id: ProfileId, body: &str) -> Result<NoteView> {
        let id = profile_id;
        let me = self.note_author().await?;
        let note = self.store.add_note(id, body, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.note_view(note))
    }

    /// Replaces a note's text.
    pub async fn edit_note(&self, note_id: NoteId, body: &str) -> Result<NoteView> {
        let id = note_id;
        let me = self.note_author().await?;
        let note = self.store.edit_note(id, body, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(self.note_view(note))
    }

    /// Deletes a note.
    pub async fn delete_note(&self, note_id: NoteId) -> Result<()> {
        let id = note_id;
        let me = self.note_author().await?;
        self.store.delete_note(id, &me).await?;
        self.with_auto_sync(AutoSync::edited);
        Ok(())
    }

    /// Who notes written here are by: the signed-in manager, until the server stamps its own.
    pub(super) async fn note_author(&self) -> Result<String> {
        Ok(self
            .account()
            .await?
            .map(|account| account.manager)
            .unwrap_or_else(|| "You".to_string()))
    }

    pub(super) fn note_view(&self, local: crate::store::notes::LocalNote) -> NoteView {
        let tz = self.time_zone();
        let note = local.note;
        NoteView {
            id: note.id,
            author: note.author,
            body: note.body,
            created: format_timestamp(note.created_at, tz),
            edited: (note.updated_at != note.created_at)
                .then(|| format_timestamp(note.updated_at, tz)),
            pending: local.pending,
        }
    }
}
