//! A completed job's system notification, as the platform's notification service receives it:
//! the test starts a private D-Bus session bus (`dbus-daemon`) and serves the freedesktop
//! Notifications interface on it, recording each call, in place of the desktop's notification
//! daemon.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use userdesk_core::{DesktopNotifier, Notifier};
use userdesk_model::{JobAction, JobId, JobState, JobView};
use zbus::OwnedVariant;

/// What the service was asked to show: (application, summary, body).
type Shown = Arc<Mutex<Vec<(String, String, String)>>>;

struct NotificationService {
    shown: Shown,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl NotificationService {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push((app_name, summary, body));
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "recorder".into(),
            "userdesk".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

/// A session bus of the test's own, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Self {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (Debian package dbus-daemon) runs");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Self {
            daemon,
            address: address.trim().to_string(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_completed_job_reaches_the_notification_service_once_with_its_summary() {
    let bus = Bus::start();
    let shown: Shown = Arc::default();
    let _service = zbus::connection::Builder::address(bus.address.as_str())
        .name("org.freedesktop.Notifications")
        .serve_at(
            "/org/freedesktop/Notifications",
            NotificationService {
                shown: shown.clone(),
            },
        )
        .build()
        .await
        .unwrap();
    // This test binary holds this one test: the process's session bus is the test's own.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    let job = JobView {
        id: JobId::new(),
        action: JobAction::Archive,
        state: JobState::Done,
        total: 1204,
        applied: 1204,
        run_at: String::new(),
        run_at_ms: 0,
        completed: None,
    };
    tokio::task::spawn_blocking(move || DesktopNotifier.job_completed(&job))
        .await
        .unwrap()
        .unwrap();
    let shown = shown.lock().unwrap().clone();
    assert_eq!(shown.len(), 1);
    let (app, summary, body) = &shown[0];
    assert_eq!(app, "Userdesk");
    assert_eq!(summary, "Archived 1,204 profiles");
    assert!(body.contains("Archived"), "{body}");
}
