//! The app itself: its version, its updates (checked at most once a day, never installed when
//! older or unverified), its log folder and the diagnostics a manager copies for support.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use chrono::{DateTime, Duration, Utc};
use semver::Version;
use userdesk_model::{thousands, JobState, UpdateStatus, UpdateView};

use super::AppCore;
use crate::error::{CoreError, Result};
use crate::platform::desktop::{Desktop, Installation, UpdateFailure};
use crate::store::settings::keys;
use crate::time::format_timestamp;

/// This copy's version (the workspace's, which the app's bundles carry too).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Updates are looked for at most this often by themselves ("Check for updates" any time).
pub const UPDATE_CHECK_EVERY: Duration = Duration::hours(24);

/// The shell's services and how this copy was installed, once the shell gave them.
#[derive(Default)]
pub(crate) struct DesktopSlot(OnceLock<(Arc<dyn Desktop>, Installation)>);

impl std::fmt::Debug for DesktopSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("DesktopSlot")
            .field(&self.0.get().map(|(_, installation)| installation))
            .finish()
    }
}

/// What the last update check found, until the next one.
#[derive(Debug, Default)]
pub(crate) struct UpdateState {
    status: UpdateStatus,
    message: String,
    offered: Option<String>,
}

/// `text` as a version (a leading `v` allowed).
fn version(text: &str) -> Option<Version> {
    Version::parse(text.trim().trim_start_matches('v')).ok()
}

impl AppCore {
    /// Gives the core the desktop's services (folders, clipboard, updates) and says how this
    /// copy was installed; the first call counts.
    pub fn attach_desktop(&self, desktop: Arc<dyn Desktop>, installation: Installation) {
        let _ = self.desktop.0.set((desktop, installation));
    }

    fn desktop(&self) -> Result<&(Arc<dyn Desktop>, Installation)> {
        self.desktop
            .0
            .get()
            .ok_or_else(|| CoreError::Desktop("this window has no desktop services".to_string()))
    }

    /// How this copy was installed; a copy without a shell counts as built from source.
    fn installation(&self) -> Installation {
        self.desktop
            .0
            .get()
            .map_or(Installation::FromSource, |(_, installation)| *installation)
    }

    /// The folder of the log files, when the app logs to files.
    pub fn log_folder(&self) -> Option<&Path> {
        self.log_folder.as_deref()
    }

    /// What Settings shows about updates, without checking.
    pub async fn update_view(&self) -> Result<UpdateView> {
        let checked = self
            .update_checked_at()
            .await?
            .map(|at| format_timestamp(at, self.time_zone()));
        let state = self.update.lock().unwrap_or_else(|e| e.into_inner());
        let (status, message) = match self.installation() {
            Installation::Deb => (
                UpdateStatus::PackageManager,
                "Installed as a Debian package: updates come with the system's other updates \
                 (apt or the software centre)."
                    .to_string(),
            ),
            Installation::Rpm => (
                UpdateStatus::PackageManager,
                "Installed as an RPM package: updates come with the system's other updates \
                 (dnf, zypper or the software centre)."
                    .to_string(),
            ),
            Installation::FromSource => (
                UpdateStatus::FromSource,
                "Built from source: a newer build is the update.".to_string(),
            ),
            Installation::SelfUpdating if state.status == UpdateStatus::NotChecked => (
                UpdateStatus::NotChecked,
                "Userdesk looks for updates once a day.".to_string(),
            ),
            Installation::SelfUpdating => (state.status, state.message.clone()),
        };
        Ok(UpdateView {
            version: VERSION.to_string(),
            can_check: self.installation() == Installation::SelfUpdating,
            status,
            message,
            offered: state.offered.clone(),
            checked,
        })
    }

    async fn update_checked_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self
            .store
            .setting(keys::UPDATE_CHECKED_AT)
            .await?
            .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
            .map(|at| at.with_timezone(&Utc)))
    }

    fn set_update(&self, status: UpdateStatus, message: String, offered: Option<String>) {
        *self.update.lock().unwrap_or_else(|e| e.into_inner()) = UpdateState {
            status,
            message,
            offered,
        };
    }

    /// At start: checks for updates unless the last check was less than a day ago (or this copy
    /// is not one that updates itself).
    pub async fn check_for_updates_if_due(&self) -> Result<UpdateView> {
        if self.installation() == Installation::SelfUpdating {
            let due = match self.update_checked_at().await? {
                Some(at) => self.store.now() - at >= UPDATE_CHECK_EVERY,
                None => true,
            };
            if due {
                return self.check_for_updates().await;
            }
        }
        self.update_view().await
    }

    /// "Check for updates": asks the update server; a newer version is downloaded and its
    /// signature checked, then waits for "Restart to update". An older version, or a download
    /// that does not verify, is refused and nothing changes.
    pub async fn check_for_updates(&self) -> Result<UpdateView> {
        if self.installation() != Installation::SelfUpdating {
            return self.update_view().await;
        }
        let (desktop, _) = self.desktop()?;
        let desktop = Arc::clone(desktop);
        let _one_at_a_time = self.update_check.lock().await;
        let current = version(VERSION).ok_or_else(|| {
            CoreError::Corrupt(format!("this version {VERSION:?} is not a version"))
        })?;
        let release = match desktop.latest_release().await {
            Ok(release) => release,
            Err(failure) => {
                // Not reached: the next start (or the button) tries again.
                self.set_update(
                    UpdateStatus::Failed,
                    format!("Updates could not be checked: {failure}."),
                    None,
                );
                return self.update_view().await;
            }
        };
        self.store
            .set_setting(keys::UPDATE_CHECKED_AT, &self.store.now().to_rfc3339())
            .await?;
        let Some(release) = release else {
            self.set_update(
                UpdateStatus::UpToDate,
                format!("Userdesk {VERSION} is the latest version."),
                None,
            );
            return self.update_view().await;
        };
        let offered = release.version.clone();
        match version(&offered) {
            None => self.set_update(
                UpdateStatus::Refused,
                format!(
                    "The update server offers {offered:?}, which is not a version: nothing was \
                     installed."
                ),
                Some(offered),
            ),
            Some(new) if new == current => self.set_update(
                UpdateStatus::UpToDate,
                format!("Userdesk {VERSION} is the latest version."),
                None,
            ),
            Some(new) if new < current => self.set_update(
                UpdateStatus::Refused,
                format!(
                    "The update server offers {offered}, older than this version ({VERSION}): \
                     an older version is never installed."
                ),
                Some(offered),
            ),
            Some(_) => match desktop.download_release().await {
                Ok(()) => self.set_update(
                    UpdateStatus::Ready,
                    format!("Userdesk {offered} is ready: restart to update."),
                    Some(offered),
                ),
                Err(UpdateFailure::Unverified(reason)) => self.set_update(
                    UpdateStatus::Refused,
                    format!(
                        "Userdesk {offered} was not installed: its download could not be verified \
                         ({reason})."
                    ),
                    Some(offered),
                ),
                Err(failure) => self.set_update(
                    UpdateStatus::Failed,
                    format!("Userdesk {offered} could not be downloaded: {failure}."),
                    Some(offered),
                ),
            },
        }
        self.update_view().await
    }

    /// "Restart to update": installs the downloaded, verified version and restarts into it.
    pub async fn restart_to_update(&self) -> Result<()> {
        let ready =
            self.update.lock().unwrap_or_else(|e| e.into_inner()).status == UpdateStatus::Ready;
        if !ready {
            return Err(CoreError::InvalidRequest(
                "no update is ready to install: check for updates first".to_string(),
            ));
        }
        let (desktop, _) = self.desktop()?;
        desktop.install_release().map_err(|failure| {
            CoreError::Desktop(format!(
                "the update could not be installed ({failure}): Userdesk is left as it was"
            ))
        })
    }

    /// The window shows its first rows: logged (with the time since the store was opened) so a
    /// slow start in the field can be told from the log.
    pub fn first_rows_shown(&self) {
        let after_ms = u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(after_ms, "the first rows are shown");
    }

    /// "Open logs folder".
    pub fn open_logs_folder(&self) -> Result<()> {
        let folder = self.log_folder().ok_or_else(|| {
            CoreError::Desktop("this copy of Userdesk keeps no log files".to_string())
        })?;
        let (desktop, _) = self.desktop()?;
        desktop.open_folder(folder).map_err(|reason| {
            CoreError::Desktop(format!("the logs folder could not be opened: {reason}"))
        })
    }

    /// "Copy diagnostics": [`AppCore::diagnostics`] on the clipboard; answers the text copied.
    pub async fn copy_diagnostics(&self) -> Result<String> {
        let text = self.diagnostics().await?;
        let (desktop, _) = self.desktop()?;
        desktop.copy_text(&text).map_err(|reason| {
            CoreError::Desktop(format!("the diagnostics could not be copied: {reason}"))
        })?;
        Ok(text)
    }

    /// What support needs to know about this copy: version, system, store, sync and updates.
    /// Never the token, never a customer's data, nor a manager's name.
    pub async fn diagnostics(&self) -> Result<String> {
        let view = self.sync_view().await?;
        let updates = self.update_view().await?;
        let customers = self.store.profile_total().await?;
        let jobs = self.jobs().await?;
        let pending_jobs = jobs
            .iter()
            .filter(|job| matches!(job.state, JobState::Pending | JobState::Running))
            .count();
        let mut text = String::new();
        let _ = writeln!(text, "Userdesk {VERSION}");
        let _ = writeln!(
            text,
            "System: {} {} ({})",
            std::env::consts::OS,
            std::env::consts::ARCH,
            std::env::consts::FAMILY
        );
        let installation = match self.installation() {
            Installation::SelfUpdating => "installer or app bundle (updates itself)",
            Installation::Deb => "Debian package",
            Installation::Rpm => "RPM package",
            Installation::FromSource => "built from source",
        };
        let _ = writeln!(text, "Installation: {installation}");
        let _ = writeln!(text, "Updates: {}", updates.message);
        let _ = writeln!(
            text,
            "Store: {} customers, {} on disk",
            thousands(customers),
            megabytes(store_bytes(self.store.path()))
        );
        match &view.account {
            Some(account) => {
                let host = reqwest::Url::parse(&account.server_url)
                    .ok()
                    .and_then(|url| url.host_str().map(str::to_string))
                    .unwrap_or_else(|| "(unreadable address)".to_string());
                let _ = writeln!(text, "Account: signed in ({}) to {host}", account.role);
            }
            None => {
                let _ = writeln!(text, "Account: not signed in");
            }
        }
        let online = match view.online {
            Some(true) => "online",
            Some(false) => "offline",
            None => "not tried yet",
        };
        let _ = writeln!(
            text,
            "Sync: {online}, {} edit(s) waiting, last synced {}{}",
            thousands(view.pending),
            view.last_synced.as_deref().unwrap_or("never"),
            view.error
                .as_ref()
                .map(|error| format!(", last error {}", serde_json::json!(error.code)))
                .unwrap_or_default()
        );
        let _ = writeln!(text, "Jobs: {pending_jobs} waiting or running");
        let _ = writeln!(text, "Time zone: {}", self.time_zone().name());
        if let Some(folder) = self.log_folder() {
            let _ = writeln!(text, "Logs: {}", folder.display());
        }
        Ok(text)
    }
}

/// The store's size on disk: the database with its journal.
fn store_bytes(path: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .filter_map(|file| std::fs::metadata(file).ok())
        .map(|meta| meta.len())
        .sum()
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
