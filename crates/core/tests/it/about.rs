//! The app itself: update checks (at most once a day; a newer version downloaded and waiting for
//! "Restart to update"; an older, unreadable or unverified one refused with nothing changed; a
//! packaged copy left to its package manager), the log files (a file a day, panics in them) and
//! the diagnostics (no token, no customer's data). The desktop's services are a recording stand-in
//! here: the real updater, file manager and clipboard are driven in the window
//! (`tests/e2e/about.rs`); what is tested here is the core's policy.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Duration;
use userdesk_core::{
    AppCore, Clock, CoreError, Desktop, DesktopFuture, Installation, Keychain, OpenOptions,
    Release, UpdateFailure, VERSION,
};
use userdesk_model::{ErrorCode, ListRequest, ProfileFilter, SignIn, UpdateStatus};

use crate::platform::Platform;

/// What the update server offers and how the download goes, and what was asked of the desktop.
struct FakeDesktop {
    offer: Mutex<Result<Option<Release>, UpdateFailure>>,
    download: Mutex<Result<(), UpdateFailure>>,
    asked: Mutex<Vec<String>>,
    copied: Mutex<Option<String>>,
}

impl Default for FakeDesktop {
    fn default() -> Self {
        Self {
            offer: Mutex::new(Ok(None)),
            download: Mutex::new(Ok(())),
            asked: Mutex::default(),
            copied: Mutex::default(),
        }
    }
}

impl FakeDesktop {
    fn offering(version: &str) -> Arc<Self> {
        let desktop = Self::default();
        desktop.offers(Ok(Some(Release {
            version: version.to_string(),
            notes: None,
        })));
        Arc::new(desktop)
    }

    fn offers(&self, offer: Result<Option<Release>, UpdateFailure>) {
        *self.offer.lock().unwrap() = offer;
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }

    fn note(&self, what: impl Into<String>) {
        self.asked.lock().unwrap().push(what.into());
    }
}

impl Desktop for FakeDesktop {
    fn open_folder(&self, folder: &Path) -> Result<(), String> {
        self.note(format!("open {}", folder.display()));
        Ok(())
    }

    fn copy_text(&self, text: &str) -> Result<(), String> {
        *self.copied.lock().unwrap() = Some(text.to_string());
        Ok(())
    }

    fn latest_release(&self) -> DesktopFuture<'_, Result<Option<Release>, UpdateFailure>> {
        self.note("check");
        let offer = self.offer.lock().unwrap().clone();
        Box::pin(async move { offer })
    }

    fn download_release(&self) -> DesktopFuture<'_, Result<(), UpdateFailure>> {
        self.note("download");
        let download = self.download.lock().unwrap().clone();
        Box::pin(async move { download })
    }

    fn install_release(&self) -> Result<(), UpdateFailure> {
        self.note("install");
        Ok(())
    }
}

struct App {
    core: AppCore,
    clock: Clock,
    logs: PathBuf,
    _dir: tempfile::TempDir,
}

async fn open(demo_profiles: usize) -> App {
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::manual("2026-12-05T09:00:00Z".parse().unwrap());
    let logs = dir.path().join("logs");
    let core = AppCore::open(
        &dir.path().join("userdesk.sqlite3"),
        OpenOptions {
            demo_profiles,
            keychain: Some(Keychain::in_memory()),
            clock: Some(clock.clone()),
            log_folder: Some(logs.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    core.set_time_zone("UTC").await.unwrap();
    App {
        core,
        clock,
        logs,
        _dir: dir,
    }
}

fn next_minor() -> String {
    let mut parts: Vec<u64> = VERSION.split('.').map(|p| p.parse().unwrap()).collect();
    parts[1] += 1;
    format!("{}.{}.0", parts[0], parts[1])
}

#[tokio::test]
async fn a_newer_version_is_downloaded_then_installed_by_restart_to_update() {
    let app = open(0).await;
    let newer = next_minor();
    let desktop = FakeDesktop::offering(&newer);
    app.core
        .attach_desktop(desktop.clone(), Installation::SelfUpdating);

    let before = app.core.update_view().await.unwrap();
    assert_eq!(before.status, UpdateStatus::NotChecked);
    assert_eq!(before.version, VERSION);
    assert!(before.can_check);
    let refused = app.core.restart_to_update().await.unwrap_err();
    assert_eq!(refused.to_api_error().code, ErrorCode::InvalidRequest);

    let view = app.core.check_for_updates().await.unwrap();
    assert_eq!(view.status, UpdateStatus::Ready);
    assert_eq!(view.offered.as_deref(), Some(newer.as_str()));
    assert_eq!(
        view.message,
        format!("Userdesk {newer} is ready: restart to update.")
    );
    assert_eq!(view.checked.as_deref(), Some("Dec 5, 2026 09:00"));
    assert_eq!(desktop.asked(), ["check", "download"]);

    app.core.restart_to_update().await.unwrap();
    assert_eq!(desktop.asked(), ["check", "download", "install"]);
}

#[tokio::test]
async fn an_older_unreadable_or_unverified_version_is_refused_and_nothing_changes() {
    let app = open(0).await;
    let desktop = FakeDesktop::offering("0.0.9");
    app.core
        .attach_desktop(desktop.clone(), Installation::SelfUpdating);

    let older = app.core.check_for_updates().await.unwrap();
    assert_eq!(older.status, UpdateStatus::Refused);
    assert_eq!(
        older.message,
        format!(
            "The update server offers 0.0.9, older than this version ({VERSION}): an older \
             version is never installed."
        )
    );
    assert_eq!(
        desktop.asked(),
        ["check"],
        "an older version is not even downloaded"
    );
    assert!(app.core.restart_to_update().await.is_err());

    desktop.offers(Ok(Some(Release {
        version: "next".to_string(),
        notes: None,
    })));
    let unreadable = app.core.check_for_updates().await.unwrap();
    assert_eq!(unreadable.status, UpdateStatus::Refused);
    assert!(unreadable
        .message
        .contains("\"next\", which is not a version"));

    let newer = next_minor();
    desktop.offers(Ok(Some(Release {
        version: newer.clone(),
        notes: None,
    })));
    *desktop.download.lock().unwrap() = Err(UpdateFailure::Unverified(
        "its signature does not match Userdesk's key".to_string(),
    ));
    let unverified = app.core.check_for_updates().await.unwrap();
    assert_eq!(unverified.status, UpdateStatus::Refused);
    assert_eq!(
        unverified.message,
        format!(
            "Userdesk {newer} was not installed: its download could not be verified (its \
             signature does not match Userdesk's key)."
        )
    );
    assert!(app.core.restart_to_update().await.is_err());
    assert!(!desktop.asked().contains(&"install".to_string()));

    desktop.offers(Ok(Some(Release {
        version: VERSION.to_string(),
        notes: None,
    })));
    let same = app.core.check_for_updates().await.unwrap();
    assert_eq!(same.status, UpdateStatus::UpToDate);
    desktop.offers(Ok(None));
    let nothing = app.core.check_for_updates().await.unwrap();
    assert_eq!(nothing.status, UpdateStatus::UpToDate);
    assert_eq!(
        nothing.message,
        format!("Userdesk {VERSION} is the latest version.")
    );
}

#[tokio::test]
async fn updates_are_looked_for_at_most_once_a_day_and_again_after_a_failure() {
    let app = open(0).await;
    let desktop = FakeDesktop::offering(VERSION);
    desktop.offers(Err(UpdateFailure::Unreachable(
        "the update server could not be reached".to_string(),
    )));
    app.core
        .attach_desktop(desktop.clone(), Installation::SelfUpdating);

    let offline = app.core.check_for_updates_if_due().await.unwrap();
    assert_eq!(offline.status, UpdateStatus::Failed);
    assert_eq!(offline.checked, None, "an unreached server is not a check");
    desktop.offers(Ok(None));
    assert_eq!(
        app.core.check_for_updates_if_due().await.unwrap().status,
        UpdateStatus::UpToDate,
        "the next start tries again"
    );
    assert_eq!(desktop.asked().len(), 2);

    app.clock.set(app.clock.now() + Duration::hours(23));
    app.core.check_for_updates_if_due().await.unwrap();
    assert_eq!(desktop.asked().len(), 2, "not again within a day");
    app.clock.set(app.clock.now() + Duration::hours(1));
    app.core.check_for_updates_if_due().await.unwrap();
    assert_eq!(desktop.asked().len(), 3, "a day later");
    app.core.check_for_updates().await.unwrap();
    assert_eq!(desktop.asked().len(), 4, "the button checks any time");
}

#[tokio::test]
async fn a_packaged_copy_leaves_updates_to_its_package_manager() {
    for (installation, says) in [
        (Installation::Deb, "Installed as a Debian package"),
        (Installation::Rpm, "Installed as an RPM package"),
        (Installation::FromSource, "Built from source"),
    ] {
        let app = open(0).await;
        let desktop = FakeDesktop::offering(&next_minor());
        app.core.attach_desktop(desktop.clone(), installation);
        for view in [
            app.core.update_view().await.unwrap(),
            app.core.check_for_updates_if_due().await.unwrap(),
            app.core.check_for_updates().await.unwrap(),
        ] {
            assert!(view.message.starts_with(says), "{}", view.message);
            assert!(!view.can_check);
            assert_ne!(view.status, UpdateStatus::Ready);
        }
        assert!(desktop.asked().is_empty(), "{installation:?} never asks");
        assert!(app.core.restart_to_update().await.is_err());
    }
}

#[tokio::test]
async fn diagnostics_tell_support_about_the_copy_and_nothing_about_customers() {
    let platform = Platform::start(12).await;
    let app = open(40).await;
    let desktop = Arc::new(FakeDesktop::default());
    app.core.attach_desktop(desktop.clone(), Installation::Deb);
    app.core
        .sign_in(&SignIn {
            server_url: platform.url.clone(),
            token: platform.token.clone(),
            discard_pending: false,
        })
        .await
        .unwrap();
    app.core.sync_now().await.unwrap();

    let text = app.core.copy_diagnostics().await.unwrap();
    assert_eq!(
        desktop.copied.lock().unwrap().as_deref(),
        Some(text.as_str())
    );
    assert!(text.starts_with(&format!("Userdesk {VERSION}\n")), "{text}");
    for line in [
        format!(
            "System: {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
        "Installation: Debian package".to_string(),
        "Store: 12 customers".to_string(),
        "Account: signed in (admin) to 127.0.0.1".to_string(),
        "Sync: online, 0 edit(s) waiting".to_string(),
        "Time zone: UTC".to_string(),
        format!("Logs: {}", app.logs.display()),
    ] {
        assert!(text.contains(&line), "{line:?} missing from:\n{text}");
    }
    assert!(!text.contains(&platform.token), "never the token");
    assert!(
        !text.contains("admin@example.com"),
        "nor the manager's name"
    );
    let page = app
        .core
        .list_profiles(&ListRequest {
            filter: ProfileFilter::default(),
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 50,
        })
        .await
        .unwrap();
    assert!(!page.rows.is_empty());
    for row in &page.rows {
        for value in [&row.username, &row.email, &row.phone]
            .into_iter()
            .filter(|value| value.len() > 3)
        {
            assert!(
                !text.contains(value.as_str()),
                "customer data {value:?} in:\n{text}"
            );
        }
    }

    app.core.open_logs_folder().unwrap();
    assert_eq!(desktop.asked(), [format!("open {}", app.logs.display())]);
}

#[tokio::test]
async fn without_the_desktop_the_buttons_say_so() {
    let app = open(0).await;
    let error = app.core.open_logs_folder().unwrap_err();
    assert!(matches!(error, CoreError::Desktop(_)));
    assert_eq!(error.to_api_error().code, ErrorCode::Desktop);
    assert!(app.core.copy_diagnostics().await.is_err());
    assert_eq!(
        app.core.check_for_updates().await.unwrap().status,
        UpdateStatus::FromSource
    );
}

#[test]
fn the_log_is_a_file_a_day_with_every_panic_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let subscriber = userdesk_core::file_subscriber(&logs, false).unwrap();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(customers = 5000, "the table is shown");
        userdesk_core::log_panics();
        let panicked = std::panic::catch_unwind(|| {
            let empty: Vec<u8> = Vec::new();
            empty.first().copied().expect("a byte where there is none")
        });
        assert!(panicked.is_err());
        // Back to Rust's own report for the other tests.
        let _ = std::panic::take_hook();
    });
    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = &files[0];
    assert!(
        name.starts_with("userdesk.") && name.ends_with(".log"),
        "{name}"
    );
    let text = std::fs::read_to_string(logs.join(name)).unwrap();
    assert!(text.contains("the table is shown customers=5000"), "{text}");
    assert!(
        text.contains("panicked: a byte where there is none"),
        "{text}"
    );
    assert!(text.contains("about.rs:"), "where it panicked: {text}");
}
