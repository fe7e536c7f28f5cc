//! The first launch's demo workspace: most customers have every section of Details to show, and
//! what follows from their sessions agrees with them; the Goals list, each goal with its bot and
//! how many customers completed it, and the All users table opened on those customers.

use std::collections::BTreeSet;

use userdesk_core::{AppCore, Keychain, OpenOptions};
use userdesk_model::{
    ApiError, ErrorCode, GoalId, ListRequest, ProfileFilter, ProfileId, ProfileStatus,
};

async fn demo(customers: usize) -> (AppCore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let core = AppCore::open(
        &dir.path().join("userdesk.sqlite3"),
        OpenOptions {
            demo_profiles: customers,
            keychain: Some(Keychain::in_memory()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    core.set_time_zone("UTC").await.unwrap();
    (core, dir)
}

/// Every customer the table shows for `filter`, page by page.
async fn shown(core: &AppCore, filter: &ProfileFilter) -> BTreeSet<ProfileId> {
    let mut ids = BTreeSet::new();
    let mut request = ListRequest {
        filter: filter.clone(),
        sort: Default::default(),
        after: None,
        offset: 0,
        limit: 100,
    };
    loop {
        let page = core.list_profiles(&request).await.unwrap();
        ids.extend(page.rows.iter().map(|r| r.id));
        match page.next {
            Some(next) => request.after = Some(next),
            None => return ids,
        }
    }
}

#[tokio::test]
async fn each_goal_shows_its_bot_and_opens_the_customers_who_completed_it() {
    let (core, _dir) = demo(400).await;
    let goals = core.goal_summaries().await.unwrap();
    assert!(goals.len() >= 2, "{goals:?}");
    let names: Vec<String> = goals.iter().map(|g| g.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "by name");

    // Who completed what, as each customer's Details lists it.
    let everyone = shown(&core, &ProfileFilter::default()).await;
    assert_eq!(everyone.len(), 400);
    let mut completed_by: std::collections::BTreeMap<String, BTreeSet<ProfileId>> =
        Default::default();
    for id in &everyone {
        for completion in core.goal_completions(*id).await.unwrap() {
            completed_by
                .entry(format!("{} / {}", completion.goal, completion.bot))
                .or_default()
                .insert(*id);
        }
    }
    assert!(goals.iter().any(|g| g.completed > 0));
    for goal in &goals {
        assert!(!goal.bot.is_empty(), "{goal:?}");
        let expected = completed_by
            .get(&format!("{} / {}", goal.name, goal.bot))
            .cloned()
            .unwrap_or_default();
        assert_eq!(goal.completed, expected.len() as u64, "{goal:?}");

        // Opened from the list: exactly those customers, whatever their status; the count agrees.
        let filter = ProfileFilter {
            goal: Some(goal.id),
            ..Default::default()
        };
        assert_eq!(shown(&core, &filter).await, expected, "{goal:?}");
        assert_eq!(core.count_profiles(&filter).await.unwrap(), goal.completed);

        // The other filters narrow it further, the search too.
        let active = ProfileFilter {
            status: Some(ProfileStatus::Active),
            ..filter.clone()
        };
        let active_shown = shown(&core, &active).await;
        assert!(active_shown.is_subset(&expected));
        assert_eq!(
            core.count_profiles(&active).await.unwrap(),
            active_shown.len() as u64
        );
        if let Some(someone) = expected.iter().next() {
            let email = core.profile_details(*someone).await.unwrap().profile.email;
            let searched = ProfileFilter {
                search: email.clone(),
                ..filter.clone()
            };
            let found = shown(&core, &searched).await;
            assert!(found.contains(someone), "{email}");
            assert!(found.is_subset(&expected));
        }
    }
}

#[tokio::test]
async fn a_goal_that_does_not_exist_is_refused_by_name() {
    let (core, _dir) = demo(50).await;
    let filter = ProfileFilter {
        goal: Some(GoalId::new()),
        ..Default::default()
    };
    let refused = core.count_profiles(&filter).await.unwrap_err();
    let error = ApiError::from(refused);
    assert_eq!(error.code, ErrorCode::NotFound);
    assert!(
        error.message.starts_with("no goal with id"),
        "{}",
        error.message
    );
    let refused = core
        .list_profiles(&ListRequest {
            filter,
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 10,
        })
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(refused).code, ErrorCode::NotFound);
}

#[tokio::test]
async fn every_demo_customers_sessions_takeover_and_device_agree_with_their_bot_sessions() {
    let (core, _dir) = demo(300).await;
    let mut takeovers = 0;
    for id in shown(&core, &ProfileFilter::default()).await {
        let details = core.profile_details(id).await.unwrap();
        let sessions = core
            .bot_sessions(id, "", userdesk_model::SessionOrder::NewestFirst)
            .await
            .unwrap();
        let profile = &details.profile;
        assert_eq!(profile.sessions as usize, sessions.len(), "{profile:?}");
        assert_eq!(
            profile.live_chat_takeover,
            sessions.iter().any(|s| s.live_chat_takeover),
            "{profile:?}"
        );
        let mut devices: Vec<&str> = Vec::new();
        for session in &sessions {
            if !devices.contains(&session.device.as_str()) {
                devices.push(&session.device);
            }
        }
        assert_eq!(profile.device, devices.join(", "), "latest first");
        takeovers += usize::from(profile.live_chat_takeover);
    }
    assert!(takeovers > 0, "some customer had an agent take over");
}

#[tokio::test]
async fn most_demo_customers_have_every_section_of_details_to_show() {
    let (core, _dir) = demo(400).await;
    let everyone = shown(&core, &ProfileFilter::default()).await;
    let (mut sessions, mut goals, mut notes, mut segments, mut properties) = (0, 0, 0, 0, 0);
    for id in &everyone {
        let id = *id;
        let has = |n: usize| usize::from(n > 0);
        sessions += has(core
            .bot_sessions(id, "", userdesk_model::SessionOrder::NewestFirst)
            .await
            .unwrap()
            .len());
        goals += has(core.goal_completions(id).await.unwrap().len());
        notes += has(core.notes(id).await.unwrap().len());
        segments += has(core.profile_segments(id).await.unwrap().len());
        properties += has(core.profile_properties(id).await.unwrap().len());
    }
    let most = everyone.len() / 2;
    for (section, count) in [
        ("Bot sessions", sessions),
        ("Goal completions", goals),
        ("User notes", notes),
        ("Segments", segments),
        ("properties", properties),
    ] {
        assert!(count > most, "{section}: {count} of {}", everyone.len());
    }
}

#[tokio::test]
async fn a_customer_in_the_trash_leaves_the_goals_counts_until_restored() {
    let (core, _dir) = demo(200).await;
    let before = core.goal_summaries().await.unwrap();
    let goal = before
        .iter()
        .find(|g| g.completed > 0)
        .expect("a goal someone completed")
        .clone();
    let filter = ProfileFilter {
        goal: Some(goal.id),
        ..Default::default()
    };
    let completers: Vec<ProfileId> = shown(&core, &filter).await.into_iter().collect();
    let gone = completers[0];
    core.delete_profiles(&userdesk_model::Selection::Ids { ids: vec![gone] })
        .await
        .unwrap();
    let count = |summaries: Vec<userdesk_model::GoalSummary>| {
        summaries
            .into_iter()
            .find(|g| g.id == goal.id)
            .map(|g| g.completed)
    };
    let now = count(core.goal_summaries().await.unwrap());
    assert_eq!(now, Some(goal.completed - 1));
    assert_eq!(
        core.count_profiles(&filter).await.unwrap(),
        goal.completed - 1,
        "the count opens as many rows"
    );
    core.restore_profiles(&userdesk_model::TrashSelection::All)
        .await
        .unwrap();
    assert_eq!(
        count(core.goal_summaries().await.unwrap()),
        Some(goal.completed)
    );
}
