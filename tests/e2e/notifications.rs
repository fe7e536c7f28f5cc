//! A completed job's system notification, as the platform's notification service receives it:
//! the test starts a private D-Bus session bus (`dbus-daemon`) and serves the freedesktop
//! Notifications interface on it (userdesk-testkit), recording each call, in place of the
//! desktop's notification daemon (none runs on a machine without a desktop); a click is the
//! `ActionInvoked` signal such a daemon sends.

use std::sync::mpsc;
use std::time::Duration;

use userdesk_core::{DesktopNotifier, Notifier};
use userdesk_model::{JobAction, JobId, JobState, JobView};
use userdesk_testkit::{Notifications, SessionBus};

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

/// Puts the process's session bus back when dropped: the tests of this binary run one at a time
/// (`--test-threads=1`), and the others use the session's own bus and keychain.
struct SessionBusVar(Option<std::ffi::OsString>);

impl SessionBusVar {
    fn set(address: &str) -> Self {
        let previous = std::env::var_os("DBUS_SESSION_BUS_ADDRESS");
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", address);
        Self(previous)
    }
}

impl Drop for SessionBusVar {
    fn drop(&mut self) {
        match self.0.take() {
            Some(previous) => std::env::set_var("DBUS_SESSION_BUS_ADDRESS", previous),
            None => std::env::remove_var("DBUS_SESSION_BUS_ADDRESS"),
        }
    }
}

/// The notifier talks to the process's session bus, set in its environment for this test.
#[tokio::test(flavor = "multi_thread")]
async fn a_completed_job_is_announced_once_and_a_click_opens_its_customers() {
    let bus = SessionBus::start().expect("dbus-daemon (Debian package dbus-daemon) runs");
    let service = Notifications::serve(bus.address()).await.unwrap();
    let _bus_var = SessionBusVar::set(bus.address());

    // Without a way to open the app, the notification offers no action.
    let plain = job(1204);
    tokio::task::spawn_blocking(move || DesktopNotifier::default().job_completed(&plain))
        .await
        .unwrap()
        .unwrap();
    let shown = service.shown();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].app_name, "Userdesk");
    assert_eq!(shown[0].summary, "Archived 1,204 profiles");
    assert!(shown[0].body.contains("Archived"), "{}", shown[0].body);
    assert!(shown[0].actions.is_empty(), "{:?}", shown[0].actions);

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
    let shown = service.shown();
    assert_eq!(shown.len(), 2, "announced once");
    assert_eq!(shown[1].summary, "Archived 3 profiles");
    assert_eq!(shown[1].actions[0], "default", "{:?}", shown[1].actions);
    // The notifier listens from a thread of its own: click until it has heard (a click sent
    // before it listens is not seen, as on a desktop).
    let mut heard = None;
    for _ in 0..100 {
        service.click(shown[1].id).await.unwrap();
        if let Ok(job) = clicked.recv_timeout(Duration::from_millis(100)) {
            heard = Some(job);
            break;
        }
    }
    assert_eq!(heard, Some(id), "the click opens the job's customers");
}
