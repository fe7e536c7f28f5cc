//! Delayed bulk jobs on a store of 1,000,000 customers: scheduling Archive over 100,000 picked
//! customers, and applying it (chunks of 500, each customer's status and its mutation), through
//! Userdesk's own code (`AppCore`), beside the raw SQL doing the same writes in one statement each
//! (the yardstick).
//!
//! `cargo bench -p userdesk-core --bench jobs` (`USERDESK_BENCH_PROFILES` sets the number of
//! customers, `USERDESK_BENCH_SELECTED` the selection; the store is built once into bench-data/,
//! then copied afresh for each run).

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use userdesk_core::{AppCore, Notifier, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::{JobAction, JobView, Profile, ProfileId, ProfileStatus, Selection};

const RUNS: usize = 3;

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().expect("a valid timestamp")
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

/// The median and the slowest of the runs.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    format!(
        "p50 {} ms, max {} ms",
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1])
    )
}

struct Quiet;

impl Notifier for Quiet {
    fn job_completed(&self, _job: &JobView) -> Result<(), String> {
        Ok(())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers = env("USERDESK_BENCH_PROFILES", 1_000_000);
    let selected = env("USERDESK_BENCH_SELECTED", 100_000).min(customers);
    let options = || OpenOptions {
        sqlite_search_only: true,
        ..Default::default()
    };
    let mut profiles: Vec<Profile> = DemoProfiles::new(11, now()).take(customers).collect();
    for p in &mut profiles {
        p.status = ProfileStatus::Active;
    }
    // The store is built once into bench-data/ (every customer active) and copied for each run of
    // the benchmark, which changes it.
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data");
    std::fs::create_dir_all(&data)?;
    let pristine = data.join(format!("jobs-{customers}.sqlite3"));
    if !pristine.exists() {
        let building = tempfile::tempdir_in(&data)?;
        let app = AppCore::open(&building.path().join("jobs.sqlite3"), options()).await?;
        let started = Instant::now();
        for chunk in profiles.chunks(10_000) {
            app.store().insert_profiles(chunk).await?;
        }
        sqlx::query("VACUUM INTO ?")
            .bind(pristine.to_string_lossy().as_ref())
            .execute(app.store().pool())
            .await?;
        eprintln!(
            "built {} in {:.1} s",
            pristine.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let dir = tempfile::tempdir_in(&data)?;
    let path = dir.path().join("jobs.sqlite3");
    let started = Instant::now();
    std::fs::copy(&pristine, &path)?;
    let app = AppCore::open(&path, options()).await?;
    app.set_job_delay(0).await?;
    let step = customers / selected;
    let picked: Vec<ProfileId> = profiles
        .iter()
        .step_by(step)
        .take(selected)
        .map(|p| p.id)
        .collect();
    drop(profiles);
    let built = started.elapsed();
    eprintln!("store copied and opened in {:.1} s", built.as_secs_f64());
    let selection = Selection::Ids {
        ids: picked.clone(),
    };

    // Scheduling: the job and its 100,000 customers, in one transaction; cancelled after.
    let mut schedule = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let job = app.schedule_job(JobAction::Archive, &selection).await?;
        schedule.push(start.elapsed());
        app.cancel_job(job.id).await?;
    }

    // Applying: Archive then Active again, so every run changes every picked customer.
    let mut apply = Vec::new();
    for run in 0..RUNS {
        let action = if run % 2 == 0 {
            JobAction::Archive
        } else {
            JobAction::Activate
        };
        app.schedule_job(action, &selection).await?;
        let start = Instant::now();
        let done = app
            .run_due_jobs_at(Utc::now() + chrono::Duration::seconds(1), &Quiet)
            .await?;
        apply.push(start.elapsed());
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].applied as usize, selected);
    }

    eprintln!(
        "Userdesk: schedule {}; apply {}",
        summary(schedule.clone()),
        summary(apply.clone())
    );

    // The yardstick: the same writes as raw SQL, one statement each, on the same file.
    let pool = app.store().pool();
    let ids = serde_json::Value::from(
        picked
            .iter()
            .map(|id| id.as_uuid().simple().to_string())
            .collect::<Vec<_>>(),
    )
    .to_string();
    let mut raw_schedule = Vec::new();
    let mut raw_apply = Vec::new();
    for run in 0..RUNS {
        let start = Instant::now();
        let mut tx = pool.begin().await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS raw_pick (profile_id BLOB PRIMARY KEY) WITHOUT ROWID",
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM raw_pick")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO raw_pick SELECT unhex(value) FROM json_each(?)")
            .bind(&ids)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        raw_schedule.push(start.elapsed());

        let status = if run % 2 == 0 { "archived" } else { "active" };
        let start = Instant::now();
        let mut tx = pool.begin().await?;
        sqlx::query("UPDATE profiles SET status = ? WHERE id IN (SELECT profile_id FROM raw_pick)")
            .bind(status)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO outbox (id, name, args, created_at) \
             SELECT (SELECT coalesce(max(id), 0) FROM outbox) + row_number() OVER (), \
             'profile.set_status', json_object('profile_id', hex(profile_id), 'status', ?), 0 \
             FROM raw_pick",
        )
        .bind(status)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        raw_apply.push(start.elapsed());
    }

    println!(
        "store: {customers} customers, copied and opened in {:.1} s",
        built.as_secs_f64()
    );
    println!("selection: {selected} picked customers, {RUNS} runs each");
    println!(
        "schedule Archive over the selection   Userdesk {}   raw SQL {}",
        summary(schedule),
        summary(raw_schedule)
    );
    println!(
        "apply it (chunks of 500)              Userdesk {}   raw SQL {}",
        summary(apply),
        summary(raw_apply)
    );
    Ok(())
}
