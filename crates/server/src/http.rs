//! The HTTP API: `/v1/me`, `/v1/push`, `/v1/pull` and `/healthz`, with bearer auth, body limits, per-token
//! rate limits and JSON errors.

use std::any::Any;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::de::DeserializeOwned;
use tokio::sync::Notify;
use tower_http::catch_panic::CatchPanicLayer;
use userdesk_model::sync::{
    Me, PullRequest, PullResponse, PushRequest, PushResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_MUTATIONS,
};
use userdesk_model::ErrorCode;

use crate::error::HttpError;
use crate::managers::{hash_token, Principal};
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::storage::{MutationOutcome, PullQuery, Storage};

/// Longest cookie a pull may send; the server's own are far shorter.
const MAX_COOKIE_LEN: usize = 512;

/// Limits the API enforces on every request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, in bytes.
    pub body_bytes: usize,
    pub rate: RateLimit,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 4 * 1024 * 1024,
            rate: RateLimit::default(),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub limiter: Arc<RateLimiter>,
    /// Wakes the mailer when a push queued a data request.
    pub mail_wakeup: Arc<Notify>,
}

/// The API's routes over `state`.
pub fn router(state: AppState, limits: Limits) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/v1/me", get(me))
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .fallback(|| async {
            HttpError::not_found("no such endpoint: see /v1/me, /v1/push, /v1/pull, /healthz")
        })
        .method_not_allowed_fallback(|| async {
            HttpError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::InvalidRequest,
                "this endpoint takes another method (GET for /v1/me and /healthz, POST for the others)",
            )
        })
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(CatchPanicLayer::custom(panic_answer))
        .with_state(state)
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
async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Json<Me>, HttpError> {
    let principal = authorize(&state, &headers).await?;
    Ok(Json(Me {
        workspace: principal.workspace_name,
        manager: principal.email,
        role: principal.role.as_str().to_string(),
        time_zone: principal.time_zone,
    }))
}

/// Reads a JSON body, answering a clear 400 or 413 rather than axum's plain-text rejections.
fn json_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, HttpError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
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

async fn push(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushResponse>, HttpError> {
    let principal = authorize(&state, &headers).await?;
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
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PullResponse>, HttpError> {
    let principal = authorize(&state, &headers).await?;
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
