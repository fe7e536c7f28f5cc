//! A real store in a temporary directory, filled with deterministic demo customers.

use chrono::{DateTime, Utc};
use tempfile::TempDir;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::Profile;

pub struct Fixture {
    pub app: AppCore,
    pub profiles: Vec<Profile>,
    // Dropped last: removes the database file.
    _dir: TempDir,
}

impl Fixture {
    /// The database file.
    #[allow(dead_code)]
    pub fn path(&self) -> std::path::PathBuf {
        self._dir.path().join("userdesk.sqlite3")
    }

    /// The app, and the directory that must outlive it.
    #[allow(dead_code)]
    pub fn into_parts(self) -> (AppCore, TempDir) {
        (self.app, self._dir)
    }
}

pub fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// A store holding `count` demo customers (seed 42), in UTC.
pub async fn fixture(count: usize) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let app = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default())
        .await
        .unwrap();
    app.set_time_zone("UTC").await.unwrap();
    let profiles: Vec<Profile> = DemoProfiles::new(42, now()).take(count).collect();
    app.store().insert_profiles(&profiles).await.unwrap();
    Fixture {
        app,
        profiles,
        _dir: dir,
    }
}

/// `count` demo customers from another seed, for tests that shape their own data.
#[allow(dead_code)]
pub fn fixture_profiles(count: usize) -> Vec<Profile> {
    DemoProfiles::new(4242, now()).take(count).collect()
}
