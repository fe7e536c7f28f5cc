//! The HTTP API: `/v1/me`, `/v1/push`, `/v1/pull`, `/v1/audit` (admins only), `/v1/history` and
//! `/healthz`, with bearer auth, body limits, per-token rate limits and JSON errors.

use std::any::Any;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use chrono::Utc;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutBody;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use userdesk_model::sync::{
    Me, PullRequest, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_MUTATIONS,
};
use userdesk_model::{AuditPage, AuditQuery, ErrorCode, HistoryQuery};

use crate::error::HttpError;
use crate::managers::{hash_token, Principal, Role};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::storage::{MutationOutcome, PullQuery, Storage};

/// Longest cookie a pull may send; the server's own are far shorter.
const MAX_COOKIE_LEN: usize = 512;

/// Limits the API enforces on every connection and request, most of them before the caller is
/// known: a client without a token cannot hold the server's connections, memory or time.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    /// Requests a token may make.
    pub rate: RateLimit,
    /// Failed sign-ins an address (an IPv6 /64) may make before it is refused for a while.
    pub failed_auth: RateLimit,
    /// Longest wait for a request's headers once a connection is open or a request began.
    pub header_timeout: Duration,
    /// Longest wait for a request's whole body.
    pub body_timeout: Duration,
    /// Longest a request may take from its headers to its answer.
    pub request_timeout: Duration,
    /// Connections open at once; one more is closed unanswered.
    pub max_connections: usize,
    /// Requests handled at once; more wait their turn (within their timeout).
    pub max_in_flight: usize,
    /// How long a stopping server lets the requests in flight finish before closing them.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 4 * 1024 * 1024,
            rate: RateLimit::default(),
            // A mistyped token now and then is fine; a guessing script is not.
            failed_auth: RateLimit {
                burst: 20,
                per_second: 0.1,
            },
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(120),
            max_connections: 1024,
            max_in_flight: 64,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub limiter: Arc<RateLimiter>,
    /// Failed sign-ins by address.
    pub failures: Arc<RateLimiter>,
    /// Wakes the mailer when a push queued a data request.
    pub mail_wakeup: Arc<Notify>,
}

/// The API's routes over `state`. The bearer token is checked before a request's body is read;
/// every request carries an id (`x-request-id`, made here unless the caller sent one) that each
/// of its log lines names.
pub fn router(state: AppState, limits: Limits) -> Router {
    let api = Router::new()
        .route("/v1/me", get(me))
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .route("/v1/audit", post(audit))
        .route("/v1/history", post(history))
        .route_layer(middleware::from_fn_with_state(state.clone(), authenticate));
    let timeouts = Timeouts {
        request: limits.request_timeout,
        body: limits.body_timeout,
    };
    Router::new()
        .route("/healthz", get(health))
        .merge(api)
        .fallback(|| async {
            HttpError::not_found(
                "no such endpoint: see /v1/me, /v1/push, /v1/pull, /v1/audit, /v1/history, /healthz",
            )
        })
        .method_not_allowed_fallback(|| async {
            HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::InvalidRequest,
                "this endpoint takes another method (GET for /v1/me and /healthz, POST for the others)",
            )
        })
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(GlobalConcurrencyLimitLayer::new(limits.max_in_flight.max(1)))
        // Outside the concurrency limit: a request's time counts while it waits for its turn.
        .layer(middleware::from_fn_with_state(timeouts, time_limits))
        .layer(CatchPanicLayer::custom(panic_answer))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::DEBUG)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// The header naming a request in the logs and in its answer.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy)]
struct Timeouts {
    request: Duration,
    body: Duration,
}

/// Answers 408 when a request (its body read within the body's own time, and its handling)
/// takes longer than allowed.
async fn time_limits(State(limits): State<Timeouts>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let body = Body::new(TimeoutBody::new(limits.body, body));
    match tokio::time::timeout(limits.request, next.run(Request::from_parts(parts, body))).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(after = ?limits.request, "the request took too long: answered 408");
            HttpError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::Unavailable,
                "the request took too long; try again",
            )
            .into_response()
        }
    }
}

/// Who is calling, from the connection: inserted by the server's accept loop.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

/// The bearer token's manager, before the body is read: put in the request's extensions for the
/// handler. An address that failed too often lately is refused before its token is looked at.
async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<Peer>().map(|p| p.0);
    let address = peer.map(|p| address_key(p.ip()));
    if let Some(address) = &address {
        if let Err(wait) = state.failures.allows(address) {
            tracing::warn!(peer = ?peer, "too many failed sign-ins from this address: refused");
            let mut error = HttpError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "too many failed sign-ins from this address; wait before trying again",
            );
            error.retry_after = Some(wait.as_secs().max(1));
            return error.into_response();
        }
    }
    match authorize(&state, request.headers()).await {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(error) => {
            if error.status == StatusCode::UNAUTHORIZED {
                let token = token_prefix(request.headers());
                tracing::warn!(peer = ?peer, token, "authentication failed");
                if let Some(address) = &address {
                    let _ = state.failures.check(address);
                }
            }
            error.into_response()
        }
    }
}

/// The part of an address a failure counts against: the whole IPv4 address, an IPv6 /64 (one
/// machine can have billions of addresses in its /64).
fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The token's first characters, enough to tell tokens apart in a log, never enough to use.
fn token_prefix(headers: &HeaderMap) -> String {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return "none".to_string();
    }
    let shown: String = token.chars().take(8).collect();
    format!("{shown}…")
}

/// A panic is a bug: answer 500 as JSON rather than dropping the connection.
fn panic_answer(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    HttpError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "the server failed; the failure is logged",
    )
    .into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.storage.health().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok" })).into_response(),
        Err(e) => HttpError::from(e).into_response(),
    }
}

/// The manager behind the bearer token, within their token's rate limit.
async fn authorize(state: &AppState, headers: &HeaderMap) -> Result<Principal, HttpError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .ok_or_else(|| HttpError::unauthorized("sign in: send Authorization: Bearer <token>"))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 256)
        .ok_or_else(|| {
            HttpError::unauthorized("the Authorization header must be Bearer <token>")
        })?;
    let hash = hash_token(token);
    let principal =
        state.storage.authenticate(&hash).await?.ok_or_else(|| {
            HttpError::unauthorized("the token is not valid (revoked or mistyped)")
        })?;
    if let Err(wait) = state.limiter.check(&hash) {
        let mut error = HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited,
            "too many requests for this token; slow down",
        );
        error.retry_after = Some(wait.as_secs().max(1));
        return Err(error);
    }
    Ok(principal)
}

/// Who the bearer token signs in.
async fn me(Extension(principal): Extension<Principal>) -> Result<Json<Me>, HttpError> {
    Ok(Json(Me {
        workspace_id: Some(principal.workspace_id.to_string()),
        workspace: principal.workspace_name,
        manager: principal.email,
        role: principal.role.as_str().to_string(),
        time_zone: principal.time_zone,
    }))
}

/// Reads a JSON body, answering a clear 400 or 413 rather than axum's plain-text rejections.
fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, HttpError> {
    let bytes = body.map_err(|rejection| {
        if timed_out(&rejection) {
            HttpError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::InvalidRequest,
                "the request body came too slowly; send it again",
            )
        } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "the request body is too large: push fewer mutations at once",
            )
        } else {
            HttpError::invalid(format!("the request body could not be read: {rejection}"))
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        HttpError::invalid(format!(
            "the request body is not valid JSON for this endpoint: {e}"
        ))
    })
}

/// Whether the body could not be read because it came too slowly.
fn timed_out(rejection: &BytesRejection) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(error) = cause {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = error.source();
    }
    false
}

async fn push(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, HttpError> {
    let request: PushRequest = json_body(body)?;
    if request.mutations.len() > MAX_PUSH_MUTATIONS {
        return Err(HttpError::invalid(format!(
            "a push carries at most {MAX_PUSH_MUTATIONS} mutations; got {}",
            request.mutations.len()
        )));
    }
    // Committed before anything is answered; a failure keeps nothing, so the client pushes
    // the same mutations again.
    let outcomes = state
        .storage
        .process_push(
            &principal,
            request.client_id,
            &request.mutations,
            Utc::now(),
        )
        .await?;
    let mut response = PushResponse::default();
    let mut queued_mail = false;
    let mut gap = None;
    for (mutation, outcome) in request.mutations.iter().zip(outcomes) {
        match outcome {
            MutationOutcome::Applied => {
                response.applied += 1;
                queued_mail |=
                    matches!(mutation.name.as_str(), "request.export" | "request.delete");
            }
            MutationOutcome::Rejected(rejection) => response.rejections.push(rejection),
            MutationOutcome::Duplicate => {
                response.skipped += 1;
                if let Some(rejection) = state
                    .storage
                    .recorded_rejection(request.client_id, mutation.id)
                    .await?
                {
                    response.rejections.push(rejection);
                }
            }
            MutationOutcome::Gap { last_mutation_id } => {
                gap = Some((mutation.id, last_mutation_id));
            }
            MutationOutcome::Reused { .. } => {
                tracing::warn!(
                    client = %request.client_id,
                    mutation = mutation.id,
                    "a mutation id came again with other content: the client renumbers"
                );
                response.reused = Some(mutation.id);
            }
        }
    }
    if queued_mail {
        state.mail_wakeup.notify_one();
    }
    if let Some((id, last)) = gap {
        // The mutations before the gap are committed; the client resumes after the last one.
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            ErrorCode::MutationGap,
            format!(
                "mutation {id} arrived but the last one processed is {last}: push again from \
                 mutation {}",
                last + 1
            ),
        ));
    }
    response.last_mutation_id = state
        .storage
        .client_last_mutation(&principal, request.client_id)
        .await?;
    Ok(Json(response))
}

async fn pull(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PullResponse>, HttpError> {
    let request: PullRequest = json_body(body)?;
    let limit = request.limit.unwrap_or(DEFAULT_PULL_LIMIT);
    if limit == 0 || limit > MAX_PULL_LIMIT {
        return Err(HttpError::invalid(format!(
            "limit must be between 1 and {MAX_PULL_LIMIT}; got {limit}"
        )));
    }
    if request
        .cookie
        .as_ref()
        .is_some_and(|c| c.len() > MAX_COOKIE_LEN)
    {
        return Err(HttpError::invalid(
            "the cookie is not one this server issued",
        ));
    }
    let query = PullQuery {
        client_id: request.client_id,
        cookie: request.cookie,
        limit,
    };
    Ok(Json(state.storage.pull(&principal, &query).await?))
}

/// A page of one customer's History, for any manager of the workspace.
async fn history(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AuditPage>, HttpError> {
    let query: HistoryQuery = json_body(body)?;
    if query.limit == Some(0) {
        return Err(HttpError::invalid("limit must be at least 1"));
    }
    Ok(Json(
        state
            .storage
            .history(principal.workspace_id, &query)
            .await?,
    ))
}

/// A page of the workspace's audit log, for an admin's token alone.
async fn audit(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<AuditPage>, HttpError> {
    if principal.role != Role::Admin {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "only an admin may read the audit log",
        ));
    }
    let query: AuditQuery = json_body(body)?;
    if query.limit == Some(0) {
        return Err(HttpError::invalid("limit must be at least 1"));
    }
    Ok(Json(
        state.storage.audit(principal.workspace_id, &query).await?,
    ))
}
