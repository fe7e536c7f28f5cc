//! Sync with the platform's server: push the outbox oldest first, then pull the workspace's
//! changes page by page, each page applied with the still-pending mutations rebased on top in
//! one transaction, the last page also trimming the outbox to what the server confirms.
//!
//! `client` speaks HTTP, `engine` runs a sync, `apply` applies a page, `bulk_load` loads a first
//! sync in bulk, `overwrites` and `rejections` keep what the manager is told, `state` the sync
//! state row, `auto` syncs in the background.

mod apply;
pub(crate) mod auto;
pub(crate) mod bulk_load;
mod client;
mod engine;
pub(crate) mod overwrites;
mod rejections;
mod state;

pub(crate) use client::base_url;
pub use client::MAX_ANSWER_BYTES;
pub use engine::{LiveState, SyncEngine, SyncOptions, SyncReport};
pub use state::SyncStatus;
