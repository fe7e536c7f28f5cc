//! A real server on 127.0.0.1:0 over a fresh store, with two workspaces and their tokens; it
//! shuts down when dropped.

#![allow(dead_code)]

pub mod smtp;
pub mod story;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::net::TcpListener;
use userdesk_model::sync::{ClientId, Mutation, Op, PatchOp, PullResponse, PushResponse};
use userdesk_model::{Platform, Profile, ProfileId, ProfileStatus, ProfileType};
use userdesk_server::http::Limits;
use userdesk_server::ids::WorkspaceId;
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::storage::{self, PlatformBatch, Storage};
use userdesk_server::RunningServer;

/// Which database a story runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The environment variable naming the PostgreSQL database the PostgreSQL story uses.
pub const POSTGRES_URL_VAR: &str = "USERDESK_TEST_POSTGRES_URL";

/// A workspace of the fixture, with a token for an admin and one for an agent.
pub struct Tenant {
    pub id: WorkspaceId,
    pub name: String,
    pub admin: String,
    pub agent: String,
    pub profiles: Vec<ProfileId>,
}

/// The running server and what the tests need to talk to it.
pub struct TestServer {
    pub server: Option<RunningServer>,
    pub storage: Arc<dyn Storage>,
    /// The database's URL, for a second server on the same database.
    pub database_url: String,
    pub base: String,
    pub http: reqwest::Client,
    pub a: Tenant,
    pub b: Tenant,
    _dir: Option<tempfile::TempDir>,
}

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, day.clamp(1, 28), 12, 0, 0)
        .unwrap()
}

/// A plain registered customer, numbered for readable failures.
pub fn profile(n: usize) -> Profile {
    Profile {
        id: ProfileId::new(),
        email: format!("customer{n}@example.com"),
        first_name: format!("First{n}"),
        last_name: format!("Last{n}"),
        phone: String::new(),
        location: "Berlin".into(),
        created_at: at(1),
        last_seen_at: at(2),
        device: "Firefox 89.0".into(),
        sessions: 1,
        live_chat_takeover: false,
        status: ProfileStatus::Active,
        kind: ProfileType::Registered,
        platform: Platform::Desktop,
        trashed: None,
    }
}

async fn tenant(storage: &Arc<dyn Storage>, profiles: usize) -> Tenant {
    let name = format!("workspace-{}", uuid::Uuid::now_v7());
    let id = storage
        .ensure_workspace(&name, "privacy@example.com")
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for (email, role) in [
        ("admin@example.com", Role::Admin),
        ("agent@example.com", Role::Agent),
    ] {
        let manager = storage
            .ensure_manager(id, email, role, "Europe/Berlin")
            .await
            .unwrap();
        let token = new_token().unwrap();
        storage
            .add_token(manager, &hash_token(&token))
            .await
            .unwrap();
        tokens.push(token);
    }
    let batch = PlatformBatch {
        profiles: (0..profiles).map(profile).collect(),
        ..Default::default()
    };
    storage.insert_batch(id, &batch).await.unwrap();
    let agent = tokens.pop().unwrap();
    let admin = tokens.pop().unwrap();
    Tenant {
        id,
        name,
        admin,
        agent,
        profiles: batch.profiles.iter().map(|p| p.id).collect(),
    }
}

/// The database at `url`, seen through a schema made for one test: the tests of a run share one
/// PostgreSQL database, and the mailer serves every request due in its database, so without
/// schemas of their own one test's queued requests would reach another's mailer (and one run's
/// the next). The whole database goes with `scripts/postgres.sh --fresh`.
async fn in_a_schema_of_its_own(url: &str) -> String {
    let schema = format!("test_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(url).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}options=-c%20search_path%3D{schema}")
}

impl TestServer {
    /// A server with 20 profiles in each workspace and a rate limit the tests never reach
    /// (one story step has its own).
    pub async fn start(backend: Backend) -> Self {
        Self::with_limits(backend, Self::roomy(), 20).await
    }

    /// The default limits, with rates no test reaches.
    pub fn roomy() -> Limits {
        let roomy = userdesk_server::rate_limit::RateLimit {
            burst: 1_000_000,
            per_second: 1_000_000.0,
        };
        Limits {
            rate: roomy,
            failed_auth: roomy,
            ..Limits::default()
        }
    }

    /// A server with the given limits and `profiles` profiles in each workspace.
    pub async fn with_limits(backend: Backend, limits: Limits, profiles: usize) -> Self {
        let (url, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
                (url, Some(dir))
            }
            Backend::Postgres => {
                let url = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| {
                    panic!(
                        "{POSTGRES_URL_VAR} is not set: the PostgreSQL story needs a database \
                         (scripts/postgres.sh starts one and prints its URL; `make server-postgres` \
                         does both)"
                    )
                });
                (in_a_schema_of_its_own(&url).await, None)
            }
        };
        let storage = storage::open(&url).await.unwrap();
        let a = tenant(&storage, profiles).await;
        let b = tenant(&storage, profiles).await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = RunningServer::start(listener, storage.clone(), limits).unwrap();
        let base = format!("http://{}", server.addr());
        Self {
            server: Some(server),
            storage,
            database_url: url,
            base,
            http: reqwest::Client::new(),
            a,
            b,
            _dir: dir,
        }
    }

    /// Posts raw bytes to `path` with an optional token; the status and the JSON answer.
    pub async fn post_raw(
        &self,
        path: &str,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{status}: answer is not JSON ({e}): {text:?}"));
        (status, json)
    }

    /// Posts a JSON value.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.post_raw(path, Some(token), serde_json::to_vec(body).unwrap())
            .await
    }

    /// Pushes mutations; the status and the JSON answer.
    pub async fn push_raw(
        &self,
        token: &str,
        client: ClientId,
        mutations: &[Mutation],
    ) -> (StatusCode, Value) {
        let body = serde_json::json!({ "client_id": client, "mutations": mutations });
        self.post("/v1/push", token, &body).await
    }

    /// Pushes ops numbered from `first`, expecting success.
    pub async fn push(
        &self,
        token: &str,
        client: ClientId,
        first: u64,
        ops: &[Op],
    ) -> PushResponse {
        let mutations: Vec<Mutation> = ops
            .iter()
            .enumerate()
            .map(|(i, op)| op.to_mutation(first + i as u64))
            .collect();
        let (status, json) = self.push_raw(token, client, &mutations).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        serde_json::from_value(json).unwrap()
    }

    /// One pull page.
    pub async fn pull_page(
        &self,
        token: &str,
        client: ClientId,
        cookie: Option<&str>,
        limit: u32,
    ) -> PullResponse {
        let body = serde_json::json!({ "client_id": client, "cookie": cookie, "limit": limit });
        let (status, json) = self.post("/v1/pull", token, &body).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        serde_json::from_value(json).unwrap()
    }

    /// Every page from `cookie` to the end: the ops in order, the last cookie and last mutation id.
    pub async fn pull_all(
        &self,
        token: &str,
        client: ClientId,
        cookie: Option<String>,
        limit: u32,
    ) -> (Vec<PatchOp>, String, u64) {
        let mut cookie = cookie;
        let mut ops = Vec::new();
        loop {
            let page = self
                .pull_page(token, client, cookie.as_deref(), limit)
                .await;
            ops.extend(page.patch);
            cookie = Some(page.cookie);
            if !page.has_more {
                return (ops, cookie.unwrap_or_default(), page.last_mutation_id);
            }
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // Dropping the server sends its shutdown signal.
        self.server.take();
    }
}
