//! The runner that fires each job at its time: a task of its own that sleeps until the next job
//! is due, or until it is woken because a job was scheduled or cancelled, then runs what is due.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::Result;

/// The job runner of one store: its wake-up and its task, which it ends when dropped.
#[derive(Debug, Default)]
pub(crate) struct JobRunner {
    wake: Arc<Notify>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl JobRunner {
    /// Makes the runner look again at once: a job was scheduled or cancelled.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the runner on this runtime, replacing one already running. Each round calls
    /// `round` with the time now; it runs what is due and answers when the next job is due
    /// (`None`: none is), or fails, and the runner sleeps until then, a day at most, a minute
    /// after a failure.
    pub(crate) fn start<F, Fut>(&self, round: F)
    where
        F: Fn(DateTime<Utc>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Option<DateTime<Utc>>>> + Send,
    {
        let wake = Arc::clone(&self.wake);
        let task = tokio::spawn(async move {
            let clock = Clock::new();
            loop {
                // Registered before looking, so a job scheduled meanwhile wakes the wait.
                let woken = wake.notified();
                let wait_until = match round(clock.now()).await {
                    Ok(Some(at)) => clock.instant_of(at),
                    Ok(None) => Instant::now() + Duration::from_secs(24 * 60 * 60),
                    Err(error) => {
                        tracing::warn!(%error, "jobs could not run; trying again in a minute");
                        Instant::now() + Duration::from_secs(60)
                    }
                };
                tokio::select! {
                    () = tokio::time::sleep_until(wait_until) => {}
                    () = woken => {}
                }
            }
        });
        let old = self
            .task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(task);
        if let Some(old) = old {
            old.abort();
        }
    }
}

impl Drop for JobRunner {
    fn drop(&mut self) {
        if let Some(task) = self.task.lock().unwrap_or_else(|e| e.into_inner()).take() {
            task.abort();
        }
    }
}

/// The wall clock as the job runner reads it: the system's, advancing with tokio's clock, so a
/// test that pauses and advances tokio's time moves the runner's "now" with it.
#[derive(Clone, Copy, Debug)]
struct Clock {
    start_wall: DateTime<Utc>,
    start: Instant,
}

impl Clock {
    fn new() -> Self {
        Self {
            start_wall: Utc::now(),
            start: Instant::now(),
        }
    }

    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.start.elapsed()).unwrap_or_default();
        self.start_wall + elapsed
    }

    /// The tokio instant of a wall-clock time.
    fn instant_of(&self, at: DateTime<Utc>) -> Instant {
        let ahead = (at - self.now()).to_std().unwrap_or_default();
        Instant::now() + ahead
    }
}
