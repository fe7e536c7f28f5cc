//! Sync against the real platform server on loopback: offline edits pushed once, a lost push
//! answer applied once, two managers editing one customer (the one whose edit lost is told), a
//! delete against an edit, refusals kept for the manager, paging, and a server that went back in
//! time.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::platform::*;
use userdesk_core::{CoreError, SyncOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::sync::Op;
use userdesk_model::{ApiError, ErrorCode, ProfileId};

#[tokio::test]
async fn a_first_sync_brings_exactly_the_servers_customers_at_any_page_size() {
    let platform = Platform::start(23).await;
    for limit in [1, 4, 23, 1000] {
        let client = Client::open().await;
        let options = SyncOptions {
            pull_limit: limit,
            ..Default::default()
        };
        let report = client
            .app
            .sync_with(&platform.url, &platform.token, options)
            .await
            .unwrap();
        assert_eq!(report.pulled, 23, "page size {limit}");
        assert_eq!(report.pushed, 0);
        client.assert_same_as(&platform).await;
        // Nothing changed since: nothing moves.
        let again = client.sync(&platform).await;
        assert_eq!(again.pulled, 0, "page size {limit}");
    }
}

#[tokio::test]
async fn a_first_sync_hands_every_connection_back_with_the_stores_own_settings() {
    let platform = Platform::start(40).await;
    let client = Client::open().await;
    let options = SyncOptions {
        pull_limit: 7,
        ..Default::default()
    };
    client
        .app
        .sync_with(&platform.url, &platform.token, options)
        .await
        .unwrap();
    client.assert_same_as(&platform).await;
    // Every connection the pool holds: none keeps the load's bigger cache or mapped file (a
    // mapped page stays counted in the app's memory).
    let pool = client.app.store().pool();
    let mut held = Vec::new();
    for _ in 0..pool.size() {
        held.push(pool.acquire().await.unwrap());
    }
    assert!(!held.is_empty());
    for conn in &mut held {
        let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
            .fetch_one(&mut **conn)
            .await
            .unwrap();
        assert_eq!((cache, mapped), (-4096, 0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_shows_its_progress_toward_the_total_the_server_announced() {
    let platform = Platform::start(120).await;
    let client = Arc::new(Client::open().await);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (client, done) = (client.clone(), done.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                if let Some(progress) = client.app.sync_view().await.unwrap().first_sync {
                    seen.push(progress);
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            seen
        })
    };
    let options = SyncOptions {
        pull_limit: 1,
        ..Default::default()
    };
    let report = client
        .app
        .sync_with(&platform.url, &platform.token, options)
        .await
        .unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let seen = watcher.await.unwrap();
    assert_eq!(report.pulled, 120);
    assert!(
        seen.iter().any(|p| p.total == Some(120) && p.pulled < 120),
        "the bar had a total while the download ran: {seen:?}"
    );
    for pair in seen.windows(2) {
        assert!(pair[0].pulled <= pair[1].pulled, "{seen:?}");
    }
    assert!(seen.iter().all(|p| p.total.is_none_or(|t| t == 120)));
    // Done, the bar goes away; an ordinary sync shows none.
    assert_eq!(client.app.sync_view().await.unwrap().first_sync, None);
    client.sync(&platform).await;
    assert_eq!(client.app.sync_view().await.unwrap().first_sync, None);
}

#[tokio::test]
async fn offline_edits_are_pushed_exactly_once_when_the_server_is_reachable() {
    let platform = Platform::start(5).await;
    let client = Client::synced(&platform).await;
    let (a, b) = (platform.profiles[0].id, platform.profiles[1].id);
    client.edit(a, first_name("Offline")).await;
    client.edit(b, location("Lisbon")).await;

    let offline = unreachable_url().await;
    let err = client
        .app
        .sync_to(&offline, &platform.token)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Offline(_)), "{err}");
    let status = client.app.sync_status().await.unwrap();
    assert_eq!(status.pending, 2);
    assert_eq!(status.last_error.map(|e| e.code), Some(ErrorCode::Offline));
    // The edits stay on screen while offline.
    assert_eq!(client.profile(a).await.unwrap().first_name, "Offline");

    let report = client.sync(&platform).await;
    assert_eq!((report.pushed, report.applied, report.skipped), (2, 2, 0));
    assert_eq!(report.pending, 0);
    let server = platform.server_profiles().await;
    assert_eq!(server[&a].first_name, "Offline");
    assert_eq!(server[&b].location, "Lisbon");
    let status = client.app.sync_status().await.unwrap();
    assert_eq!(status.pending, 0);
    assert!(status.last_error.is_none());
    assert!(status.last_synced_at.is_some());

    let second = client.sync(&platform).await;
    assert_eq!(second.pushed, 0);
    assert_eq!(second.pulled, 0);
    client.assert_same_as(&platform).await;
}

#[tokio::test]
async fn a_push_whose_answer_is_lost_is_applied_once() {
    let platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let id = platform.profiles[2].id;
    client.edit(id, location("Porto")).await;

    let proxy = answer_losing_proxy(platform.addr()).await;
    let err = client
        .app
        .sync_to(&proxy, &platform.token)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::Offline(_)), "{err}");
    // The server applied it; the client could not know, and keeps it.
    assert_eq!(platform.server_profiles().await[&id].location, "Porto");
    assert_eq!(client.app.sync_status().await.unwrap().pending, 1);

    let report = client.sync(&platform).await;
    assert_eq!((report.pushed, report.applied, report.skipped), (1, 0, 1));
    assert_eq!(report.pending, 0);
    assert!(client.app.rejections().await.unwrap().is_empty());
    client.assert_same_as(&platform).await;
}

#[tokio::test]
async fn a_customer_archived_offline_is_archived_for_every_manager_once_synced() {
    let platform = Platform::start(4).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[3].id;
    ann.app.set_profile_active(id, false).await.unwrap();
    // Bob edits another field meanwhile: both survive.
    bob.edit(id, location("Oslo")).await;
    bob.sync(&platform).await;
    assert_eq!(ann.sync(&platform).await.applied, 1);
    bob.sync(&platform).await;
    for client in [&ann, &bob] {
        let p = client.profile(id).await.unwrap();
        assert_eq!(p.status, userdesk_model::ProfileStatus::Archived);
        assert_eq!(p.location, "Oslo");
        client.assert_same_as(&platform).await;
    }
    ann.app.set_profile_active(id, true).await.unwrap();
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    let p = bob.profile(id).await.unwrap();
    assert_eq!(p.status, userdesk_model::ProfileStatus::Active);
}

#[tokio::test]
async fn two_managers_editing_different_fields_of_one_customer_both_survive() {
    let platform = Platform::start(4).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    ann.edit(id, first_name("Annette")).await;
    bob.edit(id, location("Oslo")).await;
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    ann.sync(&platform).await;
    for client in [&ann, &bob] {
        let p = client.profile(id).await.unwrap();
        assert_eq!(
            (p.first_name.as_str(), p.location.as_str()),
            ("Annette", "Oslo")
        );
        client.assert_same_as(&platform).await;
    }
}

#[tokio::test]
async fn the_same_field_edited_twice_ends_with_the_edit_the_server_took_last() {
    let platform = Platform::start(4).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[1].id;
    // Bob edits first by the clock, but reaches the server last: the server's order decides.
    bob.edit(id, location("Rome")).await;
    ann.edit(id, location("Paris")).await;
    ann.sync(&platform).await;
    // Bob's pending edit stays on his screen while Ann's arrives underneath it.
    let bob_report = bob.sync(&platform).await;
    assert_eq!(bob_report.applied, 1);
    assert_eq!(bob.profile(id).await.unwrap().location, "Rome");
    // Ann, who lost, sees her value overwritten on her next sync, and is told.
    assert_eq!(ann.profile(id).await.unwrap().location, "Paris");
    let ann_report = ann.sync(&platform).await;
    assert_eq!(ann_report.pulled, 2, "the customer, and the notice");
    assert_eq!(ann.profile(id).await.unwrap().location, "Rome");
    let told = ann.app.rejections().await.unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].code, ErrorCode::Overwritten);
    assert_eq!(
        told[0].profile_id,
        Some(id),
        "the notice opens the customer's History"
    );
    assert!(bob.app.rejections().await.unwrap().is_empty());
    assert_eq!(platform.server_profiles().await[&id].location, "Rome");
    ann.assert_same_as(&platform).await;
    bob.assert_same_as(&platform).await;
}

#[tokio::test]
async fn a_confirmed_edit_a_colleague_replaces_unseen_later_is_listed_for_its_manager() {
    let platform = Platform::start(4).await;
    let bob_token = platform.token_of("bob@example.com").await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let (id, other) = (platform.profiles[1].id, platform.profiles[2].id);
    let customer = platform.profiles[1].username();
    // Bob, offline, moves the customer to Rome and renames another.
    bob.edit(id, location("Rome")).await;
    bob.edit(other, first_name("Otto")).await;
    // Ann moves the customer to Paris and her sync completes: the edit is confirmed and gone
    // from her outbox before Bob's arrives.
    ann.edit(id, location("Paris")).await;
    ann.edit(other, location("Lyon")).await;
    ann.sync(&platform).await;
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
    // Bob comes back online: his edit was made without seeing Ann's, and the server's order
    // makes it win.
    let bob_report = bob.app.sync_to(&platform.url, &bob_token).await.unwrap();
    assert_eq!(bob_report.applied, 2);
    assert!(
        bob.app.rejections().await.unwrap().is_empty(),
        "the winner is not told"
    );

    ann.sync(&platform).await;
    assert_eq!(ann.profile(id).await.unwrap().location, "Rome");
    let told = ann.app.rejections().await.unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].mutation_id, 1, "the edit of {customer}'s location");
    assert_eq!(told[0].code, ErrorCode::Overwritten);
    assert_eq!(told[0].fields.len(), 1);
    assert_eq!(told[0].fields[0].field, userdesk_model::Field::Location);
    assert_eq!(told[0].profile_id, Some(id));
    for part in ["bob@example.com", customer.as_str(), "“Paris”", "“Rome”"] {
        assert!(
            told[0].message.contains(part),
            "{part}: {}",
            told[0].message
        );
    }
    // Ann's other edit (a field Bob did not touch) stood; a later sync tells nothing twice.
    assert_eq!(ann.profile(other).await.unwrap().location, "Lyon");
    ann.app.dismiss_rejection(1).await.unwrap();
    ann.sync(&platform).await;
    assert!(ann.app.rejections().await.unwrap().is_empty());
    ann.assert_same_as(&platform).await;
    bob.assert_same_as(&platform).await;
}

#[tokio::test]
async fn an_edit_made_after_seeing_a_colleagues_value_tells_nobody() {
    let platform = Platform::start(3).await;
    let bob_token = platform.token_of("bob@example.com").await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    ann.edit(id, location("Paris")).await;
    ann.sync(&platform).await;
    // Bob syncs first, sees Paris, and changes it: an ordinary edit, not a conflict.
    bob.app.sync_to(&platform.url, &bob_token).await.unwrap();
    assert_eq!(bob.profile(id).await.unwrap().location, "Paris");
    bob.edit(id, location("Rome")).await;
    bob.app.sync_to(&platform.url, &bob_token).await.unwrap();
    ann.sync(&platform).await;
    assert!(ann.app.rejections().await.unwrap().is_empty());
    assert_eq!(ann.profile(id).await.unwrap().location, "Rome");
    // And back: Ann, having seen Rome, chooses Madrid.
    ann.edit(id, location("Madrid")).await;
    ann.sync(&platform).await;
    bob.app.sync_to(&platform.url, &bob_token).await.unwrap();
    assert!(
        bob.app.rejections().await.unwrap().is_empty(),
        "Ann saw Rome before she chose Madrid"
    );
    assert_eq!(bob.profile(id).await.unwrap().location, "Madrid");
    ann.assert_same_as(&platform).await;
    bob.assert_same_as(&platform).await;
}

#[tokio::test]
async fn an_edit_the_server_applied_but_saw_replaced_before_confirming_is_listed_for_its_manager() {
    let platform = Platform::start(4).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let (id, other) = (platform.profiles[1].id, platform.profiles[2].id);
    ann.edit(id, location("Paris")).await;
    ann.edit(id, first_name("Annabel")).await;
    ann.edit(other, location("Lyon")).await;
    bob.edit(id, location("Rome")).await;
    // Ann's edits reach the server first, but the answer is lost on the way back...
    let lossy = answer_losing_proxy(platform.addr()).await;
    ann.app.sync_to(&lossy, &platform.token).await.unwrap_err();
    // ...and Bob's edit of the same field is applied after them: the server's order makes it win.
    let bob_report = bob.sync(&platform).await;
    assert_eq!(bob_report.applied, 1);
    assert!(
        bob.app.rejections().await.unwrap().is_empty(),
        "the winner is not told"
    );

    let report = ann.sync(&platform).await;
    assert_eq!(
        report.skipped, 3,
        "Ann's edits were applied once, by the lost push"
    );
    assert_eq!(ann.profile(id).await.unwrap().location, "Rome");
    assert_eq!(ann.profile(id).await.unwrap().first_name, "Annabel");
    let told = ann.app.rejections().await.unwrap();
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0].mutation_id, 1);
    assert_eq!(told[0].code, ErrorCode::Overwritten);
    assert_eq!(told[0].fields.len(), 1);
    assert_eq!(told[0].fields[0].field, userdesk_model::Field::Location);
    assert!(
        told[0].message.contains("“Paris”") && told[0].message.contains("“Rome”"),
        "{}",
        told[0].message
    );
    ann.app.dismiss_rejection(1).await.unwrap();
    assert!(ann.app.rejections().await.unwrap().is_empty());
    ann.assert_same_as(&platform).await;
    bob.assert_same_as(&platform).await;
}

#[tokio::test]
async fn an_edit_of_a_customer_deleted_on_the_server_is_refused_and_shown_until_dismissed() {
    let platform = Platform::start(4).await;
    let client = Client::synced(&platform).await;
    let gone = platform.profiles[3].id;
    let kept = platform.profiles[2].id;
    client.edit(kept, first_name("Kept")).await;
    client.edit(gone, first_name("Too late")).await;
    // Another manager deletes the customer before this client's edit reaches the server.
    let deleted = platform
        .push_from_elsewhere(&[Op::ProfileDelete { profile_id: gone }])
        .await;
    assert_eq!(deleted.applied, 1);

    let report = client.sync(&platform).await;
    assert_eq!((report.applied, report.rejected), (1, 1));
    assert_eq!(client.profile(gone).await, None);
    assert_eq!(client.profile(kept).await.unwrap().first_name, "Kept");
    let refused = client.app.rejections().await.unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].mutation_id, 2);
    assert_eq!(refused[0].name, "profile.patch");
    assert_eq!(refused[0].code, ErrorCode::NotFound);
    assert!(!refused[0].message.is_empty());
    client.assert_same_as(&platform).await;

    // A later sync does not bring it back; dismissing hides it.
    client.sync(&platform).await;
    assert_eq!(client.app.rejections().await.unwrap().len(), 1);
    client.app.dismiss_rejection(2).await.unwrap();
    assert!(client.app.rejections().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_refused_edit_gives_the_record_back_its_server_state() {
    let platform = Platform::start(2).await;
    let client = Client::synced(&platform).await;
    // A customer only this store knows: the server refuses any edit of it.
    let stranger = DemoProfiles::new(5, now()).next().unwrap();
    client
        .app
        .store()
        .insert_profiles(std::slice::from_ref(&stranger))
        .await
        .unwrap();
    client.edit(stranger.id, location("Atlantis")).await;
    let report = client.sync(&platform).await;
    assert_eq!(report.rejected, 1);
    assert_eq!(client.profile(stranger.id).await.unwrap(), stranger);
    let refused = client.app.rejections().await.unwrap();
    assert_eq!(refused[0].code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_server_that_forgot_confirmed_edits_stops_sync_with_a_clear_error() {
    let platform = Platform::start(2).await;
    let client = Client::synced(&platform).await;
    client.edit(platform.profiles[0].id, location("Kyiv")).await;
    client.sync(&platform).await;
    // As if the server were restored from a backup taken before this client's last edits.
    sqlx::query("UPDATE sync_state SET confirmed_mutation = 40")
        .execute(client.app.store().pool())
        .await
        .unwrap();
    client.edit(platform.profiles[1].id, location("Lviv")).await;
    let err = client
        .app
        .sync_to(&platform.url, &platform.token)
        .await
        .unwrap_err();
    assert!(matches!(err, CoreError::ServerRolledBack { .. }), "{err}");
    let api = ApiError::from(err);
    assert_eq!(api.code, ErrorCode::ServerRolledBack);
    let status = client.app.sync_status().await.unwrap();
    assert_eq!(
        status.last_error.map(|e| e.code),
        Some(ErrorCode::ServerRolledBack)
    );
    // Nothing is lost: the edit waits.
    assert_eq!(status.pending, 1);
}

#[tokio::test]
async fn a_wrong_token_is_told_apart_from_being_offline() {
    let platform = Platform::start(1).await;
    let client = Client::open().await;
    let err = client
        .app
        .sync_to(&platform.url, "not-a-token")
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(err).code, ErrorCode::Unauthorized);
}

/// Polls `done` until it holds; a broken background sync fails the test instead of hanging it.
async fn eventually<F, Fut>(what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let polling = async {
        while !done().await {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), polling)
        .await
        .unwrap_or_else(|_| panic!("never happened: {what}"));
}

#[tokio::test]
async fn with_background_sync_on_an_edit_reaches_the_server_by_itself() {
    let platform = Platform::start(3).await;
    let client = Client::open().await;
    let app = Arc::new(client.app);
    let options = userdesk_core::AutoSyncOptions {
        debounce: std::time::Duration::from_millis(10),
        ..Default::default()
    };
    app.start_auto_sync(platform.url.clone(), platform.token.clone(), options);
    let id = platform.profiles[0].id;
    eventually("the first background sync brings the customers", || async {
        app.store().get_profile(id).await.is_ok()
    })
    .await;
    app.patch_profile(id, location("Tallinn")).await.unwrap();
    eventually("the edit reaches the server", || async {
        platform.server_profiles().await[&id].location == "Tallinn"
    })
    .await;
    eventually("the outbox empties", || async {
        app.sync_status().await.unwrap().pending == 0
    })
    .await;
    app.stop_auto_sync();
}

/// A small deterministic generator, so a failing run can be replayed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[tokio::test]
async fn managers_editing_and_syncing_at_random_through_lost_answers_end_equal_to_the_server() {
    let platform = Platform::start(6).await;
    let lossy = answer_losing_proxy(platform.addr()).await;
    let clients = [
        Client::synced(&platform).await,
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    ];
    let mut dice = Dice(0x5EED_1234_ABCD_0001);
    // The last value each client wrote to each (profile, field), and who wrote each field.
    let mut last_written: HashMap<(usize, ProfileId, bool), String> = HashMap::new();
    let mut writers: HashMap<(ProfileId, bool), std::collections::HashSet<usize>> = HashMap::new();
    for round in 0..60 {
        let c = dice.below(clients.len());
        match dice.below(4) {
            0 | 1 => {
                let id = platform.profiles[dice.below(platform.profiles.len())].id;
                let is_location = dice.below(2) == 0;
                let value = format!("C{c} R{round}");
                let patch = if is_location {
                    location(&value)
                } else {
                    first_name(&value)
                };
                clients[c].edit(id, patch).await;
                last_written.insert((c, id, is_location), value);
                writers.entry((id, is_location)).or_default().insert(c);
            }
            2 => {
                clients[c].sync(&platform).await;
            }
            _ => {
                // The answer of the push (or, with nothing to push, of the pull) is lost.
                let lost = clients[c].app.sync_to(&lossy, &platform.token).await;
                assert!(matches!(lost, Err(CoreError::Offline(_))), "{lost:?}");
            }
        }
    }
    for _ in 0..2 {
        for client in &clients {
            client.sync(&platform).await;
        }
    }
    let server = platform.server_profiles().await;
    for client in &clients {
        client.assert_same_as(&platform).await;
        assert_eq!(client.app.sync_status().await.unwrap().pending, 0);
        // Nothing was refused; edits replaced by a colleague's later one may be listed.
        let refused = client.app.rejections().await.unwrap();
        assert!(
            refused.iter().all(|r| r.code == ErrorCode::Overwritten),
            "{refused:?}"
        );
    }
    // No edit is lost: each field holds the last value of one of the managers who edited it
    // (each manager's edits apply in order, so the server's last is someone's last).
    for ((id, is_location), who) in &writers {
        let p = &server[id];
        let actual = if *is_location {
            &p.location
        } else {
            &p.first_name
        };
        let candidates: Vec<&String> = who
            .iter()
            .map(|c| &last_written[&(*c, *id, *is_location)])
            .collect();
        assert!(
            candidates.contains(&actual),
            "{actual:?} not in {candidates:?}"
        );
    }
}

#[tokio::test]
async fn a_long_outbox_is_pushed_in_order_across_batches() {
    let platform = Platform::start(3).await;
    let client = Client::synced(&platform).await;
    let id = platform.profiles[0].id;
    for n in 0..7 {
        client.edit(id, location(&format!("Stop {n}"))).await;
    }
    let options = SyncOptions {
        push_batch: 3,
        ..Default::default()
    };
    let report = client
        .app
        .sync_with(&platform.url, &platform.token, options)
        .await
        .unwrap();
    assert_eq!((report.pushed, report.applied, report.pending), (7, 7, 0));
    // Applied in order: the last edit is the one that stays.
    assert_eq!(platform.server_profiles().await[&id].location, "Stop 6");
    client.assert_same_as(&platform).await;
}

#[tokio::test]
async fn customers_a_bulk_job_archived_sync_and_a_refusal_gives_each_its_status_back() {
    let platform = Platform::start(6).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    for id in &ids {
        ann.app.set_profile_active(*id, true).await.unwrap();
    }
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    // A customer only Ann's store knows: the server refuses any change of it.
    let mut stranger = DemoProfiles::new(5, now()).next().unwrap();
    stranger.status = userdesk_model::ProfileStatus::Active;
    ann.app
        .store()
        .insert_profiles(std::slice::from_ref(&stranger))
        .await
        .unwrap();
    let mut picked = ids[..4].to_vec();
    picked.push(stranger.id);
    ann.app.set_job_delay(0).await.unwrap();
    ann.app
        .schedule_job(
            userdesk_model::JobAction::Archive,
            &userdesk_model::Selection::Ids { ids: picked },
        )
        .await
        .unwrap();
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    let done = ann.app.run_due_jobs_at(later, &NoNotice).await.unwrap();
    assert_eq!(done[0].applied, 5);
    // The job kept each customer's former status as the server's copy, and nothing more.
    assert_eq!(kept_copies(&ann).await, (0, 5));
    // Before Ann syncs: Bob edits one of them, and Ann edits another after the job (its copy
    // becomes a whole one, with the status the server still has).
    bob.edit(ids[0], location("Oslo")).await;
    bob.sync(&platform).await;
    ann.edit(ids[1], first_name("Later")).await;
    assert_eq!(kept_copies(&ann).await, (1, 4));

    let report = ann.sync(&platform).await;
    assert_eq!(report.rejected, 1, "only the stranger's change is refused");
    let archived = userdesk_model::ProfileStatus::Archived;
    let first = ann.profile(ids[0]).await.unwrap();
    assert_eq!((first.status, first.location.as_str()), (archived, "Oslo"));
    let second = ann.profile(ids[1]).await.unwrap();
    assert_eq!(
        (second.status, second.first_name.as_str()),
        (archived, "Later")
    );
    assert_eq!(
        ann.profile(stranger.id).await.unwrap(),
        stranger,
        "the refused change gave the customer back its status"
    );
    bob.sync(&platform).await;
    for id in &ids[..4] {
        assert_eq!(bob.profile(*id).await.unwrap().status, archived);
    }
    for id in &ids[4..] {
        assert_eq!(
            bob.profile(*id).await.unwrap().status,
            userdesk_model::ProfileStatus::Active
        );
    }
    bob.assert_same_as(&platform).await;
    // Nothing is pending any more, and no server copy is left behind.
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
    assert_eq!(kept_copies(&ann).await, (0, 0));
}

/// How many whole server copies, and how many status-only ones, the client keeps.
async fn kept_copies(client: &Client) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM profile_shadows), (SELECT count(*) FROM status_shadows)",
    )
    .fetch_one(client.app.store().pool())
    .await
    .unwrap()
}

struct NoNotice;

impl userdesk_core::Notifier for NoNotice {
    fn job_completed(&self, _job: &userdesk_model::JobView) -> Result<(), String> {
        Ok(())
    }
}

/// A server on loopback that answers every request with `head` and then `body_bytes` bytes of
/// JSON-looking filler, as a broken or hostile server might; it counts the bytes it got out.
async fn flooding_server(head: String, body_bytes: usize) -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let head = head.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut request).await;
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let filler = vec![b' '; 64 * 1024];
                let mut left = body_bytes;
                while left > 0 {
                    let n = left.min(filler.len());
                    if socket.write_all(&filler[..n]).await.is_err() {
                        return;
                    }
                    counter.fetch_add(n, Ordering::Relaxed);
                    left -= n;
                }
            });
        }
    });
    (url, sent)
}

#[tokio::test]
async fn an_answer_larger_than_any_page_is_refused_unread_and_changes_nothing() {
    use userdesk_core::MAX_ANSWER_BYTES;

    let client = Client::open().await;
    let huge = MAX_ANSWER_BYTES * 4;
    // One that says how big its answer is, one that does not (it streams until it closes).
    let said = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {huge}\r\n\r\n"
    );
    let unsaid = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
        .to_string();
    for head in [said, unsaid] {
        let (url, sent) = flooding_server(head, huge).await;
        let err = client.app.sync_to(&url, "udt_token").await.unwrap_err();
        assert!(
            matches!(&err, CoreError::Protocol(m) if m.contains("larger than 32 MB")),
            "{err:?}"
        );
        assert!(
            sent.load(Ordering::Relaxed) < huge,
            "the whole answer was read"
        );
        assert_eq!(client.app.store().profile_total().await.unwrap(), 0);
        assert!(client.app.sync_view().await.unwrap().last_synced.is_none());
    }
}

async fn open_store(dir: &std::path::Path) -> userdesk_core::AppCore {
    let options = userdesk_core::OpenOptions {
        sqlite_search_only: true,
        ..Default::default()
    };
    userdesk_core::AppCore::open(&dir.join("userdesk.sqlite3"), options)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_store_put_back_as_it_was_before_an_edit_loses_neither_edit() {
    // The store is put back as it was before a commit the server has since seen: a power cut
    // that takes back the last commits of a disk that lied about writing them, or a laptop
    // restored from last night's backup. The next edit takes the same mutation id as the one
    // the server has; it must not be taken for it. The store as it was is a consistent copy
    // (SQLite's VACUUM INTO), opened in a folder of its own.
    let platform = Platform::start(3).await;
    let dir = tempfile::tempdir().unwrap();
    let restored = tempfile::tempdir().unwrap();
    let app = open_store(dir.path()).await;
    app.sync_to(&platform.url, &platform.token).await.unwrap();
    let copy = restored.path().join("userdesk.sqlite3");
    sqlx::query("VACUUM INTO ?")
        .bind(copy.to_str().unwrap())
        .execute(app.store().pool())
        .await
        .unwrap();

    let (first, second) = (platform.profiles[0].id, platform.profiles[1].id);
    app.patch_profile(first, location("Before the cut"))
        .await
        .unwrap();
    let report = app.sync_to(&platform.url, &platform.token).await.unwrap();
    assert_eq!(report.applied, 1);
    drop(app);

    let app = open_store(restored.path()).await;
    app.patch_profile(second, location("After the cut"))
        .await
        .unwrap();
    assert_eq!(
        app.store().outbox().await.unwrap()[0].id,
        1,
        "the put-back store numbers the new edit as the one the server has"
    );
    let report = app.sync_to(&platform.url, &platform.token).await.unwrap();
    assert_eq!((report.applied, report.rejected), (1, 0), "{report:?}");
    let server = platform.server_profiles().await;
    assert_eq!(server[&first].location, "Before the cut");
    assert_eq!(server[&second].location, "After the cut");
    assert_eq!(app.store().pending_count().await.unwrap(), 0);
    assert_store_matches(&app, &platform).await;
    // The next edit follows on from there.
    app.patch_profile(first, location("Later")).await.unwrap();
    app.sync_to(&platform.url, &platform.token).await.unwrap();
    assert_eq!(platform.server_profiles().await[&first].location, "Later");
}

#[tokio::test]
async fn two_processes_on_one_store_sync_one_after_the_other() {
    // The app and `userdesk-cli sync` on the same store: two AppCores on one file. Interleaved,
    // an older pull answer applied after a newer one looks like a server that forgot edits;
    // one sync at a time across processes, none is ever reported.
    let platform = Platform::start(6).await;
    let dir = tempfile::tempdir().unwrap();
    let first = open_store(dir.path()).await;
    first.sync_to(&platform.url, &platform.token).await.unwrap();
    let second = open_store(dir.path()).await;
    let lock = first.store().exclusive("sync").await.unwrap();
    // While one holds the store's sync lock, the other waits for it.
    let waiting = second.sync_to(&platform.url, &platform.token);
    tokio::pin!(waiting);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut waiting)
            .await
            .is_err(),
        "synced while another process held the store"
    );
    drop(lock);
    tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("the lock was never released")
        .unwrap();

    for round in 0..8 {
        let customer = platform.profiles[round % 6].id;
        first
            .patch_profile(customer, location(&format!("Round {round}")))
            .await
            .unwrap();
        let (a, b) = tokio::join!(
            first.sync_to(&platform.url, &platform.token),
            second.sync_to(&platform.url, &platform.token)
        );
        a.unwrap();
        b.unwrap();
    }
    assert_eq!(first.store().pending_count().await.unwrap(), 0);
    assert_store_matches(&first, &platform).await;
}

#[tokio::test]
async fn a_server_restored_from_a_backup_is_recovered_from_once_the_manager_agrees() {
    // The real server's database is backed up (`userdesk-server backup`), the client syncs more
    // edits, then the server is restored from the backup: it no longer holds two edits it had
    // confirmed.
    let platform = Platform::start(4).await;
    let client = Client::synced(&platform).await;
    let p: Vec<_> = platform.profiles.iter().map(|p| p.id).collect();
    client.edit(p[0], location("Kept by the backup")).await;
    client.sync(&platform).await;
    let backup = platform.dir.path().join("backup.sqlite3");
    platform.storage.backup(&backup).await.unwrap();
    client.edit(p[1], location("Lost with the restore")).await;
    client.edit(p[2], location("Lost too")).await;
    client.sync(&platform).await;

    let restored = userdesk_server::storage::open(&format!("sqlite://{}", backup.display()))
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = userdesk_server::RunningServer::start(
        listener,
        restored.clone(),
        userdesk_server::http::Limits::default(),
    )
    .unwrap();
    let url = format!("http://{}", server.addr());

    // An edit made meanwhile waits; sync stops with a clear error rather than lose or repeat.
    client.edit(p[3], location("Made after the restore")).await;
    let err = client.app.sync_to(&url, &platform.token).await.unwrap_err();
    assert!(matches!(err, CoreError::ServerRolledBack { .. }), "{err}");
    assert_eq!(client.app.store().pending_count().await.unwrap(), 1);

    // The manager agrees to start again from the server as it now is: the waiting edit is sent,
    // the store shows what the server holds, and the two edits it lost are counted.
    let lost = client
        .app
        .recover_with(&url, &platform.token)
        .await
        .unwrap();
    assert_eq!(lost, 2);
    assert_eq!(client.app.store().pending_count().await.unwrap(), 0);
    let on_server =
        |id| {
            let restored = restored.clone();
            async move {
                let workspace = restored.find_workspace("acme").await.unwrap().unwrap();
                let page = restored
                    .pull(
                        &userdesk_server::managers::Principal {
                            workspace_id: workspace,
                            manager_id: userdesk_server::ids::ManagerId::new(),
                            email: String::new(),
                            role: userdesk_server::managers::Role::Admin,
                            workspace_name: "acme".into(),
                            time_zone: "UTC".into(),
                        },
                        &userdesk_server::storage::PullQuery {
                            client_id: userdesk_model::sync::ClientId::new(),
                            cookie: None,
                            limit: 1000,
                        },
                    )
                    .await
                    .unwrap();
                page.patch.into_iter().find_map(|op| match op {
                    userdesk_model::sync::PatchOp::Put(userdesk_model::sync::Entity::Profile(
                        x,
                    )) if x.id == id => Some(x.location),
                    _ => None,
                })
            }
        };
    assert_eq!(
        on_server(p[3]).await.as_deref(),
        Some("Made after the restore")
    );
    assert_eq!(on_server(p[0]).await.as_deref(), Some("Kept by the backup"));
    for &id in &p {
        let here = client.app.store().get_profile(id).await.unwrap().location;
        assert_eq!(Some(here), on_server(id).await, "{id}");
    }
    // Sync goes on as usual.
    client.edit(p[0], location("Afterwards")).await;
    let report = client.app.sync_to(&url, &platform.token).await.unwrap();
    assert_eq!(report.applied, 1);
    server.stop().await.unwrap();
}
