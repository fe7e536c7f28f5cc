//! Undo in the real window: a manager changes a customer's location, sees the change named under
//! the table, takes it back with Undo, then archives the customer and takes that back with
//! Ctrl+Z. Each undo is a new edit waiting to sync; the store ends with the values from before.

use fantoccini::key::Key;
use fantoccini::Locator;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_e2e::words;
use userdesk_e2e::{save_screenshot, Driver};
use userdesk_model::{ProfileStatus, SessionTotals};

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_undoes_an_edit_and_an_archive() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("userdesk.sqlite3");
    let core = AppCore::open(&path, OpenOptions::default()).await?;
    let mut profiles: Vec<_> = DemoProfiles::new(41, chrono::Utc::now()).take(50).collect();
    let grace = &mut profiles[0];
    grace.first_name = "Grace".into();
    grace.last_name = "Hopper".into();
    grace.email = "grace@navy.example".into();
    grace.location = "Arlington, United States".into();
    grace.status = ProfileStatus::Active;
    SessionTotals::default().apply_to(grace);
    let id = grace.id;
    core.store().insert_profiles(&profiles).await?;
    core.store().close().await;

    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    words::type_into(&client, "Search name, email or phone", "grace@navy").await?;
    words::wait_shown(&client, "1 user").await?;
    words::click(&client, "Grace Hopper").await?;
    words::wait_shown(&client, "Details").await?;

    words::click(&client, "Edit location").await?;
    words::type_into(&client, "Location", "Washington, United States").await?;
    words::click(&client, "Save").await?;
    words::wait_shown(&client, "Changed LOCATION of Grace Hopper").await?;
    save_screenshot(&client, "undo-offered").await?;
    words::click(&client, "Undo").await?;
    words::wait_shown(&client, "Undone: Changed LOCATION of Grace Hopper.").await?;
    words::wait_shown(&client, "Arlington, United States").await?;

    // The Active option, then Ctrl+Z with the focus out of any text field.
    words::click(&client, "Active").await?;
    words::wait_shown(&client, "Archived Grace Hopper").await?;
    words::click(&client, "Close details").await?;
    // Ctrl+Z in the Users table (focusable, and no text field).
    client
        .find(Locator::XPath("//*[@role='table'][@aria-label='Users']"))
        .await?
        .send_keys(&format!("{}z", Key::Control))
        .await?;
    words::wait_shown(&client, "Undone: Archived Grace Hopper.").await?;
    save_screenshot(&client, "undo-done").await?;
    client.close().await?;

    let core = AppCore::open(&path, OpenOptions::default()).await?;
    let profile = core.profile_details(id).await?.profile;
    let pending = core.sync_status().await?.pending;
    core.store().close().await;
    assert_eq!(profile.location, "Arlington, United States");
    assert_eq!(profile.status, ProfileStatus::Active);
    assert_eq!(pending, 4, "two actions and their two undos wait to sync");
    Ok(())
}
