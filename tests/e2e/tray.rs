//! Closing the window to the tray: the window goes, the app stays, the delayed job still fires
//! and its system notification still comes; a click on the notification brings the window back
//! on the job's customers.
//!
//! The app runs on a D-Bus session bus of the test's own, where the test serves the freedesktop
//! Notifications interface (userdesk-testkit: it records each notification and sends the
//! `ActionInvoked` signal a notification daemon sends on a click) in place of a desktop's daemon,
//! which Xvfb has not. The window is closed as a window manager closes it: a `WM_DELETE_WINDOW`
//! message over X11.

use std::time::Duration;

use anyhow::Context;
use fantoccini::Locator;
use userdesk_e2e::{
    active_store, check_first_rows, click, save_screenshot, wait_for, wait_for_text, AppWindow,
    Driver,
};
use userdesk_testkit::{Notifications, SessionBus};

#[tokio::test(flavor = "multi_thread")]
async fn a_job_fires_with_the_window_closed_to_the_tray_and_its_notification_opens_its_customers(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 5, 6).await?;
    let bus = SessionBus::start().context("dbus-daemon (Debian package dbus-daemon)")?;
    let service = Notifications::serve(bus.address()).await?;
    let driver =
        Driver::start_with(dir.path(), &[("DBUS_SESSION_BUS_ADDRESS", bus.address())]).await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    let window = AppWindow::on_display()?;
    assert!(window.shown()?);

    let picked = check_first_rows(&client, 3).await?;
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
        announced = service
            .shown()
            .into_iter()
            .find(|shown| shown.summary == "Archived 3 profiles")
            .map(|shown| shown.id);
        if announced.is_some() {
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
    for _ in 0..100 {
        service.click(notification).await?;
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
