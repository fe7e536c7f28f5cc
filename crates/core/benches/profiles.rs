//! The All users table on a 1,000,000-profile store: every query the table makes, each beside the
//! same SQL run raw on the same file (the yardstick).
//!
//! `cargo bench -p userdesk-core --bench profiles` (USERDESK_BENCH_PROFILES sets the store's size;
//! the store is built once into bench-data/ and reused).

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Row;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_model::{
    ListRequest, ProfileFilter, ProfileStatus, SortColumn, SortDirection, SortOrder,
};

const SEED: u64 = 20_261_128;
const PAGE: u32 = 100;
const RUNS: usize = 60;
const SLOW: Duration = Duration::from_millis(250);
const SLOW_RUNS: usize = 10;

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().expect("a valid timestamp")
}

struct Timing {
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn summarize(mut samples: Vec<Duration>) -> Timing {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Timing {
        p50: at(0.5),
        p95: at(0.95),
        max: at(1.0),
    }
}

async fn time<F, Fut, T>(mut f: F) -> Timing
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    let start = Instant::now();
    f().await; // warm the page cache and the statement cache
               // A yardstick that takes seconds (a raw count scanning the table) runs fewer times.
    let runs = if start.elapsed() > SLOW {
        SLOW_RUNS
    } else {
        RUNS
    };
    for _ in 0..2 {
        f().await;
    }
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        std::hint::black_box(f().await);
        samples.push(start.elapsed());
    }
    summarize(samples)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn row(case: &str, ours: &Timing, raw: &Timing) {
    println!(
        "| {case} | {} | {} | {} | {} | {} |",
        ms(ours.p50),
        ms(ours.p95),
        ms(ours.max),
        ms(raw.p50),
        ms(raw.p95)
    );
}

/// The raw SQL for a first page in `sort`, as a developer would write it by hand.
fn raw_first_page(sort: SortOrder) -> String {
    let dir = match sort.direction {
        SortDirection::Asc => "ASC",
        SortDirection::Desc => "DESC",
    };
    let keys = match sort.column {
        SortColumn::Username => "username",
        SortColumn::Email => "email_blank, email",
        SortColumn::Phone => "phone_blank, phone",
        SortColumn::Location => "location_blank, location",
        SortColumn::Created => "created_at",
        SortColumn::LastSeen => "last_seen_at",
        SortColumn::Sessions => "sessions",
        // Every row shown has the one status: the id alone orders them.
        SortColumn::Status => "",
    };
    let order: Vec<String> = keys
        .split(", ")
        .filter(|k| !k.is_empty())
        .chain(["id"])
        .map(|k| format!("{k} {dir}"))
        .collect();
    // `+status`: the status tested row by row while the sort's index is walked, the best plan
    // when most profiles have it (SQLite would otherwise read them all by the status's index).
    format!(
        "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status \
         FROM profiles WHERE +status = 'active' ORDER BY {} LIMIT {PAGE}",
        order.join(", ")
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: usize = std::env::var("USERDESK_BENCH_PROFILES")
        .ok()
        .map(|v| v.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("profiles-{count}.sqlite3"));
    let fresh = !path.exists();
    let rss_before = resident_mb();
    let opened = Instant::now();
    let app = AppCore::open(&path, OpenOptions::default()).await?;
    if fresh || app.store().profile_total().await? as usize != count {
        let start = Instant::now();
        app.store().seed_demo_profiles(SEED, now(), count).await?;
        eprintln!(
            "built {} in {:.1} s",
            path.display(),
            start.elapsed().as_secs_f64()
        );
    }
    app.set_time_zone("UTC").await?;
    // Opening the store starts building the search index in the background; wait for it.
    app.refresh_search_index().await?;
    let index_ready = opened.elapsed();
    let rss_indexed = resident_mb();
    let index_mb = app.search_index_bytes().await / 1_000_000;
    // The table reads a sort's order the first time it sorts by it; every sort is measured here.
    let started = Instant::now();
    for column in SortColumn::ALL {
        app.prepare_sort(column).await?;
    }
    println!(
        "the other {} sort orders read in {:.1} s; search index with every order: {} MB, private \
         resident memory {} MB",
        SortColumn::ALL.len() - 1,
        started.elapsed().as_secs_f64(),
        app.search_index_bytes().await / 1_000_000,
        resident_mb()
    );
    let pool = app.store().pool().clone();
    let size = std::fs::metadata(&path)?.len();
    println!("store: {count} profiles, {:.0} MB; {RUNS} runs per case ({SLOW_RUNS} for a raw query slower than {SLOW:?}), pages of {PAGE} rows; times in ms\n", size as f64 / 1e6);
    let mut builds = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        app.rebuild_search_index().await?;
        builds.push(start.elapsed());
    }
    builds.sort();
    println!(
        "search index: {index_mb} MB, ready {:.1} s after opening the store{}; built again (warm) in {:.1} s \
         (median of 3); private resident memory {rss_before} MB before opening the store, {rss_indexed} MB \
         once open and indexed, {} MB after the three builds\n",
        index_ready.as_secs_f64(),
        if fresh { " (just built)" } else { "" },
        builds[1].as_secs_f64(),
        resident_mb()
    );
    println!("| case | Userdesk p50 | Userdesk p95 | Userdesk max | raw SQL p50 | raw SQL p95 |");
    println!("|---|---:|---:|---:|---:|---:|");

    let active = ProfileFilter {
        status: Some(ProfileStatus::Active),
        ..Default::default()
    };
    let request = |filter: ProfileFilter, sort: SortOrder| ListRequest {
        filter,
        sort,
        after: None,
        offset: 0,
        limit: PAGE,
    };

    for column in SortColumn::ALL {
        for direction in [SortDirection::Asc, SortDirection::Desc] {
            let sort = SortOrder { column, direction };
            let req = request(active.clone(), sort);
            let ours =
                time(|| async { app.list_profiles_at(&req, now()).await.expect("page") }).await;
            let sql = raw_first_page(sort);
            let raw =
                time(|| async { sqlx::query(&sql).fetch_all(&pool).await.expect("raw page") })
                    .await;
            row(
                &format!("first page, {column:?} {direction:?}"),
                &ours,
                &raw,
            );
        }
    }

    // Selective terms (a name, part of an email, phone digits) and one broad term ("gmail").
    for term in [
        "mue", "sofía", "ana.g", "kowalski", "tanaka@", "4915", "gmail", "a", "ma",
    ] {
        let filter = ProfileFilter {
            search: term.to_string(),
            ..active.clone()
        };
        let req = request(filter.clone(), SortOrder::default());
        let ours =
            time(|| async { app.list_profiles_at(&req, now()).await.expect("search") }).await;
        // The best SQL without a text index: walk the sort's index, testing each row.
        let like = format!("%{term}%");
        let raw_like = "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status FROM profiles \
             WHERE +status = 'active' AND (first_name || ' ' || last_name LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1) \
             ORDER BY username, id LIMIT 100";
        let raw = time(|| async {
            sqlx::query(raw_like)
                .bind(&like)
                .fetch_all(&pool)
                .await
                .expect("raw search")
        })
        .await;
        row(&format!("search {term:?}, first page"), &ours, &raw);
        let ours =
            time(|| async { app.count_profiles_at(&filter, now()).await.expect("count") }).await;
        let raw_count = "SELECT count(*) FROM profiles WHERE status = 'active' \
             AND (first_name || ' ' || last_name LIKE ?1 OR email LIKE ?1 OR phone LIKE ?1)";
        let raw = time(|| async {
            sqlx::query(raw_count)
                .bind(&like)
                .fetch_one(&pool)
                .await
                .expect("raw count")
        })
        .await;
        row(&format!("search {term:?}, count"), &ours, &raw);
    }
    {
        // A search's second page, and a search sorted by another column.
        let gmail = ProfileFilter {
            search: "gmail".to_string(),
            ..active.clone()
        };
        let first = app
            .list_profiles_at(&request(gmail.clone(), SortOrder::default()), now())
            .await?;
        let next = ListRequest {
            after: first.next.clone(),
            ..request(gmail.clone(), SortOrder::default())
        };
        let ours = time(|| async { app.list_profiles_at(&next, now()).await.expect("next") }).await;
        let cursor = first.next.clone().expect("a second page");
        let username = match &cursor.value {
            userdesk_model::CursorValue::Text(v) => v.clone(),
            userdesk_model::CursorValue::Int(_) => anyhow::bail!("username cursors hold text"),
        };
        let raw_next = "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status \
             FROM profiles WHERE +status = 'active' \
             AND (first_name || ' ' || last_name LIKE '%gmail%' OR email LIKE '%gmail%' OR phone LIKE '%gmail%') \
             AND (username, id) > (?, ?) ORDER BY username, id LIMIT 100";
        let raw = time(|| async {
            sqlx::query(raw_next)
                .bind(&username)
                .bind(*cursor.id.as_uuid())
                .fetch_all(&pool)
                .await
                .expect("raw next")
        })
        .await;
        row("search \"gmail\", next page", &ours, &raw);
        let by_last_seen = request(
            gmail.clone(),
            SortOrder {
                column: SortColumn::LastSeen,
                direction: SortDirection::Desc,
            },
        );
        let ours = time(|| async {
            app.list_profiles_at(&by_last_seen, now())
                .await
                .expect("sorted")
        })
        .await;
        let raw_sorted = "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status \
             FROM profiles WHERE +status = 'active' \
             AND (first_name || ' ' || last_name LIKE '%gmail%' OR email LIKE '%gmail%' OR phone LIKE '%gmail%') \
             ORDER BY last_seen_at DESC, id DESC LIMIT 100";
        let raw = time(|| async {
            sqlx::query(raw_sorted)
                .fetch_all(&pool)
                .await
                .expect("raw sorted")
        })
        .await;
        row(
            "search \"gmail\", first page by Last seen Desc",
            &ours,
            &raw,
        );
    }
    {
        // Until the search index is built (the first seconds after opening a big store), the
        // same searches are answered by SQLite alone.
        let sqlite_only = AppCore::open(
            &path,
            OpenOptions {
                sqlite_search_only: true,
                ..Default::default()
            },
        )
        .await?;
        sqlite_only.set_time_zone("UTC").await?;
        for term in ["mue", "gmail", "sofía", "ana.g"] {
            let filter = ProfileFilter {
                search: term.to_string(),
                ..active.clone()
            };
            let req = request(filter.clone(), SortOrder::default());
            let ours = time(|| async {
                sqlite_only
                    .list_profiles_at(&req, now())
                    .await
                    .expect("search")
            })
            .await;
            println!(
                "| (before the search index is ready) search {term:?}, first page, SQLite alone | {} | {} | {} | | |",
                ms(ours.p50),
                ms(ours.p95),
                ms(ours.max)
            );
            if term == "mue" {
                let ours = time(|| async {
                    sqlite_only
                        .count_profiles_at(&filter, now())
                        .await
                        .expect("count")
                })
                .await;
                println!(
                    "| (before the search index is ready) search {term:?}, count, SQLite alone | {} | {} | {} | | |",
                    ms(ours.p50),
                    ms(ours.p95),
                    ms(ours.max)
                );
            }
        }
        sqlite_only.store().close().await;
    }
    // Deep keyset page: the page after the row half-way down the table.
    let sort = SortOrder {
        column: SortColumn::LastSeen,
        direction: SortDirection::Desc,
    };
    let half = app.count_profiles_at(&active, now()).await? / 2;
    let jump = ListRequest {
        offset: half,
        ..request(active.clone(), sort)
    };
    let at_half = app.list_profiles_at(&jump, now()).await?;
    let cursor = at_half.next.clone().expect("a cursor half-way down");
    let deep = ListRequest {
        after: Some(cursor.clone()),
        ..request(active.clone(), sort)
    };
    let ours =
        time(|| async { app.list_profiles_at(&deep, now()).await.expect("deep page") }).await;
    let value = match &cursor.value {
        userdesk_model::CursorValue::Int(v) => *v,
        userdesk_model::CursorValue::Text(_) => anyhow::bail!("last seen cursors hold integers"),
    };
    let raw_deep =
        "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status \
         FROM profiles WHERE +status = 'active' AND (last_seen_at, id) < (?, ?) \
         ORDER BY last_seen_at DESC, id DESC LIMIT 100";
    let raw = time(|| async {
        sqlx::query(raw_deep)
            .bind(value)
            .bind(*cursor.id.as_uuid())
            .fetch_all(&pool)
            .await
            .expect("raw deep")
    })
    .await;
    row(
        &format!("keyset page after row {half}, LastSeen Desc"),
        &ours,
        &raw,
    );

    let ours = time(|| async {
        app.list_profiles_at(&jump, now())
            .await
            .expect("offset page")
    })
    .await;
    let raw_offset = format!(
        "SELECT id, username, email, phone, location, created_at, last_seen_at, sessions, status \
         FROM profiles WHERE +status = 'active' ORDER BY last_seen_at DESC, id DESC LIMIT 100 OFFSET {half}"
    );
    let raw = time(|| async {
        sqlx::query(&raw_offset)
            .fetch_all(&pool)
            .await
            .expect("raw offset")
    })
    .await;
    row(&format!("scroll-bar jump: offset {half}"), &ours, &raw);

    for (name, filter, raw_sql) in [
        ("count, Active", active.clone(), "SELECT count(*) FROM profiles WHERE status = 'active'"),
        (
            "count, Active + WhatsApp + Registered",
            ProfileFilter {
                platform: Some(userdesk_model::Platform::WhatsApp),
                kind: Some(userdesk_model::ProfileType::Registered),
                ..active.clone()
            },
            "SELECT count(*) FROM profiles WHERE status = 'active' AND kind = 'registered' AND platform = 'whats_app'",
        ),
    ] {
        let ours = time(|| async { app.count_profiles_at(&filter, now()).await.expect("count") }).await;
        let raw = time(|| async { sqlx::query(raw_sql).fetch_one(&pool).await.expect("raw count").get::<i64, _>(0) }).await;
        row(name, &ours, &raw);
    }

    // After an edit the index catches up with that one profile (searches meanwhile read SQLite).
    let someone = app
        .list_profiles_at(&request(active.clone(), SortOrder::default()), now())
        .await?
        .rows
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("an empty store"))?;
    let edits = std::sync::atomic::AtomicU32::new(0);
    let patch = || {
        let n = edits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        userdesk_model::ProfilePatch {
            last_name: Some(format!("Edit{n}")),
            ..Default::default()
        }
        .validate()
        .expect("a valid patch")
    };
    let edit_alone = time(|| async {
        app.store()
            .patch_profile(someone.id, &patch())
            .await
            .expect("edit");
    })
    .await;
    app.refresh_search_index().await?;
    let edit_and_catch_up = time(|| async {
        app.store()
            .patch_profile(someone.id, &patch())
            .await
            .expect("edit");
        app.refresh_search_index().await.expect("catch up");
    })
    .await;
    println!(
        "\nAn edit saved: p50 {} ms, p95 {} ms; saved and caught up by the search index: p50 {} ms, p95 {} ms",
        ms(edit_alone.p50),
        ms(edit_alone.p95),
        ms(edit_and_catch_up.p50),
        ms(edit_and_catch_up.p95)
    );
    println!("private resident memory at the end: {} MB", resident_mb());
    app.store().close().await;
    Ok(())
}

/// This process's private resident memory in MB (Linux), or "n/a". Pages of the database file
/// mapped by SQLite are left out: they are the operating system's file cache, shared and
/// reclaimable, and counted once per connection in VmRSS.
fn resident_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("RssAnon:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or_else(|| "n/a".to_string(), |kb| (kb / 1024).to_string())
}
