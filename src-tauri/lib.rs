//! The Tauri shell: opens the store, registers the commands, keeps the app in the tray while its
//! window is closed (jobs go on running), and nothing else.

mod commands;
mod desktop;
#[cfg(test)]
mod scenario;
#[cfg(test)]
mod typescript;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, WindowEvent};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};
use userdesk_core::{AppCore, AutoSyncOptions, DesktopNotifier, OpenOptions};

/// The label of the app's one window (tauri.conf.json).
const MAIN: &str = "main";

/// The DOM event that tells the window to show a job's customers; its detail is the job's id.
const OPEN_JOB: &str = "userdesk:open-job";

/// Present when the tray icon is up: closing the window then hides it instead of quitting.
struct InTray;

/// What of the window comes back at the next start: its size, place and maximised state (not
/// whether it was hidden in the tray: a start always shows it).
fn window_state() -> StateFlags {
    StateFlags::SIZE | StateFlags::POSITION | StateFlags::MAXIMIZED
}

/// Keeps where the window is for the next start.
fn save_window_state(app: &AppHandle) {
    if let Err(error) = app.save_window_state(window_state()) {
        tracing::warn!(%error, "the window's size and place could not be kept");
    }
}

/// How long after the start the day's update check waits.
const UPDATE_CHECK_AFTER_START: std::time::Duration = std::time::Duration::from_secs(5);

/// Demo customers added to a brand-new store unless `USERDESK_DEMO_PROFILES` says otherwise.
const DEFAULT_DEMO_PROFILES: usize = 5_000;

/// Starts the desktop app and blocks until its window closes.
pub fn run() -> anyhow::Result<()> {
    tauri::Builder::default()
        // First of all: a second start of Userdesk brings this one's window forward and exits
        // before it opens anything (the store above all).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            show_window(app);
        }))
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(window_state())
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .setup(|app| {
            // The log first, so that what follows (and any panic) is in it.
            let log_folder = desktop::log_folder(app.handle());
            if let Some(folder) = &log_folder {
                if let Err(error) = userdesk_core::init_logging(folder, cfg!(debug_assertions)) {
                    eprintln!("Userdesk keeps no log file: {error}");
                }
            }
            tracing::info!(version = userdesk_core::VERSION, "Userdesk starts");
            let path = database_path(app.path().app_data_dir()?)?;
            let options = OpenOptions {
                demo_profiles: demo_profiles()?,
                log_folder,
                ..Default::default()
            };
            let core = tauri::async_runtime::block_on(AppCore::open(&path, options))
                .map(Arc::new)
                .with_context(|| format!("opening the store at {}", path.display()))?;
            // Signed in earlier: sync in the background from now on.
            let resume = Arc::clone(&core);
            tauri::async_runtime::spawn(async move {
                if let Err(error) = resume.resume_sync(AutoSyncOptions::default()).await {
                    tracing::warn!(%error, "background sync could not start");
                }
            });
            // Delayed Active and Archive jobs fire by themselves; those whose time passed while
            // the app was closed fire now. Each completion is a system notification.
            // A click on a job's notification brings the window back on the job's customers.
            let handle = app.handle().clone();
            let notifier = DesktopNotifier::opening(move |job| {
                let app = handle.clone();
                let _ = handle.run_on_main_thread(move || {
                    show_window(&app);
                    open_job(&app, &job.to_string());
                });
            });
            let jobs = Arc::clone(&core);
            tauri::async_runtime::block_on(async move {
                jobs.start_jobs(Arc::new(notifier));
            });
            core.attach_desktop(
                Arc::new(desktop::ShellDesktop::new(app.handle())),
                desktop::installation(),
            );
            // Updates are looked for a little after the start (at most once a day), in the
            // background: the table comes first.
            let updates = Arc::clone(&core);
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(UPDATE_CHECK_AFTER_START).await;
                if let Err(error) = updates.check_for_updates_if_due().await {
                    tracing::warn!(%error, "updates could not be checked");
                }
            });
            app.manage(core);
            if tray_available() {
                add_tray(app)?;
                app.manage(InTray);
            }
            Ok(())
        })
        .on_window_event(|window, event| {
            // With the tray icon up, closing the window hides it: the jobs keep running and
            // their notifications still come. "Quit Userdesk" in the tray ends the app.
            if let WindowEvent::CloseRequested { api, .. } = event {
                save_window_state(window.app_handle());
                if window.app_handle().try_state::<InTray>().is_some() {
                    api.prevent_close();
                    if let Err(error) = window.hide() {
                        tracing::warn!(%error, "the window could not be hidden");
                    }
                }
            }
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .context("running the Userdesk window")
}

/// Shows the window again, in front.
fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// Tells the window to show the job's customers, with a DOM event of its own (the window needs no
/// permission to listen to Tauri events for it).
fn open_job(app: &AppHandle, job: &str) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    let event = serde_json::json!(OPEN_JOB);
    let detail = serde_json::json!(job);
    let script = format!("window.dispatchEvent(new CustomEvent({event}, {{ detail: {detail} }}));");
    if let Err(error) = window.eval(&script) {
        tracing::warn!(%error, "the window could not be told to open the job");
    }
}

/// The tray icon: its menu opens the window or quits (a left click opens it too, where the
/// platform reports clicks on tray icons).
fn add_tray(app: &tauri::App) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Userdesk", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Userdesk", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("userdesk")
        .tooltip("Userdesk")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_window(app),
            "quit" => {
                save_window_state(app);
                app.exit(0);
            }
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// On Linux the tray icon needs libayatana-appindicator (or libappindicator) at run time; without
/// it there is no tray, and closing the window quits as in any app (jobs due meanwhile are caught
/// up at the next start).
#[cfg(target_os = "linux")]
fn tray_available() -> bool {
    ["libayatana-appindicator3.so.1", "libappindicator3.so.1"]
        .iter()
        // SAFETY: loading these libraries runs no code of theirs beyond GTK's own initialisers,
        // which the tray would run anyway.
        .any(|name| unsafe { libloading::Library::new(name) }.is_ok())
}

#[cfg(not(target_os = "linux"))]
fn tray_available() -> bool {
    true
}

/// The store lives in the OS's app-data directory, or in `USERDESK_DATA_DIR` when set (tests).
fn database_path(app_data: PathBuf) -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("USERDESK_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or(app_data);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir.join("userdesk.sqlite3"))
}

fn demo_profiles() -> anyhow::Result<usize> {
    match std::env::var("USERDESK_DEMO_PROFILES") {
        Ok(value) => value
            .parse()
            .with_context(|| format!("USERDESK_DEMO_PROFILES={value:?} is not a count")),
        Err(_) => Ok(DEFAULT_DEMO_PROFILES),
    }
}
