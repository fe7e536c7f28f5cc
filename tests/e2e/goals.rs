//! The left pane in the real window, on the first launch's demo workspace: Users (All users,
//! Segments, Properties) and Goals, each goal with its bot and how many customers completed it;
//! a click shows those customers, and the chip's button shows everyone again.

use std::collections::BTreeSet;

use fantoccini::{Client, Locator};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::{click, save_screenshot, wait_for, wait_for_text, Driver};
use userdesk_model::{GoalSummary, ListRequest, ProfileFilter, ProfileId};

/// The text of the elements matching `css`, in order, as the window renders it (`innerText`:
/// WebKit's WebDriver reads the text of a button's spans as empty).
async fn texts(client: &Client, css: &str) -> anyhow::Result<Vec<String>> {
    let shown = client
        .execute(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.innerText.trim())",
            vec![serde_json::Value::String(css.to_string())],
        )
        .await?;
    Ok(serde_json::from_value(shown)?)
}

/// Waits (up to 20 s) until the element matching `css` renders exactly `text`.
async fn wait_for_rendered(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let mut last = Vec::new();
    for _ in 0..200 {
        last = texts(client, css).await?;
        if last.len() == 1 && last[0] == text {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    anyhow::bail!("{css} renders {last:?}, not {text:?}")
}

fn users(n: u64) -> String {
    if n == 1 {
        "1 user".to_string()
    } else {
        format!("{n} users")
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_opens_the_customers_who_completed_a_goal() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let driver = Driver::start_with(dir.path(), &[("USERDESK_DEMO_PROFILES", "400")]).await?;
    let client = driver.open_app().await?;
    wait_for(&client, "#goals-list button.goal").await?;

    // What the store says, read beside the running app.
    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let goals: Vec<GoalSummary> = core.goal_summaries().await?;
    let everyone = core.count_profiles(&ProfileFilter::default()).await?;
    let goal = goals
        .iter()
        .find(|g| g.completed > 1)
        .cloned()
        .expect("a demo goal completed by more than one customer");
    let filter = ProfileFilter {
        goal: Some(goal.id),
        ..Default::default()
    };
    let page = core
        .list_profiles(&ListRequest {
            filter,
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 500,
        })
        .await?;
    let completers: BTreeSet<ProfileId> = page.rows.iter().map(|r| r.id).collect();
    core.store().close().await;

    // The pane, in the platform's words.
    assert_eq!(
        texts(&client, "nav .side-heading").await?,
        ["USERS", "GOALS"]
    );
    assert_eq!(
        texts(&client, "nav [role=tab]").await?,
        ["All users", "Segments", "Properties"]
    );
    let names: Vec<String> = goals.iter().map(|g| g.name.clone()).collect();
    let metas: Vec<String> = goals
        .iter()
        .map(|g| format!("{} · {} completed", g.bot, g.completed))
        .collect();
    assert_eq!(texts(&client, "#goals-list .goal-name").await?, names);
    assert_eq!(texts(&client, "#goals-list .goal-meta").await?, metas);
    save_screenshot(&client, "goals-pane").await?;

    // The goal, found by its name.
    let button = client
        .find(Locator::XPath(&format!(
            "//ul[@id='goals-list']//button[span[@class='goal-name' and text()='{}']]",
            goal.name
        )))
        .await?;
    button.click().await?;
    wait_for_rendered(
        &client,
        "#goal-filter",
        &format!("Completed {} ({})", goal.name, goal.bot),
    )
    .await?;
    wait_for_text(&client, "#count", &users(goal.completed)).await?;
    assert_eq!(completers.len() as u64, goal.completed);
    let mut shown = BTreeSet::new();
    for row in client.find_all(Locator::Css(".row[data-id]")).await? {
        shown.insert(row.attr("data-id").await?.unwrap_or_default().parse()?);
    }
    // The rows on screen (the table draws those in view) are all among them.
    assert!(!shown.is_empty());
    assert!(
        shown.is_subset(&completers),
        "{shown:?} not all in {completers:?}"
    );
    save_screenshot(&client, "goals-opened").await?;

    // Everyone again (the goal's view shows either status; so does this).
    click(&client, "#goal-filter-clear").await?;
    wait_for_text(&client, "#count", &users(everyone)).await?;
    client.close().await?;
    Ok(())
}
