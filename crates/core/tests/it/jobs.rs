//! Delayed Active and Archive jobs on a real SQLite store: scheduled with the delay from
//! Settings, cancelled until they fire, fired by the runner on tokio's paused clock (or caught up
//! at start), applied in chunks with one `profile.set_status` mutation per changed customer, and
//! announced exactly once. The notifier here records what it is asked to show (the system
//! notification service it stands for is the desktop shell's part).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::*;
use chrono::Utc;
use tokio::runtime::Handle;
use userdesk_core::{AppCore, CoreError, Notifier, OpenOptions, JOB_CHUNK};
use userdesk_model::{
    ApiError, ErrorCode, JobAction, JobState, JobView, ProfileFilter, ProfileId, ProfileStatus,
    Selection,
};

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

/// Records each notification, and can be told to fail.
#[derive(Default)]
struct Shown {
    texts: Mutex<Vec<String>>,
    failing: Mutex<bool>,
    sent: tokio::sync::Notify,
}

impl Notifier for Shown {
    fn job_completed(&self, job: &JobView) -> Result<(), String> {
        if *self.failing.lock().unwrap() {
            return Err("no notification service".into());
        }
        self.texts.lock().unwrap().push(job.summary());
        self.sent.notify_one();
        Ok(())
    }
}

impl Shown {
    fn texts(&self) -> Vec<String> {
        self.texts.lock().unwrap().clone()
    }
}

async fn statuses(app: &AppCore, ids: &[ProfileId]) -> Vec<ProfileStatus> {
    let mut found = Vec::new();
    for id in ids {
        found.push(app.store().get_profile(*id).await.unwrap().status);
    }
    found
}

fn archive(ids: &[ProfileId]) -> Selection {
    Selection::Ids { ids: ids.to_vec() }
}

/// A fixture whose customers are all active.
async fn active_fixture(count: usize) -> (Fixture, Vec<ProfileId>) {
    let f = fixture(count).await;
    let ids: Vec<ProfileId> = f.profiles.iter().map(|p| p.id).collect();
    for id in &ids {
        f.app.set_profile_active(*id, true).await.unwrap();
    }
    (f, ids)
}

#[tokio::test]
async fn a_job_is_kept_with_its_delay_and_caught_up_once_its_time_has_passed() {
    let (f, ids) = active_fixture(10).await;
    let queued = f.app.sync_status().await.unwrap().pending;
    assert_eq!(f.app.job_delay().await.unwrap(), Duration::from_secs(300));
    let before = Utc::now();
    let job = f
        .app
        .schedule_job(JobAction::Archive, &archive(&ids[..3]))
        .await
        .unwrap();
    assert_eq!(job.state, JobState::Pending);
    assert_eq!(job.total, 3);
    let delay = job.run_at_ms - before.timestamp_millis();
    assert!((300_000..310_000).contains(&delay), "{delay} ms");
    assert_eq!(f.app.jobs().await.unwrap(), std::slice::from_ref(&job));

    // Nothing changes before its time.
    let shown = Shown::default();
    let early = f.app.run_due_jobs_at(Utc::now(), &shown).await.unwrap();
    assert!(early.is_empty());
    assert_eq!(
        statuses(&f.app, &ids[..3]).await,
        [ProfileStatus::Active; 3]
    );
    assert_eq!(f.app.sync_status().await.unwrap().pending, queued);

    // Opened again after its time (as after a restart): caught up at once.
    let path = f.path();
    f.app.store().close().await;
    let app = AppCore::open(&path, OpenOptions::default()).await.unwrap();
    let later = Utc::now() + chrono::Duration::minutes(6);
    let done = app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].state, JobState::Done);
    assert_eq!(done[0].applied, 3);
    assert_eq!(shown.texts(), ["Archived 3 profiles"]);
    assert_eq!(
        statuses(&app, &ids[..3]).await,
        [ProfileStatus::Archived; 3]
    );
    assert_eq!(
        statuses(&app, &ids[3..4]).await,
        [ProfileStatus::Active],
        "only the selection"
    );
    assert_eq!(
        app.sync_status().await.unwrap().pending,
        queued + 3,
        "one mutation per customer changed"
    );
    // Run again: nothing more happens, nothing is announced twice.
    assert!(app.run_due_jobs_at(later, &shown).await.unwrap().is_empty());
    assert_eq!(shown.texts().len(), 1);
    assert_eq!(app.sync_status().await.unwrap().pending, queued + 3);
}

#[tokio::test]
async fn a_job_is_cancelled_until_it_fires_and_not_after() {
    let (f, ids) = active_fixture(6).await;
    let shown = Shown::default();
    let cancelled = f
        .app
        .schedule_job(JobAction::Archive, &archive(&ids[..2]))
        .await
        .unwrap();
    f.app.cancel_job(cancelled.id).await.unwrap();
    let fired = f
        .app
        .schedule_job(JobAction::Archive, &archive(&ids[2..4]))
        .await
        .unwrap();
    let later = Utc::now() + chrono::Duration::minutes(10);
    let done = f.app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].id, fired.id);
    assert_eq!(
        statuses(&f.app, &ids[..4]).await,
        [
            ProfileStatus::Active,
            ProfileStatus::Active,
            ProfileStatus::Archived,
            ProfileStatus::Archived
        ]
    );
    let listed = f.app.jobs().await.unwrap();
    let state_of = |id| listed.iter().find(|j| j.id == id).unwrap().state;
    assert_eq!(state_of(cancelled.id), JobState::Cancelled);
    assert_eq!(state_of(fired.id), JobState::Done);

    // Too late to cancel once fired; a second cancel says so too.
    for id in [fired.id, cancelled.id] {
        assert_eq!(
            code(f.app.cancel_job(id).await.unwrap_err()),
            ErrorCode::InvalidRequest
        );
    }
    assert_eq!(
        code(
            f.app
                .cancel_job(userdesk_model::JobId::new())
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn a_job_over_every_matching_customer_applies_in_chunks() {
    let count = 2 * JOB_CHUNK + 234;
    let (f, ids) = active_fixture(count).await;
    let queued = f.app.sync_status().await.unwrap().pending;
    let everyone = ProfileFilter {
        status: Some(ProfileStatus::Active),
        ..Default::default()
    };
    let job = f
        .app
        .schedule_job(
            JobAction::Archive,
            &Selection::Filter {
                filter: everyone.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(job.total, count as u64);
    let shown = Shown::default();
    let later = Utc::now() + chrono::Duration::minutes(6);
    let done = f.app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(done[0].applied, count as u64);
    assert_eq!(shown.texts(), ["Archived 1,234 profiles"]);
    assert_eq!(f.app.count_profiles(&everyone).await.unwrap(), 0);
    assert_eq!(
        f.app.sync_status().await.unwrap().pending,
        queued + count as u64
    );

    // And back: Active over the archived ones, picked by hand this time.
    let job = f
        .app
        .schedule_job(JobAction::Activate, &archive(&ids))
        .await
        .unwrap();
    assert_eq!(job.total, count as u64);
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(shown.texts()[1], "Activated 1,234 profiles");
    assert_eq!(f.app.count_profiles(&everyone).await.unwrap(), count as u64);
}

#[tokio::test]
async fn a_notification_that_could_not_be_shown_is_shown_at_the_next_run() {
    let (f, ids) = active_fixture(3).await;
    f.app
        .schedule_job(JobAction::Archive, &archive(&ids))
        .await
        .unwrap();
    let shown = Shown::default();
    *shown.failing.lock().unwrap() = true;
    let later = Utc::now() + chrono::Duration::minutes(6);
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(statuses(&f.app, &ids).await, [ProfileStatus::Archived; 3]);
    assert!(shown.texts().is_empty());
    *shown.failing.lock().unwrap() = false;
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    assert_eq!(shown.texts(), ["Archived 3 profiles"]);
}

#[tokio::test]
async fn bad_selections_and_delays_are_refused() {
    let (f, ids) = active_fixture(2).await;
    let errors = [
        f.app
            .schedule_job(JobAction::Archive, &archive(&[]))
            .await
            .unwrap_err(),
        f.app
            .schedule_job(
                JobAction::Archive,
                &Selection::Filter {
                    filter: ProfileFilter {
                        search: "nobody is called this".into(),
                        ..Default::default()
                    },
                },
            )
            .await
            .unwrap_err(),
    ];
    for err in errors {
        assert_eq!(code(err), ErrorCode::InvalidRequest);
    }
    assert_eq!(
        code(
            f.app
                .schedule_job(JobAction::Archive, &archive(&[ids[0], ProfileId::new()]))
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
    assert!(f.app.jobs().await.unwrap().is_empty());
    assert_eq!(
        code(f.app.set_job_delay(8 * 24 * 60 * 60).await.unwrap_err()),
        ErrorCode::InvalidRequest
    );
    f.app.set_job_delay(30).await.unwrap();
    assert_eq!(f.app.job_delay().await.unwrap(), Duration::from_secs(30));
}

/// Runs `work` to its end on the store's runtime, blocking this (paused) one meanwhile so its
/// clock cannot move.
fn on_store<T: Send>(store: &Handle, work: impl Future<Output = T> + Send) -> T {
    std::thread::scope(|scope| scope.spawn(|| store.block_on(work)).join().unwrap())
}

#[tokio::test(start_paused = true)]
async fn the_runner_fires_a_job_at_its_time_on_tokios_paused_clock() {
    // SQLite's pool keeps real time on a runtime of its own; the runner's timers are paused.
    let runtime: &'static tokio::runtime::Runtime =
        Box::leak(Box::new(tokio::runtime::Runtime::new().unwrap()));
    let store = runtime.handle().clone();
    let (f, ids) = on_store(&store, active_fixture(5));
    let (app, dir) = f.into_parts();
    let app = Arc::new(app);
    let job = on_store(
        &store,
        app.schedule_job(JobAction::Archive, &archive(&ids[..3])),
    )
    .unwrap();
    let shown = Arc::new(Shown::default());
    app.start_jobs_with(shown.clone(), store.clone());

    tokio::time::sleep(Duration::from_secs(290)).await;
    assert_eq!(
        on_store(&store, statuses(&app, &ids[..3])),
        [ProfileStatus::Active; 3],
        "not before its time"
    );
    let listed = on_store(&store, app.jobs()).unwrap();
    assert_eq!(listed[0].state, JobState::Pending);
    assert!(shown.texts().is_empty());

    // Ten more seconds of paused time: the runner fires it and announces it.
    let sent = shown.sent.notified();
    tokio::time::sleep(Duration::from_secs(15)).await;
    sent.await;
    assert_eq!(shown.texts(), ["Archived 3 profiles"]);
    assert_eq!(
        on_store(&store, statuses(&app, &ids[..3])),
        [ProfileStatus::Archived; 3]
    );
    let listed = on_store(&store, app.jobs()).unwrap();
    assert_eq!(listed[0].id, job.id);
    assert_eq!(listed[0].state, JobState::Done);

    // A job scheduled while the runner waits wakes it; a cancelled one never fires.
    let cancelled = on_store(
        &store,
        app.schedule_job(JobAction::Archive, &archive(&ids[3..4])),
    )
    .unwrap();
    on_store(&store, app.cancel_job(cancelled.id)).unwrap();
    let later = on_store(
        &store,
        app.schedule_job(JobAction::Archive, &archive(&ids[4..])),
    )
    .unwrap();
    let sent = shown.sent.notified();
    tokio::time::sleep(Duration::from_secs(301)).await;
    sent.await;
    assert_eq!(shown.texts(), ["Archived 3 profiles", "Archived 1 profile"]);
    assert_eq!(
        on_store(&store, statuses(&app, &ids[3..])),
        [ProfileStatus::Active, ProfileStatus::Archived]
    );
    let listed = on_store(&store, app.jobs()).unwrap();
    let state_of = |id| listed.iter().find(|j| j.id == id).unwrap().state;
    assert_eq!(state_of(later.id), JobState::Done);
    assert_eq!(state_of(cancelled.id), JobState::Cancelled);
    drop(dir);
}

fn page_request(filter: ProfileFilter) -> userdesk_model::ListRequest {
    userdesk_model::ListRequest {
        filter,
        sort: Default::default(),
        after: None,
        offset: 0,
        limit: 1000,
    }
}

#[tokio::test]
async fn rows_a_pending_job_will_change_are_marked_until_it_fires() {
    let (f, ids) = active_fixture(8).await;
    let any_status = ProfileFilter {
        status: None,
        ..Default::default()
    };
    f.app
        .schedule_job(JobAction::Archive, &archive(&ids[..2]))
        .await
        .unwrap();
    let cancelled = f
        .app
        .schedule_job(JobAction::Archive, &archive(&ids[2..3]))
        .await
        .unwrap();
    f.app.cancel_job(cancelled.id).await.unwrap();
    // A filter matching one customer, beyond the picked ones.
    let mut only = None;
    for p in &f.profiles[4..] {
        let filter = ProfileFilter {
            search: p.email.clone(),
            status: None,
            ..Default::default()
        };
        if !p.email.is_empty() && f.app.count_profiles(&filter).await.unwrap() == 1 {
            only = Some((p.id, filter));
            break;
        }
    }
    let (last, filter) = only.expect("a customer found by their email alone");
    f.app
        .schedule_job(JobAction::Activate, &Selection::Filter { filter })
        .await
        .unwrap();
    let page = f
        .app
        .list_profiles(&page_request(any_status.clone()))
        .await
        .unwrap();
    let mark = |id: ProfileId| page.rows.iter().find(|r| r.id == id).unwrap().pending_job;
    assert_eq!(mark(ids[0]), Some(JobAction::Archive));
    assert_eq!(mark(ids[1]), Some(JobAction::Archive));
    assert_eq!(mark(ids[2]), None, "its job was cancelled");
    assert_eq!(mark(ids[3]), None);
    assert_eq!(
        mark(last),
        Some(JobAction::Activate),
        "matched by the filter"
    );

    let later = Utc::now() + chrono::Duration::minutes(6);
    f.app
        .run_due_jobs_at(later, &Shown::default())
        .await
        .unwrap();
    let page = f
        .app
        .list_profiles(&page_request(any_status))
        .await
        .unwrap();
    assert!(page.rows.iter().all(|r| r.pending_job.is_none()));
}

#[tokio::test]
async fn selected_customers_are_deleted_at_once_and_made_a_segment() {
    let (f, ids) = active_fixture(12).await;
    let queued = f.app.sync_status().await.unwrap().pending;
    let picked = f
        .app
        .create_segment_from(
            userdesk_model::SegmentDraft {
                name: "Picked".into(),
                description: "From the table".into(),
                rules: Vec::new(),
            },
            &archive(&ids[..3]),
        )
        .await
        .unwrap();
    assert_eq!(picked.members, 3);
    let everyone = f
        .app
        .create_segment_from(
            userdesk_model::SegmentDraft {
                name: "Everyone".into(),
                description: String::new(),
                rules: Vec::new(),
            },
            &Selection::Filter {
                filter: ProfileFilter::default(),
            },
        )
        .await
        .unwrap();
    assert_eq!(everyone.members, 12);

    let deleted = f.app.delete_profiles(&archive(&ids[..4])).await.unwrap();
    assert_eq!(deleted, 4);
    let total = f
        .app
        .count_profiles(&ProfileFilter {
            status: None,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(total, 8, "gone from the table at once");
    assert_eq!(
        code(f.app.profile_details(ids[0]).await.unwrap_err()),
        ErrorCode::NotFound
    );
    let pending = f.app.sync_status().await.unwrap().pending;
    assert_eq!(
        pending,
        queued + 2 + 1,
        "two segments, and one move of four customers to the Trash"
    );
    assert_eq!(
        code(f.app.delete_profiles(&archive(&[])).await.unwrap_err()),
        ErrorCode::InvalidRequest
    );
    assert_eq!(
        code(
            f.app
                .delete_profiles(&archive(&[ids[0]]))
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn the_table_shows_a_done_jobs_customers_and_only_theirs() {
    let (f, ids) = active_fixture(40).await;
    let shown = Shown::default();
    let later = Utc::now() + chrono::Duration::minutes(6);
    let (picked, others) = ids.split_at(7);
    let by_hand = f
        .app
        .schedule_job(JobAction::Archive, &archive(picked))
        .await
        .unwrap();
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    let of_job = |job, status| ProfileFilter {
        status: Some(status),
        job: Some(job),
        ..Default::default()
    };
    let listed = |filter: ProfileFilter| {
        let app = &f.app;
        async move {
            let mut ids: Vec<ProfileId> = app
                .list_profiles(&page_request(filter))
                .await
                .unwrap()
                .rows
                .into_iter()
                .map(|r| r.id)
                .collect();
            ids.sort();
            ids
        }
    };
    let mut expected = picked.to_vec();
    expected.sort();
    assert_eq!(
        listed(of_job(by_hand.id, ProfileStatus::Archived)).await,
        expected
    );
    assert_eq!(
        f.app
            .count_profiles(&of_job(by_hand.id, ProfileStatus::Archived))
            .await
            .unwrap(),
        7
    );
    assert!(listed(of_job(by_hand.id, ProfileStatus::Active))
        .await
        .is_empty());

    // A "select all matching" job keeps the customers it changed, not those the filter
    // matches later.
    let vip: Vec<ProfileId> = others[..5].to_vec();
    let segment = f
        .app
        .create_segment(
            userdesk_model::SegmentDraft {
                name: "To archive".into(),
                description: String::new(),
                rules: Vec::new(),
            },
            &vip,
        )
        .await
        .unwrap();
    let members = ProfileFilter {
        status: Some(ProfileStatus::Active),
        segment: Some(segment.id),
        ..Default::default()
    };
    let by_filter = f
        .app
        .schedule_job(
            JobAction::Archive,
            &Selection::Filter {
                filter: members.clone(),
            },
        )
        .await
        .unwrap();
    f.app.run_due_jobs_at(later, &shown).await.unwrap();
    f.app.set_profile_active(vip[0], true).await.unwrap();
    let mut expected = vip.clone();
    expected.sort();
    let mut both = listed(of_job(by_filter.id, ProfileStatus::Archived)).await;
    both.extend(listed(of_job(by_filter.id, ProfileStatus::Active)).await);
    both.sort();
    assert_eq!(both, expected);

    // Only the last jobs done keep their lists.
    for _ in 0..userdesk_core::JOB_KEPT_DONE {
        f.app
            .schedule_job(JobAction::Activate, &archive(&others[10..12]))
            .await
            .unwrap();
        f.app.run_due_jobs_at(later, &shown).await.unwrap();
    }
    assert!(listed(of_job(by_hand.id, ProfileStatus::Archived))
        .await
        .is_empty());
}

#[tokio::test]
async fn the_jobs_panel_lists_jobs_to_come_soonest_first_then_those_ended_latest_first() {
    // The store's own clock, set by hand: each job is scheduled a minute after the one before.
    let start: chrono::DateTime<Utc> = "2026-12-01T09:00:00Z".parse().unwrap();
    let clock = userdesk_core::Clock::manual(start);
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        clock: Some(clock.clone()),
        ..OpenOptions::default()
    };
    let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
        .await
        .unwrap();
    let profiles: Vec<_> = userdesk_demo::DemoProfiles::new(7, start).take(6).collect();
    app.store().insert_profiles(&profiles).await.unwrap();
    let mut jobs = Vec::new();
    for (minute, profile) in profiles.iter().enumerate() {
        clock.set(start + chrono::Duration::minutes(minute as i64));
        let job = app
            .schedule_job(JobAction::Archive, &archive(&[profile.id]))
            .await
            .unwrap();
        jobs.push(job.id);
    }
    // The first two fire (their five minutes are up at 09:06), the fourth is cancelled.
    app.cancel_job(jobs[3]).await.unwrap();
    let fired = start + chrono::Duration::minutes(6);
    clock.set(fired);
    let done = app.run_due_jobs_at(fired, &Shown::default()).await.unwrap();
    assert_eq!(done.iter().map(|j| j.id).collect::<Vec<_>>(), jobs[..2]);

    let listed: Vec<_> = app.jobs().await.unwrap();
    let order: Vec<_> = listed.iter().map(|j| (j.id, j.state)).collect();
    assert_eq!(
        order,
        vec![
            (jobs[2], JobState::Pending),
            (jobs[4], JobState::Pending),
            (jobs[5], JobState::Pending),
            (jobs[3], JobState::Cancelled),
            (jobs[1], JobState::Done),
            (jobs[0], JobState::Done),
        ]
    );
}

#[tokio::test]
async fn two_processes_on_one_store_announce_a_job_once() {
    // The app and `userdesk-cli jobs run` on the same store: two AppCores on one file, each
    // with its own connections, firing the same due job at once.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("userdesk.sqlite3");
    let first = AppCore::open(&path, OpenOptions::default()).await.unwrap();
    let profiles: Vec<_> = userdesk_demo::DemoProfiles::new(3, Utc::now())
        .take(4)
        .collect();
    first.store().insert_profiles(&profiles).await.unwrap();
    let ids: Vec<ProfileId> = profiles.iter().map(|p| p.id).collect();
    let job = first
        .schedule_job(JobAction::Archive, &archive(&ids))
        .await
        .unwrap();
    let second = AppCore::open(&path, OpenOptions::default()).await.unwrap();
    let later = Utc::now() + chrono::Duration::hours(1);
    let (shown_first, shown_second) = (Shown::default(), Shown::default());
    let (a, b) = tokio::join!(
        first.run_due_jobs_at(later, &shown_first),
        second.run_due_jobs_at(later, &shown_second)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        a.len() + b.len(),
        1,
        "announced by one of them: {a:?} {b:?}"
    );
    let mut texts = shown_first.texts();
    texts.extend(shown_second.texts());
    assert_eq!(texts, ["Archived 4 profiles"]);
    let done = first.jobs().await.unwrap();
    assert_eq!(
        (done[0].id, done[0].state, done[0].applied),
        (job.id, JobState::Done, 4)
    );
    // Announced for good: a later round announces nothing.
    assert!(first
        .run_due_jobs_at(later, &shown_first)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn undo_cancels_a_job_while_it_waits_and_sets_back_what_it_changed_once_it_has_fired() {
    let (f, ids) = active_fixture(5).await;
    let app = &f.app;
    let job = app
        .schedule_job(JobAction::Archive, &archive(&ids[..3]))
        .await
        .unwrap();
    assert_eq!(
        app.undo_available().unwrap().label,
        "Scheduled Archive for 3 customers"
    );
    let report = app.undo().await.unwrap();
    assert_eq!(report.restored, 1);
    let jobs = app.jobs().await.unwrap();
    let undone = jobs.iter().find(|j| j.id == job.id).unwrap();
    assert_eq!(undone.state, JobState::Cancelled);

    // A job that has fired: Undo sets back the customers it changed, only those still as it left
    // them. The third was archived already (the job did not change it); the fifth is activated
    // again by another hand after the job.
    app.store()
        .set_profile_status(ids[2], ProfileStatus::Archived)
        .await
        .unwrap();
    app.set_job_delay(0).await.unwrap();
    let fired = app
        .schedule_job(JobAction::Archive, &archive(&ids[2..]))
        .await
        .unwrap();
    app.run_due_jobs_at(Utc::now() + chrono::Duration::seconds(1), &Shown::default())
        .await
        .unwrap();
    let done = app.jobs().await.unwrap();
    assert_eq!(
        done.iter().find(|j| j.id == fired.id).unwrap().state,
        JobState::Done
    );
    app.store()
        .set_profile_status(ids[4], ProfileStatus::Active)
        .await
        .unwrap();
    let pending = app.sync_status().await.unwrap().pending;
    let report = app.undo().await.unwrap();
    assert_eq!(report.label, "Scheduled Archive for 3 customers");
    assert_eq!(report.restored, 1, "{report:?}");
    assert!(report.kept.is_empty());
    assert_eq!(
        statuses(app, &ids).await,
        [
            ProfileStatus::Active,
            ProfileStatus::Active,
            ProfileStatus::Archived,
            ProfileStatus::Active,
            ProfileStatus::Active
        ]
    );
    assert_eq!(
        app.sync_status().await.unwrap().pending,
        pending + 1,
        "a new edit, that syncs like any other"
    );
}
