//! The window and desktop suite, one binary: the real app window under Xvfb through WebDriver,
//! the system keychain and the notification service on D-Bus. `make e2e` runs it one test at a
//! time, in a D-Bus session with an unlocked GNOME Keyring of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod about;
mod bulk;
mod details;
mod goals;
mod help_page;
mod installed;
mod instance;
mod jobs;
mod keychain;
mod notifications;
mod segments;
mod sync;
mod trash;
mod tray;
mod undo;
