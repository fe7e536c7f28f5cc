//! The help page's steps for custom properties and segments, in the real app window: a manager
//! adds a property that does not exist yet from a customer's Details, sees a value that does not
//! fit refused, creates a segment in the Segments tab and opens it from the customer's Details.

use std::path::Path;

use anyhow::Context;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_e2e::{click, save_screenshot, type_into, wait_for, wait_for_text, Driver};
use userdesk_model::{thousands, Profile, ProfileFilter, ProfileId, ProfileStatus, SegmentView};

/// A store with 500 demo customers and Ada Lovelace.
async fn prepare_store(data_dir: &Path) -> anyhow::Result<ProfileId> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let now = chrono::Utc::now();
    let mut profiles: Vec<Profile> = DemoProfiles::new(5, now).take(501).collect();
    let ada = profiles.last_mut().context("demo data")?;
    ada.first_name = "Ada".into();
    ada.last_name = "Lovelace".into();
    ada.email = "ada@analytical.engine.org".into();
    ada.status = ProfileStatus::Active;
    let id = ada.id;
    core.store().insert_profiles(&profiles).await?;
    core.store().close().await;
    Ok(id)
}

async fn open_store(data_dir: &Path) -> anyhow::Result<AppCore> {
    Ok(AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?)
}

/// Picks the option `value` of the select `css`, as a manager clicking it would.
async fn pick(client: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    click(client, &format!("{css} option[value='{value}']")).await
}

async fn open_ada(client: &Client, ada: ProfileId) -> anyhow::Result<()> {
    type_into(client, "input#search", "lovela").await?;
    wait_for_text(client, "#count", "1 user").await?;
    let name = format!(".row[data-id='{ada}'] button.username");
    wait_for_text(client, &name, "Ada Lovelace").await?;
    click(client, &name).await?;
    wait_for_text(client, "#details-name", "Ada Lovelace").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_adds_a_property_that_does_not_yet_exist() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;

    // "Add a property" beside User Details, then "Create a new property": a number.
    click(&client, "#add-property").await?;
    pick(&client, "#select-property", "__new__").await?;
    type_into(&client, "#new-property-name", "Seats").await?;
    pick(&client, "#new-property-format", "number").await?;
    type_into(&client, "#property-value", "four").await?;
    click(&client, "#property-value-save").await?;
    let refusal = wait_for(&client, "#add-property-error:not([hidden])")
        .await?
        .text()
        .await?;
    assert!(refusal.contains("not a number"), "{refusal:?}");
    save_screenshot(&client, "details-property-refused").await?;
    // The refused value stays on screen to be corrected; nothing of it was saved. The form now
    // offers the property it created.
    let mut picked = String::new();
    for _ in 0..100 {
        picked = client
            .find(Locator::Css("#select-property"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        if !picked.is_empty() && picked != "__new__" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(picked != "__new__", "the created property is picked");
    type_into(&client, "#property-value", "12").await?;
    click(&client, "#property-value-save").await?;
    let row = ".profile-property";
    wait_for(&client, row).await?;
    // The label shows in capitals, as the other fields' labels do.
    let shown = client.find(Locator::Css(row)).await?.text().await?;
    assert!(
        shown.to_lowercase().contains("seats") && shown.contains("12"),
        "{shown:?}"
    );
    save_screenshot(&client, "details-property").await?;
    client.close().await?;

    // Kept in the store, waiting to sync: the definition and the value.
    let core = open_store(dir.path()).await?;
    let values = core.profile_properties(ada).await?;
    let pending = core.sync_status().await?.pending;
    core.store().close().await;
    assert_eq!(values.len(), 1);
    assert_eq!(
        (values[0].name.as_str(), values[0].value.as_str()),
        ("Seats", "12")
    );
    assert_eq!(pending, 2, "property.define and property.set");

    // The Properties tab lists it.
    let client = driver.open_app().await?;
    click(&client, "#tab-properties").await?;
    wait_for_text(&client, "#properties-table .property-name", "Seats").await?;
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_opens_a_segment_from_details() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let core = open_store(dir.path()).await?;
    let active = core
        .count_profiles(&ProfileFilter {
            status: Some(ProfileStatus::Active),
            ..Default::default()
        })
        .await?;
    core.store().close().await;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;

    // The Segments tab: a segment of every active customer.
    click(&client, "#tab-segments").await?;
    click(&client, "#segment-create").await?;
    type_into(&client, "#segment-name", "Everyone active").await?;
    pick(&client, "#segment-add-rule", "status").await?;
    pick(&client, "#segment-rules .rule-status", "active").await?;
    click(&client, "#segment-save").await?;
    wait_for_text(&client, ".segment-row .segment-name", "Everyone active").await?;
    wait_for_text(&client, ".segment-row .segment-members", &thousands(active)).await?;
    save_screenshot(&client, "segments-tab").await?;
    let core = open_store(dir.path()).await?;
    let segments: Vec<SegmentView> = core.segments("").await?;
    core.store().close().await;
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[0].members, active);
    let segment = segments[0].id;

    // Ada's Details lists it; clicking it shows All users filtered to its members.
    click(&client, "#tab-all-users").await?;
    open_ada(&client, ada).await?;
    let chip = format!("#details-segments .details-segment[data-segment-id='{segment}']");
    wait_for_text(&client, &chip, "Everyone active").await?;
    save_screenshot(&client, "details-segments").await?;
    click(&client, &chip).await?;
    let filter = wait_for(&client, "select#segment-filter").await?;
    let mut chosen = String::new();
    for _ in 0..100 {
        chosen = filter.prop("value").await?.unwrap_or_default();
        if chosen == segment.to_string() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(chosen, segment.to_string(), "the Segment filter shows it");
    // The search that found Ada is cleared: every member shows.
    let search = wait_for(&client, "input#search").await?;
    search.clear().await?;
    search.send_keys(&Key::Enter.to_string()).await?;
    wait_for_text(&client, "#count", &format!("{} users", thousands(active))).await?;
    save_screenshot(&client, "segment-opened").await?;
    client.close().await?;
    Ok(())
}
