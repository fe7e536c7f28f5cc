//! The demo workspace: deterministic, realistic, and served like any other.

use std::collections::BTreeSet;

use crate::common::{Backend, TestServer};
use chrono::{TimeZone, Utc};
use userdesk_model::sync::{ClientId, Entity, PatchOp};
use userdesk_model::ProfilePatch;
use userdesk_server::seed::{seed_workspace, SeedOptions};

fn options(seed: u64) -> SeedOptions {
    SeedOptions {
        profiles: 300,
        seed,
        anchor: Utc.with_ymd_and_hms(2026, 11, 28, 0, 0, 0).unwrap(),
        conversations: true,
        batch: 128,
    }
}

/// Every record of the seeded workspace as pulled, as comparable text.
async fn seeded(
    seed: u64,
) -> (
    BTreeSet<String>,
    Vec<PatchOp>,
    userdesk_server::seed::SeedSummary,
) {
    let server = TestServer::with_limits(Backend::Sqlite, TestServer::roomy(), 0).await;
    let summary = seed_workspace(server.storage.as_ref(), server.a.id, &options(seed))
        .await
        .unwrap();
    let (patch, _, _) = server
        .pull_all(&server.a.agent, ClientId::new(), None, 5000)
        .await;
    let records = patch
        .iter()
        .map(|op| serde_json::to_string(op).unwrap())
        .collect();
    (records, patch, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_seed_gives_the_same_workspace_and_another_seed_another() {
    let (first, _, _) = seeded(7).await;
    let (again, _, _) = seeded(7).await;
    let (other, _, _) = seeded(8).await;
    assert_eq!(first, again);
    assert!(first.intersection(&other).count() < first.len() / 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_workspace_has_every_kind_of_record_a_manager_sees() {
    let (_, patch, summary) = seeded(11).await;
    let entities: Vec<&Entity> = patch
        .iter()
        .filter_map(|op| match op {
            PatchOp::Put(e) => Some(e),
            PatchOp::Delete(_) => None,
        })
        .collect();
    assert_eq!(entities.len(), patch.len(), "nothing deleted");
    let count = |f: fn(&Entity) -> bool| entities.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, Entity::Profile(_))), 300);
    assert_eq!(count(|e| matches!(e, Entity::Profile(_))), summary.profiles);
    assert_eq!(count(|e| matches!(e, Entity::Session(_))), summary.sessions);
    assert_eq!(count(|e| matches!(e, Entity::Message(_))), summary.messages);
    assert_eq!(
        count(|e| matches!(e, Entity::GoalCompletion(_))),
        summary.goal_completions
    );
    assert_eq!(
        count(|e| matches!(e, Entity::PropertyValue(_))),
        summary.property_values
    );
    assert_eq!(count(|e| matches!(e, Entity::Note(_))), summary.notes);
    assert_eq!(
        count(|e| matches!(e, Entity::SegmentMember(_))),
        summary.segment_members
    );
    assert_eq!(count(|e| matches!(e, Entity::Property(_))), 5);
    assert_eq!(count(|e| matches!(e, Entity::Goal(_))), 4);
    assert_eq!(count(|e| matches!(e, Entity::Segment(_))), 4);
    assert!(summary.sessions >= 300 && summary.messages >= 2 * summary.sessions);
    assert!(summary.goal_completions > 0 && summary.notes > 0 && summary.segment_members > 0);

    let mut bots = BTreeSet::new();
    let mut platforms = BTreeSet::new();
    let mut takeovers = 0;
    for entity in &entities {
        match entity {
            Entity::Session(s) => {
                bots.insert(s.bot.clone());
                platforms.insert(s.platform.as_str());
                takeovers += usize::from(s.live_chat_takeover);
                assert!(s.started_at < s.ended_at);
            }
            Entity::Profile(p) => {
                let patch = ProfilePatch {
                    email: Some(p.email.clone()),
                    phone: Some(p.phone.clone()),
                    first_name: Some(p.first_name.clone()),
                    last_name: Some(p.last_name.clone()),
                    location: Some(p.location.clone()),
                };
                assert!(patch.validate().is_ok(), "{p:?}");
                assert!(p.sessions >= 1);
            }
            _ => {}
        }
    }
    assert_eq!(bots.len(), 4, "{bots:?}");
    assert!(platforms.len() >= 4, "{platforms:?}");
    assert!(takeovers > 0);
}
