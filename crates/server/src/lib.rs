//! Userdesk's platform server: the Users and sync API over SQLite or PostgreSQL, the mailer of
//! data requests, and demo-data seeding.

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
            mail_wakeup: mail_wakeup.clone(),
        };
        let app = http::router(state, limits);
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender stops the server as a sent signal does.
                    let _ = stopped.await;
                })
                .await
        });
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
