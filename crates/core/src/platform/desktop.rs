//! What only the desktop shell can do for the core: open a folder in the system's file manager,
//! put text on the clipboard, and fetch and install an update of the app (the shell's updater,
//! which checks every download's signature against the app's public key). The core decides
//! when and whether; the shell does.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

/// A boxed future, for the asynchronous methods of [`Desktop`].
pub type DesktopFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A release the update server offers, whatever its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// Its version, as the update server announced it.
    pub version: String,
    /// Its release notes, if any.
    pub notes: Option<String>,
}

/// Why a step of an update failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpdateFailure {
    /// The download's signature does not match the app's public key, or it was signed for
    /// another version than the one announced: it is never installed.
    #[error("{0}")]
    Unverified(String),
    /// The update server or the download could not be reached or read.
    #[error("{0}")]
    Unreachable(String),
    /// Installing failed (the app is left as it was).
    #[error("{0}")]
    Install(String),
}

/// The desktop's services, given to the core by the shell ([`crate::AppCore::attach_desktop`]).
pub trait Desktop: Send + Sync + 'static {
    /// Opens `folder` in the system's file manager.
    fn open_folder(&self, folder: &Path) -> Result<(), String>;
    /// Puts `text` on the system clipboard.
    fn copy_text(&self, text: &str) -> Result<(), String>;
    /// Asks the update server for the release it offers now (`None`: nothing).
    fn latest_release(&self) -> DesktopFuture<'_, Result<Option<Release>, UpdateFailure>>;
    /// Downloads the release last answered by [`Desktop::latest_release`] and checks its
    /// signature, keeping it for [`Desktop::install_release`].
    fn download_release(&self) -> DesktopFuture<'_, Result<(), UpdateFailure>>;
    /// Installs the downloaded release and restarts the app into it.
    fn install_release(&self) -> Result<(), UpdateFailure>;
}

/// Where this copy of Userdesk came from, which says how it is updated (the shell knows: the
/// bundler marks the executable of each package with its kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installation {
    /// An installer or app bundle (Windows, macOS) or an AppImage: the app updates itself.
    SelfUpdating,
    /// A Debian package: apt (or the software centre) updates it.
    Deb,
    /// An RPM package: dnf, zypper (or the software centre) update it.
    Rpm,
    /// A copy built from source (`make run`, the tests): a new build is the update.
    FromSource,
}
