//! A customer's History in Details: the server's record of each change (who, when, which field,
//! before and after), with this manager's edits waiting to sync on top; Put back sets a value
//! from it again by a new edit; offline, the History last read is shown with a note.

use crate::platform::*;
use userdesk_model::sync::Op;
use userdesk_model::{
    ApiError, ErrorCode, ProfileId, ProfilePatch, PutBack, Selection, TrashSelection,
};

async fn history(
    app: &userdesk_core::AppCore,
    platform: &Platform,
    id: ProfileId,
) -> userdesk_model::HistoryView {
    app.profile_history_from(&platform.url, &platform.token, id)
        .await
        .unwrap()
}

#[tokio::test]
async fn history_lists_colleagues_changes_and_mine_waiting_to_sync_latest_first() {
    let mut platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let ada = platform.profiles[0].clone();

    // A colleague moves her to Leeds; this manager, after pulling that, changes her phone.
    platform
        .push_from_elsewhere(&[Op::ProfilePatch {
            profile_id: ada.id,
            patch: location("Leeds"),
            base: None,
        }])
        .await;
    client.sync(&platform).await;
    client
        .edit(
            ada.id,
            ProfilePatch {
                phone: Some("+44 20 7946 0001".into()),
                ..Default::default()
            },
        )
        .await;
    let view = history(app, &platform, ada.id).await;
    assert_eq!(view.note, None);
    assert_eq!(view.rows.len(), 2, "{:?}", view.rows);
    let mine = &view.rows[0];
    assert!(mine.pending);
    assert_eq!((mine.action.as_str(), mine.who.as_str()), ("Edited", "you"));
    assert_eq!(mine.changes[0].field, "PHONE");
    assert_eq!(mine.changes[0].before, ada.phone);
    assert_eq!(mine.changes[0].after, "+442079460001");
    let theirs = &view.rows[1];
    assert!(!theirs.pending);
    assert_eq!(theirs.who, "admin@example.com");
    assert!(!theirs.when.is_empty());
    assert_eq!(theirs.changes.len(), 1);
    let change = &theirs.changes[0];
    assert_eq!(
        (
            change.field.as_str(),
            change.before.as_str(),
            change.after.as_str()
        ),
        ("LOCATION", ada.location.as_str(), "Leeds")
    );

    // Put back: the location before, as a new edit that syncs.
    let put_back = change.put_back.clone().expect("a field can be put back");
    assert_eq!(
        put_back,
        PutBack::Field {
            field: userdesk_model::Field::Location,
            value: ada.location.clone(),
        }
    );
    let details = app.put_back(ada.id, put_back).await.unwrap();
    assert_eq!(details.profile.location, ada.location);
    client.sync(&platform).await;
    assert_eq!(
        platform.server_profiles().await[&ada.id].location,
        ada.location
    );

    // Archived (or activated), moved to the Trash and restored: each a row of its own, the latest first.
    let was_active = ada.status == userdesk_model::ProfileStatus::Active;
    app.set_profile_active(ada.id, !was_active).await.unwrap();
    app.delete_profiles(&Selection::Ids { ids: vec![ada.id] })
        .await
        .unwrap();
    app.restore_profiles(&TrashSelection::Ids { ids: vec![ada.id] })
        .await
        .unwrap();
    client.sync(&platform).await;
    let view = history(app, &platform, ada.id).await;
    let actions: Vec<&str> = view.rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "Restored from the Trash",
            "Moved to the Trash",
            if was_active { "Archived" } else { "Activated" },
            "Edited",
            "Edited",
            "Edited"
        ]
    );
    assert!(view.rows.iter().all(|r| !r.pending));
    assert_eq!(
        view.rows[2].changes[0].put_back,
        Some(PutBack::Active { active: was_active })
    );

    // Offline: the History as last read, and a note that says so.
    platform.server.take().unwrap().stop().await.unwrap();
    client.edit(ada.id, first_name("Augusta")).await;
    let offline = history(app, &platform, ada.id).await;
    assert!(offline
        .note
        .as_deref()
        .unwrap_or_default()
        .starts_with("Offline"));
    assert_eq!(offline.rows.len(), 7);
    assert!(offline.rows[0].pending);
    assert_eq!(offline.rows[0].changes[0].after, "Augusta");
}

#[tokio::test]
async fn without_a_sign_in_history_shows_the_edits_made_here_and_says_so() {
    let platform = Platform::start(2).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let bob: ProfileId = platform.profiles[1].id;
    client.edit(bob, location("Cork")).await;
    let view = app.profile_history(bob).await.unwrap();
    assert_eq!(view.rows.len(), 1);
    assert_eq!(view.rows[0].changes[0].after, "Cork");
    assert!(view.note.unwrap_or_default().starts_with("Not signed in"));
    let unknown = app.profile_history(ProfileId::new()).await.unwrap_err();
    assert_eq!(ApiError::from(unknown).code, ErrorCode::NotFound);
}
