//! The help page's bulk actions in the real window: a manager selects three customers with the
//! checkboxes, clicks Archive, sees the job counting down in the jobs panel, and finds the three
//! under Archived once it has fired (after a delay of a few seconds set in the store).

use fantoccini::Locator;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::{
    active_store, check_first_rows, click, save_screenshot, wait_for, wait_for_text, Driver,
};
use userdesk_model::ProfileStatus;

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_archives_three_customers_and_finds_them_under_archived_once_the_job_fired(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 3, 4).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;

    // The first three rows' checkboxes.
    let picked = check_first_rows(&client, 3).await?;
    wait_for_text(&client, "#selection-count", "3 selected").await?;
    save_screenshot(&client, "bulk-selected").await?;

    click(&client, "#bulk-archive").await?;
    let job = wait_for(&client, "#jobs-panel li.job[data-state=pending]").await?;
    let countdown = job
        .find(Locator::Css(".job-countdown"))
        .await?
        .text()
        .await?;
    assert!(countdown.starts_with("in 0:0"), "{countdown:?}");
    for id in &picked {
        wait_for(&client, &format!(".row[data-id='{id}'] .pending-job")).await?;
    }
    save_screenshot(&client, "bulk-job-pending").await?;

    // Fired after its delay: the three show under Archived, and nobody else does.
    wait_for(&client, "#jobs-panel li.job[data-state=done]").await?;
    click(&client, "select#status-filter option[value=archived]").await?;
    wait_for_text(&client, "#count", "3 users").await?;
    for id in &picked {
        wait_for(&client, &format!(".row[data-id='{id}']")).await?;
    }
    save_screenshot(&client, "bulk-archived").await?;
    client.close().await?;

    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default()).await?;
    for id in &picked {
        let status = core.profile_details(*id).await?.profile.status;
        assert_eq!(status, ProfileStatus::Archived);
    }
    let pending = core.sync_status().await?.pending;
    core.store().close().await;
    assert_eq!(pending, 3, "each archived customer's change waits to sync");
    Ok(())
}
