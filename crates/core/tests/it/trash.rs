//! The Trash: Delete moves customers there with everything attached to them, Restore and Undo
//! bring them back as they now are (a colleague's edit made meanwhile included), Delete
//! forever and the server's purge end them; offline first, then synced.

use crate::platform::*;
use userdesk_core::CoreError;
use userdesk_model::sync::Op;
use userdesk_model::{
    ApiError, ErrorCode, ProfileFilter, ProfileId, SegmentDraft, Selection, TrashQuery,
    TrashSelection,
};

fn everyone() -> ProfileFilter {
    ProfileFilter {
        status: None,
        ..Default::default()
    }
}

fn page() -> TrashQuery {
    TrashQuery {
        offset: 0,
        limit: 100,
    }
}

fn ids(ids: &[ProfileId]) -> TrashSelection {
    TrashSelection::Ids { ids: ids.to_vec() }
}

fn picked(ids: &[ProfileId]) -> Selection {
    Selection::Ids { ids: ids.to_vec() }
}

#[tokio::test]
async fn delete_moves_customers_to_the_trash_and_restore_brings_them_back_with_everything() {
    let platform = Platform::start(6).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let p: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let note = app.add_note(p[0], "Prefers email").await.unwrap();
    let vip = app
        .create_segment(
            SegmentDraft {
                name: "VIP".into(),
                description: String::new(),
                rules: Vec::new(),
            },
            &[p[0], p[1]],
        )
        .await
        .unwrap();
    client.sync(&platform).await;

    // Offline: out of the table at once, into the Trash, with who and when.
    let moved = app.delete_profiles(&picked(&p[..3])).await.unwrap();
    assert_eq!(moved, 3);
    assert_eq!(app.count_profiles(&everyone()).await.unwrap(), 3);
    let trash = app.trash(page()).await.unwrap();
    assert_eq!(trash.total, 3);
    assert!(trash.rows.iter().all(|r| r.deleted_by == "you"));
    assert!(trash.rows.iter().all(|r| !r.purge_on.is_empty()));
    let mut listed: Vec<ProfileId> = trash.rows.iter().map(|r| r.id).collect();
    listed.sort();
    let mut expected = p[..3].to_vec();
    expected.sort();
    assert_eq!(listed, expected);
    assert_eq!(
        ApiError::from(app.profile_details(p[0]).await.unwrap_err()).code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.undo_available().map(|u| u.label),
        Some("Deleted 3 customers".to_string())
    );
    assert_eq!(
        app.sync_status().await.unwrap().pending,
        1,
        "one move of three customers"
    );

    // Restore: back with the note and the segment membership.
    assert_eq!(app.restore_profiles(&ids(&[p[0]])).await.unwrap(), 1);
    app.profile_details(p[0]).await.unwrap();
    let notes = app.notes(p[0]).await.unwrap();
    assert_eq!(notes.iter().map(|n| n.id).collect::<Vec<_>>(), [note.id]);
    let segments = app.profile_segments(p[0]).await.unwrap();
    assert!(segments.iter().any(|s| s.id == vip.id), "{segments:?}");
    assert_eq!(app.trash(page()).await.unwrap().total, 2);

    // Synced: the server holds the two in its Trash, by this manager, and the restored one out.
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert_eq!(server[&p[0]].trashed, None);
    for id in &p[1..3] {
        let trashed = server[id].trashed.as_ref().expect("in the server's Trash");
        assert_eq!(trashed.by, "admin@example.com");
    }
    // The server names who deleted them (this test's app syncs without signing in, so the
    // name is not "you").
    assert!(app
        .trash(page())
        .await
        .unwrap()
        .rows
        .iter()
        .all(|r| r.deleted_by == "admin@example.com"));
    client.assert_same_as(&platform).await;

    // A colleague edits a customer in the Trash: the edit reaches it there, and stays on
    // restore.
    let colleague = platform
        .push_from_elsewhere(&[Op::ProfilePatch {
            profile_id: p[1],
            patch: first_name("Colleague"),
            base: None,
        }])
        .await;
    assert!(colleague.rejections.is_empty(), "{colleague:?}");
    client.sync(&platform).await;
    let waiting = app.store().trashed_profile(p[1]).await.unwrap().unwrap();
    assert_eq!(waiting.first_name, "Colleague");
    assert_eq!(app.restore_profiles(&ids(&[p[1]])).await.unwrap(), 1);
    assert_eq!(client.profile(p[1]).await.unwrap().first_name, "Colleague");

    // Delete forever: gone here at once, and on the server once synced.
    assert_eq!(app.delete_forever(&ids(&[p[2]])).await.unwrap(), 1);
    assert_eq!(app.trash(page()).await.unwrap().total, 0);
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert!(!server.contains_key(&p[2]));
    assert_eq!(server[&p[1]].first_name, "Colleague");
    assert_eq!(server[&p[1]].trashed, None);
    client.assert_same_as(&platform).await;
}

#[tokio::test]
async fn restoring_a_customer_the_server_purged_is_refused_clearly() {
    let platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let p: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    app.delete_profiles(&picked(&p[..2])).await.unwrap();
    client.sync(&platform).await;

    // Thirty days on, the server purges both. The second one's restore was made offline
    // before that, and reaches the server after it.
    assert_eq!(app.restore_profiles(&ids(&[p[1]])).await.unwrap(), 1);
    assert!(client.profile(p[1]).await.is_some());
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    assert_eq!(platform.storage.purge_trash(later).await.unwrap(), 2);
    client.sync(&platform).await;
    let rejections = app.store().rejections().await.unwrap();
    let refused = rejections.last().expect("the late restore is refused");
    assert_eq!(refused.name, "profile.restore");
    assert_eq!(refused.code, ErrorCode::NotFound);
    assert!(
        refused.message.contains("deleted forever"),
        "{}",
        refused.message
    );
    assert!(client.profile(p[1]).await.is_none(), "the purge stands");
    assert_eq!(app.trash(page()).await.unwrap().total, 0);
    client.assert_same_as(&platform).await;

    // Asked to restore one the purge took: refused here at once, and nothing is queued.
    let refused = app.restore_profiles(&ids(&[p[0]])).await.unwrap_err();
    assert!(matches!(refused, CoreError::NotInTrash { count: 1 }));
    let error = ApiError::from(refused);
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(
        error.message.contains("deleted forever"),
        "{}",
        error.message
    );
    assert_eq!(
        app.sync_status().await.unwrap().pending,
        0,
        "nothing queued"
    );
    assert_eq!(app.count_profiles(&everyone()).await.unwrap(), 1);
}

#[tokio::test]
async fn every_matching_customer_goes_to_the_trash_and_undo_brings_them_back_after_sync() {
    let platform = Platform::start(40).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let all = Selection::Filter { filter: everyone() };
    assert_eq!(app.delete_profiles(&all).await.unwrap(), 40);
    assert_eq!(app.count_profiles(&everyone()).await.unwrap(), 0);
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert!(server.values().all(|p| p.trashed.is_some()));
    client.assert_same_as(&platform).await;

    let report = app.undo().await.unwrap();
    assert_eq!(report.label, "Deleted 40 customers");
    assert_eq!(report.restored, 40);
    assert!(report.kept.is_empty());
    assert_eq!(app.count_profiles(&everyone()).await.unwrap(), 40);
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert!(server.values().all(|p| p.trashed.is_none()));
    client.assert_same_as(&platform).await;

    // Undo of a delete whose customer was deleted forever since says so.
    app.delete_profiles(&picked(&[platform.profiles[0].id]))
        .await
        .unwrap();
    app.delete_forever(&TrashSelection::All).await.unwrap();
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 0);
    assert_eq!(report.kept.len(), 1);
    assert_eq!(
        report.kept[0].reason.as_deref(),
        Some("no longer in the Trash")
    );

    // Nothing in the Trash to act on: refused, nothing changes.
    for refused in [
        app.restore_profiles(&TrashSelection::All)
            .await
            .unwrap_err(),
        app.delete_forever(&ids(&[])).await.unwrap_err(),
        app.trash(TrashQuery {
            offset: 0,
            limit: 0,
        })
        .await
        .unwrap_err(),
    ] {
        assert_eq!(ApiError::from(refused).code, ErrorCode::InvalidRequest);
    }
}

#[tokio::test]
async fn an_agent_keeps_customers_in_the_trash_and_undo_passes_over_a_deleted_customer() {
    let platform = Platform::start(4).await;
    let agent = platform.token_of("agent@example.com").await;
    let dir = tempfile::tempdir().unwrap();
    let options = userdesk_core::OpenOptions {
        sqlite_search_only: true,
        keychain: Some(userdesk_core::Keychain::in_memory()),
        ..Default::default()
    };
    let app = userdesk_core::AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
        .await
        .unwrap();
    app.sign_in(&userdesk_model::SignIn {
        server_url: platform.url.clone(),
        token: agent,
        discard_pending: false,
    })
    .await
    .unwrap();
    app.sync_now().await.unwrap();
    let p: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();

    // An agent moves customers to the Trash, but only an admin deletes them forever: refused
    // here at once, and nothing is queued.
    app.delete_profiles(&picked(&p[..1])).await.unwrap();
    let pending = app.sync_status().await.unwrap().pending;
    let refused = app.delete_forever(&TrashSelection::All).await.unwrap_err();
    let error = ApiError::from(refused);
    assert_eq!(error.code, ErrorCode::Forbidden);
    assert!(
        error.message.starts_with("Only an admin"),
        "{}",
        error.message
    );
    assert_eq!(app.sync_status().await.unwrap().pending, pending);
    assert_eq!(app.trash(page()).await.unwrap().total, 1);

    // An edit of a customer a colleague deletes before Undo: Undo passes over it, says why,
    // and the next action is offered.
    app.patch_profile(p[1], location("Galway")).await.unwrap();
    platform
        .push_from_elsewhere(&[Op::ProfileTrash {
            profile_ids: vec![p[1]],
        }])
        .await;
    app.sync_now().await.unwrap();
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 0);
    assert_eq!(
        report.kept[0].reason.as_deref(),
        Some("the customer is in the Trash, or deleted")
    );
    assert_eq!(
        report.next.map(|n| n.label),
        Some(format!("Deleted {}", platform.profiles[0].username()))
    );
}
