//! One Userdesk at a time, and a window that comes back as it was left. A second start (from the
//! menu, a desktop file, a terminal) while Userdesk runs, even hidden in the tray, brings the
//! running window forward and exits, before it opens anything; the window's size and place are
//! kept when it is closed and come back at the next start.
//!
//! The app runs on a D-Bus session bus of the test's own, where the single-instance plugin finds
//! the running app on Linux (as it does on a desktop's session bus).

use std::time::Duration;

use anyhow::Context;
use userdesk_e2e::{active_store, app_binary, wait_for_text, AppWindow, Driver};
use userdesk_testkit::SessionBus;

#[tokio::test(flavor = "multi_thread")]
async fn starting_userdesk_again_brings_the_running_window_forward_and_exits() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 5, 300).await?;
    let bus = SessionBus::start().context("dbus-daemon (Debian package dbus-daemon)")?;
    let driver =
        Driver::start_with(dir.path(), &[("DBUS_SESSION_BUS_ADDRESS", bus.address())]).await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    let window = AppWindow::on_display()?;
    // Hidden in the tray, as a manager leaves it most of the day.
    window.close()?;
    window.wait_shown(false)?;

    let second = tokio::process::Command::new(app_binary()?)
        .env("USERDESK_DATA_DIR", dir.path())
        .env("USERDESK_DEMO_PROFILES", "0")
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("DBUS_SESSION_BUS_ADDRESS", bus.address())
        .kill_on_drop(true)
        .status();
    let status = tokio::time::timeout(Duration::from_secs(30), second)
        .await
        .context("the second Userdesk kept running")??;
    assert!(status.success(), "the second start ended with {status}");
    window.wait_shown(true)?;
    // The one window there is, with the same data.
    wait_for_text(&client, "#count", "300 users").await?;
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_comes_back_where_it_was_left() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 6, 300).await?;
    let bus = SessionBus::start().context("dbus-daemon (Debian package dbus-daemon)")?;
    let env = [("DBUS_SESSION_BUS_ADDRESS", bus.address())];
    let (width, height): (u32, u32) = (1000, 640);
    {
        let driver = Driver::start_with(dir.path(), &env).await?;
        let client = driver.open_app().await?;
        wait_for_text(&client, "#count", "300 users").await?;
        client
            .set_window_rect(70, 50, width, height)
            .await
            .context("moving the window")?;
        let window = AppWindow::on_display()?;
        window.close()?;
        window.wait_shown(false)?;
        // The app ends with its driver.
    }
    let driver = Driver::start_with(dir.path(), &env).await?;
    let client = driver.open_app_as_it_opens().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    let (x, y, w, h) = client.get_window_rect().await?;
    assert_eq!((w, h), (u64::from(width), u64::from(height)));
    assert!(
        x.abs_diff(70) <= 2 && y.abs_diff(50) <= 2,
        "the window opened at {x}, {y}"
    );
    client.close().await?;
    Ok(())
}
