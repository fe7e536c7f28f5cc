//! `AppCore`: the one facade the desktop shell (and later the command line) calls.

pub(crate) mod about;
pub(crate) mod account;
mod bot_sessions;
mod data_requests;
mod history;
mod jobs;
mod notes;
mod profiles;
mod properties;
mod search;
mod segments;
mod sync;
mod trash;
mod undo;
mod views;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use userdesk_model::ProfileFilter;

use userdesk_demo::DemoWorkspace;

use crate::app::account::KEYCHAIN_SERVICE;
use crate::error::Result;
use crate::index::SharedIndex;
use crate::jobs::JobRunner;
use crate::platform::keychain::Keychain;
use crate::store::listing::ResolvedFilter;
use crate::store::settings::keys;
use crate::store::Store;
use crate::sync::auto::AutoSync;
use crate::sync::SyncEngine;
use crate::time::{self, Clock};

/// How to open the app's store.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Demo profiles to add the first time the store is opened (0 for none).
    pub demo_profiles: usize,
    /// Answer searches from SQLite alone, without the in-memory search index: less memory and
    /// no index to build, for a short-lived process; searches with many matches are slower.
    pub sqlite_search_only: bool,
    /// Where the sign-in token is kept: the system keychain under the app's identifier when
    /// `None`.
    pub keychain: Option<Keychain>,
    /// What edits, notes, requests and jobs take the time from: the system's clock when `None`.
    pub clock: Option<Clock>,
    /// Where the app's log files are ("Open logs folder", diagnostics); `None` when it keeps none.
    pub log_folder: Option<PathBuf>,
}

/// The client library as the app sees it: profiles, settings, and the manager's time zone.
#[derive(Debug)]
pub struct AppCore {
    store: Store,
    time_zone: RwLock<Tz>,
    /// Answers searches once built and up to date; until then (or when off) SQLite does.
    index: Option<Arc<SharedIndex>>,
    sync: SyncEngine,
    /// The background sync, once signed in.
    auto_sync: Mutex<Option<AutoSync>>,
    keychain: Keychain,
    /// Fires the bulk jobs at their time, once started.
    pub(crate) job_runner: JobRunner,
    /// The shell's folders, clipboard and updates.
    desktop: about::DesktopSlot,
    /// What the last update check found.
    update: Mutex<about::UpdateState>,
    /// One update check at a time.
    update_check: tokio::sync::Mutex<()>,
    log_folder: Option<PathBuf>,
    /// When the store was opened: the log tells how long the window took to show its rows.
    opened: std::time::Instant,
    /// The actions Undo can take back.
    undo: undo::UndoStack,
}

/// The demo workspace's seed: every first launch shows the same customers.
const DEMO_SEED: u64 = 0x05E4_DE5C;

/// Up to this many demo customers come with the whole platform story (bot sessions and their
/// conversations, goals, notes); more (a store to try a million on) come with their properties
/// and segments only.
const DEMO_STORY_UP_TO: usize = 20_000;

/// A brand-new store's demo workspace: the same generator and data as the server's seed
/// (`userdesk-demo`), kept as pulled records are, so every section of Details has something to
/// show; the first sign-in drops it.
async fn seed_demo_workspace(store: &Store, customers: usize) -> Result<()> {
    let mut workspace = DemoWorkspace::new(DEMO_SEED, store.now());
    if customers > DEMO_STORY_UP_TO {
        workspace = workspace.without_conversations();
    }
    for batch in workspace.batches(customers, 5_000) {
        store.keep_records(&batch).await?;
    }
    Ok(())
}

impl AppCore {
    /// Opens the store at `path`, adding demo data on its very first opening if asked.
    pub async fn open(path: &Path, options: OpenOptions) -> Result<Self> {
        let store = Store::open(path)
            .await?
            .with_clock(options.clock.unwrap_or_default());
        if options.demo_profiles > 0 && store.setting(keys::DEMO_SEEDED).await?.is_none() {
            if store.profile_total().await? == 0 {
                seed_demo_workspace(&store, options.demo_profiles).await?;
            }
            store
                .set_setting(keys::DEMO_SEEDED, crate::store::settings::DEMO_KEPT)
                .await?;
        }
        let time_zone = match store.setting(keys::TIME_ZONE).await? {
            Some(name) => time::parse_time_zone(&name)?,
            None => time::system_time_zone(),
        };
        let core = Self {
            store,
            time_zone: RwLock::new(time_zone),
            index: (!options.sqlite_search_only).then(Arc::default),
            sync: SyncEngine::new()?,
            auto_sync: Mutex::new(None),
            job_runner: JobRunner::default(),
            keychain: options
                .keychain
                .unwrap_or_else(|| Keychain::new(KEYCHAIN_SERVICE)),
            desktop: about::DesktopSlot::default(),
            update: Mutex::default(),
            update_check: tokio::sync::Mutex::new(()),
            log_folder: options.log_folder,
            opened: std::time::Instant::now(),
            undo: undo::UndoStack::default(),
        };
        core.refresh_search_index_in_background();
        Ok(core)
    }

    pub(crate) fn sync_engine(&self) -> &SyncEngine {
        &self.sync
    }

    pub(crate) fn keychain(&self) -> &Keychain {
        &self.keychain
    }

    /// The store underneath, for tests and tools.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The manager's time zone.
    pub fn time_zone(&self) -> Tz {
        // A poisoned lock still holds a valid zone: a panic cannot leave a half-written `Tz`.
        *self.time_zone.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the manager's time zone by IANA name and keeps it.
    pub async fn set_time_zone(&self, name: &str) -> Result<String> {
        let tz = time::parse_time_zone(name.trim())?;
        self.store.set_setting(keys::TIME_ZONE, tz.name()).await?;
        *self.time_zone.write().unwrap_or_else(|e| e.into_inner()) = tz;
        Ok(tz.name().to_string())
    }

    pub(crate) async fn resolve(
        &self,
        filter: &ProfileFilter,
        now: DateTime<Utc>,
    ) -> Result<ResolvedFilter> {
        let tz = self.time_zone();
        let since = time::window_start(filter.last_seen, now, tz);
        let mut resolved = ResolvedFilter::new(filter, since);
        if let Some(segment) = filter.segment {
            resolved.segment = Some(self.store.segment_membership(segment, now, tz).await?);
        }
        if let Some(goal) = filter.goal {
            resolved.goal = Some(self.store.goal_completers(goal).await?);
        }
        Ok(resolved)
    }
}
