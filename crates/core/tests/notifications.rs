//! A completed job's system notification, as the platform's notification service receives it:
//! the test starts a private D-Bus session bus (`dbus-daemon`) and serves the freedesktop
//! Notifications interface on it, recording each call, in place of the desktop's notification
//! daemon (none runs on a machine without a desktop); a click is the `ActionInvoked` signal such
//! a daemon sends.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use userdesk_core::{DesktopNotifier, Notifier};
use userdesk_model::{JobAction, JobId, JobState, JobView};
use zbus::object_server::SignalEmitter;
use zbus::OwnedVariant;

/// What the service was asked to show: (application, summary, body, actions).
type Shown = Arc<Mutex<Vec<(String, String, String, Vec<String>)>>>;

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
        actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap();
        shown.push((app_name, summary, body, actions));
        shown.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
    }

    /// What the daemon says when the manager clicks a notification.
    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;

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

fn job(total: u64) -> JobView {
    JobView {
        id: JobId::new(),
        action: JobAction::Archive,
        state: JobState::Done,
        total,
        applied: total,
        run_at: String::new(),
        run_at_ms: 0,
        completed: None,
    }
}

/// One test on purpose: the bus is the process's session bus, set in its environment.
#[tokio::test(flavor = "multi_thread")]
async fn a_completed_job_is_announced_once_and_a_click_opens_its_customers() {
    let bus = Bus::start();
    let shown: Shown = Arc::default();
    let service = zbus::connection::Builder::address(bus.address.as_str())
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
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    // Without a way to open the app, the notification offers no action.
    let plain = job(1204);
    tokio::task::spawn_blocking(move || DesktopNotifier::default().job_completed(&plain))
        .await
        .unwrap()
        .unwrap();
    {
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 1);
        let (app, summary, body, actions) = &shown[0];
        assert_eq!(app, "Userdesk");
        assert_eq!(summary, "Archived 1,204 profiles");
        assert!(body.contains("Archived"), "{body}");
        assert!(actions.is_empty(), "{actions:?}");
    }

    // With one, a click on the notification calls back with the job.
    let (opened, clicked) = mpsc::channel();
    let notifier = DesktopNotifier::opening(move |job| {
        let _ = opened.send(job);
    });
    let archived = job(3);
    let id = archived.id;
    tokio::task::spawn_blocking(move || notifier.job_completed(&archived))
        .await
        .unwrap()
        .unwrap();
    let notification = {
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 2, "announced once");
        let (_, summary, _, actions) = &shown[1];
        assert_eq!(summary, "Archived 3 profiles");
        assert_eq!(actions[0], "default", "{actions:?}");
        shown.len() as u32
    };
    let emitter = service
        .object_server()
        .interface::<_, NotificationService>("/org/freedesktop/Notifications")
        .await
        .unwrap();
    // The notifier listens from a thread of its own: click until it has heard (a click sent
    // before it listens is not seen, as on a desktop).
    let mut heard = None;
    for _ in 0..100 {
        NotificationService::action_invoked(emitter.signal_emitter(), notification, "default")
            .await
            .unwrap();
        if let Ok(job) = clicked.recv_timeout(Duration::from_millis(100)) {
            heard = Some(job);
            break;
        }
    }
    assert_eq!(heard, Some(id), "the click opens the job's customers");
}
