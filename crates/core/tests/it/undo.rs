//! Undo: the last action taken back by a new edit that restores what it replaced, offline or
//! after syncing, leaving a colleague's later value alone.

use crate::platform::*;
use userdesk_model::sync::Op;
use userdesk_model::{ApiError, ErrorCode, ProfilePatch, ProfileStatus};

fn patch(email: Option<&str>, phone: Option<&str>, location: Option<&str>) -> ProfilePatch {
    ProfilePatch {
        email: email.map(str::to_string),
        phone: phone.map(str::to_string),
        location: location.map(str::to_string),
        ..Default::default()
    }
}

#[tokio::test]
async fn undo_puts_back_what_each_action_replaced_latest_first_by_new_edits() {
    let platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let ada = platform
        .profiles
        .iter()
        .find(|p| p.status == ProfileStatus::Active)
        .expect("an active customer")
        .clone();
    assert_eq!(app.undo_available(), None);

    client
        .edit(
            ada.id,
            patch(Some("ada@example.com"), Some("+44 20 7946 0958"), None),
        )
        .await;
    app.set_profile_active(ada.id, false).await.unwrap();
    let next = app.undo_available().expect("something to undo");
    assert_eq!(next.label, format!("Archived {}", ada.username()));

    // The latest first: the Active option, then both fields at once.
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 1);
    assert!(report.kept.is_empty());
    assert_eq!(
        client.profile(ada.id).await.unwrap().status,
        ProfileStatus::Active
    );
    let next = report.next.expect("the edit is next");
    assert!(
        next.label.starts_with("Changed EMAIL and PHONE of "),
        "{}",
        next.label
    );
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 2);
    let now = client.profile(ada.id).await.unwrap();
    assert_eq!(
        (now.email.as_str(), now.phone.as_str()),
        (ada.email.as_str(), ada.phone.as_str())
    );
    assert_eq!(report.next, None);

    // Nothing is rewritten: the edits and their undos all wait to sync, and the server ends
    // with the values from before.
    assert_eq!(app.sync_status().await.unwrap().pending, 4);
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert_eq!(server[&ada.id].email, ada.email);
    assert_eq!(server[&ada.id].status, ProfileStatus::Active);

    let none = app.undo().await.unwrap_err();
    let error = ApiError::from(none);
    assert_eq!(error.code, ErrorCode::InvalidRequest);
    assert!(
        error.message.contains("nothing to undo"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn undo_after_sync_keeps_a_value_a_colleague_set_since_and_says_so() {
    let platform = Platform::start(2).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let bob = platform.profiles[1].clone();
    client
        .edit(bob.id, patch(None, Some("+44 20 7946 0001"), Some("Leeds")))
        .await;
    client.sync(&platform).await;
    // A colleague changes the phone after that; this app pulls it.
    platform
        .push_from_elsewhere(&[Op::ProfilePatch {
            profile_id: bob.id,
            patch: patch(None, Some("+44 20 7946 0002"), None),
            base: None,
        }])
        .await;
    client.sync(&platform).await;

    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 1, "the location is put back");
    assert_eq!(report.kept.len(), 1);
    assert!(
        report.kept[0].what.starts_with("PHONE of "),
        "{:?}",
        report.kept
    );
    assert_eq!(report.kept[0].value, "+442079460002");
    let now = client.profile(bob.id).await.unwrap();
    assert_eq!(now.location, bob.location);
    assert_eq!(now.phone, "+442079460002", "the colleague's value stays");
    client.sync(&platform).await;
    let server = platform.server_profiles().await;
    assert_eq!(server[&bob.id].location, bob.location);
    assert_eq!(server[&bob.id].phone, "+442079460002");
}

#[tokio::test]
async fn an_edit_that_changes_nothing_leaves_nothing_to_undo() {
    let platform = Platform::start(1).await;
    let client = Client::synced(&platform).await;
    let ada = platform.profiles[0].clone();
    client
        .edit(ada.id, patch(None, None, Some(&ada.location)))
        .await;
    client
        .app
        .set_profile_active(ada.id, ada.status == ProfileStatus::Active)
        .await
        .unwrap();
    assert_eq!(client.app.undo_available(), None);
}
