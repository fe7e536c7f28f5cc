//! Syncing by itself: shortly after an edit (debounced), on a timer, and at once when asked
//! (back online, "Sync now"); after a failure, waits that double each time, with jitter.

use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, Instant};

use crate::error::Result;
use crate::sync::SyncReport;

/// When the background sync runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AutoSyncOptions {
    /// Quiet time after the last edit before it is pushed.
    pub debounce: Duration,
    /// Time between syncs when nothing else asks for one.
    pub interval: Duration,
    /// The wait after a first failure; each further failure doubles it.
    pub first_retry: Duration,
    /// The longest wait between retries.
    pub max_retry: Duration,
}

impl Default for AutoSyncOptions {
    fn default() -> Self {
        Self {
            debounce: Duration::from_secs(2),
            interval: Duration::from_secs(5 * 60),
            first_retry: Duration::from_secs(2),
            max_retry: Duration::from_secs(5 * 60),
        }
    }
}

enum Wake {
    Edited,
    Now,
}

/// The background sync task; it stops when this handle is dropped.
#[derive(Debug)]
pub struct AutoSync {
    wake: mpsc::UnboundedSender<Wake>,
    task: JoinHandle<()>,
}

impl AutoSync {
    /// Starts the task; `sync` runs one sync, never two at once.
    pub fn start<F, Fut>(options: AutoSyncOptions, sync: F) -> Self
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Result<SyncReport>> + Send + 'static,
    {
        let (wake, woken) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(options, sync, woken));
        Self { wake, task }
    }

    /// A local edit was saved: sync once edits have paused for the debounce time.
    pub fn edited(&self) {
        // A stopped task needs no wake-up.
        let _ = self.wake.send(Wake::Edited);
    }

    /// Sync at once (back online, "Sync now"), forgetting any retry wait.
    pub fn now(&self) {
        let _ = self.wake.send(Wake::Now);
    }
}

impl Drop for AutoSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn run<F, Fut>(options: AutoSyncOptions, sync: F, mut woken: mpsc::UnboundedReceiver<Wake>)
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = Result<SyncReport>> + Send,
{
    let mut jitter = Jitter::seeded();
    let mut failures: u32 = 0;
    // Edits never cut a retry wait short, so a failing server is not hammered while typing.
    let mut not_before = Instant::now();
    let mut due = Instant::now() + options.interval;
    loop {
        tokio::select! {
            _ = sleep_until(due) => {}
            wake = woken.recv() => match wake {
                None => return,
                Some(Wake::Edited) => {
                    due = (Instant::now() + options.debounce).max(not_before);
                    continue;
                }
                Some(Wake::Now) => {}
            },
        }
        match sync().await {
            Ok(_) => {
                failures = 0;
                not_before = Instant::now();
                due = Instant::now() + options.interval;
            }
            Err(error) => {
                tracing::warn!(%error, "sync failed; retrying later");
                failures = failures.saturating_add(1);
                let wait = jitter.spread(retry_wait(&options, failures));
                not_before = Instant::now() + wait;
                due = not_before;
            }
        }
    }
}

/// The wait after `failures` failures in a row, before jitter: doubling, capped.
fn retry_wait(options: &AutoSyncOptions, failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    options
        .first_retry
        .saturating_mul(1 << doublings)
        .min(options.max_retry)
}

/// Spreads retries of many clients so they do not all come back at once.
struct Jitter(u64);

impl Jitter {
    fn seeded() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        Self(u64::from(nanos) | 1)
    }

    /// A time between half of `wait` and all of it.
    fn spread(&mut self, wait: Duration) -> Duration {
        // xorshift64: jitter needs no cryptographic randomness.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        let fraction = (self.0 % 1000) as u32;
        wait / 2 + wait / 2 * fraction / 1000
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CoreError;
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    fn options() -> AutoSyncOptions {
        AutoSyncOptions {
            debounce: Duration::from_secs(2),
            interval: Duration::from_secs(300),
            first_retry: Duration::from_secs(4),
            max_retry: Duration::from_secs(60),
        }
    }

    type SyncCall = std::pin::Pin<Box<dyn Future<Output = Result<SyncReport>> + Send>>;

    /// A sync that reports each call's time and fails the first `failing` times.
    fn recording_sync(
        failing: u32,
    ) -> (
        impl Fn() -> SyncCall + Send + 'static,
        mpsc::UnboundedReceiver<Instant>,
    ) {
        let (tx, rx) = mpsc::unbounded_channel();
        let calls = Arc::new(AtomicU32::new(0));
        let sync = move || {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            let _ = tx.send(Instant::now());
            Box::pin(async move {
                if n < failing {
                    Err(CoreError::Offline("down".into()))
                } else {
                    Ok(SyncReport::default())
                }
            }) as SyncCall
        };
        (sync, rx)
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_edits_syncs_once_after_the_last_one() {
        let (sync, mut calls) = recording_sync(0);
        let auto = AutoSync::start(options(), sync);
        let mut last_edit = Instant::now();
        for _ in 0..5 {
            auto.edited();
            last_edit = Instant::now();
            tokio::task::yield_now().await;
            tokio::time::advance(Duration::from_millis(500)).await;
        }
        let first = calls.recv().await.unwrap();
        let quiet = first - last_edit;
        assert!(
            quiet >= options().debounce && quiet <= options().debounce + Duration::from_millis(500),
            "synced {quiet:?} after the last edit"
        );
        assert!(
            calls.try_recv().is_err(),
            "more than one sync for one burst"
        );
        // The next one is the timer's.
        let second = calls.recv().await.unwrap();
        assert_eq!(second - first, options().interval);
    }

    #[tokio::test(start_paused = true)]
    async fn failures_are_retried_with_growing_jittered_waits_and_sync_now_skips_the_wait() {
        let (sync, mut calls) = recording_sync(4);
        let auto = AutoSync::start(options(), sync);
        auto.now();
        let mut previous = calls.recv().await.unwrap();
        for failures in 1..=3u32 {
            let at = calls.recv().await.unwrap();
            let full = retry_wait(&options(), failures);
            let waited = at - previous;
            assert!(
                waited >= full / 2 && waited <= full,
                "failure {failures}: waited {waited:?} of {full:?}"
            );
            previous = at;
        }
        // Fourth failure: the wait is long, an edit does not cut it short, "Sync now" does.
        auto.edited();
        tokio::time::advance(options().debounce).await;
        auto.now();
        let at = calls.recv().await.unwrap();
        assert!(at - previous < retry_wait(&options(), 4) / 2);
        assert_eq!(retry_wait(&options(), 10), options().max_retry);
    }
}
