//! Pull and push throughput of the real server over HTTP on loopback, on SQLite and (when
//! USERDESK_BENCH_POSTGRES_URL is set) PostgreSQL, on a workspace of 1,000,000 customers
//! (USERDESK_BENCH_PROFILES=N for another size). Figures go to docs/benchmarks.md.

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use userdesk_model::sync::{ClientId, Entity, Op, PatchOp, PullResponse, PushResponse};
use userdesk_model::{ProfileId, ProfilePatch};
use userdesk_server::http::Limits;
use userdesk_server::managers::{hash_token, new_token, Principal, Role};
use userdesk_server::rate_limit::RateLimit;
use userdesk_server::seed::bench_workspace;
use userdesk_server::storage::{self, PullQuery, Storage};
use userdesk_server::RunningServer;

const PULL_LIMIT: u32 = 5000;
const PUSH_MUTATIONS: usize = 20_000;
const PUSH_BATCH: usize = 500;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    runtime.block_on(run());
}

async fn run() {
    let profiles: usize = std::env::var("USERDESK_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../bench-data");
    std::fs::create_dir_all(&data).expect("bench-data/");
    let sqlite = format!(
        "sqlite://{}",
        data.join(format!("server-{profiles}.sqlite3")).display()
    );
    bench("SQLite", &sqlite, profiles).await;
    match std::env::var("USERDESK_BENCH_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => bench("PostgreSQL", &url, profiles).await,
        _ => println!(
            "\nPostgreSQL skipped: set USERDESK_BENCH_POSTGRES_URL (`make bench-server` does)"
        ),
    }
}

async fn bench(name: &str, url: &str, profiles: usize) {
    println!("\n## {name}: {profiles} customers");
    let storage = storage::open(url).await.expect("the database");
    let workspace = format!("bench-{profiles}");
    let bench = bench_workspace(storage.as_ref(), profiles)
        .await
        .expect("the seeded workspace");
    match bench.seeded {
        None => println!("reusing the seeded workspace"),
        Some((summary, took)) => println!(
            "seeded {} customers and {} property values in {:.1} s ({:.0} customers/s)",
            summary.profiles,
            summary.property_values,
            took.as_secs_f64(),
            summary.profiles as f64 / took.as_secs_f64()
        ),
    }
    let id = bench.id;
    let manager = storage
        .ensure_manager(id, "bench@example.com", Role::Admin, "UTC")
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

    let ids = pull(&http, &base, &token).await;
    assert_eq!(ids.len(), profiles, "every customer pulled once");
    push(&http, &base, &token, &ids, 1).await;
    push(&http, &base, &token, &ids, 4).await;
    let principal = Principal {
        workspace_id: id,
        manager_id: manager,
        email: "bench@example.com".to_string(),
        role: Role::Admin,
        workspace_name: workspace.clone(),
        time_zone: "UTC".to_string(),
    };
    storage_pull(storage.as_ref(), &principal).await;
    server.stop().await.expect("stop");
    storage.close().await;
}

/// A full initial sync of the workspace in pages of PULL_LIMIT.
async fn pull(http: &reqwest::Client, base: &str, token: &str) -> Vec<ProfileId> {
    let client = ClientId::new();
    let mut cookie: Option<String> = None;
    let mut ids = Vec::new();
    let mut records = 0usize;
    let mut pages = Vec::new();
    let started = Instant::now();
    loop {
        let page_started = Instant::now();
        let page: PullResponse = http
            .post(format!("{base}/v1/pull"))
            .bearer_auth(token)
            .json(
                &serde_json::json!({ "client_id": client, "cookie": cookie, "limit": PULL_LIMIT }),
            )
            .send()
            .await
            .expect("pull")
            .error_for_status()
            .expect("pull status")
            .json()
            .await
            .expect("pull body");
        pages.push(page_started.elapsed());
        records += page.patch.len();
        for op in &page.patch {
            if let PatchOp::Put(Entity::Profile(p)) = op {
                ids.push(p.id);
            }
        }
        cookie = Some(page.cookie);
        if !page.has_more {
            break;
        }
    }
    let took = started.elapsed();
    pages.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "pull: {} customers ({records} records) in {:.1} s = {:.0} customers/s, {:.0} records/s; \
         {} pages of {PULL_LIMIT}: p50 {:.0} ms, p95 {:.0} ms",
        ids.len(),
        took.as_secs_f64(),
        ids.len() as f64 / took.as_secs_f64(),
        records as f64 / took.as_secs_f64(),
        pages.len(),
        ms(pages[pages.len() / 2]),
        ms(pages[pages.len() * 95 / 100]),
    );
    ids
}

/// PUSH_MUTATIONS profile edits in pushes of PUSH_BATCH, from `clients` clients at once.
async fn push(http: &reqwest::Client, base: &str, token: &str, ids: &[ProfileId], clients: usize) {
    let per_client = PUSH_MUTATIONS / clients;
    let ids = Arc::new(ids.to_vec());
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (http, base, token, ids) = (
                http.clone(),
                base.to_string(),
                token.to_string(),
                ids.clone(),
            );
            tokio::spawn(async move {
                let client = ClientId::new();
                for batch in 0..per_client / PUSH_BATCH {
                    let mutations: Vec<_> = (0..PUSH_BATCH)
                        .map(|i| {
                            let n = batch * PUSH_BATCH + i;
                            let profile = ids[(c * per_client + n) * 37 % ids.len()];
                            Op::ProfilePatch {
                                profile_id: profile,
                                patch: ProfilePatch {
                                    location: Some(format!("Desk {c}-{n}")),
                                    ..Default::default()
                                },
                                base: None,
                            }
                            .to_mutation(n as u64 + 1)
                        })
                        .collect();
                    let answer: PushResponse = http
                        .post(format!("{base}/v1/push"))
                        .bearer_auth(&token)
                        .json(&serde_json::json!({ "client_id": client, "mutations": mutations }))
                        .send()
                        .await
                        .expect("push")
                        .error_for_status()
                        .expect("push status")
                        .json()
                        .await
                        .expect("push body");
                    assert_eq!(answer.applied as usize, PUSH_BATCH);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a pushing client");
    }
    let took = started.elapsed();
    println!(
        "push: {PUSH_MUTATIONS} profile edits from {clients} client(s) in pushes of {PUSH_BATCH} in {:.1} s = {:.0} mutations/s",
        took.as_secs_f64(),
        PUSH_MUTATIONS as f64 / took.as_secs_f64()
    );
}

/// The same initial sync through the storage alone, without HTTP or JSON: what the database and
/// the decoding cost.
async fn storage_pull(storage: &dyn Storage, principal: &Principal) {
    let client = ClientId::new();
    let mut cookie = None;
    let mut customers = 0usize;
    let started = Instant::now();
    loop {
        let query = PullQuery {
            client_id: client,
            cookie,
            limit: PULL_LIMIT,
        };
        let page = storage.pull(principal, &query).await.expect("pull");
        customers += page
            .patch
            .iter()
            .filter(|op| matches!(op, PatchOp::Put(Entity::Profile(_))))
            .count();
        cookie = Some(page.cookie);
        if !page.has_more {
            break;
        }
    }
    let took = started.elapsed();
    println!(
        "pull through the storage alone: {customers} customers in {:.1} s = {:.0} customers/s",
        took.as_secs_f64(),
        customers as f64 / took.as_secs_f64()
    );
}
