//! Userdesk's client library: the SQLite profile store, the manager's settings and time zone,
//! deterministic demo data, and the [`AppCore`] facade. It knows nothing of Tauri or the webview.

mod account;
mod app;
mod autosync;
mod bulk;
mod demo;
mod error;
mod jobs;
mod keychain;
mod listing;
mod notes;
mod notify;
mod outbox;
mod overwrites;
mod picture;
mod profile_index;
mod profiles;
mod properties;
mod requests;
mod search;
mod segments;
mod sessions;
mod settings;
mod shadow;
mod store;
mod sync;
mod synced;
mod time;

pub use account::KEYCHAIN_SERVICE;
pub use app::{AppCore, OpenOptions};
pub use autosync::{AutoSync, AutoSyncOptions};
pub use error::{CoreError, Result};
pub use jobs::{
    Notifier, CHUNK as JOB_CHUNK, DEFAULT_DELAY as DEFAULT_JOB_DELAY, KEPT_DONE as JOB_KEPT_DONE,
};
pub use keychain::Keychain;
pub use notify::{DesktopNotifier, OpenJob};
pub use picture::{prepare_picture, PictureError, MAX_PICTURE_BYTES, PICTURE_SIDE};
pub use store::Store;
pub use sync::{LiveState, SyncEngine, SyncOptions, SyncReport, SyncStatus};
pub use time::{
    format_timestamp, parse_time_zone, system_time_zone, time_zone_names, window_start,
};
