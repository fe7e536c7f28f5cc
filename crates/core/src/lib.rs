//! Userdesk's client library: the SQLite store, the in-memory search index, sync with the
//! platform's server, the delayed bulk jobs, the desktop's keychain and notifications, and the
//! [`AppCore`] facade over them. It knows nothing of Tauri or the webview.
//!
//! The folders are its layers, each using only those before it: `platform` (keychain,
//! notifications, pictures, log files, the shell's services), `store` (tables, listing, the outbox and the server's copies),
//! `index` (the search index), `sync` (HTTP client, engine, pages, the first-sync load), `jobs`
//! (bulk jobs and their runner), `app` (`AppCore`, by noun, and the views it returns).

mod app;
mod error;
mod index;
mod jobs;
mod platform;
mod store;
mod sync;
mod time;

pub use app::about::{UPDATE_CHECK_EVERY, VERSION};
pub use app::account::KEYCHAIN_SERVICE;
pub use app::{AppCore, OpenOptions};
pub use error::{CoreError, Result};
pub use jobs::{
    CHUNK as JOB_CHUNK, DEFAULT_DELAY as DEFAULT_JOB_DELAY, KEPT_DONE as JOB_KEPT_DONE,
};
pub use platform::desktop::{Desktop, DesktopFuture, Installation, Release, UpdateFailure};
pub use platform::keychain::Keychain;
pub use platform::logs::{
    file_subscriber, init_logging, log_panics, LOG_FILES_KEPT, LOG_FILE_PREFIX,
};
pub use platform::memory::limit_allocator_arenas;
pub use platform::notify::{DesktopNotifier, Notifier, OpenJob};
pub use platform::picture::{prepare_picture, PictureError, MAX_PICTURE_BYTES, PICTURE_SIDE};
pub use store::Store;
pub use sync::auto::{AutoSync, AutoSyncOptions};
pub use sync::{LiveState, SyncEngine, SyncOptions, SyncReport, SyncStatus, MAX_ANSWER_BYTES};
pub use time::{
    format_timestamp, parse_time_zone, system_time_zone, time_zone_names, window_start, Clock,
};
