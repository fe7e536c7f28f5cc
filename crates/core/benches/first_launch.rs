//! The first launch: a brand-new store filled with the demo workspace (5,000 customers with their
//! bot sessions, conversations, goals, properties, segments and notes) until the All users table
//! shows its first page, through `AppCore::open` as the app opens it; beside it the yardstick of
//! the same customers alone written by `Store::seed_demo_profiles` (what a first launch wrote
//! before the story came with them).
//!
//! `cargo bench -p userdesk-core --bench first_launch` (`make bench-first-launch`;
//! `USERDESK_BENCH_PROFILES` sets the number of customers).

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use userdesk_core::{AppCore, Keychain, OpenOptions};
use userdesk_model::ListRequest;

const RUNS: usize = 5;

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

fn first_page() -> ListRequest {
    ListRequest {
        filter: Default::default(),
        sort: Default::default(),
        after: None,
        offset: 0,
        limit: 100,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers: usize = std::env::var("USERDESK_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let mut launches = Vec::new();
    let mut yardstick = Vec::new();
    for _ in 0..RUNS {
        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        let options = OpenOptions {
            demo_profiles: customers,
            keychain: Some(Keychain::in_memory()),
            ..OpenOptions::default()
        };
        let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), options).await?;
        let page = app.list_profiles(&first_page()).await?;
        launches.push(started.elapsed());
        assert_eq!(page.rows.len(), 100);
        app.store().close().await;

        let dir = tempfile::tempdir()?;
        let started = Instant::now();
        let options = OpenOptions {
            keychain: Some(Keychain::in_memory()),
            ..OpenOptions::default()
        };
        let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), options).await?;
        app.store()
            .seed_demo_profiles(0x05E4_DE5C, chrono::Utc::now(), customers)
            .await?;
        app.list_profiles(&first_page()).await?;
        yardstick.push(started.elapsed());
        app.store().close().await;
    }
    println!(
        "first launch, {customers} demo customers with their story, to the first page: {}",
        summary(launches)
    );
    println!(
        "yardstick, the same customers alone: {}",
        summary(yardstick)
    );
    Ok(())
}
