//! The Trash in the real window: a manager ticks three customers and deletes them, finds them in
//! the Trash (deleted by "you"), restores them, changes a customer's location and takes it back
//! with Undo, then reads it all in the customer's History and puts the changed location back from
//! there. The store ends with every customer in the table and the actions waiting to sync.

use anyhow::Context;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_e2e::words;
use userdesk_e2e::{save_screenshot, Driver};
use userdesk_model::{ProfileFilter, ProfileStatus, SessionTotals};

/// The Trash view's table.
const TRASH: &str = "//*[@role='table'][@aria-label='Trash']";

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_deletes_three_customers_and_restores_them_from_the_trash() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("userdesk.sqlite3");
    let core = AppCore::open(&path, OpenOptions::default()).await?;
    let mut profiles: Vec<_> = DemoProfiles::new(43, chrono::Utc::now()).take(40).collect();
    for p in &mut profiles {
        SessionTotals::default().apply_to(p);
    }
    core.store().insert_profiles(&profiles).await?;
    core.store().close().await;

    // The table opens on the Active status.
    let active = profiles
        .iter()
        .filter(|p| p.status == ProfileStatus::Active)
        .count();

    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    words::wait_shown(&client, &format!("{active} users")).await?;
    let picked = words::tick_names(&client, 3).await?;
    words::wait_shown(&client, "3 selected").await?;
    words::click(&client, "Delete").await?;
    words::wait_shown(&client, "Move 3 customers to the Trash?").await?;
    words::click_in(&client, "//*[@role='alertdialog']", "Delete").await?;
    for name in &picked {
        words::wait_no_control(&client, name).await?;
    }
    words::wait_shown(&client, &format!("{} users", active - 3)).await?;
    words::wait_shown(&client, "Deleted 3 customers").await?;

    // The left pane's Trash says how many it holds; it lists them, deleted by "you".
    words::click(&client, "Trash 3").await?;
    words::wait_heading(&client, "Trash").await?;
    for name in &picked {
        words::control_in(&client, TRASH, &format!("Select {name}"))
            .await?
            .click()
            .await?;
    }
    let listed = words::text_of(&client, TRASH).await?;
    assert_eq!(listed.matches("you").count(), 3, "{listed}");
    save_screenshot(&client, "trash").await?;
    words::click(&client, "Restore").await?;
    words::wait_shown(&client, "The Trash is empty.").await?;

    // Back in All users, with everyone.
    words::click(&client, "Users").await?;
    words::wait_shown(&client, &format!("{active} users")).await?;
    for name in &picked {
        words::control(&client, name).await?;
    }

    let first = profiles
        .iter()
        .find(|p| p.username() == picked[0])
        .context("the first picked customer")?;

    // An edit, then Undo.
    words::click(&client, &picked[0]).await?;
    words::wait_shown(&client, "Details").await?;
    words::click(&client, "Edit location").await?;
    words::type_into(&client, "Location", "Reykjavík, Iceland").await?;
    words::click(&client, "Save").await?;
    let changed = format!("Changed LOCATION of {}", picked[0]);
    words::wait_shown(&client, &changed).await?;
    words::click(&client, "Undo").await?;
    words::wait_shown(&client, &format!("Undone: {changed}.")).await?;

    // The History lists it all, the latest first, each waiting to sync; Put back sets the
    // location from before the Undo again.
    words::wait_heading(&client, "History").await?;
    let history = "//section[@id='details-history']";
    words::wait_shown(
        &client,
        "Not signed in: only your changes made on this computer are shown",
    )
    .await?;
    let shown = words::text_of(&client, history).await?;
    for expected in [
        format!("LOCATION: Reykjavík, Iceland → {}", first.location),
        format!("LOCATION: {} → Reykjavík, Iceland", first.location),
        "Restored from the Trash".to_string(),
        "Moved to the Trash".to_string(),
    ] {
        assert!(shown.contains(&expected), "{expected:?} in {shown}");
    }
    assert!(
        shown.find("Restored from the Trash") < shown.find("Moved to the Trash"),
        "the latest first: {shown}"
    );
    save_screenshot(&client, "history").await?;
    words::click_in(&client, history, "Put back LOCATION Reykjavík, Iceland").await?;
    words::wait_shown(
        &client,
        &format!("LOCATION: {} → Reykjavík, Iceland", first.location),
    )
    .await?;
    client.close().await?;

    let core = AppCore::open(&path, OpenOptions::default()).await?;
    let everyone = ProfileFilter {
        status: None,
        ..Default::default()
    };
    let total = core.count_profiles(&everyone).await?;
    let in_trash = core.store().trash_count().await?;
    let pending = core.sync_status().await?.pending;
    let location = core.profile_details(first.id).await?.profile.location;
    core.store().close().await;
    assert_eq!((total, in_trash), (40, 0));
    assert_eq!(location, "Reykjavík, Iceland", "put back from the History");
    assert_eq!(
        pending, 5,
        "the delete, the restore, the edit, its undo and the put back wait to sync"
    );
    Ok(())
}
