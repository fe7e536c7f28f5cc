//! The system notification that says a job has completed, through the platform's notification
//! service (the freedesktop Notifications service over D-Bus on Linux, Notification Center on
//! macOS, toast notifications on Windows) by way of notify-rust.

use std::fmt;
use std::sync::Arc;

use userdesk_model::{JobId, JobView};

/// Tells the manager that a job has completed: a system notification in the app.
pub trait Notifier: Send + Sync + 'static {
    /// Shows `job.summary()` ("Archived 1,204 profiles"); an error is logged and the
    /// notification tried again at the next start.
    fn job_completed(&self, job: &JobView) -> std::result::Result<(), String>;
}

/// What a click on a job's notification does: the app opens on the job's customers.
pub type OpenJob = Arc<dyn Fn(JobId) + Send + Sync>;

/// Shows each completed job's summary ("Archived 1,204 profiles") as a system notification;
/// with [`DesktopNotifier::opening`], a click on it (where the platform reports clicks) calls
/// back with the job.
#[derive(Clone, Default)]
pub struct DesktopNotifier {
    open: Option<OpenJob>,
}

impl fmt::Debug for DesktopNotifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DesktopNotifier")
            .field("opens", &self.open.is_some())
            .finish()
    }
}

impl DesktopNotifier {
    /// A notifier whose notifications call `open` with the job when clicked.
    pub fn opening(open: impl Fn(JobId) + Send + Sync + 'static) -> Self {
        Self {
            open: Some(Arc::new(open)),
        }
    }
}

/// The app's identifier (tauri.conf.json), which the Windows installers give the Start menu
/// shortcut as its AppUserModelID: Windows shows a toast only for an app it knows by that id.
#[cfg(target_os = "windows")]
const APP_USER_MODEL_ID: &str = "app.userdesk.desktop";

/// The action a click on the notification's body invokes, in the freedesktop specification.
#[cfg(all(unix, not(target_os = "macos")))]
const CLICK: &str = "default";

impl Notifier for DesktopNotifier {
    fn job_completed(&self, job: &JobView) -> Result<(), String> {
        let changed = match job.action {
            userdesk_model::JobAction::Activate => "are active again",
            userdesk_model::JobAction::Archive => "show under Archived",
        };
        let mut notification = notify_rust::Notification::new();
        notification
            .appname("Userdesk")
            .summary(&job.summary())
            .body(&format!(
                "The customers you selected {changed}; the change syncs to the platform."
            ));
        #[cfg(target_os = "windows")]
        notification.app_id(APP_USER_MODEL_ID);
        #[cfg(all(unix, not(target_os = "macos")))]
        if self.open.is_some() {
            notification.action(CLICK, "Show the customers");
        }
        let shown = notification.show().map_err(|e| e.to_string())?;
        #[cfg(all(unix, not(target_os = "macos")))]
        if let Some(open) = self.open.clone() {
            // The wait lasts until the notification is clicked or closed, on a thread of its
            // own so the job runner goes on.
            let job = job.id;
            std::thread::Builder::new()
                .name("userdesk-notification".into())
                .spawn(move || {
                    shown.wait_for_action(|action| {
                        if action == CLICK {
                            open(job);
                        }
                    })
                })
                .map_err(|e| e.to_string())?;
        }
        #[cfg(not(all(unix, not(target_os = "macos"))))]
        drop(shown);
        Ok(())
    }
}
