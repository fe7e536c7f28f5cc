//! Managers' notes on a customer. The server's copies arrive with the pull (kept whole in
//! `synced_records`); a note written, changed or deleted here is only an outbox mutation until
//! the server confirms it, and is laid over those copies when the notes are read. So a note the
//! server refuses simply disappears (the refusal is listed for the manager), and a confirmed one
//! is the server's copy from then on.

use std::collections::BTreeMap;

use sqlx::SqliteConnection;
use userdesk_model::sync::Op;
use userdesk_model::{check_long_text, Note, NoteId, ProfileId};

use crate::error::{CoreError, Result};
use crate::store::outbox;
use crate::store::profiles;
use crate::store::synced::{self, Owner, RecordKind};
use crate::store::Store;

/// A note, and whether this app has a change of it the server has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct LocalNote {
    pub note: Note,
    pub pending: bool,
}

/// The note's text as kept, or why it cannot be.
pub(crate) fn check_body(body: &str) -> Result<String> {
    if body.trim().is_empty() {
        return Err(CoreError::InvalidRequest(
            "a note needs some text".to_string(),
        ));
    }
    check_long_text(body).map_err(|reason| CoreError::InvalidRequest(format!("the note {reason}")))
}

/// The server's copies of the customer's notes.
async fn synced(conn: &mut SqliteConnection, profile: ProfileId) -> Result<Vec<Note>> {
    synced::owned_by(conn, RecordKind::Note, Owner::Profile, profile.to_string()).await
}

/// One note's server copy, if the pull brought it.
async fn synced_one(conn: &mut SqliteConnection, id: NoteId) -> Result<Option<Note>> {
    synced::by_id(conn, RecordKind::Note, id.to_string()).await
}

/// The customer's notes as the manager sees them: the server's copies with the pending
/// mutations laid over them, newest first. `me` is the author of notes written here.
pub(crate) async fn read(
    conn: &mut SqliteConnection,
    profile: ProfileId,
    me: &str,
) -> Result<Vec<LocalNote>> {
    let mut notes: BTreeMap<NoteId, LocalNote> = synced(conn, profile)
        .await?
        .into_iter()
        .map(|note| {
            (
                note.id,
                LocalNote {
                    note,
                    pending: false,
                },
            )
        })
        .collect();
    for (op, at) in outbox::pending_ops_named(conn, "note.").await? {
        match op {
            Op::NoteCreate {
                note_id,
                profile_id,
                body,
            } if profile_id == profile => {
                notes.insert(
                    note_id,
                    LocalNote {
                        note: Note {
                            id: note_id,
                            profile_id,
                            author: me.to_string(),
                            body,
                            created_at: at,
                            updated_at: at,
                        },
                        pending: true,
                    },
                );
            }
            Op::NoteUpdate { note_id, body } => {
                if let Some(local) = notes.get_mut(&note_id) {
                    local.note.body = body;
                    local.note.updated_at = at;
                    local.pending = true;
                }
            }
            Op::NoteDelete { note_id } => {
                notes.remove(&note_id);
            }
            _ => {}
        }
    }
    let mut list: Vec<LocalNote> = notes.into_values().collect();
    list.sort_by(|a, b| {
        b.note
            .created_at
            .cmp(&a.note.created_at)
            .then(b.note.id.cmp(&a.note.id))
    });
    Ok(list)
}

/// The note as the manager sees it now, if it exists (and is not deleted) here.
async fn find(conn: &mut SqliteConnection, id: NoteId, me: &str) -> Result<Option<LocalNote>> {
    let profile = match synced_one(conn, id).await? {
        Some(note) => Some(note.profile_id),
        None => outbox::pending_ops_named(conn, "note.")
            .await?
            .into_iter()
            .find_map(|(op, _)| match op {
                Op::NoteCreate {
                    note_id,
                    profile_id,
                    ..
                } if note_id == id => Some(profile_id),
                _ => None,
            }),
    };
    let Some(profile) = profile else {
        return Ok(None);
    };
    Ok(read(conn, profile, me)
        .await?
        .into_iter()
        .find(|local| local.note.id == id))
}

impl Store {
    /// The customer's notes, newest first; `me` is the author of notes written here.
    pub(crate) async fn notes(&self, profile: ProfileId, me: &str) -> Result<Vec<LocalNote>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        read(&mut conn, profile, me).await
    }

    /// Writes a note on the customer: its `note.create` mutation, in one transaction.
    pub(crate) async fn add_note(
        &self,
        profile: ProfileId,
        body: &str,
        me: &str,
    ) -> Result<LocalNote> {
        let body = check_body(body)?;
        let mut tx = self.write_transaction().await?;
        profiles::must_exist(&mut tx, profile).await?;
        let id = NoteId::new();
        outbox::append(
            &mut tx,
            &Op::NoteCreate {
                note_id: id,
                profile_id: profile,
                body,
            },
            self.now(),
        )
        .await?;
        let note = find(&mut tx, id, me)
            .await?
            .ok_or_else(|| CoreError::Corrupt(format!("note {id} vanished")))?;
        tx.commit().await?;
        Ok(note)
    }

    /// Replaces a note's text: its `note.update` mutation, in one transaction; the same text
    /// queues nothing.
    pub(crate) async fn edit_note(&self, id: NoteId, body: &str, me: &str) -> Result<LocalNote> {
        let body = check_body(body)?;
        let mut tx = self.write_transaction().await?;
        let current = find(&mut tx, id, me)
            .await?
            .ok_or_else(|| CoreError::NoteNotFound(id.to_string()))?;
        if current.note.body == body {
            return Ok(current);
        }
        outbox::append(&mut tx, &Op::NoteUpdate { note_id: id, body }, self.now()).await?;
        let note = find(&mut tx, id, me)
            .await?
            .ok_or_else(|| CoreError::Corrupt(format!("note {id} vanished")))?;
        tx.commit().await?;
        Ok(note)
    }

    /// Deletes a note: its `note.delete` mutation, in one transaction.
    pub(crate) async fn delete_note(&self, id: NoteId, me: &str) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        if find(&mut tx, id, me).await?.is_none() {
            return Err(CoreError::NoteNotFound(id.to_string()));
        }
        outbox::append(&mut tx, &Op::NoteDelete { note_id: id }, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_customers_notes_are_found_through_their_index_not_by_walking_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&dir.path().join("s.sqlite3"))
            .await
            .unwrap();
        let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT record FROM synced_records \
             WHERE kind = 'note' AND json_extract(record, '$.value.profileId') = ?",
        )
        .bind("0189")
        .fetch_all(&store.pool)
        .await
        .unwrap();
        let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
        assert!(
            steps
                .iter()
                .any(|s| s.contains("USING INDEX synced_notes_by_profile")),
            "{steps:?}"
        );
    }
}
