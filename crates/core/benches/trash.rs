//! The Trash on a store of 1,000,000 customers: Delete of 100,000 picked customers (to the
//! Trash, with their `profile.trash` mutations) and Restore of them all, through Userdesk's own
//! code (`AppCore`), beside raw SQL marking the same rows in one statement each (the yardstick).
//!
//! `cargo bench -p userdesk-core --bench trash` (`USERDESK_BENCH_PROFILES` sets the number of
//! customers, `USERDESK_BENCH_SELECTED` the selection; the store is built once into
//! bench-data/, then copied afresh for each run of the benchmark).

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_model::{ProfileId, Selection, TrashSelection};

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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers = env("USERDESK_BENCH_PROFILES", 1_000_000);
    let selected = env("USERDESK_BENCH_SELECTED", 100_000).min(customers);
    let options = || OpenOptions {
        sqlite_search_only: true,
        ..Default::default()
    };
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data");
    std::fs::create_dir_all(&data)?;
    let pristine = data.join(format!("trash-{customers}.sqlite3"));
    if !pristine.exists() {
        let building = tempfile::tempdir_in(&data)?;
        let app = AppCore::open(&building.path().join("trash.sqlite3"), options()).await?;
        let started = Instant::now();
        app.store().seed_demo_profiles(5, now(), customers).await?;
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
    let path = dir.path().join("trash.sqlite3");
    let started = Instant::now();
    std::fs::copy(&pristine, &path)?;
    let app = AppCore::open(&path, options()).await?;
    let step = (customers / selected).max(1) as i64;
    let picked: Vec<ProfileId> =
        sqlx::query_scalar("SELECT id FROM profiles WHERE seq % ? = 0 ORDER BY seq LIMIT ?")
            .bind(step)
            .bind(selected as i64)
            .fetch_all(app.store().pool())
            .await?;
    assert_eq!(picked.len(), selected);
    let built = started.elapsed();
    let selection = Selection::Ids {
        ids: picked.clone(),
    };

    // Delete to the Trash, then Restore everyone: every run moves every picked customer twice.
    let mut delete = Vec::new();
    let mut restore = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let moved = app.delete_profiles(&selection).await?;
        delete.push(start.elapsed());
        assert_eq!(moved as usize, selected);
        let start = Instant::now();
        let back = app.restore_profiles(&TrashSelection::All).await?;
        restore.push(start.elapsed());
        assert_eq!(back as usize, selected);
    }
    let pending = app.sync_status().await?.pending;
    eprintln!(
        "Userdesk: delete {}; restore {}; {pending} mutations queued",
        summary(delete.clone()),
        summary(restore.clone())
    );

    // The yardstick: the same rows marked and unmarked by raw SQL, one statement each way, on
    // the same file.
    let pool = app.store().pool();
    let ids = serde_json::Value::from(
        picked
            .iter()
            .map(|id| id.as_uuid().simple().to_string())
            .collect::<Vec<_>>(),
    )
    .to_string();
    let mut raw_delete = Vec::new();
    let mut raw_restore = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        sqlx::query(
            "UPDATE profiles SET trashed_at = 1, trashed_by = '' \
             WHERE id IN (SELECT unhex(value) FROM json_each(?))",
        )
        .bind(&ids)
        .execute(pool)
        .await?;
        raw_delete.push(start.elapsed());
        let start = Instant::now();
        sqlx::query(
            "UPDATE profiles SET trashed_at = NULL, trashed_by = NULL \
             WHERE trashed_at IS NOT NULL",
        )
        .execute(pool)
        .await?;
        raw_restore.push(start.elapsed());
    }

    println!(
        "store: {customers} customers, copied and opened in {:.1} s",
        built.as_secs_f64()
    );
    println!("selection: {selected} picked customers, {RUNS} runs each");
    println!(
        "Delete (to the Trash)   Userdesk {}   raw SQL {}",
        summary(delete),
        summary(raw_delete)
    );
    println!(
        "Restore (all of them)   Userdesk {}   raw SQL {}",
        summary(restore),
        summary(raw_restore)
    );
    Ok(())
}
