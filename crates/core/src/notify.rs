//! The system notification that says a job has completed, through the platform's notification
//! service (the freedesktop Notifications service over D-Bus on Linux, Notification Center on
//! macOS, toast notifications on Windows) by way of notify-rust.

use userdesk_model::JobView;

use crate::jobs::Notifier;

/// Shows each completed job's summary ("Archived 1,204 profiles") as a system notification.
#[derive(Clone, Debug, Default)]
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn job_completed(&self, job: &JobView) -> Result<(), String> {
        let changed = match job.action {
            userdesk_model::JobAction::Activate => "are active again",
            userdesk_model::JobAction::Archive => "show under Archived",
        };
        notify_rust::Notification::new()
            .appname("Userdesk")
            .summary(&job.summary())
            .body(&format!(
                "The customers you selected {changed}; the change syncs to the platform."
            ))
            .show()
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
