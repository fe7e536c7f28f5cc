//! The desktop's services for the core (`userdesk_core::Desktop`): the system's file manager
//! (tauri-plugin-opener), the clipboard (tauri-plugin-clipboard-manager) and the updater
//! (tauri-plugin-updater, which checks each download's minisign signature against the public key
//! in tauri.conf.json, and that it was signed for the version announced). When to check and what
//! to refuse is the core's.

use std::path::Path;
use std::sync::Mutex;

use tauri::{AppHandle, Manager};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;
use tauri_plugin_updater::{Update, Updater, UpdaterExt};
use userdesk_core::{Desktop, DesktopFuture, Installation, Release, UpdateFailure};

pub struct ShellDesktop {
    app: AppHandle,
    /// The release the update server offered last.
    offered: Mutex<Option<Update>>,
    /// That release, downloaded and verified, waiting for "Restart to update".
    downloaded: Mutex<Option<(Update, Vec<u8>)>>,
}

impl ShellDesktop {
    pub fn new(app: &AppHandle) -> Self {
        Self {
            app: app.clone(),
            offered: Mutex::new(None),
            downloaded: Mutex::new(None),
        }
    }

    /// The updater, answering whatever version the server offers: the core compares versions
    /// (and says why an older one is refused).
    fn updater(&self) -> Result<Updater, tauri_plugin_updater::Error> {
        let builder = self.app.updater_builder().version_comparator(|_, _| true);
        test_server(builder)?.build()
    }
}

/// Debug builds only (the window tests): the update server and its key come from
/// `USERDESK_UPDATE_ENDPOINT` and `USERDESK_UPDATE_PUBKEY`, a test's own on loopback. A release
/// build reads neither: it trusts the key and the server in tauri.conf.json alone.
#[cfg(debug_assertions)]
fn test_server(
    mut builder: tauri_plugin_updater::UpdaterBuilder,
) -> Result<tauri_plugin_updater::UpdaterBuilder, tauri_plugin_updater::Error> {
    if let Ok(endpoint) = std::env::var("USERDESK_UPDATE_ENDPOINT") {
        builder = builder.endpoints(vec![endpoint.parse()?])?;
    }
    if let Ok(key) = std::env::var("USERDESK_UPDATE_PUBKEY") {
        builder = builder.pubkey(key);
    }
    Ok(builder)
}

#[cfg(not(debug_assertions))]
fn test_server(
    builder: tauri_plugin_updater::UpdaterBuilder,
) -> Result<tauri_plugin_updater::UpdaterBuilder, tauri_plugin_updater::Error> {
    Ok(builder)
}

/// An updater error as the core tells it: a download that does not verify is never installed.
fn failure(error: tauri_plugin_updater::Error) -> UpdateFailure {
    use tauri_plugin_updater::Error;
    match error {
        Error::Minisign(_) | Error::Base64(_) | Error::SignatureUtf8(_) => {
            UpdateFailure::Unverified("its signature does not match Userdesk's key".to_string())
        }
        Error::SignedVersionMismatch { signed, announced } => UpdateFailure::Unverified(format!(
            "it was signed as version {signed}, not {announced}"
        )),
        Error::MissingSignedVersion => {
            UpdateFailure::Unverified("its signature names no version".to_string())
        }
        other => UpdateFailure::Unreachable(other.to_string()),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Desktop for ShellDesktop {
    fn open_folder(&self, folder: &Path) -> Result<(), String> {
        self.app
            .opener()
            .open_path(folder.to_string_lossy(), None::<&str>)
            .map_err(|e| e.to_string())
    }

    fn copy_text(&self, text: &str) -> Result<(), String> {
        self.app
            .clipboard()
            .write_text(text.to_string())
            .map_err(|e| e.to_string())
    }

    fn latest_release(&self) -> DesktopFuture<'_, Result<Option<Release>, UpdateFailure>> {
        Box::pin(async move {
            let updater = self.updater().map_err(failure)?;
            let update = updater.check().await.map_err(failure)?;
            let release = update.as_ref().map(|update| Release {
                version: update.version.clone(),
                notes: update.body.clone(),
            });
            *lock(&self.offered) = update;
            Ok(release)
        })
    }

    fn download_release(&self) -> DesktopFuture<'_, Result<(), UpdateFailure>> {
        Box::pin(async move {
            let update = lock(&self.offered)
                .clone()
                .ok_or_else(|| UpdateFailure::Unreachable("no release was offered".to_string()))?;
            // The plugin checks the signature of what it downloaded before answering it.
            let bytes = update.download(|_, _| {}, || {}).await.map_err(failure)?;
            *lock(&self.downloaded) = Some((update, bytes));
            Ok(())
        })
    }

    fn install_release(&self) -> Result<(), UpdateFailure> {
        let (update, bytes) = lock(&self.downloaded)
            .take()
            .ok_or_else(|| UpdateFailure::Install("nothing was downloaded".to_string()))?;
        // Checked once more against the signature, then put in place of this copy.
        update
            .install(&bytes)
            .map_err(|e| UpdateFailure::Install(e.to_string()))?;
        tracing::info!(version = %update.version, "updated; restarting");
        self.app.restart()
    }
}

/// Where the log files go: `USERDESK_LOG_DIR` when set (tests), else the OS's log folder for
/// the app (`~/.local/share/<id>/logs` on Linux, `~/Library/Logs/<id>` on macOS,
/// `%LOCALAPPDATA%\<id>\logs` on Windows).
pub fn log_folder(app: &AppHandle) -> Option<std::path::PathBuf> {
    std::env::var_os("USERDESK_LOG_DIR")
        .map(std::path::PathBuf::from)
        .or_else(|| app.path().app_log_dir().ok())
}

/// How this copy was installed: the bundler marks the executable in each package with the
/// package's kind; an AppImage says so in `APPIMAGE` when it runs; an unmarked executable was
/// built from source.
pub fn installation() -> Installation {
    use tauri::utils::config::BundleType;
    if std::env::var_os("APPIMAGE").is_some() {
        return Installation::SelfUpdating;
    }
    match tauri::utils::platform::bundle_type() {
        Some(BundleType::Deb) => Installation::Deb,
        Some(BundleType::Rpm) => Installation::Rpm,
        Some(_) => Installation::SelfUpdating,
        None => Installation::FromSource,
    }
}
