//! The platform's server on loopback and managers' apps with their own stores, shared by the
//! sync tests.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use userdesk_core::{AppCore, CoreError, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::sync::{
    ClientId, Entity, Op, PatchOp, PullRequest, PullResponse, PushRequest, PushResponse,
};
use userdesk_model::{Profile, ProfileId, ProfilePatch, SessionTotals};
use userdesk_server::http::Limits;
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::rate_limit::RateLimit;
use userdesk_server::storage::{self, PlatformBatch, Storage};
use userdesk_server::RunningServer;

pub fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// The platform's server on 127.0.0.1:0 with one workspace of demo customers and an admin's
/// token; it shuts down when dropped.
pub struct Platform {
    pub server: Option<RunningServer>,
    pub url: String,
    pub token: String,
    pub profiles: Vec<Profile>,
    pub http: reqwest::Client,
    pub storage: Arc<dyn Storage>,
    pub dir: TempDir,
}

impl Platform {
    pub async fn start(customers: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
        let storage = storage::open(&url).await.unwrap();
        let workspace = storage
            .ensure_workspace("acme", "privacy@example.com")
            .await
            .unwrap();
        let manager = storage
            .ensure_manager(workspace, "admin@example.com", Role::Admin, "UTC")
            .await
            .unwrap();
        let token = new_token().unwrap();
        storage
            .add_token(manager, &hash_token(&token))
            .await
            .unwrap();
        // As the server keeps them: no customer has a bot session yet, so none of what follows
        // from sessions (SESSIONS 0, no takeover, no DEVICE).
        let profiles: Vec<Profile> = DemoProfiles::new(77, now())
            .take(customers)
            .map(|mut profile| {
                SessionTotals::default().apply_to(&mut profile);
                profile
            })
            .collect();
        let batch = PlatformBatch {
            profiles: profiles.clone(),
            ..Default::default()
        };
        storage.insert_batch(workspace, &batch).await.unwrap();
        // Limits no test reaches: a sign-in test refuses hundreds of hostile tokens from
        // loopback, which the default would slow down after twenty.
        let roomy = RateLimit {
            burst: 1_000_000,
            per_second: 1_000_000.0,
        };
        let limits = Limits {
            rate: roomy,
            failed_auth: roomy,
            ..Limits::default()
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let server = RunningServer::start(listener, storage.clone(), limits).unwrap();
        Self {
            url: format!("http://{}", server.addr()),
            server: Some(server),
            token,
            profiles,
            http: reqwest::Client::new(),
            storage,
            dir,
        }
    }

    /// Writes platform data (sessions, messages, goals…) into the workspace, as the bots would.
    pub async fn insert(&self, batch: &PlatformBatch) {
        let workspace = self
            .storage
            .ensure_workspace("acme", "privacy@example.com")
            .await
            .unwrap();
        self.storage.insert_batch(workspace, batch).await.unwrap();
    }

    /// A token of another manager of the workspace (an agent).
    pub async fn token_of(&self, email: &str) -> String {
        let workspace = self
            .storage
            .ensure_workspace("acme", "privacy@example.com")
            .await
            .unwrap();
        let manager = self
            .storage
            .ensure_manager(workspace, email, Role::Agent, "UTC")
            .await
            .unwrap();
        let token = new_token().unwrap();
        self.storage
            .add_token(manager, &hash_token(&token))
            .await
            .unwrap();
        token
    }

    pub fn addr(&self) -> SocketAddr {
        self.server.as_ref().unwrap().addr()
    }

    /// Every profile the server holds now, read by a pull of a client of its own.
    pub async fn server_profiles(&self) -> HashMap<ProfileId, Profile> {
        let client_id = ClientId::new();
        let mut cookie = None;
        let mut found = HashMap::new();
        loop {
            let request = PullRequest {
                client_id,
                cookie,
                limit: Some(5000),
            };
            let page: PullResponse = self.post("/v1/pull", &request).await;
            for op in page.patch {
                match op {
                    PatchOp::Put(Entity::Profile(p)) => {
                        found.insert(p.id, p);
                    }
                    PatchOp::Delete(userdesk_model::sync::Tombstone::Profile(id)) => {
                        found.remove(&id);
                    }
                    _ => {}
                }
            }
            cookie = Some(page.cookie);
            if !page.has_more {
                return found;
            }
        }
    }

    /// Another manager's app pushes `ops` as its mutations 1, 2, 3…
    pub async fn push_from_elsewhere(&self, ops: &[Op]) -> PushResponse {
        let request = PushRequest {
            client_id: ClientId::new(),
            mutations: ops
                .iter()
                .enumerate()
                .map(|(i, op)| op.to_mutation(i as u64 + 1))
                .collect(),
        };
        self.post("/v1/push", &request).await
    }

    pub async fn post<Q: serde::Serialize, A: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &Q,
    ) -> A {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        response.json().await.unwrap()
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        // Dropping the server sends its shutdown signal.
        self.server.take();
    }
}

/// A manager's app with its own store.
pub struct Client {
    pub app: AppCore,
    pub dir: TempDir,
}

impl Client {
    pub async fn open() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let options = OpenOptions {
            sqlite_search_only: true,
            ..Default::default()
        };
        let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
            .await
            .unwrap();
        Self { app, dir }
    }

    /// A client that has pulled the whole workspace once.
    pub async fn synced(platform: &Platform) -> Self {
        let client = Self::open().await;
        client.sync(platform).await;
        client
    }

    pub async fn sync(&self, platform: &Platform) -> userdesk_core::SyncReport {
        self.app
            .sync_to(&platform.url, &platform.token)
            .await
            .unwrap()
    }

    pub async fn edit(&self, id: ProfileId, patch: ProfilePatch) {
        self.app.patch_profile(id, patch).await.unwrap();
    }

    pub async fn profile(&self, id: ProfileId) -> Option<Profile> {
        match self.app.store().get_profile(id).await {
            Ok(p) => Some(p),
            Err(CoreError::ProfileNotFound(_)) => None,
            Err(e) => panic!("{e}"),
        }
    }

    /// The local store holds exactly the server's profiles.
    pub async fn assert_same_as(&self, platform: &Platform) {
        assert_store_matches(&self.app, platform).await;
    }
}

/// `app`'s store holds exactly the server's profiles: those in its Trash in the store's Trash.
pub async fn assert_store_matches(app: &AppCore, platform: &Platform) {
    let server = platform.server_profiles().await;
    let trashed = server.values().filter(|p| p.trashed.is_some()).count();
    assert_eq!(
        app.store().profile_total().await.unwrap(),
        (server.len() - trashed) as u64
    );
    assert_eq!(app.store().trash_count().await.unwrap(), trashed as u64);
    for (id, profile) in &server {
        let local = if profile.trashed.is_some() {
            app.store().trashed_profile(*id).await.unwrap()
        } else {
            match app.store().get_profile(*id).await {
                Ok(p) => Some(p),
                Err(CoreError::ProfileNotFound(_)) => None,
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(local.as_ref(), Some(profile));
    }
}

pub fn first_name(value: &str) -> ProfilePatch {
    ProfilePatch {
        first_name: Some(value.into()),
        ..Default::default()
    }
}

pub fn location(value: &str) -> ProfilePatch {
    ProfilePatch {
        location: Some(value.into()),
        ..Default::default()
    }
}

/// An address nothing listens on.
pub async fn unreachable_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// Reads one HTTP request (headers and a Content-Length body) off the stream.
pub async fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    try_read_request(stream)
        .await
        .expect("the client hung up mid-request")
}

/// As [`read_request`], or `None` when the client hangs up first.
pub async fn try_read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let headers = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
        let length: usize = headers
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buffer.len() >= end + 4 + length {
            return Some(buffer);
        }
    }
}

/// A proxy to `target` that forwards each request, waits for the server to start answering
/// (it answers only after committing), and hangs up without passing the answer on.
pub async fn answer_losing_proxy(target: SocketAddr) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let request = read_request(&mut client).await;
                let mut server = TcpStream::connect(target).await.unwrap();
                server.write_all(&request).await.unwrap();
                let mut first = [0u8; 1];
                server.read_exact(&mut first).await.unwrap();
            });
        }
    });
    format!("http://{addr}")
}
