//! Closing the window to the tray: the window goes, the app stays, the delayed job still fires
//! and its system notification still comes; a click on the notification brings the window back
//! on the job's customers.
//!
//! The app runs on a D-Bus session bus of the test's own, where the test serves the freedesktop
//! Notifications interface (recording each notification and sending the `ActionInvoked` signal a
//! notification daemon sends on a click) in place of a desktop's daemon, which Xvfb has not. The
//! window is closed as a window manager closes it: a `WM_DELETE_WINDOW` message over X11.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use fantoccini::Locator;
use userdesk_core::{AppCore, DemoProfiles, OpenOptions};
use userdesk_e2e::{click, save_screenshot, wait_for, wait_for_text, Driver};
use userdesk_model::{Profile, ProfileId, ProfileStatus};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window,
};
use zbus::object_server::SignalEmitter;
use zbus::OwnedVariant;

/// Each notification asked for: (id, summary).
type Shown = Arc<Mutex<Vec<(u32, String)>>>;

struct Notifications {
    shown: Shown,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        _body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        let id = shown.len() as u32 + 1;
        shown.push((id, summary));
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

/// A session bus of the test's own, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> anyhow::Result<Self> {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .context("dbus-daemon (Debian package dbus-daemon)")?;
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().context("the bus's address")?)
            .read_line(&mut address)?;
        Ok(Self {
            daemon,
            address: address.trim().to_string(),
        })
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// 300 customers, all active; jobs take effect after `delay` seconds.
async fn prepare_store(data_dir: &Path, delay: u64) -> anyhow::Result<()> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let mut profiles: Vec<Profile> = DemoProfiles::new(5, chrono::Utc::now()).take(300).collect();
    for p in &mut profiles {
        p.status = ProfileStatus::Active;
    }
    core.store().insert_profiles(&profiles).await?;
    core.set_job_delay(delay).await?;
    core.store().close().await;
    Ok(())
}

/// The app's shown top-level X11 window, found by its title as a window manager finds it.
struct AppWindow<C: Connection> {
    x11: C,
    window: Window,
}

impl<C: Connection> AppWindow<C> {
    fn find(x11: C, root: Window) -> anyhow::Result<Self> {
        let utf8 = x11.intern_atom(false, b"UTF8_STRING")?.reply()?.atom;
        let net_name = x11.intern_atom(false, b"_NET_WM_NAME")?.reply()?.atom;
        for _ in 0..100 {
            let children = x11.query_tree(root)?.reply()?.children;
            for window in children {
                let name = x11
                    .get_property(false, window, net_name, utf8, 0, 64)?
                    .reply()?
                    .value;
                let legacy = x11
                    .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::STRING, 0, 64)?
                    .reply()?
                    .value;
                let mapped =
                    x11.get_window_attributes(window)?.reply()?.map_state == MapState::VIEWABLE;
                if mapped && (name == b"Userdesk" || legacy == b"Userdesk") {
                    return Ok(Self { x11, window });
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("no X11 window is titled Userdesk")
    }

    /// Asks the app to close its window, as a window manager does when the manager clicks ×.
    fn close(&self) -> anyhow::Result<()> {
        let protocols = self.x11.intern_atom(false, b"WM_PROTOCOLS")?.reply()?.atom;
        let delete = self
            .x11
            .intern_atom(false, b"WM_DELETE_WINDOW")?
            .reply()?
            .atom;
        let event = ClientMessageEvent::new(32, self.window, protocols, [delete, 0, 0, 0, 0]);
        self.x11
            .send_event(false, self.window, EventMask::NO_EVENT, event)?
            .check()?;
        self.x11.flush()?;
        Ok(())
    }

    fn shown(&self) -> anyhow::Result<bool> {
        let attributes = self.x11.get_window_attributes(self.window)?.reply()?;
        Ok(attributes.map_state == MapState::VIEWABLE)
    }

    /// Waits (up to 20 s) until the window is shown or hidden.
    fn wait_shown(&self, shown: bool) -> anyhow::Result<()> {
        for _ in 0..200 {
            if self.shown()? == shown {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!(
            "the window is still {}",
            if shown { "hidden" } else { "shown" }
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_job_fires_with_the_window_closed_to_the_tray_and_its_notification_opens_its_customers(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    prepare_store(dir.path(), 6).await?;
    let bus = Bus::start()?;
    let shown: Shown = Arc::default();
    let service = zbus::connection::Builder::address(bus.address.as_str())
        .name("org.freedesktop.Notifications")
        .serve_at(
            "/org/freedesktop/Notifications",
            Notifications {
                shown: shown.clone(),
            },
        )
        .build()
        .await?;
    let driver = Driver::start_with(
        dir.path(),
        &[("DBUS_SESSION_BUS_ADDRESS", bus.address.as_str())],
    )
    .await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    let (x11, screen) = x11rb::connect(None).context("the X display (run under xvfb-run)")?;
    let root = x11.setup().roots[screen].root;
    let window = AppWindow::find(x11, root)?;
    assert!(window.shown()?);

    wait_for(&client, ".row[data-id] input.row-check").await?;
    let rows = client.find_all(Locator::Css(".row[data-id]")).await?;
    let mut picked: Vec<ProfileId> = Vec::new();
    for row in rows.iter().take(3) {
        let id = row.attr("data-id").await?.unwrap_or_default();
        picked.push(id.parse()?);
        click(&client, &format!(".row[data-id='{id}'] input.row-check")).await?;
    }
    click(&client, "#bulk-archive").await?;
    wait_for(&client, "#jobs-panel li.job[data-state=pending]").await?;

    // Closed before the job fires: the window goes, the app stays.
    window.close()?;
    window.wait_shown(false)?;
    assert!(
        client.find(Locator::Css("#count")).await.is_ok(),
        "the app still runs behind its tray icon"
    );

    // The job fires meanwhile and says so.
    let mut announced = None;
    for _ in 0..300 {
        let found = shown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|(_, summary)| summary == "Archived 3 profiles")
            .map(|(id, _)| *id);
        if found.is_some() {
            announced = found;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let notification = announced.context("no notification said the job was done")?;
    assert!(
        !window.shown()?,
        "the notification alone does not open the window"
    );

    // A click on it: the window is back, on the job's three customers under Archived.
    let emitter = service
        .object_server()
        .interface::<_, Notifications>("/org/freedesktop/Notifications")
        .await?;
    for _ in 0..100 {
        Notifications::action_invoked(emitter.signal_emitter(), notification, "default").await?;
        if window.shown()? {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    window.wait_shown(true)?;
    wait_for_text(&client, "#count", "3 users").await?;
    wait_for(&client, "#job-filter").await?;
    for id in &picked {
        wait_for(&client, &format!(".row[data-id='{id}']")).await?;
    }
    let status = client
        .find(Locator::Css("select#status-filter"))
        .await?
        .prop("value")
        .await?;
    assert_eq!(status.as_deref(), Some("archived"));
    save_screenshot(&client, "tray-job-opened").await?;
    client.close().await?;
    Ok(())
}
