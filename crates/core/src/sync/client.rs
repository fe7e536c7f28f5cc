//! The platform's sync API over HTTP: push, pull (pages fetched ahead while one is applied) and
//! whom a token signs in. Answers are the server's records or its `{code, message}` error.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use userdesk_model::sync::{ClientId, Me, PullRequest, PullResponse, PushRequest, PushResponse};
use userdesk_model::{ApiError, ErrorCode};

use crate::error::{CoreError, Result};

/// Pull pages fetched ahead of the one being applied (each up to a few MB decoded).
const PAGES_AHEAD: usize = 4;

/// One HTTP client for every call to the server.
#[derive(Clone, Debug)]
pub(crate) struct SyncClient {
    http: reqwest::Client,
}

impl SyncClient {
    /// A client with its own connection pool and timeouts.
    pub(crate) fn new() -> Result<Self> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| CoreError::Offline(format!("the HTTP client could not start: {e}")))?;
        Ok(Self { http })
    }

    /// Sends a batch of the outbox.
    pub(crate) async fn push(
        &self,
        base: &str,
        token: &str,
        request: &PushRequest,
    ) -> Result<PushResponse> {
        post(&self.http, &format!("{base}/v1/push"), token, request).await
    }

    /// Asks the server whom `token` signs in.
    pub(crate) async fn me(&self, base: &str, token: &str) -> Result<Me> {
        let response = self
            .http
            .get(format!("{base}/v1/me"))
            .bearer_auth(token)
            .send()
            .await;
        read_answer(response).await
    }

    /// Fetches the pages after `cookie` one after the other in a task of its own, up to
    /// [`PAGES_AHEAD`] ahead of the page being applied, so the server builds the next pages
    /// while the store applies one. Each page applied saves its own cookie: pages fetched ahead
    /// and never applied (the sync failed or was stopped) are asked for again by the next sync.
    pub(crate) fn pages(
        &self,
        base: &str,
        token: &str,
        client_id: ClientId,
        cookie: Option<String>,
        limit: u32,
    ) -> Fetching {
        let (sender, receiver) = tokio::sync::mpsc::channel(PAGES_AHEAD);
        let (http, url, token) = (
            self.http.clone(),
            format!("{base}/v1/pull"),
            token.to_string(),
        );
        let task = tokio::spawn(async move {
            let mut cookie = cookie;
            loop {
                let request = PullRequest {
                    client_id,
                    cookie: cookie.take(),
                    limit: Some(limit),
                };
                let page: Result<PullResponse> = post(&http, &url, &token, &request).await;
                let next = match &page {
                    Ok(page) if page.has_more => Some(page.cookie.clone()),
                    _ => None,
                };
                // Sent in order; an applier that stopped takes no more.
                if sender.send(page).await.is_err() {
                    return;
                }
                match next {
                    Some(next) => cookie = Some(next),
                    None => return,
                }
            }
        });
        Fetching { receiver, task }
    }
}

/// Pull pages on their way, in order: the task is stopped when they are no longer wanted.
pub(crate) struct Fetching {
    receiver: tokio::sync::mpsc::Receiver<Result<PullResponse>>,
    task: tokio::task::JoinHandle<()>,
}

impl Fetching {
    /// The next page, or why it could not be had.
    pub(crate) async fn next(&mut self) -> Result<PullResponse> {
        self.receiver.recv().await.unwrap_or_else(|| {
            Err(CoreError::Task(
                "the pull's pages stopped coming".to_string(),
            ))
        })
    }
}

impl Drop for Fetching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn post<Q: Serialize, A: DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Q,
) -> Result<A> {
    let response = http.post(url).bearer_auth(token).json(body).send().await;
    read_answer(response).await
}

/// The server's answer as `A`, or its `{code, message}`, or why it could not be had.
async fn read_answer<A: DeserializeOwned>(
    response: reqwest::Result<reqwest::Response>,
) -> Result<A> {
    let response = response.map_err(|e| CoreError::Offline(e.without_url().to_string()))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| CoreError::Offline(e.without_url().to_string()))?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            CoreError::Protocol(format!("the server's answer could not be read: {e}"))
        });
    }
    Err(CoreError::Server(
        serde_json::from_slice::<ApiError>(&bytes).unwrap_or_else(|_| {
            ApiError::new(
                code_of_status(status.as_u16()),
                format!("the server answered {status}"),
            )
        }),
    ))
}

/// The server's address without a trailing slash, if it is an http(s) URL.
pub(crate) fn base_url(server_url: &str) -> Result<String> {
    let trimmed = server_url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        CoreError::InvalidRequest(format!("{trimmed:?} is not a server address: {e}"))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CoreError::InvalidRequest(format!(
            "{trimmed:?} is not a server address: use https://…"
        )));
    }
    Ok(trimmed.to_string())
}

fn code_of_status(status: u16) -> ErrorCode {
    match status {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimited,
        400..=499 => ErrorCode::InvalidRequest,
        503 => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    }
}
