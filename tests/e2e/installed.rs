//! The installed package, as a manager meets it (Settings saying apt updates it): `make test-package` installs the `.deb` with
//! apt, then runs these with USERDESK_APP=/usr/bin/userdesk and a HOME of its own, once after
//! installing the previous version (stage `installed`) and once after `apt-get upgrade`
//! (stage `upgraded`). Nothing is set for the app: its store, settings and log are where the
//! system puts a user's, and the first start fills the demo workspace. Ignored in `make e2e`
//! (they need the package installed); `make test-package` runs them.

use std::path::PathBuf;

use anyhow::{bail, Context};
use fantoccini::Locator;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::{wait_for, wait_for_text, Driver};
use userdesk_model::{JobAction, JobState, ProfileId, Selection};

/// The manager's store where the installed app keeps it: the OS's app-data folder
/// (`$XDG_DATA_HOME/<identifier>` on Linux).
fn store_dir() -> anyhow::Result<PathBuf> {
    let data = match std::env::var_os("XDG_DATA_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(std::env::var_os("HOME").context("no HOME")?).join(".local/share"),
    };
    Ok(data.join("app.userdesk.desktop"))
}

/// What the first stage leaves for the second to find.
fn expectations() -> anyhow::Result<PathBuf> {
    Ok(PathBuf::from(std::env::var_os("HOME").context("no HOME")?)
        .join("userdesk-package-test.json"))
}

fn stage() -> anyhow::Result<String> {
    std::env::var("USERDESK_PACKAGE_STAGE")
        .context("USERDESK_PACKAGE_STAGE (installed or upgraded): run by make test-package")
}

/// The migrations the store has had, with when each ran.
async fn migrations(core: &AppCore) -> anyhow::Result<Vec<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT version, installed_on FROM _sqlx_migrations ORDER BY version")
            .fetch_all(core.store().pool())
            .await?,
    )
}

/// Waits (up to 60 s: a first start fills the demo workspace) for the table's count; answers it.
async fn demo_count(client: &fantoccini::Client) -> anyhow::Result<String> {
    let mut last = String::new();
    for _ in 0..600 {
        if let Ok(element) = client.find(Locator::Css("#count")).await {
            last = element.text().await.unwrap_or_default();
            let number = last.trim().trim_end_matches(" users").replace(',', "");
            if last.trim().ends_with(" users") && number.parse::<u32>().is_ok_and(|n| n > 1_000) {
                return Ok(last.trim().to_string());
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("the table shows {last:?}, not the demo customers")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the package installed: make test-package runs it"]
async fn the_installed_app_shows_the_demo_and_keeps_a_managers_work_across_an_upgrade(
) -> anyhow::Result<()> {
    let stage = stage()?;
    let dir = store_dir()?;
    let driver = Driver::start_as_installed(&dir).await?;
    let client = driver.open_app().await?;
    // The demo's active customers (the table's default Status filter).
    let count = demo_count(&client).await?;
    let first = wait_for(&client, ".row[data-id] button.username").await?;
    let id: ProfileId = client
        .find(Locator::Css(".row[data-id]"))
        .await?
        .attr("data-id")
        .await?
        .context("a row without its customer")?
        .parse()?;
    let name = first.text().await?;
    first.click().await?;
    wait_for(&client, "section#details").await?;
    wait_for_text(&client, "#details-name", name.trim()).await?;

    match stage.as_str() {
        "installed" => {
            // A manager's work: an edit through Details, waiting to be synced...
            client
                .find(Locator::Css(".field[data-field=phone] button.edit"))
                .await?
                .click()
                .await?;
            let input = wait_for(&client, "input[name=phone]").await?;
            input.clear().await?;
            input.send_keys("+44 20 7946 0958").await?;
            client
                .find(Locator::Css(".field[data-field=phone] button.save"))
                .await?
                .click()
                .await?;
            wait_for_text(&client, ".field[data-field=phone] .value", "+442079460958").await?;
            // Settings says apt updates this copy, and offers no update it cannot apply.
            client
                .find(Locator::Css("button#settings"))
                .await?
                .click()
                .await?;
            wait_for_text(
                &client,
                "#update-message",
                "Installed as a Debian package: updates come with the system's other updates \
                 (apt or the software centre).",
            )
            .await?;
            let check = client.find(Locator::Css("#update-check")).await?;
            assert!(!check.is_displayed().await?, "no Check for updates");
            client.close().await?;
            drop(driver);
            // ...and, on the same store once the app is closed, settings and a job to come.
            let core = AppCore::open(&dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
            core.set_time_zone("Asia/Tokyo").await?;
            core.set_job_delay(86_400).await?;
            let others: Vec<ProfileId> = core
                .list_profiles(&serde_json::from_value(serde_json::json!({ "limit": 3 }))?)
                .await?
                .rows
                .iter()
                .map(|row| row.id)
                .filter(|other| *other != id)
                .collect();
            let job = core
                .schedule_job(JobAction::Archive, &Selection::Ids { ids: others })
                .await?;
            let pending = core.sync_status().await?.pending;
            assert!(pending >= 1, "the phone's edit waits for the server");
            let expected = serde_json::json!({
                "count": count,
                "customer": id,
                "job": job.id,
                "pending": pending,
                "migrations": migrations(&core).await?,
            });
            core.store().close().await;
            std::fs::write(expectations()?, serde_json::to_vec(&expected)?)?;
        }
        "upgraded" => {
            let expected: serde_json::Value =
                serde_json::from_slice(&std::fs::read(expectations()?)?)?;
            assert_eq!(
                (serde_json::json!(count), serde_json::json!(id)),
                (expected["count"].clone(), expected["customer"].clone()),
                "the same store"
            );
            wait_for_text(&client, ".field[data-field=phone] .value", "+442079460958").await?;
            wait_for_text(&client, "[data-info=\"created\"] .time-zone", "Asia/Tokyo").await?;
            client.close().await?;
            drop(driver);
            let core = AppCore::open(&dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
            assert_eq!(
                serde_json::json!(core.sync_status().await?.pending),
                expected["pending"],
                "the edits still wait for the server"
            );
            assert_eq!(core.job_delay().await?.as_secs(), 86_400);
            let jobs = core.jobs().await?;
            let job = jobs
                .iter()
                .find(|job| serde_json::json!(job.id) == expected["job"])
                .context("the job is gone")?;
            assert_eq!(job.state, JobState::Pending);
            assert_eq!(
                serde_json::json!(migrations(&core).await?),
                expected["migrations"],
                "no migration ran again"
            );
            core.store().close().await;
        }
        other => bail!("unknown stage {other:?}"),
    }
    Ok(())
}
