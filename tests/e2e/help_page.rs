//! The platform's help page, "Managing customer profiles" (docs/help/managing-customer-profiles.txt),
//! walked step by step in the real window on the app's own demo workspace, without a server.
//! Every control is found by the words the page uses (a button's text, an icon's name, a field's
//! label), never by an id, so renaming one the page names fails here.
//!
//! The demo workspace is the one the app makes on its first launch (`OpenOptions::demo_profiles`,
//! the same generator), made by the test before the window opens so it can pick the customer the
//! page is walked on: one with every section of Details to show.

use std::path::Path;

use anyhow::{bail, Context};
use fantoccini::{Client, Locator};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::words::{self, heading};
use userdesk_e2e::{save_screenshot, Driver};
use userdesk_model::{
    ListRequest, ProfileFilter, ProfileId, ProfileStatus, SegmentRef, SessionOrder,
};

const ZONE: &str = "Europe/Lisbon";

/// The customer the page is walked on, as the store has them before the window opens.
struct Customer {
    id: ProfileId,
    username: String,
    email: String,
    sessions: usize,
    device: String,
    goal: String,
    bots: Vec<String>,
    segment: SegmentRef,
    segment_members: u64,
}

async fn open_store(dir: &Path) -> anyhow::Result<AppCore> {
    Ok(AppCore::open(
        &dir.join("userdesk.sqlite3"),
        OpenOptions {
            demo_profiles: 1_000,
            ..Default::default()
        },
    )
    .await?)
}

/// The demo workspace of a first launch, with jobs that fire after `delay` seconds; an active
/// customer with an email, two sessions or more on different bots, a completed goal, an agent's
/// takeover and a segment, and no Company yet (one of the workspace's properties).
async fn demo_store(dir: &Path, delay: u64) -> anyhow::Result<Customer> {
    let core = open_store(dir).await?;
    core.set_time_zone(ZONE).await?;
    core.set_job_delay(delay).await?;
    let mut request = ListRequest {
        filter: ProfileFilter {
            status: Some(ProfileStatus::Active),
            ..Default::default()
        },
        sort: Default::default(),
        after: None,
        offset: 0,
        limit: 200,
    };
    let picked = loop {
        let page = core.list_profiles(&request).await?;
        let mut found = None;
        for row in &page.rows {
            let details = core.profile_details(row.id).await?;
            let profile = &details.profile;
            if profile.email.is_empty() || !profile.live_chat_takeover || profile.sessions < 2 {
                continue;
            }
            let goals = core.goal_completions(row.id).await?;
            let segments = core.profile_segments(row.id).await?;
            let sessions = core
                .bot_sessions(row.id, "", SessionOrder::NewestFirst)
                .await?;
            let mut bots: Vec<String> = sessions.iter().map(|s| s.bot.clone()).collect();
            bots.sort();
            bots.dedup();
            let (Some(goal), Some(segment)) = (goals.first(), segments.first()) else {
                continue;
            };
            let has_company = core
                .profile_properties(row.id)
                .await?
                .iter()
                .any(|p| p.name == "Company");
            if bots.len() < 2 || has_company {
                continue;
            }
            let segment_members = core
                .count_profiles(&ProfileFilter {
                    segment: Some(segment.id),
                    ..Default::default()
                })
                .await?;
            found = Some(Customer {
                id: row.id,
                username: details.username.clone(),
                email: profile.email.clone(),
                sessions: sessions.len(),
                device: profile.device.clone(),
                goal: goal.goal.clone(),
                bots,
                segment: segment.clone(),
                segment_members,
            });
            break;
        }
        match (found, page.next) {
            (Some(customer), _) => break customer,
            (None, Some(next)) => request.after = Some(next),
            (None, None) => bail!("no demo customer has every section of Details"),
        }
    };
    core.store().close().await;
    Ok(picked)
}

/// The XPath of the Details window.
const DETAILS: &str = "//*[@role='dialog'][.//*[normalize-space(.)='Details']]";

/// Steps 1 and 2 of "Viewing a Customer Profile": Users in the left pane, then the customer's
/// name in the Username column (found with the search box first).
async fn open_details(client: &Client, customer: &Customer) -> anyhow::Result<()> {
    words::click(client, "Users").await?;
    let tab = words::control(client, "All users").await?;
    assert_eq!(
        tab.attr("aria-selected").await?.as_deref(),
        Some("true"),
        "the Users window shows the All users tab"
    );
    words::wait_shown(client, "Username").await?;
    words::type_into(client, "Search name, email or phone", &customer.email).await?;
    words::wait_shown(client, "1 user").await?;
    words::click(client, &customer.username).await?;
    words::wait_shown(client, "Details").await?;
    words::text_of(client, &format!("{DETAILS}{}", heading(&customer.username)))
        .await
        .context("Details is titled with the customer's name")?;
    Ok(())
}

/// The value Details shows beside the field labelled `label`.
async fn field_value(client: &Client, label: &str) -> anyhow::Result<String> {
    words::value_beside(client, DETAILS, label).await
}

/// The XPath of the Bot sessions list.
const SESSIONS: &str = "//*[@role='listbox'][@aria-label='Bot sessions']";

/// The rendered text of each bot session listed, top to bottom.
async fn listed_sessions(client: &Client) -> anyhow::Result<Vec<String>> {
    let list = client.find(Locator::XPath(SESSIONS)).await?;
    let items = client
        .execute(
            "return [...arguments[0].children].map((item) => item.innerText.trim());",
            vec![serde_json::to_value(&list)?],
        )
        .await?;
    Ok(serde_json::from_value(items)?)
}

/// Waits until the Bot sessions list is `wanted`.
async fn wait_sessions(
    client: &Client,
    wanted: impl Fn(&[String]) -> bool,
) -> anyhow::Result<Vec<String>> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let listed = listed_sessions(client).await?;
        if wanted(&listed) {
            return Ok(listed);
        }
        if tokio::time::Instant::now() > deadline {
            bail!("Bot sessions lists {listed:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn viewing_a_customer_profile_follows_the_help_page() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let customer = demo_store(dir.path(), 300).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_details(&client, &customer).await?;

    // Customer Details: every field the page's table names, as it writes them.
    for label in [
        "EMAIL",
        "FIRST NAME",
        "LAST NAME",
        "PHONE",
        "LOCATION",
        "CREATED",
        "LAST SEEN",
        "DEVICE",
        "SESSIONS",
        "LIVE CHAT TAKEOVER",
    ] {
        field_value(&client, label).await?;
    }
    assert_eq!(field_value(&client, "EMAIL").await?, customer.email);
    // CREATED and LAST SEEN: in the time zone specified on the manager's profile.
    for label in ["CREATED", "LAST SEEN"] {
        let value = field_value(&client, label).await?;
        assert!(value.contains(ZONE), "{label} names the zone: {value:?}");
    }
    // DEVICE, SESSIONS and LIVE CHAT TAKEOVER follow from the bot sessions.
    assert_eq!(field_value(&client, "DEVICE").await?, customer.device);
    assert_eq!(
        field_value(&client, "SESSIONS").await?,
        customer.sessions.to_string()
    );
    assert_eq!(field_value(&client, "LIVE CHAT TAKEOVER").await?, "Yes");

    // The sections: Goal Completions, User Notes (with the Add a note box), Segments, Bot
    // sessions; Bot conversation once a session is selected.
    for section in [
        "User Details",
        "Goal Completions",
        "User Notes",
        "Segments",
        "Bot sessions",
    ] {
        words::wait_heading(&client, section).await?;
    }
    words::field(&client, "Add a note").await?;
    words::wait_shown(&client, &customer.goal).await?;
    save_screenshot(&client, "help-details").await?;

    // Bot sessions: each with its end time in the manager's zone; a star where a goal was
    // completed; the Search box searches by the bot's name; the sort icon flips the order.
    let newest = wait_sessions(&client, |listed| listed.len() == customer.sessions).await?;
    words::named_element(&client, "A goal was completed").await?;
    words::click(&client, "Sort by end time").await?;
    let mut oldest = newest.clone();
    oldest.reverse();
    wait_sessions(&client, |listed| listed == oldest.as_slice()).await?;
    let (bot, other) = (&customer.bots[0], &customer.bots[1]);
    words::type_into(&client, "Search by bot name", bot).await?;
    let found = wait_sessions(&client, |listed| {
        !listed.is_empty()
            && listed
                .iter()
                .all(|s| s.contains(bot.as_str()) && !s.contains(other.as_str()))
    })
    .await?;
    assert!(found.len() < customer.sessions);

    // Bot conversation: the whole conversation of the session selected, with its bot and the
    // platform used.
    client
        .find(Locator::XPath(&format!("{SESSIONS}/*[1]")))
        .await?
        .click()
        .await?;
    words::wait_heading(&client, "Bot conversation").await?;
    let conversation = heading("Bot conversation");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let section = words::text_of(&client, &format!("{conversation}/..")).await?;
        let platform = ["Desktop", "Mobile Web", "WhatsApp", "Messenger", "Telegram"]
            .iter()
            .any(|p| section.contains(p));
        if section.contains(bot.as_str()) && platform && section.lines().count() > 3 {
            break;
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the conversation shows {section:?}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    save_screenshot(&client, "help-conversation").await?;

    // Segments: clicking one views it: all its members, whatever the search and status.
    words::click_in(&client, DETAILS, &customer.segment.name).await?;
    let members = if customer.segment_members == 1 {
        "1 user".to_string()
    } else {
        format!("{} users", customer.segment_members)
    };
    words::wait_shown(&client, &members).await?;
    let segment = words::field(&client, "Segment").await?;
    let chosen = client
        .execute(
            "return arguments[0].selectedOptions[0].textContent;",
            vec![serde_json::to_value(&segment)?],
        )
        .await?;
    assert_eq!(chosen.as_str(), Some(customer.segment.name.as_str()));
    // Every member, whatever their status: the Status filter shows All.
    let status = words::field(&client, "Status").await?;
    let shown = client
        .execute(
            "return arguments[0].selectedOptions[0].textContent;",
            vec![serde_json::to_value(&status)?],
        )
        .await?;
    assert_eq!(shown.as_str(), Some("All"));
    let search = words::field(&client, "Search name, email or phone").await?;
    assert_eq!(search.prop("value").await?.as_deref(), Some(""));
    save_screenshot(&client, "help-segment").await?;
    client.close().await?;
    Ok(())
}

/// What the store holds for the customer, read from the file the app writes to.
async fn stored(dir: &Path, id: ProfileId) -> anyhow::Result<StoredCustomer> {
    let core = AppCore::open(&dir.join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let details = core.profile_details(id).await?;
    let properties = core.profile_properties(id).await?;
    let notes = core.notes(id).await?;
    let requests = core.data_requests(id).await?;
    core.store().close().await;
    Ok(StoredCustomer {
        location: details.profile.location,
        status: details.profile.status,
        picture: details.picture.is_some(),
        properties: properties.into_iter().map(|p| (p.name, p.value)).collect(),
        notes: notes.into_iter().map(|n| n.body).collect(),
        requests: requests.len(),
    })
}

struct StoredCustomer {
    location: String,
    status: ProfileStatus,
    picture: bool,
    properties: Vec<(String, String)>,
    notes: Vec<String>,
    requests: usize,
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_a_customer_profile_follows_the_help_page() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let customer = demo_store(dir.path(), 300).await?;
    let files = tempfile::tempdir()?;
    let photo = files.path().join("portrait.png");
    image::RgbImage::from_pixel(320, 320, image::Rgb([40, 120, 200]))
        .save_with_format(&photo, image::ImageFormat::Png)?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    open_details(&client, &customer).await?;

    // "Add or modify the information by clicking the pencil icon, which appears when you hover
    // certain fields", then Save. (The pencil shows faintly before the hover too, so a keyboard
    // reaches it; WebKit's WebDriver moves no pointer, so the test clicks it without hovering.)
    words::click_in(&client, DETAILS, "Edit location").await?;
    words::type_into(&client, "Location", "Lisbon, Portugal").await?;
    words::click_in(&client, DETAILS, "Save").await?;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while field_value(&client, "LOCATION").await? != "Lisbon, Portugal" {
        if tokio::time::Instant::now() > deadline {
            bail!(
                "LOCATION shows {:?}",
                field_value(&client, "LOCATION").await?
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // A field that is not displayed: the Add a property icon next to the User Details label,
    // then the Select a property box; Create a new property when the field does not exist.
    words::click_in(&client, DETAILS, "Add a property").await?;
    words::choose(&client, "Select a property", "Company").await?;
    words::type_into(&client, "Value", "Feira Nova").await?;
    words::click_in(&client, DETAILS, "Save").await?;
    words::wait_shown(&client, "Feira Nova").await?;
    words::click_in(&client, DETAILS, "Add a property").await?;
    words::choose(&client, "Select a property", "Create a new property").await?;
    words::type_into(&client, "Name", "Preferred language").await?;
    words::type_into(&client, "Value", "Portuguese").await?;
    words::click_in(&client, DETAILS, "Save").await?;
    words::wait_shown(&client, "Portuguese").await?;
    let language = field_value(&client, "Preferred language").await?;
    assert!(language.starts_with("Portuguese"), "{language:?}");

    // The picture: the circle next to the name. It opens the system's file dialog, which
    // WebDriver cannot drive; the test hands the dialog's input the file's path instead.
    words::control_in(&client, DETAILS, "Add a picture").await?;
    client
        .find(Locator::XPath(&format!("{DETAILS}//input[@type='file']")))
        .await?
        .send_keys(photo.to_str().context("a UTF-8 path")?)
        .await?;
    words::control_in(&client, DETAILS, "Change picture").await?;

    // User Notes: the Add a note box.
    words::type_into(
        &client,
        "Add a note",
        "Prefers to be called in the morning.",
    )
    .await?;
    words::click_in(&client, DETAILS, "Add note").await?;
    words::wait_shown(&client, "Prefers to be called in the morning.").await?;

    // Request to Export User and Request to Delete User: each sends an email (queued here,
    // without a server, until the app syncs).
    for (button, kind) in [
        ("Request to Export User", "Export of the user’s data"),
        ("Request to Delete User", "Deletion of the user’s data"),
    ] {
        words::click_in(&client, DETAILS, button).await?;
        words::click_in(&client, DETAILS, "Send request").await?;
        words::wait_shown(&client, kind).await?;
    }
    save_screenshot(&client, "help-changed").await?;

    // The Active option deactivates the profile; the Archived option of the Status filter
    // shows it.
    words::click_in(&client, DETAILS, "Active").await?;
    words::wait_shown(&client, "Archived").await?;
    words::click_in(&client, DETAILS, "Close details").await?;
    words::choose(&client, "Status", "Archived").await?;
    words::wait_shown(&client, "1 user").await?;
    words::control(&client, &customer.username).await?;
    words::choose(&client, "Status", "Active").await?;
    words::wait_shown(&client, "0 users").await?;
    client.close().await?;

    let kept = stored(dir.path(), customer.id).await?;
    assert_eq!(kept.location, "Lisbon, Portugal");
    assert_eq!(kept.status, ProfileStatus::Archived);
    assert!(kept.picture);
    for (name, value) in [
        ("Company", "Feira Nova"),
        ("Preferred language", "Portuguese"),
    ] {
        assert!(
            kept.properties
                .contains(&(name.to_string(), value.to_string())),
            "{:?}",
            kept.properties
        );
    }
    assert!(kept
        .notes
        .contains(&"Prefers to be called in the morning.".to_string()));
    assert_eq!(kept.requests, 2);
    Ok(())
}

/// Ticks the checkbox next to each of `names`.
async fn tick_named(client: &Client, names: &[String]) -> anyhow::Result<()> {
    for name in names {
        words::control(client, &format!("Select {name}"))
            .await?
            .click()
            .await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn managing_multiple_customer_profiles_follows_the_help_page() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    // Active and Archive take effect after at least five minutes on the platform; here after 3
    // seconds, set in the store, so the test can see them take effect.
    demo_store(dir.path(), 3).await?;
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;
    words::click(&client, "Users").await?;
    words::wait_shown(&client, "Username").await?;

    // Select the checkboxes next to the names: the four buttons appear.
    let picked = words::tick_names(&client, 3).await?;
    words::wait_shown(&client, "3 selected").await?;
    for button in ["Create segment", "Active", "Archive", "Delete"] {
        words::control(&client, button).await?;
    }
    save_screenshot(&client, "help-selected").await?;

    // Create segment: Enter segment name, Segment description, Confirm.
    words::click(&client, "Create segment").await?;
    words::type_into(&client, "Enter segment name", "Called back in December").await?;
    words::type_into(&client, "Segment description", "Asked for a call back").await?;
    words::click(&client, "Confirm").await?;
    words::wait_gone(&client, "Enter segment name").await?;

    // Archive: the change is reflected after the delay, under the Archived status.
    if !words::shown_text(&client).await?.contains("3 selected") {
        tick_named(&client, &picked).await?;
    }
    words::click(&client, "Archive").await?;
    words::choose(&client, "Status", "Archived").await?;
    for name in &picked {
        words::control(&client, name).await?;
    }
    save_screenshot(&client, "help-archived").await?;

    // Active brings them back, after the delay too.
    tick_named(&client, &picked).await?;
    words::wait_shown(&client, "3 selected").await?;
    words::click(&client, "Active").await?;
    for name in &picked {
        words::wait_no_control(&client, name).await?;
    }
    words::choose(&client, "Status", "Active").await?;

    // Delete: after the question, the customer is gone (to the Trash).
    tick_named(&client, &picked[..1]).await?;
    words::click(&client, "Delete").await?;
    words::wait_shown(&client, "They stay there 30 days").await?;
    words::click_in(&client, "//*[@role='alertdialog']", "Delete").await?;
    words::wait_no_control(&client, &picked[0]).await?;
    words::control(&client, &picked[1]).await?;
    client.close().await?;

    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), OpenOptions::default()).await?;
    let segments = core.segments("Called back in December").await?;
    core.store().close().await;
    let segment = segments
        .iter()
        .find(|s| s.name == "Called back in December")
        .context("the segment was created")?;
    assert_eq!(segment.description, "Asked for a call back");
    assert_eq!(
        segment.members, 2,
        "the three customers ticked, less the one deleted"
    );
    Ok(())
}
