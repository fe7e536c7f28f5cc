//! The harness of the end-to-end tests: a store prepared on disk, `tauri-driver` owned by the
//! test (killed on drop, so a failing test leaves no driver or app behind), and a WebDriver
//! session on the real app window.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use x11rb::connection::Connection;

pub mod words;
use x11rb::protocol::xproto::{
    AtomEnum, ClientMessageEvent, ConnectionExt, EventMask, MapState, Window,
};

/// A store in `data_dir` of 300 demo customers (from `seed`), all active, whose jobs take effect
/// after `delay` seconds.
pub async fn active_store(data_dir: &Path, seed: u64, delay: u64) -> anyhow::Result<()> {
    let core = userdesk_core::AppCore::open(
        &data_dir.join("userdesk.sqlite3"),
        userdesk_core::OpenOptions::default(),
    )
    .await?;
    let mut profiles: Vec<userdesk_model::Profile> =
        userdesk_demo::DemoProfiles::new(seed, chrono::Utc::now())
            .take(300)
            .collect();
    for p in &mut profiles {
        p.status = userdesk_model::ProfileStatus::Active;
    }
    core.store().insert_profiles(&profiles).await?;
    core.set_job_delay(delay).await?;
    core.store().close().await;
    Ok(())
}

/// The app binary the tests drive: `USERDESK_APP`, else the debug build in the workspace target.
pub fn app_binary() -> anyhow::Result<PathBuf> {
    let path = match std::env::var_os("USERDESK_APP") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/userdesk"),
    };
    if !path.exists() {
        bail!(
            "the app binary {} does not exist: build it with `make app` (tauri build --debug --no-bundle)",
            path.display()
        );
    }
    Ok(path)
}

/// A running `tauri-driver` on a free local port, and the app's data directory.
pub struct Driver {
    child: Child,
    port: u16,
    pub data_dir: PathBuf,
}

impl Driver {
    /// Starts `tauri-driver`; the app it launches keeps its store in `data_dir`.
    pub async fn start(data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_with(data_dir, &[]).await
    }

    /// As [`Driver::start`], with more environment for the app (such as the session bus).
    pub async fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let data = data_dir.to_string_lossy();
        let config = data_dir.join("config");
        let config = config.to_string_lossy();
        let logs = data_dir.join("logs");
        let logs = logs.to_string_lossy();
        let mut all = vec![
            ("USERDESK_DATA_DIR", data.as_ref()),
            ("USERDESK_DEMO_PROFILES", "0"),
            // The app's own settings (the window's size and place) beside the test's store,
            // never in the user's configuration; its log there too.
            ("XDG_CONFIG_HOME", config.as_ref()),
            ("USERDESK_LOG_DIR", logs.as_ref()),
        ];
        all.extend_from_slice(env);
        Self::launch(data_dir, &all).await
    }

    /// The app as a manager starts it, with nothing set for it: its store, settings and log in
    /// the system's places for the user (HOME and XDG_* as the caller has them), demo data on the
    /// first start. `data_dir` is where that store is.
    pub async fn start_as_installed(data_dir: &Path) -> anyhow::Result<Self> {
        Self::launch(data_dir, &[]).await
    }

    async fn launch(data_dir: &Path, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let child =
            Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()))
                .args([
                    "--port",
                    &port.to_string(),
                    "--native-port",
                    &native_port.to_string(),
                ])
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                // A process group of its own: WebKitWebDriver and the app it starts join it, so
                // the test can end all three, and only them, by the group's id.
                .process_group(0)
                .kill_on_drop(true)
                .spawn()
                .context("starting tauri-driver (cargo install tauri-driver --locked)")?;
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Ok(Self {
                    child,
                    port,
                    data_dir: data_dir.to_path_buf(),
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("tauri-driver did not listen on port {port}")
    }

    /// tauri-driver's process id (the app runs under it, through WebKitWebDriver).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Opens the app window and a WebDriver session on it, the window at the tests' size.
    pub async fn open_app(&self) -> anyhow::Result<Client> {
        let client = self.open_app_as_it_opens().await?;
        client.set_window_size(1280, 800).await.ok();
        Ok(client)
    }

    /// Opens the app window as the app opens it (its size and place its own).
    pub async fn open_app_as_it_opens(&self) -> anyhow::Result<Client> {
        let app = app_binary()?;
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app.to_string_lossy() }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("opening a WebDriver session on the app")?;
        Ok(client)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver, WebKitWebDriver and the app: the group this test started, by its id.
        // SIGTERM lets them close; what is left a moment later gets SIGKILL.
        if let Some(group) = self.child.id().and_then(|id| i32::try_from(id).ok()) {
            signal_group(group, libc::SIGTERM);
            for _ in 0..40 {
                // Reaped, tauri-driver no longer counts as a member of its group.
                let _ = self.child.try_wait();
                if !signal_group(group, 0) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            signal_group(group, libc::SIGKILL);
        }
        let _ = self.child.start_kill();
    }
}

/// Sends `signal` (0: none, only the check) to every process of the group `group`; false when
/// no process of it is left.
fn signal_group(group: i32, signal: i32) -> bool {
    // SAFETY: kill(2) with a negative pid only signals that process group; no memory is shared.
    unsafe { libc::kill(-group, signal) == 0 }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Waits (up to 20 s) for the element matching `css` and returns it.
pub async fn wait_for(client: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

/// Waits (up to 20 s) until the element matching `css` shows exactly `text`.
pub async fn wait_for_text(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            if let Ok(shown) = element.text().await {
                if shown.trim() == text {
                    return Ok(());
                }
                last = shown;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{css} shows {last:?}, not {text:?}")
}

/// Saves what the window shows to `target/e2e/NAME.png`, for a person to look at.
pub async fn save_screenshot(client: &Client, name: &str) -> anyhow::Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, client.screenshot().await?)?;
    Ok(path)
}

/// Ticks the checkboxes of the table's first `count` rows; returns their customers.
pub async fn check_first_rows(
    client: &Client,
    count: usize,
) -> anyhow::Result<Vec<userdesk_model::ProfileId>> {
    wait_for(client, ".row[data-id] input.row-check").await?;
    let rows = client.find_all(Locator::Css(".row[data-id]")).await?;
    let mut picked = Vec::new();
    for row in rows.iter().take(count) {
        let id = row.attr("data-id").await?.unwrap_or_default();
        picked.push(id.parse()?);
        click(client, &format!(".row[data-id='{id}'] input.row-check")).await?;
    }
    Ok(picked)
}

/// Clicks the element `css`, finding it again if the window replaced it meanwhile.
pub async fn click(client: &Client, css: &str) -> anyhow::Result<()> {
    let mut attempts = 0;
    loop {
        let element = wait_for(client, css).await?;
        match element.click().await {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 20 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Types `text` into the field `css` in place of what it holds, finding the field again if the
/// form replaced it while it settled.
pub async fn type_into(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let mut attempts = 0;
    loop {
        let input = wait_for(client, css).await?;
        let typed = async {
            input.clear().await?;
            input.send_keys(text).await
        };
        match typed.await {
            Ok(()) => return Ok(()),
            Err(_) if attempts < 20 => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The app's shown top-level X11 window, found by its title as a window manager finds it.
pub struct AppWindow<C: Connection> {
    x11: C,
    window: Window,
}

impl AppWindow<x11rb::rust_connection::RustConnection> {
    /// The app's window on the test's X display (`DISPLAY`, as xvfb-run sets it).
    pub fn on_display() -> anyhow::Result<Self> {
        let (x11, screen) = x11rb::connect(None).context("the X display (run under xvfb-run)")?;
        let root = x11.setup().roots[screen].root;
        Self::find(x11, root)
    }
}

impl<C: Connection> AppWindow<C> {
    pub fn find(x11: C, root: Window) -> anyhow::Result<Self> {
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
    pub fn close(&self) -> anyhow::Result<()> {
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

    pub fn shown(&self) -> anyhow::Result<bool> {
        let attributes = self.x11.get_window_attributes(self.window)?.reply()?;
        Ok(attributes.map_state == MapState::VIEWABLE)
    }

    /// Waits (up to 20 s) until the window is shown or hidden.
    pub fn wait_shown(&self, shown: bool) -> anyhow::Result<()> {
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
