//! The core's integration tests, one binary: a real store on disk, and for sync the real server
//! on loopback. None needs a display, a session bus or a keychain (tokens are kept in an
//! in-memory keychain here; the system keychain and notifications are tested in `tests/e2e`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod platform;

mod about;
mod account;
mod faults;
mod goals;
mod history;
mod jobs;
mod listing;
mod notes;
mod pictures;
mod profiles;
mod properties;
mod requests;
mod segments;
mod sessions;
mod sync;
mod trash;
mod undo;
