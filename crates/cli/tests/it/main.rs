//! `userdesk-cli`'s tests, one binary: the real program against a real store and the real
//! server on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The server on loopback and managers' stores, shared with the core's tests.
#[path = "../../../core/tests/it/platform/mod.rs"]
mod platform;

mod jobs;
mod sync;
mod tls;
