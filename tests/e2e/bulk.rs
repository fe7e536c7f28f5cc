//! The help page's bulk actions over "Select all N matching", in the real window: a manager
//! searches, ticks one customer, widens the selection to every customer the search matches (more
//! than the table has read), then archives them, makes them Active again and deletes them. Only
//! the customers the search matches change, the unread ones included.

use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::{
    active_store, check_first_rows, click, save_screenshot, type_into, wait_for, wait_for_text,
    Driver,
};
use userdesk_model::{ProfileFilter, ProfileStatus};

/// Waits until `count` jobs show as done in the jobs panel.
async fn jobs_done(client: &Client, count: usize) -> anyhow::Result<()> {
    for _ in 0..300 {
        let done = client
            .find_all(Locator::Css("#jobs-panel li.job[data-state=done]"))
            .await?;
        if done.len() >= count {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("{count} jobs never showed as done")
}

/// Ticks the first row, then "Select all N matching".
async fn select_all_matching(client: &Client, matching: u64) -> anyhow::Result<()> {
    check_first_rows(client, 1).await?;
    wait_for_text(
        client,
        "#select-all-matching",
        &format!("Select all {matching} matching"),
    )
    .await?;
    click(client, "#select-all-matching").await?;
    wait_for_text(client, "#selection-count", &format!("{matching} selected")).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_archives_activates_and_deletes_every_customer_a_search_matches(
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = dir.path().join("userdesk.sqlite3");
    active_store(dir.path(), 5, 2).await?;
    // A search matching more customers than the table's first page (100 rows), not everyone.
    let core = AppCore::open(&store, OpenOptions::default()).await?;
    let mut chosen = None;
    for term in ["an", "ar", "el", "a", "e"] {
        let filter = ProfileFilter {
            search: term.to_string(),
            ..Default::default()
        };
        let matching = core.count_profiles(&filter).await?;
        if (101..300).contains(&matching) {
            chosen = Some((term, matching));
            break;
        }
    }
    core.store().close().await;
    let (term, matching) = chosen.expect("a search matching 101 to 299 of the 300 customers");
    let others = 300 - matching;

    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    type_into(&client, "#search", term).await?;
    wait_for_text(&client, "#count", &format!("{matching} users")).await?;

    // Archive: after the delay, none of them is Active; under Archived, all of them are.
    select_all_matching(&client, matching).await?;
    save_screenshot(&client, "bulk-all-matching").await?;
    click(&client, "#bulk-archive").await?;
    jobs_done(&client, 1).await?;
    wait_for_text(&client, "#count", "0 users").await?;
    click(&client, "select#status-filter option[value=archived]").await?;
    wait_for_text(&client, "#count", &format!("{matching} users")).await?;

    // Active again, from the Archived view.
    select_all_matching(&client, matching).await?;
    click(&client, "#bulk-active").await?;
    jobs_done(&client, 2).await?;
    wait_for_text(&client, "#count", "0 users").await?;
    click(&client, "select#status-filter option[value=active]").await?;
    wait_for_text(&client, "#count", &format!("{matching} users")).await?;

    // Delete, once confirmed.
    select_all_matching(&client, matching).await?;
    click(&client, "#bulk-delete").await?;
    wait_for_text(
        &client,
        "#bulk-delete-question",
        &format!(
            "Move {matching} customers to the Trash? They stay there 30 days: Restore brings them back, Undo too."
        ),
    )
    .await?;
    click(&client, "#bulk-delete-confirm").await?;
    wait_for_text(&client, "#count", "0 users").await?;
    wait_for(&client, "input#search")
        .await?
        .send_keys(&char::from(Key::Backspace).to_string().repeat(term.len()))
        .await?;
    wait_for_text(&client, "#count", &format!("{others} users")).await?;
    save_screenshot(&client, "bulk-deleted").await?;
    client.close().await?;

    // The store agrees: the others are all there, Active, and nobody the search matched is.
    let core = AppCore::open(&store, OpenOptions::default()).await?;
    let total = core.store().profile_total().await?;
    let left = core
        .count_profiles(&ProfileFilter {
            search: term.to_string(),
            ..Default::default()
        })
        .await?;
    let archived = core
        .count_profiles(&ProfileFilter {
            status: Some(ProfileStatus::Archived),
            ..Default::default()
        })
        .await?;
    core.store().close().await;
    assert_eq!(total, others);
    assert_eq!(left, 0);
    assert_eq!(archived, 0);
    Ok(())
}
