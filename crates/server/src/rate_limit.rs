//! Per-token rate limiting: a token bucket for each token, refilled continuously.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many requests a token may make: `burst` at once, then `per_second` on average.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub per_second: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        // A full sync pages through a million profiles quickly; a busy app stays far below this.
        Self {
            burst: 120,
            per_second: 40.0,
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The buckets of every token seen recently.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

/// Buckets kept before the full ones (idle keys) are forgotten: the most a limiter remembers.
pub const MAX_BUCKETS: usize = 10_000;

impl RateLimiter {
    /// A limiter applying `limit` to each key.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long until one is available.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.take(key, true)
    }

    /// Whether `key` has a request left, without taking it: how long until it has one if not.
    pub fn allows(&self, key: &str) -> Result<(), Duration> {
        self.take(key, false)
    }

    fn take(&self, key: &str, consume: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let burst = f64::from(self.limit.burst.max(1));
        let rate = self.limit.per_second;
        // A poisoned lock only means another request panicked mid-update; the counts stay usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(key) {
            if !consume {
                return Ok(());
            }
            if buckets.len() >= MAX_BUCKETS {
                // Full buckets (keys idle long enough) go first; if that is not enough, the
                // fullest half goes: memory stays bounded whatever the number of keys.
                buckets.retain(|_, b| {
                    b.tokens + now.duration_since(b.updated).as_secs_f64() * rate < burst
                });
                if buckets.len() >= MAX_BUCKETS {
                    let mut levels: Vec<f64> = buckets.values().map(|b| b.tokens).collect();
                    levels.sort_by(f64::total_cmp);
                    let keep_below = levels[levels.len() / 2];
                    buckets.retain(|_, b| b.tokens < keep_below);
                }
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refill = now.duration_since(bucket.updated).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            if consume {
                bucket.tokens -= 1.0;
            }
            Ok(())
        } else {
            let missing = 1.0 - bucket.tokens;
            let wait = if rate > 0.0 { missing / rate } else { 3600.0 };
            Err(Duration::from_secs_f64(wait.min(3600.0)))
        }
    }

    /// How many keys the limiter remembers.
    pub fn remembered(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_its_burst_then_waits_while_others_are_untouched() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 2,
            per_second: 0.001,
        });
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        let wait = limiter.check("a").unwrap_err();
        assert!(wait > Duration::from_secs(1));
        assert!(limiter.check("b").is_ok());
        assert!(limiter.allows("a").is_err());
        assert!(limiter.allows("c").is_ok());
        assert!(limiter.allows("c").is_ok(), "asking takes nothing");
    }

    #[test]
    fn many_keys_never_take_more_than_the_bound() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 3,
            per_second: 0.0001,
        });
        for n in 0..(3 * MAX_BUCKETS) {
            let key = format!("10.{}.{}.{}", n >> 16, (n >> 8) & 255, n & 255);
            let _ = limiter.check(&key);
            let _ = limiter.check(&key);
        }
        assert!(
            limiter.remembered() <= MAX_BUCKETS,
            "{}",
            limiter.remembered()
        );
    }
}
