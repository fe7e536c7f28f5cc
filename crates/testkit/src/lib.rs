//! What Userdesk's tests serve in place of the desktop, which a machine without one lacks: a
//! D-Bus session bus of the test's own (`dbus-daemon`), and on it the freedesktop Notifications
//! service, recording each notification it is asked to show and sending the `ActionInvoked`
//! signal a notification daemon sends when the manager clicks one.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use zbus::object_server::SignalEmitter;
use zbus::OwnedVariant;

/// A session bus of the test's own, stopped when dropped.
pub struct SessionBus {
    daemon: Child,
    address: String,
}

impl SessionBus {
    /// Starts `dbus-daemon --session` (Debian package dbus-daemon).
    pub fn start() -> std::io::Result<Self> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()?;
        let mut address = String::new();
        if let Some(out) = daemon.stdout.take() {
            BufReader::new(out).read_line(&mut address)?;
        }
        Ok(Self {
            daemon,
            address: address.trim().to_string(),
        })
    }

    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for SessionBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A notification as the service was asked to show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// What the service answered with, and a click names.
    pub id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Pairs of an action's key and its label, as sent.
    pub actions: Vec<String>,
}

struct Service {
    shown: Arc<Mutex<Vec<Shown>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
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
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let id = shown.len() as u32 + 1;
        shown.push(Shown {
            id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into(), "actions".into()]
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

    #[zbus(signal)]
    async fn action_invoked(
        emitter: &SignalEmitter<'_>,
        id: u32,
        action_key: &str,
    ) -> zbus::Result<()>;
}

/// The Notifications service, served on a bus until dropped.
pub struct Notifications {
    connection: zbus::Connection,
    shown: Arc<Mutex<Vec<Shown>>>,
}

const PATH: &str = "/org/freedesktop/Notifications";

impl Notifications {
    /// Takes the service's name on the bus at `address` and serves it.
    pub async fn serve(address: &str) -> zbus::Result<Self> {
        let shown = Arc::default();
        let connection = zbus::connection::Builder::address(address)
            .name("org.freedesktop.Notifications")
            .serve_at(
                PATH,
                Service {
                    shown: Arc::clone(&shown),
                },
            )
            .build()
            .await?;
        Ok(Self { connection, shown })
    }

    /// Every notification shown so far, oldest first.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Clicks the notification `id`, as a daemon reports a click on its body.
    pub async fn click(&self, id: u32) -> zbus::Result<()> {
        let service = self
            .connection
            .object_server()
            .interface::<_, Service>(PATH)
            .await?;
        Service::action_invoked(service.signal_emitter(), id, "default").await
    }
}
