//! Segments: hand-picked or described by rules (goal completed or not, a property's value,
//! status, last seen) evaluated on the local store, listed with their member counts, opened in
//! the All users table, renamed and deleted, offline first and synced through the real server
//! on loopback.

use std::collections::BTreeSet;

use crate::platform::*;
use userdesk_core::{window_start, CoreError};
use userdesk_model::{
    ApiError, BotSession, ErrorCode, Goal, GoalCompletion, GoalCompletionId, GoalId,
    LastSeenWindow, ListRequest, Platform as Channel, ProfileFilter, ProfileId, ProfileStatus,
    PropertyDraft, PropertyFormat, RuleOperator, SegmentDraft, SegmentId, SegmentRule, SegmentView,
    Selection, SessionId, SortOrder,
};
use userdesk_server::storage::PlatformBatch;

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

fn named(name: &str, rules: Vec<SegmentRule>) -> SegmentDraft {
    SegmentDraft {
        name: name.into(),
        description: String::new(),
        rules,
    }
}

/// Every customer of either status in the segment, as the All users table lists them.
async fn members_in_table(client: &Client, segment: SegmentId) -> BTreeSet<ProfileId> {
    let filter = ProfileFilter {
        status: None,
        segment: Some(segment),
        ..Default::default()
    };
    let page = client
        .app
        .list_profiles_at(
            &ListRequest {
                filter: filter.clone(),
                sort: SortOrder::default(),
                after: None,
                offset: 0,
                limit: 1000,
            },
            now(),
        )
        .await
        .unwrap();
    let ids: BTreeSet<ProfileId> = page.rows.iter().map(|r| r.id).collect();
    let counted = client.app.count_profiles_at(&filter, now()).await.unwrap();
    assert_eq!(counted, ids.len() as u64, "the count agrees with the rows");
    ids
}

fn set_of(ids: &[ProfileId]) -> BTreeSet<ProfileId> {
    ids.iter().copied().collect()
}

async fn segment_named(client: &Client, name: &str) -> SegmentView {
    client
        .app
        .segments_at("", now())
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no segment {name}"))
}

#[tokio::test]
async fn a_hand_picked_segment_opens_in_the_table_and_syncs() {
    let platform = Platform::start(5).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let vip = ann
        .app
        .create_segment(
            SegmentDraft {
                description: " Our best customers ".into(),
                ..named(" VIP ", Vec::new())
            },
            &[ids[0], ids[1], ids[0]],
        )
        .await
        .unwrap();
    assert_eq!(vip.name, "VIP");
    assert_eq!(vip.description, "Our best customers");
    assert_eq!(vip.members, 2, "a customer picked twice counts once");
    assert!(vip.pending);
    assert_eq!(members_in_table(&ann, vip.id).await, set_of(&ids[..2]));

    // Details lists the segment on its members only.
    let of = |i: usize| {
        let app = &ann.app;
        let id = ids[i];
        async move { app.profile_segments(id).await.unwrap() }
    };
    assert_eq!(of(0).await.len(), 1);
    assert_eq!(of(0).await[0].name, "VIP");
    assert!(of(2).await.is_empty());

    // The search still applies within the segment.
    let first = &platform.profiles[0];
    let within = ann
        .app
        .count_profiles_at(
            &ProfileFilter {
                status: None,
                segment: Some(vip.id),
                search: first.email.clone(),
                ..Default::default()
            },
            now(),
        )
        .await
        .unwrap();
    assert_eq!(within, 1);

    ann.sync(&platform).await;
    assert!(!segment_named(&ann, "VIP").await.pending);
    bob.sync(&platform).await;
    let seen = segment_named(&bob, "VIP").await;
    assert_eq!(seen.members, 2);
    assert_eq!(members_in_table(&bob, vip.id).await, set_of(&ids[..2]));

    // Renamed by one manager, it is renamed for the other.
    bob.app
        .update_segment(vip.id, named("Key accounts", Vec::new()))
        .await
        .unwrap();
    bob.sync(&platform).await;
    ann.sync(&platform).await;
    let renamed = ann.app.segments_at("key", now()).await.unwrap();
    assert_eq!(renamed.len(), 1);
    assert_eq!(renamed[0].id, vip.id);
    assert_eq!(renamed[0].members, 2);

    // Deleted: gone from the list and the filter; the customers stay.
    ann.app.delete_segment(vip.id).await.unwrap();
    assert!(ann.app.segments_at("", now()).await.unwrap().is_empty());
    let filter = ProfileFilter {
        segment: Some(vip.id),
        ..Default::default()
    };
    assert_eq!(
        code(ann.app.count_profiles(&filter).await.unwrap_err()),
        ErrorCode::NotFound
    );
    assert!(of(0).await.is_empty());
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    assert!(bob.app.segments_at("", now()).await.unwrap().is_empty());
    assert_eq!(
        bob.app
            .count_profiles(&ProfileFilter::default())
            .await
            .unwrap(),
        5
    );
}

#[tokio::test]
async fn rules_are_evaluated_on_the_local_store() {
    let platform = Platform::start(6).await;
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let goal = Goal {
        id: GoalId::new(),
        name: "Refund requested".into(),
        bot: "Support Bot".into(),
    };
    let session = |profile: ProfileId| BotSession {
        id: SessionId::new(),
        profile_id: profile,
        bot: "Support Bot".into(),
        platform: Channel::Desktop,
        device: "Firefox 131".into(),
        started_at: now(),
        ended_at: now(),
        goal_completed: true,
        live_chat_takeover: false,
    };
    let sessions = vec![session(ids[0]), session(ids[1]), session(ids[0])];
    let completions = sessions
        .iter()
        .map(|s| GoalCompletion {
            id: GoalCompletionId::new(),
            goal_id: goal.id,
            profile_id: s.profile_id,
            session_id: s.id,
            completed_at: now(),
        })
        .collect();
    platform
        .insert(&PlatformBatch {
            goals: vec![goal.clone()],
            sessions,
            goal_completions: completions,
            ..Default::default()
        })
        .await;
    let ann = Client::synced(&platform).await;
    assert_eq!(ann.app.goals().await.unwrap(), std::slice::from_ref(&goal));

    let seats = ann
        .app
        .create_property(PropertyDraft {
            name: "Seats".into(),
            description: String::new(),
            format: PropertyFormat::Number,
            choices: Vec::new(),
        })
        .await
        .unwrap();
    for (i, value) in [(0, "10"), (1, "3"), (2, "25.0")] {
        ann.app
            .set_profile_property(ids[i], seats.id, Some(value))
            .await
            .unwrap();
    }
    for id in &ids {
        ann.app.set_profile_active(*id, true).await.unwrap();
    }
    ann.app.set_profile_active(ids[3], false).await.unwrap();

    let seats_rule = |operator, value: &str| SegmentRule::Property {
        property_id: seats.id,
        operator,
        value: value.into(),
    };
    let refunded = SegmentRule::Goal {
        goal_id: goal.id,
        completed: true,
    };
    let cases: Vec<(&str, Vec<SegmentRule>, Vec<usize>)> = vec![
        (
            "Big",
            vec![seats_rule(RuleOperator::GreaterThan, "5")],
            vec![0, 2],
        ),
        (
            "Small",
            vec![seats_rule(RuleOperator::LessThan, "5")],
            vec![1],
        ),
        (
            "Exactly 25",
            vec![seats_rule(RuleOperator::Equals, "25")],
            vec![2],
        ),
        (
            "Not 25",
            vec![seats_rule(RuleOperator::NotEquals, "25")],
            vec![0, 1, 3, 4, 5],
        ),
        (
            "Counted",
            vec![seats_rule(RuleOperator::IsSet, "")],
            vec![0, 1, 2],
        ),
        (
            "Uncounted",
            vec![seats_rule(RuleOperator::IsNotSet, "")],
            vec![3, 4, 5],
        ),
        ("Refunded", vec![refunded.clone()], vec![0, 1]),
        (
            "Never refunded",
            vec![SegmentRule::Goal {
                goal_id: goal.id,
                completed: false,
            }],
            vec![2, 3, 4, 5],
        ),
        (
            "Archived",
            vec![SegmentRule::Status {
                status: ProfileStatus::Archived,
            }],
            vec![3],
        ),
        (
            "Big and refunded",
            vec![refunded.clone(), seats_rule(RuleOperator::GreaterThan, "5")],
            vec![0],
        ),
    ];
    for (name, rules, expected) in &cases {
        let made = ann
            .app
            .create_segment(named(name, rules.clone()), &[])
            .await
            .unwrap();
        let expected: Vec<ProfileId> = expected.iter().map(|i| ids[*i]).collect();
        assert_eq!(made.members, expected.len() as u64, "{name}");
        assert_eq!(
            members_in_table(&ann, made.id).await,
            set_of(&expected),
            "{name}"
        );
    }

    // Hand-picked members belong whatever the rules say.
    let picked = ann
        .app
        .create_segment(named("Refunded or picked", vec![refunded]), &[ids[5]])
        .await
        .unwrap();
    assert_eq!(
        members_in_table(&ann, picked.id).await,
        set_of(&[ids[0], ids[1], ids[5]])
    );

    // Last seen counts back from midnight in the manager's zone.
    ann.app.set_time_zone("Pacific/Auckland").await.unwrap();
    let recent = ann
        .app
        .create_segment(
            named(
                "Seen this week",
                vec![SegmentRule::LastSeen {
                    window: LastSeenWindow::Last7Days,
                }],
            ),
            &[],
        )
        .await
        .unwrap();
    let since = window_start(
        LastSeenWindow::Last7Days,
        now(),
        chrono_tz::Pacific::Auckland,
    )
    .unwrap();
    let expected: BTreeSet<ProfileId> = platform
        .profiles
        .iter()
        .filter(|p| p.last_seen_at >= since)
        .map(|p| p.id)
        .collect();
    assert_eq!(members_in_table(&ann, recent.id).await, expected);

    // A value changed here moves the customer between segments at once.
    ann.app
        .set_profile_property(ids[1], seats.id, Some("7"))
        .await
        .unwrap();
    assert_eq!(segment_named(&ann, "Big").await.members, 3);
    assert_eq!(segment_named(&ann, "Small").await.members, 0);
    let of_second = ann
        .app
        .profile_segments(ids[1])
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect::<Vec<_>>();
    assert!(of_second.contains(&"Big".to_string()), "{of_second:?}");
    assert!(!of_second.contains(&"Small".to_string()), "{of_second:?}");

    // Everything syncs: a colleague's app counts the same members.
    ann.sync(&platform).await;
    let bob = Client::synced(&platform).await;
    for (name, ..) in &cases {
        assert_eq!(
            segment_named(&bob, name).await.members,
            segment_named(&ann, name).await.members,
            "{name}"
        );
    }
}

#[tokio::test]
async fn bad_segments_are_refused_and_change_nothing() {
    let platform = Platform::start(2).await;
    let ann = Client::synced(&platform).await;
    let plan = ann
        .app
        .create_property(PropertyDraft {
            name: "Plan".into(),
            description: String::new(),
            format: PropertyFormat::Choice,
            choices: vec!["Free".into(), "Pro".into()],
        })
        .await
        .unwrap();
    let seats = ann
        .app
        .create_property(PropertyDraft {
            name: "Seats".into(),
            description: String::new(),
            format: PropertyFormat::Number,
            choices: Vec::new(),
        })
        .await
        .unwrap();
    ann.app
        .create_segment(named("Pro", Vec::new()), &[])
        .await
        .unwrap();
    let queued = ann.app.sync_status().await.unwrap().pending;
    let rule = |property_id, operator, value: &str| SegmentRule::Property {
        property_id,
        operator,
        value: value.into(),
    };
    let cases: Vec<(SegmentDraft, Vec<ProfileId>, ErrorCode)> = vec![
        (
            named("   ", Vec::new()),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named("pro", Vec::new()),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named("x".repeat(501).as_str(), Vec::new()),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named("Gold", vec![rule(plan.id, RuleOperator::Equals, "Gold")]),
            Vec::new(),
            ErrorCode::Validation,
        ),
        (
            named(
                "Many",
                vec![rule(seats.id, RuleOperator::GreaterThan, "many")],
            ),
            Vec::new(),
            ErrorCode::Validation,
        ),
        (
            named("Pro-ish", vec![rule(plan.id, RuleOperator::Contains, "Pr")]),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named(
                "Bigger plan",
                vec![rule(plan.id, RuleOperator::GreaterThan, "Free")],
            ),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named(
                "Ghost property",
                vec![rule(
                    "0190a0a0-0000-7000-8000-000000000000".parse().unwrap(),
                    RuleOperator::IsSet,
                    "",
                )],
            ),
            Vec::new(),
            ErrorCode::NotFound,
        ),
        (
            named(
                "Ghost goal",
                vec![SegmentRule::Goal {
                    goal_id: GoalId::new(),
                    completed: true,
                }],
            ),
            Vec::new(),
            ErrorCode::InvalidRequest,
        ),
        (
            named("Strangers", Vec::new()),
            vec![ProfileId::new()],
            ErrorCode::NotFound,
        ),
    ];
    for (draft, members, expected) in cases {
        let name = draft.name.clone();
        let err = ann
            .app
            .create_segment(draft, &members)
            .await
            .expect_err(&name);
        assert_eq!(code(err), expected, "{name:?}");
    }
    assert_eq!(ann.app.sync_status().await.unwrap().pending, queued);
    assert_eq!(ann.app.segments_at("", now()).await.unwrap().len(), 1);

    let unknown = SegmentId::new();
    assert_eq!(
        code(ann.app.delete_segment(unknown).await.unwrap_err()),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            ann.app
                .update_segment(unknown, named("Anything", Vec::new()))
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn customers_are_added_to_a_segment_and_hand_picked_ones_taken_out() {
    let platform = Platform::start(6).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let vip = ann
        .app
        .create_segment(named("VIP", Vec::new()), &ids[..1])
        .await
        .unwrap();
    let active = ann
        .app
        .create_segment(
            named(
                "Active ones",
                vec![SegmentRule::Status {
                    status: ProfileStatus::Active,
                }],
            ),
            &[],
        )
        .await
        .unwrap();
    ann.sync(&platform).await;

    // "Add to segment" over a selection: the one already there is left as it is.
    let added = ann
        .app
        .add_to_segment(
            vip.id,
            &Selection::Ids {
                ids: vec![ids[0], ids[2], ids[3]],
            },
        )
        .await
        .unwrap();
    assert_eq!(added.members, 3);
    assert!(added.pending);
    assert_eq!(
        members_in_table(&ann, vip.id).await,
        set_of(&[ids[0], ids[2], ids[3]])
    );
    // Details says which the customer was added to by hand (and can be taken out of there).
    let of_third: Vec<(String, Option<bool>)> = ann
        .app
        .profile_segments(ids[2])
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.name, s.handpicked))
        .collect();
    assert_eq!(
        of_third,
        [
            ("Active ones".to_string(), Some(false)),
            ("VIP".to_string(), Some(true))
        ]
    );
    // Over a filter: resolved now.
    let first = &platform.profiles[4];
    ann.app
        .add_to_segment(
            vip.id,
            &Selection::Filter {
                filter: ProfileFilter {
                    status: None,
                    search: first.email.clone(),
                    ..Default::default()
                },
            },
        )
        .await
        .unwrap();
    assert_eq!(members_in_table(&ann, vip.id).await.len(), 4);

    // Taken out by hand (the segment's table view, or Details).
    let after = ann
        .app
        .remove_from_segment(vip.id, &Selection::Ids { ids: vec![ids[2]] })
        .await
        .unwrap();
    assert_eq!(after.members, 3);
    assert!(!members_in_table(&ann, vip.id).await.contains(&ids[2]));

    // Refused, nothing changed: nobody selected, an unknown customer, a member by the rules.
    assert_eq!(
        code(
            ann.app
                .add_to_segment(vip.id, &Selection::Ids { ids: Vec::new() })
                .await
                .unwrap_err()
        ),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(
            ann.app
                .add_to_segment(
                    vip.id,
                    &Selection::Ids {
                        ids: vec![ProfileId::new()]
                    }
                )
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
    let by_rules = ann
        .app
        .remove_from_segment(active.id, &Selection::Ids { ids: vec![ids[1]] })
        .await
        .unwrap_err();
    let said = by_rules.to_string();
    assert_eq!(code(by_rules), ErrorCode::InvalidRequest);
    assert!(
        said.contains("was not added to \"Active ones\" by hand"),
        "{said}"
    );
    assert!(members_in_table(&ann, active.id).await.contains(&ids[1]));
    assert_eq!(members_in_table(&ann, vip.id).await.len(), 3);

    // Synced: the colleague sees the same members.
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    assert_eq!(
        members_in_table(&bob, vip.id).await,
        members_in_table(&ann, vip.id).await
    );
    assert!(!segment_named(&ann, "VIP").await.pending);
}
