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

#[tokio::test]
async fn undo_takes_hand_picked_members_out_again_or_back_in() {
    let platform = Platform::start(4).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let ids: Vec<_> = platform.profiles.iter().map(|p| p.id).collect();
    let vip = app
        .create_segment(
            userdesk_model::SegmentDraft {
                name: "VIP".into(),
                description: String::new(),
                rules: Vec::new(),
            },
            &[ids[0]],
        )
        .await
        .unwrap();
    let pick = |n: &[usize]| userdesk_model::Selection::Ids {
        ids: n.iter().map(|i| ids[*i]).collect(),
    };
    // Adding one already in counts only the new ones.
    app.add_to_segment(vip.id, &pick(&[0, 1, 2])).await.unwrap();
    assert_eq!(
        app.undo_available().unwrap().label,
        "Added 2 customers to VIP"
    );
    app.remove_from_segment(vip.id, &pick(&[0])).await.unwrap();
    assert_eq!(
        app.undo_available().unwrap().label,
        "Took 1 customer out of VIP"
    );

    let mut expected = vec![ids[0], ids[1], ids[2]];
    expected.sort();
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 1);
    assert_eq!(
        segment_members(app, vip.id).await,
        expected,
        "the one taken out is back"
    );
    // The manager takes one out again and undoes that too; then the addition goes whole.
    app.remove_from_segment(vip.id, &pick(&[2])).await.unwrap();
    app.undo().await.unwrap();
    let report = app.undo().await.unwrap();
    assert_eq!(report.label, "Added 2 customers to VIP");
    assert_eq!(report.restored, 2);
    assert_eq!(segment_members(app, vip.id).await, vec![ids[0]]);
    client.sync(&platform).await;
    assert_eq!(app.sync_status().await.unwrap().pending, 0);
}

/// The segment's members, of either status, as the All users table lists them.
async fn segment_members(
    app: &userdesk_core::AppCore,
    segment: userdesk_model::SegmentId,
) -> Vec<userdesk_model::ProfileId> {
    let page = app
        .list_profiles(&userdesk_model::ListRequest {
            filter: userdesk_model::ProfileFilter {
                segment: Some(segment),
                ..Default::default()
            },
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    let mut ids: Vec<_> = page.rows.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn undo_takes_back_a_segments_change_then_its_creation() {
    let platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let app = &client.app;
    let ids: Vec<_> = platform.profiles.iter().map(|p| p.id).collect();
    let draft = |name: &str| userdesk_model::SegmentDraft {
        name: name.into(),
        description: "Called back".into(),
        rules: Vec::new(),
    };
    let vip = app.create_segment(draft("VIP"), &ids[..2]).await.unwrap();
    assert_eq!(
        app.undo_available().map(|u| u.label),
        Some("Created segment VIP".to_string())
    );
    app.update_segment(vip.id, draft("VIP customers"))
        .await
        .unwrap();
    client.sync(&platform).await;

    // After sync too: the change first, then the creation.
    let report = app.undo().await.unwrap();
    assert_eq!(report.label, "Changed segment VIP customers");
    assert_eq!(report.restored, 1);
    let names: Vec<String> = app
        .segments("")
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["VIP"]);
    let report = app.undo().await.unwrap();
    assert_eq!(report.label, "Created segment VIP");
    assert_eq!(report.restored, 1);
    assert!(app.segments("").await.unwrap().is_empty());
    client.sync(&platform).await;
    let rejections = app.store().rejections().await.unwrap();
    assert!(rejections.is_empty(), "{rejections:?}");
    assert!(app.segments("").await.unwrap().is_empty());

    // A segment deleted by hand since: Undo says so and changes nothing.
    let old = app.create_segment(draft("Old"), &[]).await.unwrap();
    app.delete_segment(old.id).await.unwrap();
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 0);
    assert_eq!(report.kept[0].reason.as_deref(), Some("deleted already"));
}
