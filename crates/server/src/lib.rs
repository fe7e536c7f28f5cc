//! Userdesk's platform server: the Users and sync API over SQLite or PostgreSQL, the mailer of
//! data requests, and demo-data seeding.

pub mod audit;
pub mod error;
pub mod http;
pub mod ids;
pub mod mailer;
pub mod managers;
pub mod rate_limit;
pub mod seed;
pub mod storage;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinHandle;

use crate::http::{AppState, Limits};
use crate::rate_limit::RateLimiter;
use crate::storage::Storage;

/// Accepts connections until `stopped` fires (or its sender is dropped), each served on a task of
/// its own: at most `max_connections` at once (one more is closed unanswered), headers within
/// `header_timeout`. Once stopped, the requests in flight get `shutdown_grace` to finish; what is
/// left then is closed.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was taken: wait
                    // a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        // Forget the connections that ended.
        while tasks.try_join_next().is_some() {}
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "too many connections open: this one is closed");
            drop(stream);
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(http::Peer(peer));
                app.clone().oneshot(request.map(axum::body::Body::new))
            },
        );
        let connection = graceful.watch(http1.serve_connection(TokioIo::new(stream), service));
        tasks.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "a connection ended in error");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(grace = ?limits.shutdown_grace, "requests still in flight after the grace period: closed");
    }
    tasks.abort_all();
    Ok(())
}

/// A server answering on its listener until stopped.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    /// Rung when a push queues a data request; the mailer waits on it.
    pub mail_wakeup: Arc<Notify>,
}

impl RunningServer {
    /// Serves the API on `listener` until [`RunningServer::stop`] (or drop).
    pub fn start(
        listener: TcpListener,
        storage: Arc<dyn Storage>,
        limits: Limits,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let mail_wakeup = Arc::new(Notify::new());
        let state = AppState {
            storage,
            limiter: Arc::new(RateLimiter::new(limits.rate)),
            failures: Arc::new(RateLimiter::new(limits.failed_auth)),
            mail_wakeup: mail_wakeup.clone(),
        };
        let app = http::router(state, limits);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, app, limits, stopped));
        Ok(Self {
            addr,
            shutdown: Some(shutdown),
            task: Some(task),
            mail_wakeup,
        })
    }

    /// The address the server answers on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets the requests in flight finish, and waits for the server to end.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or_else(|e| Err(std::io::Error::other(e))),
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
