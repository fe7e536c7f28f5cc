//! A manager finds a customer, opens Details, edits the phone, deactivates the customer and adds
//! a note, in the real app window.

use std::path::Path;

use anyhow::Context;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_e2e::{click, save_screenshot, wait_for, wait_for_text, Driver};
use userdesk_model::{Profile, ProfileId, ProfileStatus};

/// A store with 2,000 demo customers and Ada Lovelace, who has no phone yet.
async fn prepare_store(data_dir: &Path) -> anyhow::Result<ProfileId> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let now = chrono::Utc::now();
    let mut profiles: Vec<Profile> = DemoProfiles::new(99, now).take(2_001).collect();
    let ada = profiles.last_mut().context("demo data")?;
    ada.first_name = "Ada".into();
    ada.last_name = "Lovelace".into();
    ada.email = "ada@analytical.engine.org".into();
    ada.phone = String::new();
    ada.status = ProfileStatus::Active;
    let id = ada.id;
    core.store().insert_profiles(&profiles).await?;
    core.set_time_zone("Europe/London").await?;
    core.store().close().await;
    Ok(id)
}

/// The phone as the store holds it, read from the file the app writes to.
async fn stored_phone(data_dir: &Path, id: ProfileId) -> anyhow::Result<String> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let phone = core.profile_details(id).await?.profile.phone;
    core.store().close().await;
    Ok(phone)
}

async fn open_ada(client: &Client, ada: ProfileId) -> anyhow::Result<()> {
    let search = wait_for(client, "input#search").await?;
    search.send_keys("lovela").await?;
    wait_for_text(client, "#count", "1 user").await?;
    let name = format!(".row[data-id='{ada}'] button.username");
    wait_for_text(client, &name, "Ada Lovelace").await?;
    client.find(Locator::Css(&name)).await?.click().await?;
    wait_for(client, "section#details").await?;
    wait_for_text(client, "#details-name", "Ada Lovelace").await
}

async fn edit_phone(client: &Client, value: &str) -> anyhow::Result<()> {
    client
        .find(Locator::Css(".field[data-field=phone] button.edit"))
        .await?
        .click()
        .await?;
    let input = wait_for(client, "input[name=phone]").await?;
    input.clear().await?;
    input.send_keys(value).await?;
    client
        .find(Locator::Css(".field[data-field=phone] button.save"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_fixes_a_customers_phone_in_the_details_window() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;

    // An invalid phone: the error is shown beside the field and nothing is saved.
    edit_phone(&client, "12345").await?;
    let error = wait_for(&client, ".field-error[data-field=phone]").await?;
    save_screenshot(&client, "details-invalid-phone").await?;
    let message = error.text().await?;
    assert!(
        message.contains("country code"),
        "the error says why: {message:?}"
    );
    assert_eq!(stored_phone(dir.path(), ada).await?, "");

    // Escape gives up the edit; the field shows its old (empty) value again.
    let input = wait_for(&client, "input[name=phone]").await?;
    input.send_keys(&Key::Escape.to_string()).await?;
    wait_for_text(&client, ".field[data-field=phone] .value", "—").await?;
    assert_eq!(stored_phone(dir.path(), ada).await?, "");

    // A valid one: saved in E.164 and shown.
    edit_phone(&client, "+44 20 7946 0958").await?;
    wait_for_text(&client, ".field[data-field=phone] .value", "+442079460958").await?;
    assert_eq!(stored_phone(dir.path(), ada).await?, "+442079460958");
    save_screenshot(&client, "details").await?;

    // Closing and reopening Details shows it still.
    client
        .find(Locator::Css("#details-close"))
        .await?
        .click()
        .await?;
    client
        .find(Locator::Css(&format!(
            ".row[data-id='{ada}'] button.username"
        )))
        .await?
        .click()
        .await?;
    wait_for_text(&client, ".field[data-field=phone] .value", "+442079460958").await?;
    client.close().await?;

    // And so does quitting the app and starting it again.
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;
    wait_for_text(&client, ".field[data-field=phone] .value", "+442079460958").await?;
    client.close().await?;
    Ok(())
}

/// Ada's status as the store holds it, and how many edits wait to sync.
async fn stored_status(data_dir: &Path, id: ProfileId) -> anyhow::Result<(ProfileStatus, u64)> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let status = core.profile_details(id).await?.profile.status;
    let pending = core.sync_status().await?.pending;
    core.store().close().await;
    Ok((status, pending))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_deactivates_a_customer_and_finds_them_under_archived() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;
    wait_for_text(&client, "#details-status", "Active").await?;

    // The Active option, switched off: Ada is archived and leaves the Active list.
    wait_for(&client, "#details-active:not([disabled])")
        .await?
        .click()
        .await?;
    wait_for_text(&client, "#details-status", "Archived").await?;
    wait_for_text(&client, "#count", "0 users").await?;
    save_screenshot(&client, "details-archived").await?;
    assert_eq!(
        stored_status(dir.path(), ada).await?,
        (ProfileStatus::Archived, 1),
        "archived in the store, with one edit waiting to sync"
    );

    // The Archived option of the Status filter shows her.
    client
        .find(Locator::Css("select#status-filter option[value=archived]"))
        .await?
        .click()
        .await?;
    wait_for_text(&client, "#count", "1 user").await?;
    let badge = format!(".row[data-id='{ada}'] .badge");
    wait_for_text(&client, &badge, "Archived").await?;
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_adds_a_note_that_stays_after_a_restart() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;

    let input = wait_for(&client, "textarea#note-new").await?;
    input
        .send_keys("Called back: wants the invoice again")
        .await?;
    wait_for(&client, "#note-add:not([disabled])")
        .await?
        .click()
        .await?;
    wait_for_text(
        &client,
        "#notes .note .note-body",
        "Called back: wants the invoice again",
    )
    .await?;
    let meta = wait_for(&client, "#notes .note .note-meta")
        .await?
        .text()
        .await?;
    assert!(meta.contains("Not synced yet"), "{meta:?}");
    save_screenshot(&client, "details-note").await?;
    client.close().await?;

    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let notes = core.notes(ada).await?;
    core.store().close().await;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].body, "Called back: wants the invoice again");

    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;
    wait_for_text(
        &client,
        "#notes .note .note-body",
        "Called back: wants the invoice again",
    )
    .await?;
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_runs_only_userdesks_own_commands_and_scripts() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    wait_for(&client, "input#search").await?;

    // The app's own command answers; a Tauri core command the capabilities do not list is refused.
    let invoke = r#"
        const [command, args, done] = arguments;
        window.__TAURI_INTERNALS__.invoke(command, args)
            .then((value) => done({ ok: true, value }), (error) => done({ ok: false, error: String(error) }));
    "#;
    let own = client
        .execute_async(invoke, vec!["time_zone".into(), serde_json::json!({})])
        .await?;
    assert_eq!(own["ok"], true, "{own}");
    assert_eq!(own["value"], "Europe/London");
    for foreign in [
        "plugin:app|version",
        "plugin:window|close",
        "plugin:webview|print",
    ] {
        let answer = client
            .execute_async(invoke, vec![foreign.into(), serde_json::json!({})])
            .await?;
        assert_eq!(answer["ok"], false, "{foreign} must be refused: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .unwrap_or_default()
                .contains("not allowed"),
            "{answer}"
        );
    }

    // The Content-Security-Policy keeps injected inline script from running.
    let ran = client
        .execute(
            r#"
            const script = document.createElement('script');
            script.textContent = 'window.__injected = true';
            document.body.append(script);
            return window.__injected === true;
            "#,
            vec![],
        )
        .await?;
    assert_eq!(ran, false, "an inline script ran despite the CSP");
    client.close().await?;
    Ok(())
}

/// A 600×300 photo: blue left and right, orange in the middle square.
fn wide_photo(path: &Path) -> anyhow::Result<()> {
    let image = image::RgbImage::from_fn(600, 300, |x, _| {
        if (150..450).contains(&x) {
            image::Rgb([240, 140, 20])
        } else {
            image::Rgb([20, 60, 200])
        }
    });
    image.save_with_format(path, image::ImageFormat::Jpeg)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_adds_a_picture_by_clicking_the_circle_beside_the_name() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let files = tempfile::tempdir()?;
    let photo = files.path().join("ada.jpg");
    wide_photo(&photo)?;
    let letter = files.path().join("letter.png");
    std::fs::write(&letter, "Dear Ada, this is not a picture.")?;

    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_ada(&client, ada).await?;
    wait_for(&client, "button#details-picture").await?;

    // The circle opens the system's file dialog; WebDriver answers it with a file's path.
    let chooser = client.find(Locator::Css("input#picture-file")).await?;
    chooser
        .send_keys(letter.to_str().context("a UTF-8 path")?)
        .await?;
    let refusal = wait_for(&client, "#picture-error:not([hidden])")
        .await?
        .text()
        .await?;
    assert!(refusal.contains("not an image"), "{refusal:?}");

    let chooser = client.find(Locator::Css("input#picture-file")).await?;
    chooser
        .send_keys(photo.to_str().context("a UTF-8 path")?)
        .await?;
    let shown = wait_for(&client, "#details-picture img").await?;
    let src = shown.attr("src").await?.unwrap_or_default();
    assert!(src.starts_with("data:image/png;base64,"), "{src:.40}");
    wait_for(&client, "#picture-error[hidden]").await?;
    // The table's row shows it too.
    wait_for(&client, &format!(".row[data-id='{ada}'] img")).await?;
    save_screenshot(&client, "details-picture").await?;
    client.close().await?;

    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let picture = core.profile_details(ada).await?.picture;
    let pending = core.sync_status().await?.pending;
    core.store().close().await;
    let picture = picture.context("the picture is kept")?;
    assert!(picture.pending);
    assert_eq!(
        pending, 1,
        "one picture waits to sync; the refused file left nothing"
    );
    Ok(())
}

/// "1,762 users": the Active customers, as the table's count shows them.
async fn core_active(data_dir: &Path) -> anyhow::Result<String> {
    let core = AppCore::open(&data_dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let active = core
        .count_profiles(&userdesk_model::ProfileFilter {
            status: Some(ProfileStatus::Active),
            ..Default::default()
        })
        .await?;
    core.store().close().await;
    Ok(format!("{} users", userdesk_model::thousands(active)))
}

/// The names the table shows, top to bottom.
async fn table_names(client: &Client) -> anyhow::Result<Vec<String>> {
    wait_for(client, ".row[data-id] button.username").await?;
    let mut names = Vec::new();
    for button in client
        .find_all(Locator::Css(".row[data-id] button.username"))
        .await?
    {
        names.push(button.text().await?);
    }
    Ok(names)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_typed_phone_waits_while_the_manager_looks_at_other_customers() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let ada = prepare_store(dir.path()).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    // The table opens on the Active customers.
    let active = core_active(dir.path()).await?;
    wait_for_text(&client, "#count", &active).await?;
    let names = table_names(&client).await?;
    assert!(names.len() > 3, "{names:?}");

    // Details of the first customer; the phone half typed, not saved.
    click(&client, ".row[data-id] button.username").await?;
    wait_for_text(&client, "#details-name", &names[0]).await?;
    click(&client, ".field[data-field=phone] button.edit").await?;
    let input = wait_for(&client, "input[name=phone]").await?;
    input.clear().await?;
    input.send_keys("+44 20 79").await?;

    // Next customer, in the table's order, without closing Details; then back.
    click(&client, "#details-next:not([disabled])").await?;
    wait_for_text(&client, "#details-name", &names[1]).await?;
    wait_for(&client, ".field[data-field=phone] button.edit").await?;
    // Alt+↓ goes on to the next one (typed where the focus is: the button just clicked).
    client
        .find(Locator::Css("#details-next"))
        .await?
        .send_keys(&format!(
            "{}{}",
            char::from(Key::Alt),
            char::from(Key::Down)
        ))
        .await?;
    wait_for_text(&client, "#details-name", &names[2]).await?;
    for expected in [&names[1], &names[0]] {
        click(&client, "#details-previous:not([disabled])").await?;
        wait_for_text(&client, "#details-name", expected).await?;
    }
    let kept = wait_for(&client, "input[name=phone]").await?;
    assert_eq!(kept.prop("value").await?.as_deref(), Some("+44 20 79"));
    wait_for_text(
        &client,
        ".field[data-field=phone] .draft-note",
        "Not saved yet: kept from when you left it.",
    )
    .await?;
    save_screenshot(&client, "details-draft-kept").await?;

    // Closing Details keeps it too.
    click(&client, "#details-close").await?;
    open_ada(&client, ada).await?;
    click(&client, "#details-close").await?;
    let search = wait_for(&client, "input#search").await?;
    search
        .send_keys(
            &char::from(Key::Backspace)
                .to_string()
                .repeat("lovela".len()),
        )
        .await?;
    wait_for_text(&client, "#count", &active).await?;
    wait_for_text(&client, ".row[data-id] button.username", &names[0]).await?;
    click(&client, ".row[data-id] button.username").await?;
    wait_for_text(&client, "#details-name", &names[0]).await?;
    let kept = wait_for(&client, "input[name=phone]").await?;
    assert_eq!(kept.prop("value").await?.as_deref(), Some("+44 20 79"));

    // Cancel discards it: nothing was ever saved.
    let first: ProfileId = client
        .find(Locator::Css(".row[data-id]"))
        .await?
        .attr("data-id")
        .await?
        .context("a row's id")?
        .parse()?;
    let stored = stored_phone(dir.path(), first).await?;
    click(&client, ".field[data-field=phone] button.cancel").await?;
    let shown = if stored.is_empty() { "—" } else { &stored };
    wait_for_text(&client, ".field[data-field=phone] .value", shown).await?;
    client.close().await?;
    assert_ne!(stored, "+44 20 79");
    assert_eq!(stored_phone(dir.path(), first).await?, stored);
    Ok(())
}
