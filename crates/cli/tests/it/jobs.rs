//! A delayed job applied by `userdesk-cli jobs run`, a real process, killed with SIGKILL in the
//! middle of applying it and run again: every customer is changed exactly once (one status, one
//! `profile.set_status` mutation each), and the job is announced once.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use userdesk_core::{AppCore, OpenOptions, JOB_CHUNK};
use userdesk_demo::DemoProfiles;
use userdesk_model::{JobAction, JobState, ProfileId, ProfileStatus, Selection};

fn cli(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_userdesk-cli"));
    command.arg("--data-dir").arg(data);
    command
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

async fn open(data: &Path) -> AppCore {
    let options = OpenOptions {
        sqlite_search_only: true,
        ..Default::default()
    };
    AppCore::open(&data.join("userdesk.sqlite3"), options)
        .await
        .unwrap()
}

/// How many customers the store holds archived, and how many `profile.set_status` mutations
/// wait in its outbox: read in one statement, so in one snapshot while a job commits chunks.
async fn archived_and_queued(app: &AppCore) -> (i64, i64) {
    let (archived, queued, distinct): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM profiles WHERE status = 'archived'), \
         (SELECT count(*) FROM outbox WHERE name = 'profile.set_status'), \
         (SELECT count(DISTINCT json_extract(args, '$.profile_id')) FROM outbox \
         WHERE name = 'profile.set_status')",
    )
    .fetch_one(app.store().pool())
    .await
    .unwrap();
    assert_eq!(distinct, queued, "no customer's change is queued twice");
    (archived, queued)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_killed_in_the_middle_resumes_and_changes_every_customer_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let total = 40 * JOB_CHUNK;
    let ids: Vec<ProfileId> = {
        let app = open(data).await;
        let mut profiles: Vec<_> = DemoProfiles::new(9, chrono::Utc::now())
            .take(total)
            .collect();
        for p in &mut profiles {
            p.status = ProfileStatus::Active;
        }
        app.store().insert_profiles(&profiles).await.unwrap();
        app.set_job_delay(0).await.unwrap();
        app.schedule_job(
            JobAction::Archive,
            &Selection::Ids {
                ids: profiles.iter().map(|p| p.id).collect(),
            },
        )
        .await
        .unwrap();
        app.store().close().await;
        profiles.iter().map(|p| p.id).collect()
    };
    assert_eq!(ids.len(), total);

    // Killed once some chunks are in and others are not.
    let watcher = open(data).await;
    let mut child = cli(data)
        .args(["jobs", "run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = 0;
    for _ in 0..2000 {
        seen = archived_and_queued(&watcher).await.0;
        if seen >= 2 * JOB_CHUNK as i64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    assert!(!killed.status.success(), "killed, not finished");
    let (archived, queued) = archived_and_queued(&watcher).await;
    assert!(seen > 0, "the job had started");
    assert!(
        (archived as usize) < total,
        "killed in the middle: {archived} of {total}"
    );
    assert_eq!(
        archived % JOB_CHUNK as i64,
        0,
        "whole chunks only: each is one transaction"
    );
    assert_eq!(queued, archived, "each change with its mutation");
    let jobs = watcher.jobs().await.unwrap();
    assert_eq!(jobs[0].state, JobState::Running);
    assert_eq!(
        jobs[0].applied as i64, archived,
        "the cursor moved with the chunks"
    );
    assert!(
        String::from_utf8_lossy(&killed.stdout).is_empty(),
        "not announced"
    );

    // Run again: it resumes after the last chunk and ends once.
    let printed = ok(cli(data).args(["jobs", "run"]).output().unwrap());
    assert_eq!(printed.trim(), "notified\tArchived 20,000 profiles");
    let (archived, queued) = archived_and_queued(&watcher).await;
    assert_eq!(archived as usize, total);
    assert_eq!(
        queued as usize, total,
        "every customer changed exactly once"
    );
    let jobs = watcher.jobs().await.unwrap();
    assert_eq!(jobs[0].state, JobState::Done);
    assert_eq!(jobs[0].applied as usize, total);
    let again = ok(cli(data).args(["jobs", "run"]).output().unwrap());
    assert!(again.is_empty(), "announced once: {again:?}");
}
