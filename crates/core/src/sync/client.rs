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

/// The largest answer read from a server: a pull page is a few megabytes at most (the server
/// cuts it at its byte budget, one record more); anything bigger is refused unread, so a broken
/// or hostile server cannot fill the manager's memory.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

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
            // The server closes a connection that waits 10 s for a request: an idle one is
            // dropped here first, so a request never goes out on one being closed.
            .pool_idle_timeout(Duration::from_secs(5))
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

    /// A page of a customer's History.
    pub(crate) async fn history(
        &self,
        base: &str,
        token: &str,
        query: &userdesk_model::HistoryQuery,
    ) -> Result<userdesk_model::AuditPage> {
        post(&self.http, &format!("{base}/v1/history"), token, query).await
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
    let mut response = response.map_err(unreachable)?;
    let status = response.status();
    let too_big = || {
        CoreError::Protocol(format!(
            "the server's answer is larger than {} MB: not read",
            MAX_ANSWER_BYTES / (1024 * 1024)
        ))
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_ANSWER_BYTES as u64)
    {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(too_big());
        }
        bytes.extend_from_slice(&chunk);
    }
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

/// Why the server could not be reached, with the causes underneath (the TLS library's reason
/// for refusing a certificate is three levels down); the token never appears, nor the URL.
fn unreachable(error: reqwest::Error) -> CoreError {
    let error = error.without_url();
    let mut reasons = vec![error.to_string()];
    let mut cause = std::error::Error::source(&error);
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !reasons.iter().any(|r| r.contains(&text)) {
            reasons.push(text);
        }
        cause = inner.source();
    }
    let said = reasons.join(": ");
    if said.contains("certificate") {
        return CoreError::Offline(format!(
            "the server's certificate is not one this computer trusts ({said}); if the server \
             uses a certificate of your company's own authority, install that authority on this \
             computer"
        ));
    }
    CoreError::Offline(said)
}

/// The server's address without a trailing slash, if it is an http(s) URL.
pub(crate) fn base_url(server_url: &str) -> Result<String> {
    let trimmed = server_url.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
        CoreError::InvalidRequest(format!("{trimmed:?} is not a server address: {e}"))
    })?;
    match parsed.scheme() {
        "https" => {}
        // A server on this computer (one for testing, or a tunnel's end): nothing crosses a
        // network to be read on the way.
        "http" if is_loopback(&parsed) => {}
        "http" => {
            return Err(CoreError::InvalidRequest(format!(
                "{trimmed:?} is not encrypted: the token and the customers would cross the \
                 network readable by anyone on the way; use https://…"
            )))
        }
        _ => {
            return Err(CoreError::InvalidRequest(format!(
                "{trimmed:?} is not a server address: use https://…"
            )))
        }
    }
    Ok(trimmed.to_string())
}

/// Whether the address names this computer: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_unless_the_server_is_on_this_computer() {
        for fine in [
            "https://users.example.com/",
            "https://users.example.com:8443/api",
            "http://127.0.0.1:8080",
            "http://127.8.0.1",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:8080",
        ] {
            assert!(base_url(fine).is_ok(), "{fine} is refused");
        }
        for refused in [
            "http://users.example.com",
            "http://192.168.1.20:8080",
            "http://localhost.example.com",
            "http://[::ffff:192.168.1.20]",
            "ftp://users.example.com",
            "users.example.com",
        ] {
            let err = base_url(refused).expect_err(refused);
            assert!(
                matches!(err, CoreError::InvalidRequest(_)),
                "{refused}: {err:?}"
            );
        }
        let err = base_url("http://users.example.com").unwrap_err();
        assert!(err.to_string().contains("not encrypted"), "{err}");
    }
}
