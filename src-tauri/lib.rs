//! The Tauri shell: opens the store, registers the commands, and nothing else.

mod commands;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use tauri::Manager;
use userdesk_core::{AppCore, AutoSyncOptions, DesktopNotifier, OpenOptions};

/// Demo customers added to a brand-new store unless `USERDESK_DEMO_PROFILES` says otherwise.
const DEFAULT_DEMO_PROFILES: usize = 5_000;

/// Starts the desktop app and blocks until its window closes.
pub fn run() -> anyhow::Result<()> {
    tauri::Builder::default()
        .setup(|app| {
            let path = database_path(app.path().app_data_dir()?)?;
            let options = OpenOptions {
                demo_profiles: demo_profiles()?,
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
            let jobs = Arc::clone(&core);
            tauri::async_runtime::block_on(async move {
                jobs.start_jobs(Arc::new(DesktopNotifier));
            });
            app.manage(core);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_profiles,
            commands::count_profiles,
            commands::get_profile,
            commands::patch_profile,
            commands::set_profile_active,
            commands::set_profile_picture,
            commands::remove_profile_picture,
            commands::profile_pictures,
            commands::list_notes,
            commands::add_note,
            commands::edit_note,
            commands::delete_note,
            commands::bot_sessions,
            commands::conversation,
            commands::goal_completions,
            commands::data_requests,
            commands::request_data,
            commands::list_properties,
            commands::create_property,
            commands::update_property,
            commands::delete_property,
            commands::profile_properties,
            commands::set_profile_property,
            commands::list_segments,
            commands::create_segment,
            commands::update_segment,
            commands::delete_segment,
            commands::profile_segments,
            commands::list_goals,
            commands::schedule_job,
            commands::cancel_job,
            commands::list_jobs,
            commands::get_job_delay,
            commands::set_job_delay,
            commands::delete_profiles,
            commands::create_segment_from,
            commands::get_time_zone,
            commands::set_time_zone,
            commands::list_time_zones,
            commands::sync_view,
            commands::sync_now,
            commands::sign_in,
            commands::sign_out,
            commands::dismiss_rejection,
            commands::back_online,
        ])
        .run(tauri::generate_context!())
        .context("running the Userdesk window")
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
