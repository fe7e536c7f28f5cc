//! One customer's details: reading, editing, validation that changes nothing, hostile strings,
//! and the store itself (a real SQLite file that survives a restart).

use crate::common::{fixture, fixture_profiles, now};
use userdesk_core::{AppCore, CoreError, OpenOptions};
use userdesk_model::{
    ApiError, ErrorCode, Field, ListRequest, ProfileFilter, ProfilePatch, ProfileStatus,
    SessionOrder, SortColumn, SortOrder,
};

fn phone(p: &str) -> ProfilePatch {
    ProfilePatch {
        phone: Some(p.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn details_show_times_in_the_managers_time_zone() {
    let f = fixture(5).await;
    let p = &f.profiles[0];
    let id = p.id;
    let utc = f.app.profile_details(id).await.unwrap();
    assert_eq!(utc.profile, *p);
    assert_eq!(utc.username, p.username());
    assert_eq!(utc.time_zone, "UTC");
    f.app.set_time_zone("Asia/Kolkata").await.unwrap();
    let kolkata = f.app.profile_details(id).await.unwrap();
    assert_eq!(kolkata.time_zone, "Asia/Kolkata");
    let expected = p
        .created_at
        .with_timezone(&chrono_tz::Asia::Kolkata)
        .format("%b %-d, %Y %H:%M");
    assert_eq!(kolkata.created, expected.to_string());
    assert_ne!(kolkata.created, utc.created);
}

#[tokio::test]
async fn a_valid_edit_is_saved_normalised_and_renames_the_username() {
    let f = fixture(5).await;
    let id = f.profiles[1].id;
    let saved = f
        .app
        .patch_profile(
            id,
            ProfilePatch {
                first_name: Some("Grace".into()),
                last_name: Some("Hopper".into()),
                phone: Some("+1 (415) 555-2671".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(saved.profile.phone, "+14155552671");
    assert_eq!(saved.username, "Grace Hopper");
    let read = f.app.profile_details(id).await.unwrap();
    assert_eq!(read, saved);
    // The table's username column, and the search index, follow the edit.
    let filter = ProfileFilter {
        search: "grace hop".into(),
        status: None,
        ..Default::default()
    };
    let request = ListRequest {
        filter,
        sort: SortOrder::default(),
        after: None,
        offset: 0,
        limit: 10,
    };
    let page = f.app.list_profiles_at(&request, now()).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].username, "Grace Hopper");
    assert_eq!(page.rows[0].phone, "+14155552671");
}

#[tokio::test]
async fn an_invalid_field_is_named_and_nothing_is_saved() {
    let f = fixture(5).await;
    let id = f.profiles[2].id;
    let before = f.app.profile_details(id).await.unwrap();
    // A valid name alongside an invalid phone: the whole change is refused.
    let err = f
        .app
        .patch_profile(
            id,
            ProfilePatch {
                first_name: Some("Changed".into()),
                ..phone("12345")
            },
        )
        .await
        .unwrap_err();
    let api = ApiError::from(err);
    assert_eq!(api.code, ErrorCode::Validation);
    assert_eq!(api.fields.len(), 1);
    assert_eq!(api.fields[0].field, Field::Phone);
    assert!(api.message.starts_with("phone: "), "{}", api.message);
    assert_eq!(f.app.profile_details(id).await.unwrap(), before);
    // Nothing is queued for the server either.
    assert!(f.app.store().outbox().await.unwrap().is_empty());

    let err = f
        .app
        .patch_profile(
            id,
            ProfilePatch {
                email: Some("not-an-email".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, CoreError::Validation(e) if e.0[0].field == Field::Email));
    assert_eq!(f.app.profile_details(id).await.unwrap(), before);
}

#[tokio::test]
async fn deactivating_a_profile_moves_it_under_archived_and_queues_one_edit() {
    let f = fixture(6).await;
    let p = &f.profiles[2];
    let id = p.id;
    let under = |status| ProfileFilter {
        status: Some(status),
        ..Default::default()
    };
    let (active, archived) = (
        f.app
            .count_profiles(&under(ProfileStatus::Active))
            .await
            .unwrap(),
        f.app
            .count_profiles(&under(ProfileStatus::Archived))
            .await
            .unwrap(),
    );
    let status_before = p.status;
    if status_before == ProfileStatus::Archived {
        f.app.set_profile_active(id, true).await.unwrap();
    }
    let pending = f.app.sync_status().await.unwrap().pending;

    let saved = f.app.set_profile_active(id, false).await.unwrap();
    assert_eq!(saved.profile.status, ProfileStatus::Archived);
    assert_eq!(f.app.profile_details(id).await.unwrap(), saved);
    let listed = |status| {
        let app = &f.app;
        async move {
            let request = ListRequest {
                filter: under(status),
                sort: SortOrder::default(),
                after: None,
                offset: 0,
                limit: 100,
            };
            let page = app.list_profiles(&request).await.unwrap();
            page.rows.iter().any(|row| row.id == p.id)
        }
    };
    assert!(!listed(ProfileStatus::Active).await);
    assert!(listed(ProfileStatus::Archived).await);
    let shift = u64::from(status_before == ProfileStatus::Active);
    assert_eq!(
        f.app
            .count_profiles(&under(ProfileStatus::Active))
            .await
            .unwrap(),
        active - shift
    );
    assert_eq!(
        f.app
            .count_profiles(&under(ProfileStatus::Archived))
            .await
            .unwrap(),
        archived + shift
    );
    assert_eq!(f.app.sync_status().await.unwrap().pending, pending + 1);
    // Archiving it again changes nothing and queues nothing.
    f.app.set_profile_active(id, false).await.unwrap();
    assert_eq!(f.app.sync_status().await.unwrap().pending, pending + 1);
    // And back.
    let back = f.app.set_profile_active(id, true).await.unwrap();
    assert_eq!(back.profile.status, ProfileStatus::Active);
    assert!(listed(ProfileStatus::Active).await);
    assert_eq!(f.app.sync_status().await.unwrap().pending, pending + 2);
    let missing = userdesk_model::ProfileId::new();
    let err = ApiError::from(f.app.set_profile_active(missing, false).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn unknown_or_malformed_ids_get_specific_errors() {
    let f = fixture(1).await;
    let missing = userdesk_model::ProfileId::new();
    let err = ApiError::from(f.app.profile_details(missing).await.unwrap_err());
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = ApiError::from(
        f.app
            .patch_profile(missing, phone("+14155552671"))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn an_unknown_time_zone_is_refused_and_the_old_one_kept() {
    let f = fixture(1).await;
    f.app.set_time_zone("Europe/Berlin").await.unwrap();
    let err = ApiError::from(f.app.set_time_zone("Europe/Atlantis").await.unwrap_err());
    assert_eq!(err.code, ErrorCode::InvalidTimeZone);
    assert_eq!(f.app.time_zone().name(), "Europe/Berlin");
}

#[tokio::test]
async fn every_hostile_string_is_stored_byte_exact_and_found_by_search() {
    let raw = include_str!("../data/blns.json");
    let strings: Vec<String> = serde_json::from_str(raw).unwrap();
    assert!(strings.len() > 500);
    let f = fixture(0).await;
    let mut profiles = fixture_profiles(strings.len());
    for p in profiles.iter_mut() {
        p.first_name = String::new();
        p.last_name = String::new();
        p.location = String::new();
    }
    f.app.store().insert_profiles(&profiles).await.unwrap();
    for (p, s) in profiles.iter().zip(&strings) {
        let id = p.id;
        // Through the same validated edit a manager makes.
        let patch = ProfilePatch {
            first_name: Some(s.clone()),
            location: Some(s.clone()),
            ..Default::default()
        };
        let saved = f
            .app
            .patch_profile(id, patch)
            .await
            .unwrap_or_else(|e| panic!("{s:?}: {e}"));
        assert_eq!(saved.profile.first_name.as_bytes(), s.as_bytes());
        let read = f.app.profile_details(id).await.unwrap();
        assert_eq!(read.profile.first_name.as_bytes(), s.as_bytes(), "{s:?}");
        assert_eq!(read.profile.location.as_bytes(), s.as_bytes(), "{s:?}");
    }
    // Found by the in-memory search index, and by SQLite alone.
    for column in SortColumn::ALL {
        f.app.prepare_sort(column).await.unwrap();
    }
    let sqlite_only = AppCore::open(
        &f.path(),
        OpenOptions {
            sqlite_search_only: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    sqlite_only.set_time_zone("UTC").await.unwrap();
    for app in [&f.app, &sqlite_only] {
        for (p, s) in profiles.iter().zip(&strings) {
            let mut after = None;
            let mut found = false;
            loop {
                let request = ListRequest {
                    filter: ProfileFilter {
                        search: s.clone(),
                        status: None,
                        ..Default::default()
                    },
                    sort: SortOrder::default(),
                    after: after.take(),
                    offset: 0,
                    limit: 1000,
                };
                let page = app
                    .list_profiles_at(&request, now())
                    .await
                    .unwrap_or_else(|e| panic!("{s:?}: {e}"));
                found |= page.rows.iter().any(|r| r.id == p.id);
                match page.next {
                    Some(next) if !found => after = Some(next),
                    _ => break,
                }
            }
            assert!(found, "searching {s:?} does not find the profile named so");
        }
    }
}

#[tokio::test]
async fn saved_edits_survive_closing_and_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userdesk.sqlite3");
    let options = OpenOptions {
        demo_profiles: 300,
        ..Default::default()
    };
    let app = AppCore::open(&path, options.clone()).await.unwrap();
    assert_eq!(app.store().profile_total().await.unwrap(), 300);
    let id = app
        .list_profiles(&ListRequest {
            filter: Default::default(),
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 1,
        })
        .await
        .unwrap()
        .rows[0]
        .id;
    app.patch_profile(id, phone("+44 20 7946 0958"))
        .await
        .unwrap();
    app.set_time_zone("America/Sao_Paulo").await.unwrap();
    app.store().close().await;
    drop(app);

    // Demo data is added on the very first launch only.
    let app = AppCore::open(&path, options).await.unwrap();
    assert_eq!(app.store().profile_total().await.unwrap(), 300);
    assert_eq!(
        app.profile_details(id).await.unwrap().profile.phone,
        "+442079460958"
    );
    assert_eq!(app.time_zone().name(), "America/Sao_Paulo");
}

#[tokio::test]
async fn a_brand_new_store_shows_the_whole_platform_story() {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        demo_profiles: 200,
        sqlite_search_only: true,
        ..Default::default()
    };
    let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
        .await
        .unwrap();
    let rows = app
        .list_profiles(&ListRequest {
            filter: Default::default(),
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 500,
        })
        .await
        .unwrap()
        .rows;
    assert!(rows.len() > 150, "the active ones of 200: {}", rows.len());
    let (mut completions, mut notes, mut properties, mut segments) = (0, 0, 0, 0);
    for row in &rows {
        let details = app.profile_details(row.id).await.unwrap();
        let sessions = app
            .bot_sessions(row.id, "", SessionOrder::NewestFirst)
            .await
            .unwrap();
        // SESSIONS says how many bot sessions Details lists.
        assert_eq!(details.profile.sessions as usize, sessions.len());
        let conversation = app.conversation(sessions[0].id).await.unwrap();
        assert!(!conversation.messages.is_empty());
        completions += usize::from(!app.goal_completions(row.id).await.unwrap().is_empty());
        notes += usize::from(!app.notes(row.id).await.unwrap().is_empty());
        properties += usize::from(!app.profile_properties(row.id).await.unwrap().is_empty());
        segments += usize::from(!app.profile_segments(row.id).await.unwrap().is_empty());
    }
    assert!(
        completions > rows.len() / 5,
        "goal completions: {completions}"
    );
    assert!(properties > rows.len() / 2, "properties: {properties}");
    assert!(
        notes > 0 && segments > 0,
        "notes {notes}, segments {segments}"
    );
    assert_eq!(app.goals().await.unwrap().len(), 4);
    assert_eq!(app.segments("").await.unwrap().len(), 4);
}
