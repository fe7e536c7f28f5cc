//! A manager's first sync of a 1,000,000-customer workspace (USERDESK_BENCH_PROFILES=N for
//! another size), then incremental syncs of 1,000 changes each way, through `AppCore` as the app
//! runs them, against the real server on loopback in this process. Beside them the yardsticks:
//! the pull alone over HTTP (pages fetched and decoded, nothing applied) and raw SQLite inserting
//! the same rows into the same schema.
//!
//! `cargo bench -p userdesk-core --bench sync` (`make bench-sync`). The server's workspace is the
//! one `cargo bench -p userdesk-server --bench sync` measures: bench-data/server-N.sqlite3, seeded
//! once and reused. Figures go to docs/benchmarks.md.

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::{QueryBuilder, Sqlite};
use tokio::net::TcpListener;
use userdesk_core::{AppCore, OpenOptions, Store, SyncOptions};
use userdesk_model::sync::{
    ClientId, Entity, Op, PatchOp, PullRequest, PullResponse, PushRequest, PushResponse,
};
use userdesk_model::{
    ListRequest, Profile, ProfileFilter, ProfileId, ProfilePatch, ProfileStatus, PropertyId,
    SegmentId, SortColumn, SortDirection, SortOrder,
};
use userdesk_server::http::Limits;
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::rate_limit::RateLimit;
use userdesk_server::seed::bench_workspace;
use userdesk_server::storage;
use userdesk_server::RunningServer;

/// Changes made on each side for the incremental syncs.
const CHANGES: usize = 1000;
/// Rows per multi-row INSERT of the raw yardstick.
const ROWS_PER_INSERT: usize = 500;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run());
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Timing {
    p50: Duration,
    p95: Duration,
    max: Duration,
    runs: usize,
}

fn summarize(mut samples: Vec<Duration>) -> Option<Timing> {
    if samples.is_empty() {
        return None;
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Some(Timing {
        p50: at(0.5),
        p95: at(0.95),
        max: at(1.0),
        runs: samples.len(),
    })
}

async fn run() {
    let profiles: usize = std::env::var("USERDESK_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data");
    std::fs::create_dir_all(&data).expect("bench-data/");
    let url = format!(
        "sqlite://{}",
        data.join(format!("server-{profiles}.sqlite3")).display()
    );
    println!("## First sync of {profiles} customers");
    let storage = storage::open(&url).await.expect("the server's database");
    let bench = bench_workspace(storage.as_ref(), profiles)
        .await
        .expect("the seeded workspace");
    match bench.seeded {
        None => println!("reusing the seeded workspace in {url}"),
        Some((summary, took)) => println!(
            "seeded {} customers and {} property values in {:.1} s",
            summary.profiles,
            summary.property_values,
            secs(took)
        ),
    }
    let manager = storage
        .ensure_manager(bench.id, "bench@example.com", Role::Admin, "UTC")
        .await
        .expect("manager");
    let token = new_token().expect("token");
    storage
        .add_token(manager, &hash_token(&token))
        .await
        .expect("token");
    let limits = Limits {
        rate: RateLimit {
            burst: u32::MAX,
            per_second: 1e9,
        },
        ..Limits::default()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let server = RunningServer::start(listener, storage.clone(), limits).expect("server");
    let base = format!("http://{}", server.addr());
    let http = reqwest::Client::new();
    let options = SyncOptions::default();

    let pages = raw_pull(&http, &base, &token, options.pull_limit).await;
    raw_sqlite(&pages).await;
    let records: usize = pages.iter().map(|p| p.patch.len()).sum();
    let ids: Vec<ProfileId> = pages
        .iter()
        .flat_map(|p| &p.patch)
        .filter_map(|op| match op {
            PatchOp::Put(Entity::Profile(p)) => Some(p.id),
            _ => None,
        })
        .collect();
    drop(pages);

    let dir = tempfile::tempdir().expect("a temporary directory");
    let app = Arc::new(
        AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default())
            .await
            .expect("the app's store"),
    );
    first_sync(&app, &base, &token, options, profiles, records).await;
    incremental(&app, &http, &base, &token, options, &ids).await;

    app.store().close().await;
    server.stop().await.expect("stop");
    storage.close().await;
}

/// Yardstick (a): every page fetched over HTTP and decoded as the app decodes it, nothing applied.
async fn raw_pull(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    limit: u32,
) -> Vec<PullResponse> {
    let client_id = ClientId::new();
    let mut cookie = None;
    let mut pages = Vec::new();
    let started = Instant::now();
    loop {
        let request = PullRequest {
            client_id,
            cookie,
            limit: Some(limit),
        };
        let bytes = http
            .post(format!("{base}/v1/pull"))
            .bearer_auth(token)
            .json(&request)
            .send()
            .await
            .expect("pull")
            .error_for_status()
            .expect("pull status")
            .bytes()
            .await
            .expect("pull body");
        let page: PullResponse = serde_json::from_slice(&bytes).expect("a pull page");
        cookie = Some(page.cookie.clone());
        let more = page.has_more;
        pages.push(page);
        if !more {
            break;
        }
    }
    let took = started.elapsed();
    let records: usize = pages.iter().map(|p| p.patch.len()).sum();
    println!(
        "raw pull over HTTP (fetched and decoded, nothing applied): {records} records in {} pages \
         of {limit} in {:.1} s = {:.0} records/s",
        pages.len(),
        secs(took),
        records as f64 / secs(took)
    );
    pages
}

/// One profile row as the store keeps it.
struct ProfileRow<'a> {
    profile: &'a Profile,
    username: String,
}

/// Yardstick (b): the same rows put into the same schema by the most direct SQL: the indexes a
/// bulk load defers dropped, plain multi-row INSERTs (the profiles one transaction per page, the
/// other records sorted by key beforehand), then each index built once.
async fn raw_sqlite(pages: &[PullResponse]) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(&dir.path().join("raw.sqlite3"))
        .await
        .expect("a fresh store");
    // Everything but SQLite's own work is done before the clock starts.
    let mut profiles: Vec<Vec<ProfileRow<'_>>> = Vec::new();
    let mut records: Vec<(String, String, String)> = Vec::new();
    let mut values: Vec<(ProfileId, PropertyId, &str)> = Vec::new();
    let mut members: Vec<(SegmentId, ProfileId)> = Vec::new();
    for page in pages {
        let mut rows = Vec::new();
        for op in &page.patch {
            match op {
                PatchOp::Put(Entity::Profile(p)) => rows.push(ProfileRow {
                    profile: p,
                    username: p.username(),
                }),
                PatchOp::Put(Entity::PropertyValue(v)) => {
                    values.push((v.profile_id, v.property_id, &v.value))
                }
                PatchOp::Put(Entity::SegmentMember(m)) => {
                    members.push((m.segment_id, m.profile_id))
                }
                PatchOp::Put(entity) => {
                    let json = serde_json::to_value(entity).expect("a record");
                    let kind = json["kind"].as_str().expect("a kind").to_string();
                    let key = json["value"]["id"].to_string();
                    records.push((kind, key, json.to_string()));
                }
                PatchOp::Delete(_) => {}
            }
        }
        profiles.push(rows);
    }
    records.sort();
    // UUIDs order as their bytes do.
    values.sort();
    members.sort();
    let mut conn = store.pool().acquire().await.expect("a connection");
    let deferred: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND ((tbl_name = 'profiles' AND name LIKE 'profiles_by_%') \
         OR tbl_name IN ('property_values', 'synced_records'))",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("the schema");
    let started = Instant::now();
    for (name, _) in &deferred {
        sqlx::query(&format!("DROP INDEX {name}"))
            .execute(&mut *conn)
            .await
            .expect("a drop");
    }
    for page in &profiles {
        insert_all(
            &mut conn,
            "INSERT INTO profiles (id, email, first_name, last_name, phone, location, username, \
             created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind, \
             platform) ",
            page,
            page.len().max(1),
            |row, r| {
                let p = r.profile;
                row.push_bind(p.id)
                    .push_bind(&p.email)
                    .push_bind(&p.first_name)
                    .push_bind(&p.last_name)
                    .push_bind(&p.phone)
                    .push_bind(&p.location)
                    .push_bind(&r.username)
                    .push_bind(p.created_at.timestamp_millis())
                    .push_bind(p.last_seen_at.timestamp_millis())
                    .push_bind(&p.device)
                    .push_bind(i64::from(p.sessions))
                    .push_bind(p.live_chat_takeover)
                    .push_bind(p.status.as_str())
                    .push_bind(p.kind.as_str())
                    .push_bind(p.platform.as_str());
            },
        )
        .await;
    }
    let profiles_in = started.elapsed();
    let head = "INSERT INTO synced_records (kind, key, record, version) ";
    insert_all(
        &mut conn,
        head,
        &records,
        5000,
        |row, (kind, key, record)| {
            row.push_bind(kind)
                .push_bind(key)
                .push_bind(record)
                .push_bind(1);
        },
    )
    .await;
    let head = "INSERT INTO property_values (profile_id, property_id, value) ";
    insert_all(
        &mut conn,
        head,
        &values,
        5000,
        |row, (profile, property, value)| {
            row.push_bind(*profile)
                .push_bind(*property)
                .push_bind(*value);
        },
    )
    .await;
    let head = "INSERT INTO segment_members (segment_id, profile_id) ";
    insert_all(
        &mut conn,
        head,
        &members,
        5000,
        |row, (segment, profile)| {
            row.push_bind(*segment).push_bind(*profile);
        },
    )
    .await;
    let records_in = started.elapsed();
    for (_, sql) in &deferred {
        sqlx::query(sql)
            .execute(&mut *conn)
            .await
            .expect("an index");
    }
    let took = started.elapsed();
    let rows: usize =
        profiles.iter().map(Vec::len).sum::<usize>() + records.len() + values.len() + members.len();
    println!(
        "raw SQLite, the same rows into the same schema by plain multi-row INSERTs, indexes built \
         afterwards: {rows} rows in {:.1} s = {:.0} rows/s (profiles {:.1} s, other records \
         {:.1} s, indexes {:.1} s)",
        secs(took),
        rows as f64 / secs(took),
        secs(profiles_in),
        secs(records_in - profiles_in),
        secs(took - records_in),
    );
    drop(conn);
    store.close().await;
}

/// Inserts `rows` by multi-row INSERTs after `head`, one transaction per `batch` rows.
async fn insert_all<'r, T>(
    conn: &mut sqlx::SqliteConnection,
    head: &str,
    rows: &'r [T],
    batch: usize,
    bind: impl Fn(&mut sqlx::query_builder::Separated<'_, 'r, Sqlite, &'static str>, &'r T),
) {
    for batch in rows.chunks(batch) {
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .expect("a transaction");
        for chunk in batch.chunks(ROWS_PER_INSERT) {
            let mut insert = QueryBuilder::<Sqlite>::new(head);
            insert.push_values(chunk, |mut row, r| bind(&mut row, r));
            insert.build().execute(&mut *tx).await.expect("an insert");
        }
        tx.commit().await.expect("commit");
    }
}

fn first_page() -> ListRequest {
    ListRequest {
        filter: ProfileFilter {
            status: Some(ProfileStatus::Active),
            ..Default::default()
        },
        sort: SortOrder {
            column: SortColumn::Username,
            direction: SortDirection::Asc,
        },
        after: None,
        offset: 0,
        limit: 100,
    }
}

/// The first sync through `AppCore`, while the All users table asks for its first page and count
/// twice a second as the window would.
async fn first_sync(
    app: &Arc<AppCore>,
    base: &str,
    token: &str,
    options: SyncOptions,
    profiles: usize,
    records: usize,
) {
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (app, done) = (app.clone(), done.clone());
        tokio::spawn(async move {
            let (mut pages, mut counts) = (Vec::new(), Vec::new());
            while !done.load(Ordering::Relaxed) {
                let started = Instant::now();
                app.list_profiles(&first_page())
                    .await
                    .expect("the first page");
                pages.push(started.elapsed());
                let started = Instant::now();
                app.count_profiles(&first_page().filter)
                    .await
                    .expect("the count");
                counts.push(started.elapsed());
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            (pages, counts)
        })
    };
    let started = Instant::now();
    let report = app
        .sync_with(base, token, options)
        .await
        .expect("the first sync");
    let synced = started.elapsed();
    done.store(true, Ordering::Relaxed);
    let (pages, counts) = reader.await.expect("the table's reader");
    app.refresh_search_index().await.expect("the search index");
    let searchable = started.elapsed();
    assert_eq!(
        app.store().profile_total().await.expect("a count"),
        profiles as u64,
        "every customer synced once"
    );
    assert_eq!(report.pulled as usize, records, "every record pulled once");
    println!(
        "Userdesk's first sync (AppCore::sync_with): {} records in {} pages in {:.1} s = {:.0} \
         records/s; the search index current {:.1} s after the start",
        report.pulled,
        report.pages,
        secs(synced),
        report.pulled as f64 / secs(synced),
        secs(searchable)
    );
    for (what, samples) in [("first page", pages), ("count", counts)] {
        if let Some(t) = summarize(samples) {
            println!(
                "  the table during the first sync, {what} (Active, Username Asc): p50 {:.1} ms, \
                 p95 {:.1} ms, max {:.1} ms over {} runs",
                ms(t.p50),
                ms(t.p95),
                ms(t.max),
                t.runs
            );
        }
    }
}

/// CHANGES edits made by another manager, pulled; then CHANGES local edits, pushed.
async fn incremental(
    app: &AppCore,
    http: &reqwest::Client,
    base: &str,
    token: &str,
    options: SyncOptions,
    ids: &[ProfileId],
) {
    let step = (ids.len() / CHANGES).max(1);
    let theirs: Vec<_> = (0..CHANGES)
        .map(|n| {
            Op::ProfilePatch {
                profile_id: ids[(n * step) % ids.len()],
                patch: ProfilePatch {
                    location: Some(format!("Desk {n}")),
                    ..Default::default()
                },
                base: None,
            }
            .to_mutation(n as u64 + 1)
        })
        .collect();
    let answer: PushResponse = http
        .post(format!("{base}/v1/push"))
        .bearer_auth(token)
        .json(&PushRequest {
            client_id: ClientId::new(),
            mutations: theirs,
        })
        .send()
        .await
        .expect("push")
        .error_for_status()
        .expect("push status")
        .json()
        .await
        .expect("push body");
    assert_eq!(answer.applied as usize, CHANGES);
    let started = Instant::now();
    let report = app
        .sync_with(base, token, options)
        .await
        .expect("an incremental sync");
    let took = started.elapsed();
    assert_eq!(report.pulled as usize, CHANGES);
    println!(
        "incremental sync, {CHANGES} changes made by another manager pulled: {:.0} ms ({} pages)",
        ms(took),
        report.pages
    );

    let started = Instant::now();
    for n in 0..CHANGES {
        let id = ids[(n * step + step / 2) % ids.len()];
        app.patch_profile(
            id,
            ProfilePatch {
                first_name: Some(format!("Edited {n}")),
                ..Default::default()
            },
        )
        .await
        .expect("a local edit");
    }
    let edits = started.elapsed();
    let started = Instant::now();
    let report = app
        .sync_with(base, token, options)
        .await
        .expect("an incremental sync");
    let took = started.elapsed();
    assert_eq!(report.applied as usize, CHANGES);
    assert_eq!(report.pending, 0);
    println!(
        "incremental sync, {CHANGES} local edits pushed (and their records pulled back): {:.0} ms \
         ({} pushed, {} pages pulled); the edits themselves took {:.0} ms to save",
        ms(took),
        report.pushed,
        report.pages,
        ms(edits)
    );
}
