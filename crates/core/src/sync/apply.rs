//! One pull page applied in one transaction: the records, the outbox trimmed to what the last
//! page confirms, the pending mutations re-applied on top of the server's copies, and the cookie.

use std::collections::HashMap;

use sqlx::SqliteConnection;
use userdesk_model::sync::{ClientId, Entity, Op, PatchOp, PullResponse, Tombstone};
use userdesk_model::{PlatformBatch, Profile, ProfileId, ProfilePatch, Trashed};

use crate::error::{CoreError, Result};
use crate::store::outbox;
use crate::store::profiles::{self, apply_patch};
use crate::store::server_copies;
use crate::store::synced::{self, RecordKind};
use crate::store::{self, Store};
use crate::sync::bulk_load::{self, Bulk};
use crate::sync::overwrites;
use crate::sync::state::{read_state, to_i64, to_u64};

/// The profiles an op changes in the `profiles` table (or moves in and out of the Trash).
fn profiles_of(op: &Op) -> &[ProfileId] {
    match op {
        Op::ProfilePatch { profile_id, .. }
        | Op::ProfileSetStatus { profile_id, .. }
        | Op::ProfileDelete { profile_id } => std::slice::from_ref(profile_id),
        Op::ProfileTrash { profile_ids } | Op::ProfileRestore { profile_ids } => profile_ids,
        _ => &[],
    }
}

/// The profile with the pending ops on top; `None` when one of them deletes it. A pending move
/// to the Trash keeps the time it has here (`current`), and names no manager until it syncs.
fn rebased(base: Profile, ops: &[&Op], current: Option<&Profile>) -> Option<Profile> {
    let mut profile = base;
    for op in ops {
        match op {
            Op::ProfilePatch { patch, .. } => profile = apply_patch(&profile, patch),
            Op::ProfileSetStatus { status, .. } => profile.status = *status,
            Op::ProfileTrash { .. } if profile.trashed.is_none() => {
                profile.trashed = Some(current.and_then(|c| c.trashed.clone()).unwrap_or_else(
                    || Trashed {
                        by: String::new(),
                        at: chrono::Utc::now(),
                    },
                ));
            }
            Op::ProfileRestore { .. } => profile.trashed = None,
            Op::ProfileDelete { .. } => return None,
            _ => {}
        }
    }
    Some(profile)
}

/// A record's kind, when it is kept whole in `synced_records`, and its key as the wire spells it.
fn kind_and_key(tombstone: &Tombstone) -> Result<(RecordKind, String)> {
    let kind = RecordKind::of(tombstone)
        .ok_or_else(|| CoreError::Protocol(format!("a {tombstone:?} has a table of its own")))?;
    let json = serde_json::to_value(tombstone)
        .map_err(|e| CoreError::Protocol(format!("a pulled key could not be kept: {e}")))?;
    Ok((kind, json["key"].to_string()))
}

/// The key a deletion of the entity would carry.
fn tombstone_of(entity: &Entity) -> Tombstone {
    match entity {
        Entity::Profile(p) => Tombstone::Profile(p.id),
        Entity::Property(p) => Tombstone::Property(p.id),
        Entity::PropertyValue(v) => {
            Tombstone::PropertyValue(userdesk_model::sync::PropertyValueKey {
                profile_id: v.profile_id,
                property_id: v.property_id,
            })
        }
        Entity::Note(n) => Tombstone::Note(n.id),
        Entity::Segment(s) => Tombstone::Segment(s.id),
        Entity::SegmentMember(m) => Tombstone::SegmentMember(*m),
        Entity::Goal(g) => Tombstone::Goal(g.id),
        Entity::GoalCompletion(c) => Tombstone::GoalCompletion(c.id),
        Entity::Session(s) => Tombstone::Session(s.id),
        Entity::Message(m) => Tombstone::Message(m.id),
        Entity::Request(r) => Tombstone::Request(r.id),
        Entity::Overwrite(o) => Tombstone::Overwrite(o.id),
        Entity::Picture(p) => Tombstone::Picture(p.profile_id),
    }
}

impl Store {
    /// Applies one pull page in one transaction: the records, the outbox trimmed to what the
    /// last page confirms, the pending mutations re-applied on top, and the cookie.
    #[tracing::instrument(skip_all, fields(ops = page.patch.len(), reset = page.reset))]
    pub(crate) async fn apply_page(&self, page: &PullResponse) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        // A first download's pages commit without waiting for the disk (a page lost to a power
        // cut takes its cookie with it and is pulled again); every other commit, edits above
        // all, waits for it (the store's FULL).
        let first_download = bulk_load::loading(&mut conn).await?
            || (page.has_more && (page.reset || read_state(&mut conn).await?.cookie.is_none()));
        // It also keeps more pages in memory meanwhile, and maps the file (then back to the
        // store's own settings: the cache freed and the file unmapped).
        if first_download {
            sqlx::query("PRAGMA synchronous = NORMAL")
                .execute(&mut *conn)
                .await?;
            bulk_load::raise(&mut conn).await?;
        }
        let applied = self.apply_page_on(&mut conn, page).await;
        if first_download {
            let restored = match sqlx::query("PRAGMA synchronous = FULL")
                .execute(&mut *conn)
                .await
            {
                Ok(_) => bulk_load::lower(&mut conn).await,
                Err(e) => Err(e.into()),
            };
            if restored.is_err() {
                // Never hand a connection that does not wait for the disk back to the pool.
                drop(conn.detach());
            }
        }
        applied?;
        let loading = {
            let mut conn = self.pool.acquire().await?;
            bulk_load::loading(&mut conn).await?
        };
        if loading && !page.has_more {
            bulk_load::finish(self).await?;
        }
        Ok(())
    }

    async fn apply_page_on(
        &self,
        conn: &mut sqlx::pool::PoolConnection<sqlx::Sqlite>,
        page: &PullResponse,
    ) -> Result<()> {
        let mut tx = sqlx::Connection::begin_with(&mut **conn, "BEGIN IMMEDIATE").await?;
        let state = read_state(&mut tx).await?;
        let confirmed = to_u64(state.confirmed_mutation);
        // A reset page may confirm less than before while it rebuilds from nothing; its last
        // page, like every other page, must not.
        if page.last_mutation_id < confirmed && (!page.reset || !page.has_more) {
            return Err(CoreError::ServerRolledBack { confirmed });
        }
        if page.reset {
            // The outbox stays: its edits are re-applied as their records arrive again.
            store::clear_workspace(&mut tx).await?;
        }
        // A first download (or a reset's) into an empty store loads in bulk until its last page.
        let mut loading = bulk_load::loading(&mut tx).await?;
        if !loading && page.has_more && (state.cookie.is_none() || page.reset) {
            loading = bulk_load::start_if_empty(&mut tx).await?;
        }
        // Only the last page trims: a confirmed edit's record may have changed again since, and
        // then comes in a later page; trimmed before that page, the edit would vanish from the
        // screen behind an older server copy until the next sync got that far.
        let confirmed_edits = if page.has_more {
            Vec::new()
        } else {
            trim_confirmed(&mut tx, page.last_mutation_id).await?
        };
        let ops = pending_ops(&mut tx).await?;
        let pending_by_profile = by_profile(&ops);
        let version = state.pulled_pages + 1;
        let copied = server_copies::ids(&mut tx).await?;
        let mut bulk = Bulk::default();
        for op in &page.patch {
            let through_copy = match op {
                PatchOp::Put(Entity::Profile(profile)) => {
                    pending_by_profile.contains_key(&profile.id) || copied.contains(&profile.id)
                }
                _ => false,
            };
            apply_op(
                &mut tx,
                op,
                through_copy,
                state.client_id,
                version,
                &mut bulk,
            )
            .await?;
        }
        bulk.write(&mut tx, loading).await?;
        overwrites::record(&mut tx, &confirmed_edits, &pending_by_profile).await?;
        rebase(&mut tx, &pending_by_profile).await?;
        save_cookie(&mut tx, page, version).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Keeps a batch of platform records as a pull would, in one transaction, without touching
    /// the sync state: a brand-new store's demo workspace, which the first sign-in drops.
    pub(crate) async fn keep_records(&self, batch: &PlatformBatch) -> Result<()> {
        let patch = patch_of(batch);
        let mut tx = self.write_transaction().await?;
        let client_id = read_state(&mut tx).await?.client_id;
        let mut bulk = Bulk::default();
        for op in &patch {
            apply_op(&mut tx, op, false, client_id, 0, &mut bulk).await?;
        }
        bulk.write(&mut tx, false).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Every record of a batch as a pulled change, definitions first.
fn patch_of(batch: &PlatformBatch) -> Vec<PatchOp> {
    let puts = batch
        .properties
        .iter()
        .cloned()
        .map(Entity::Property)
        .chain(batch.goals.iter().cloned().map(Entity::Goal))
        .chain(batch.segments.iter().cloned().map(Entity::Segment))
        .chain(batch.profiles.iter().cloned().map(Entity::Profile))
        .chain(
            batch
                .property_values
                .iter()
                .cloned()
                .map(Entity::PropertyValue),
        )
        .chain(batch.sessions.iter().cloned().map(Entity::Session))
        .chain(batch.messages.iter().cloned().map(Entity::Message))
        .chain(
            batch
                .goal_completions
                .iter()
                .cloned()
                .map(Entity::GoalCompletion),
        )
        .chain(batch.notes.iter().cloned().map(Entity::Note))
        .chain(
            batch
                .segment_members
                .iter()
                .cloned()
                .map(Entity::SegmentMember),
        );
    puts.map(PatchOp::Put).collect()
}

/// Drops the mutations the server confirms up to `last`; the profile edits among them, for the
/// overwrite check.
async fn trim_confirmed(
    conn: &mut SqliteConnection,
    last: u64,
) -> Result<Vec<(u64, ProfileId, ProfilePatch)>> {
    let confirmed: Vec<_> = outbox::all_pending(conn)
        .await?
        .into_iter()
        .filter(|m| m.id <= last)
        .collect();
    let edits = overwrites::profile_edits(&confirmed)?;
    outbox::trim(conn, last).await?;
    Ok(edits)
}

/// The mutations still waiting for the server, as ops.
async fn pending_ops(conn: &mut SqliteConnection) -> Result<Vec<Op>> {
    outbox::all_pending(conn)
        .await?
        .iter()
        .map(|m| {
            Op::from_mutation(m).map_err(|e| CoreError::Corrupt(format!("mutation {}: {e}", m.id)))
        })
        .collect()
}

/// The pending ops of each profile they change, in order.
fn by_profile(ops: &[Op]) -> HashMap<ProfileId, Vec<&Op>> {
    let mut pending: HashMap<ProfileId, Vec<&Op>> = HashMap::new();
    for op in ops {
        for id in profiles_of(op) {
            pending.entry(*id).or_default().push(op);
        }
    }
    pending
}

/// One pulled change. A profile with a server copy or pending edits (`through_copy`) is written
/// to its copy, rebased later; other profiles, and the records of the commonest kinds, go into
/// `bulk`, written after the page (a page names each record once, so their order is free).
async fn apply_op<'page>(
    conn: &mut SqliteConnection,
    op: &'page PatchOp,
    through_copy: bool,
    client_id: ClientId,
    version: i64,
    bulk: &mut Bulk<'page>,
) -> Result<()> {
    match op {
        PatchOp::Put(Entity::Profile(profile)) => {
            if through_copy {
                server_copies::put(conn, profile).await?;
            } else {
                bulk.profile(profile);
            }
        }
        PatchOp::Put(Entity::PropertyValue(value)) => bulk.value(value),
        PatchOp::Put(Entity::SegmentMember(member)) => bulk.member(member, true),
        PatchOp::Delete(Tombstone::PropertyValue(key)) => bulk.value_gone(key),
        PatchOp::Delete(Tombstone::SegmentMember(member)) => bulk.member(member, false),
        PatchOp::Delete(Tombstone::Profile(id)) => {
            server_copies::remove(conn, *id).await?;
            profiles::delete_profile(conn, *id).await?;
        }
        // A notice is kept only by the client whose edit it is about.
        PatchOp::Put(Entity::Overwrite(notice)) => {
            if notice.client_id == client_id {
                overwrites::record_notice(conn, notice).await?;
            }
        }
        PatchOp::Delete(Tombstone::Overwrite(_)) => {}
        PatchOp::Put(entity) => {
            let (kind, key) = kind_and_key(&tombstone_of(entity))?;
            let record = serde_json::to_string(entity).map_err(|e| {
                CoreError::Protocol(format!("a pulled record could not be kept: {e}"))
            })?;
            synced::put(conn, kind, &key, &record, version).await?;
        }
        PatchOp::Delete(tombstone) => {
            let (kind, key) = kind_and_key(tombstone)?;
            synced::delete(conn, kind, &key).await?;
        }
    }
    Ok(())
}

/// Keeps the page's cookie and what it confirms: the next pull starts after it.
async fn save_cookie(conn: &mut SqliteConnection, page: &PullResponse, version: i64) -> Result<()> {
    sqlx::query(
        "UPDATE sync_state SET cookie = ?, confirmed_mutation = max(confirmed_mutation, ?), \
         pulled_pages = ? WHERE id = 1",
    )
    .bind(&page.cookie)
    .bind(to_i64(page.last_mutation_id))
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rebuilds every profile with a server copy: the copy plus its pending mutations, or the copy
/// alone (and the copy forgotten) once none is pending, which also undoes a refused edit.
async fn rebase(
    conn: &mut SqliteConnection,
    pending_by_profile: &HashMap<ProfileId, Vec<&Op>>,
) -> Result<()> {
    for base in server_copies::all(conn).await? {
        let id = base.id;
        let current = profiles::read_any(conn, id).await?;
        let target = match pending_by_profile.get(&id) {
            Some(ops) => rebased(base, ops, current.as_ref()),
            None => {
                server_copies::remove(conn, id).await?;
                Some(base)
            }
        };
        match target {
            Some(profile) if current.as_ref() != Some(&profile) => {
                profiles::write_profile(conn, &profile).await?
            }
            None if current.is_some() => profiles::delete_profile(conn, id).await?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{ErrorCode, Note, NoteId};

    async fn store_with(count: usize) -> (Store, Vec<Profile>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(21, now).take(count).collect();
        store.insert_profiles(&profiles).await.unwrap();
        (store, profiles, dir)
    }

    fn page(last_mutation_id: u64, reset: bool, patch: Vec<PatchOp>) -> PullResponse {
        PullResponse {
            cookie: format!("after-{last_mutation_id}"),
            has_more: false,
            last_mutation_id,
            reset,
            total: None,
            patch,
        }
    }

    async fn edit(store: &Store, id: ProfileId, patch: ProfilePatch) {
        store
            .patch_profile(id, &patch.validate().unwrap())
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn pending_edits_stay_on_top_of_pulled_changes_until_confirmed() {
        let (store, profiles, _dir) = store_with(3).await;
        let mine = &profiles[0];
        edit(
            &store,
            mine.id,
            ProfilePatch {
                first_name: Some("Mine".into()),
                ..Default::default()
            },
        )
        .await;
        // Another manager moved the customer; this client's edit is not in the page yet.
        let mut theirs = mine.clone();
        theirs.location = "Quito".into();
        store
            .apply_page(&page(
                0,
                false,
                vec![PatchOp::Put(Entity::Profile(theirs.clone()))],
            ))
            .await
            .unwrap();
        let shown = store.get_profile(mine.id).await.unwrap();
        assert_eq!(
            (shown.first_name.as_str(), shown.location.as_str()),
            ("Mine", "Quito")
        );
        assert_eq!(store.pending_count().await.unwrap(), 1);

        // The server confirms the edit with the record as it now is.
        let mut confirmed = theirs.clone();
        confirmed.first_name = "Mine".into();
        store
            .apply_page(&page(
                1,
                false,
                vec![PatchOp::Put(Entity::Profile(confirmed.clone()))],
            ))
            .await
            .unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap(), confirmed);
        assert_eq!(store.pending_count().await.unwrap(), 0);
        let mut conn = store.pool.acquire().await.unwrap();
        assert!(server_copies::all(&mut conn).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_confirmed_edit_stays_on_screen_until_the_page_with_its_record_arrives() {
        let (store, profiles, _dir) = store_with(2).await;
        let mine = &profiles[0];
        edit(
            &store,
            mine.id,
            ProfilePatch {
                last_name: Some("Mine".into()),
                ..Default::default()
            },
        )
        .await;
        // The server applied the edit, then another manager changed the customer too: its
        // record now sits at a later version, past the end of this page, which already
        // confirms the edit.
        let mut first = page(1, false, vec![]);
        first.has_more = true;
        store.apply_page(&first).await.unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap().last_name, "Mine");
        assert_eq!(store.pending_count().await.unwrap(), 1);

        let mut now = mine.clone();
        now.last_name = "Mine".into();
        now.location = "Quito".into();
        store
            .apply_page(&page(
                1,
                false,
                vec![PatchOp::Put(Entity::Profile(now.clone()))],
            ))
            .await
            .unwrap();
        assert_eq!(store.get_profile(mine.id).await.unwrap(), now);
        assert_eq!(store.pending_count().await.unwrap(), 0);
        let mut conn = store.pool.acquire().await.unwrap();
        assert!(server_copies::all(&mut conn).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_notice_of_a_replaced_edit_is_listed_once_and_only_by_the_client_that_made_it() {
        let (store, profiles, _dir) = store_with(2).await;
        let mine = {
            let mut conn = store.pool.acquire().await.unwrap();
            read_state(&mut conn).await.unwrap().client_id
        };
        let customer = &profiles[1];
        let notice = |client_id, field, replaced: &str, value: &str| {
            Entity::Overwrite(userdesk_model::sync::Overwrite {
                id: userdesk_model::sync::OverwriteId::new(),
                client_id,
                mutation_id: 4,
                profile_id: customer.id,
                field,
                replaced: replaced.into(),
                value: value.into(),
                by: "bob@example.com".into(),
                at: customer.created_at,
            })
        };
        use userdesk_model::Field::{FirstName, Location};
        let ops = vec![
            PatchOp::Put(notice(ClientId::new(), Location, "Oslo", "Rome")),
            PatchOp::Put(notice(mine, Location, "Paris", "Rome")),
            // The same notice pulled again (after a reset) is not listed twice.
            PatchOp::Put(notice(mine, Location, "Paris", "Rome")),
            PatchOp::Put(notice(mine, FirstName, "Ann", "Anna")),
        ];
        store.apply_page(&page(4, false, ops)).await.unwrap();
        let listed = store.rejections().await.unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].mutation_id, 4);
        assert_eq!(listed[0].code, ErrorCode::Overwritten);
        let fields: Vec<_> = listed[0].fields.iter().map(|f| f.field).collect();
        assert_eq!(fields, [Location, FirstName]);
        assert!(
            listed[0].message.starts_with(&format!(
                "bob@example.com changed {} after you: location (your “Paris” was replaced",
                customer.username()
            )),
            "{}",
            listed[0].message
        );
        // Dismissed, it stays dismissed when the notice comes again.
        store.dismiss_rejection(4).await.unwrap();
        let again = vec![PatchOp::Put(notice(mine, Location, "Paris", "Rome"))];
        store.apply_page(&page(4, false, again)).await.unwrap();
        assert!(store.rejections().await.unwrap().is_empty());
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM synced_records")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(kept, 0, "notices are not kept as records");
    }

    #[tokio::test]
    async fn a_refused_edit_is_undone_when_the_server_confirms_past_it() {
        let (store, profiles, _dir) = store_with(2).await;
        let p = &profiles[1];
        edit(
            &store,
            p.id,
            ProfilePatch {
                location: Some("Refused".into()),
                ..Default::default()
            },
        )
        .await;
        // The refusal advanced the client's last mutation without any record changing.
        store.apply_page(&page(1, false, vec![])).await.unwrap();
        assert_eq!(store.get_profile(p.id).await.unwrap(), *p);
    }

    #[tokio::test]
    async fn a_reset_rebuilds_from_nothing_and_keeps_the_outbox() {
        let (store, profiles, _dir) = store_with(3).await;
        let kept = &profiles[0];
        edit(
            &store,
            kept.id,
            ProfilePatch {
                last_name: Some("Pending".into()),
                ..Default::default()
            },
        )
        .await;
        let note = Note {
            id: NoteId::new(),
            profile_id: kept.id,
            author: "admin@example.com".into(),
            body: "Called back".into(),
            created_at: kept.created_at,
            updated_at: kept.created_at,
        };
        let reset = page(
            0,
            true,
            vec![
                PatchOp::Put(Entity::Profile(kept.clone())),
                PatchOp::Put(Entity::Note(note.clone())),
            ],
        );
        store.apply_page(&reset).await.unwrap();
        // Only what the server sent is left, with the pending edit on top.
        assert_eq!(store.profile_total().await.unwrap(), 1);
        assert_eq!(
            store.get_profile(kept.id).await.unwrap().last_name,
            "Pending"
        );
        assert_eq!(store.pending_count().await.unwrap(), 1);
        // A record of a kind without its own table is kept whole.
        let (record,): (String,) =
            sqlx::query_as("SELECT record FROM synced_records WHERE kind = 'note'")
                .fetch_one(&store.pool)
                .await
                .unwrap();
        let back: Entity = serde_json::from_str(&record).unwrap();
        assert_eq!(back, Entity::Note(note.clone()));
        store
            .apply_page(&page(
                0,
                false,
                vec![PatchOp::Delete(Tombstone::Note(note.id))],
            ))
            .await
            .unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM synced_records")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);
        let cookie: Option<String> = sqlx::query_scalar("SELECT cookie FROM sync_state")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert_eq!(cookie.as_deref(), Some("after-0"));
    }

    #[tokio::test]
    async fn a_page_confirming_less_than_before_is_refused_and_changes_nothing() {
        let (store, profiles, _dir) = store_with(1).await;
        sqlx::query("UPDATE sync_state SET confirmed_mutation = 5")
            .execute(&store.pool)
            .await
            .unwrap();
        let mut changed = profiles[0].clone();
        changed.location = "Elsewhere".into();
        let err = store
            .apply_page(&page(
                3,
                false,
                vec![PatchOp::Put(Entity::Profile(changed))],
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(err, CoreError::ServerRolledBack { confirmed: 5 }),
            "{err}"
        );
        assert_eq!(
            store.get_profile(profiles[0].id).await.unwrap(),
            profiles[0]
        );
    }

    /// A first download of three pages: profiles, property values, segment members and notes,
    /// a value changed again and one deleted in later pages, a customer deleted, and the
    /// manager's edit of a customer between the first and second pages.
    fn download(profiles: &[Profile]) -> Vec<PullResponse> {
        use userdesk_model::sync::PropertyValueKey;
        use userdesk_model::{PropertyId, PropertyValue, SegmentId, SegmentMember};
        let property = PropertyId::new();
        let segment = SegmentId::new();
        let value = |p: &Profile, v: &str| {
            Entity::PropertyValue(PropertyValue {
                profile_id: p.id,
                property_id: property,
                value: v.to_string(),
            })
        };
        let member = |p: &Profile| {
            Entity::SegmentMember(SegmentMember {
                segment_id: segment,
                profile_id: p.id,
            })
        };
        let note = Note {
            id: NoteId::new(),
            profile_id: profiles[1].id,
            author: "admin@example.com".into(),
            body: "Called back".into(),
            created_at: profiles[1].created_at,
            updated_at: profiles[1].created_at,
        };
        let (first, rest) = profiles.split_at(profiles.len() / 2);
        let mut one: Vec<PatchOp> = Vec::new();
        for p in first {
            one.push(PatchOp::Put(Entity::Profile(p.clone())));
            one.push(PatchOp::Put(value(p, "gold")));
            one.push(PatchOp::Put(member(p)));
        }
        one.push(PatchOp::Put(Entity::Note(note.clone())));
        let mut two: Vec<PatchOp> = rest
            .iter()
            .flat_map(|p| {
                [
                    PatchOp::Put(Entity::Profile(p.clone())),
                    PatchOp::Put(value(p, "silver")),
                ]
            })
            .collect();
        two.push(PatchOp::Put(value(&first[0], "platinum")));
        two.push(PatchOp::Delete(Tombstone::PropertyValue(
            PropertyValueKey {
                profile_id: first[1].id,
                property_id: property,
            },
        )));
        let mut moved = first[2].clone();
        moved.location = "Quito".into();
        let three = vec![
            PatchOp::Put(Entity::Profile(moved)),
            PatchOp::Delete(Tombstone::Profile(first[3].id)),
            PatchOp::Delete(Tombstone::SegmentMember(SegmentMember {
                segment_id: segment,
                profile_id: first[4].id,
            })),
            PatchOp::Put(value(&first[1], "bronze")),
            // A value kept by the first page, deleted by the last.
            PatchOp::Delete(Tombstone::PropertyValue(PropertyValueKey {
                profile_id: first[5].id,
                property_id: property,
            })),
            PatchOp::Delete(Tombstone::Note(note.id)),
        ];
        let pages = [one, two, three];
        let last = pages.len() - 1;
        pages
            .into_iter()
            .enumerate()
            .map(|(i, patch)| PullResponse {
                has_more: i < last,
                ..page(0, false, patch)
            })
            .collect()
    }

    /// Everything a pull writes, and the indexes of the profiles table.
    async fn dump(store: &Store) -> Vec<String> {
        let queries = [
            "SELECT json_array(seq, hex(id), email, first_name, last_name, phone, location, \
             username, created_at, last_seen_at, device, sessions, live_chat_takeover, status, \
             kind, platform) FROM profiles ORDER BY seq",
            "SELECT json_array(kind, key, record, version) FROM synced_records ORDER BY kind, key",
            "SELECT json_array(hex(profile_id), hex(property_id), value) FROM property_values \
             ORDER BY profile_id, property_id",
            "SELECT json_array(hex(segment_id), hex(profile_id)) FROM segment_members \
             ORDER BY segment_id, profile_id",
            "SELECT json_array(status, kind, platform, profiles) FROM profile_counts \
             WHERE profiles > 0 ORDER BY 1",
            "SELECT json_array(name, sql) FROM sqlite_master \
             WHERE tbl_name IN ('profiles', 'property_values', 'synced_records') ORDER BY name",
            "SELECT json_array(id, name, args) FROM outbox ORDER BY id",
            "SELECT json_array(hex(id), record) FROM profile_shadows ORDER BY id",
            "SELECT json_array(seq, status) FROM status_shadows ORDER BY seq",
            "SELECT json_array((SELECT count(*) FROM staged_property_values), \
             (SELECT count(*) FROM staged_segment_members))",
            "SELECT json_array(count(*), (SELECT bulk_load FROM sync_state)) FROM deferred_indexes",
        ];
        let mut rows = Vec::new();
        for sql in queries {
            let found: Vec<String> = sqlx::query_scalar(sql)
                .fetch_all(&store.pool)
                .await
                .unwrap();
            rows.push(format!("{sql}: {}", found.join("\n")));
        }
        rows
    }

    async fn empty_store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        (store, dir)
    }

    async fn loading(store: &Store) -> bool {
        let mut conn = store.pool.acquire().await.unwrap();
        bulk_load::loading(&mut conn).await.unwrap()
    }

    /// Applies the pages, the manager editing a customer after the first.
    async fn apply_download(store: &Store, pages: &[PullResponse], edited: ProfileId) {
        for (i, page) in pages.iter().enumerate() {
            store.apply_page(page).await.unwrap();
            if i == 0 {
                edit(
                    store,
                    edited,
                    ProfilePatch {
                        last_name: Some("Edited during the download".into()),
                        ..Default::default()
                    },
                )
                .await;
            }
        }
    }

    #[tokio::test]
    async fn a_first_download_loaded_in_bulk_leaves_the_store_the_ordinary_path_leaves() {
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(5, now).take(40).collect();
        let pages = download(&profiles);

        let (bulk_store, _a) = empty_store().await;
        bulk_store.apply_page(&pages[0]).await.unwrap();
        assert!(loading(&bulk_store).await, "an empty store loads in bulk");
        let during = dump(&bulk_store).await;
        assert!(!during[5].contains("profiles_by_username"), "{}", during[5]);
        for kept in ["profiles_by_status", "property_values_by_property"] {
            assert!(during[5].contains(kept), "{kept}: {}", during[5]);
        }
        assert!(
            during[2].ends_with(": "),
            "values are staged: {}",
            during[2]
        );
        edit(
            &bulk_store,
            profiles[0].id,
            ProfilePatch {
                last_name: Some("Edited during the download".into()),
                ..Default::default()
            },
        )
        .await;
        for page in &pages[1..] {
            bulk_store.apply_page(page).await.unwrap();
        }
        assert!(!loading(&bulk_store).await);

        // The ordinary path: a store that has synced before applies the same pages one by one.
        let (ordinary, _b) = empty_store().await;
        sqlx::query("UPDATE sync_state SET cookie = 'earlier'")
            .execute(&ordinary.pool)
            .await
            .unwrap();
        apply_download(&ordinary, &pages, profiles[0].id).await;
        assert!(!loading(&ordinary).await);

        assert_eq!(dump(&bulk_store).await, dump(&ordinary).await);
        let shown = bulk_store.get_profile(profiles[0].id).await.unwrap();
        assert_eq!(shown.last_name, "Edited during the download");
        assert_eq!(bulk_store.pending_count().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_bulk_load_cut_short_by_a_crash_ends_correct_when_the_sync_resumes() {
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(6, now).take(40).collect();
        let pages = download(&profiles);
        let (ordinary, _b) = empty_store().await;
        sqlx::query("UPDATE sync_state SET cookie = 'earlier'")
            .execute(&ordinary.pool)
            .await
            .unwrap();
        apply_download(&ordinary, &pages, profiles[0].id).await;
        let expected = dump(&ordinary).await;

        // Killed after the second page: the store on disk is what the committed pages left.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        {
            let store = Store::open(&path).await.unwrap();
            apply_download(&store, &pages[..2], profiles[0].id).await;
            assert!(loading(&store).await);
            store.close().await;
        }
        let store = Store::open(&path).await.unwrap();
        assert!(loading(&store).await, "the load goes on after a restart");
        store.apply_page(&pages[2]).await.unwrap();
        assert_eq!(dump(&store).await, expected);
        store.close().await;

        // Killed between the last page's commit and the end of the load: the next sync's (empty)
        // last page ends it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite3");
        {
            let store = Store::open(&path).await.unwrap();
            let mut cut: Vec<PullResponse> = pages.clone();
            cut[2].has_more = true;
            apply_download(&store, &cut, profiles[0].id).await;
            assert!(loading(&store).await);
            store.close().await;
        }
        let store = Store::open(&path).await.unwrap();
        store.apply_page(&page(0, false, vec![])).await.unwrap();
        assert!(!loading(&store).await);
        let mut after = dump(&store).await;
        let mut expected = expected;
        // Only the generic records' page numbers differ: one more page was applied.
        after.remove(1);
        expected.remove(1);
        assert_eq!(after, expected);
    }
}
