//! A manager signs in from Settings to the real platform server on loopback: the token goes to
//! the system keychain (GNOME Keyring in the test's D-Bus session), the workspace downloads, the
//! status bar says online, an edit made in the window reaches the server by itself, and the
//! customer's bot session and its conversation, pulled from the server, read in Details.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use fantoccini::{Client, Locator};
use tokio::net::TcpListener;
use userdesk_core::{Keychain, KEYCHAIN_SERVICE};
use userdesk_demo::DemoProfiles;
use userdesk_e2e::{click, save_screenshot, wait_for, wait_for_text, Driver};
use userdesk_model::sync::{ClientId, Entity, PatchOp};
use userdesk_model::{
    BotSession, Message, MessageId, Platform, Profile, ProfileStatus, Sender, SessionId,
};
use userdesk_server::http::Limits;
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::storage::{self, PlatformBatch, PullQuery, Storage};
use userdesk_server::RunningServer;

/// The platform's server with 30 customers and a manager's token.
async fn platform(
    dir: &std::path::Path,
) -> anyhow::Result<(RunningServer, Arc<dyn Storage>, String, Vec<Profile>)> {
    let url = format!("sqlite://{}", dir.join("server.sqlite3").display());
    let storage = storage::open(&url).await?;
    let workspace = storage
        .ensure_workspace("Acme", "privacy@example.com")
        .await?;
    let manager = storage
        .ensure_manager(workspace, "ada@example.com", Role::Admin, "Europe/London")
        .await?;
    let token = new_token()?;
    storage.add_token(manager, &hash_token(&token)).await?;
    let profiles: Vec<Profile> = DemoProfiles::new(5, chrono::Utc::now()).take(30).collect();
    // The first active customer talked to the support bot once and completed a goal.
    let talker = profiles
        .iter()
        .find(|p| p.status == ProfileStatus::Active)
        .context("an active customer")?;
    let at = chrono::Utc::now() - chrono::Duration::days(1);
    let session = BotSession {
        id: SessionId::new(),
        profile_id: talker.id,
        bot: "Support Bot".into(),
        platform: Platform::MobileWeb,
        device: "Firefox 131".into(),
        started_at: at,
        ended_at: at + chrono::Duration::minutes(5),
        goal_completed: true,
        live_chat_takeover: false,
    };
    let message = |minute: i64, sender, body: &str| Message {
        id: MessageId::new(),
        session_id: session.id,
        sender,
        body: body.into(),
        sent_at: at + chrono::Duration::minutes(minute),
    };
    let batch = PlatformBatch {
        profiles: profiles.clone(),
        messages: vec![
            message(1, Sender::Bot, "Hello! How can I help?"),
            message(2, Sender::Customer, "Where is my parcel?"),
        ],
        sessions: vec![session],
        ..Default::default()
    };
    storage.insert_batch(workspace, &batch).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = RunningServer::start(listener, storage.clone(), Limits::default())?;
    Ok((server, storage, token, profiles))
}

async fn wait_for_state(client: &Client, state: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        let element = client.find(Locator::Css("#sync-state")).await?;
        if element.attr("data-state").await?.as_deref() == Some(state) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the status bar never said {state}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_manager_signs_in_and_an_edit_reaches_the_server_by_itself() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let server_dir = tempfile::tempdir()?;
    let (server, storage, token, profiles) = platform(server_dir.path()).await?;
    let url = format!("http://{}", server.addr());
    let driver = Driver::start(dir.path()).await?;
    let client = driver.open_app().await?;

    wait_for_text(&client, "#sync-last", "Never synced").await?;
    wait_for(&client, "button#settings").await?.click().await?;
    let server_input = wait_for(&client, "#account-server").await?;
    server_input.send_keys(&url).await?;
    let token_input = wait_for(&client, "#account-token").await?;
    token_input.send_keys("udt_wrong").await?;
    client
        .find(Locator::Css("#account-sign-in"))
        .await?
        .click()
        .await?;
    wait_for_text(
        &client,
        "#settings-error",
        "the token is not valid (revoked or mistyped)",
    )
    .await?;
    token_input.clear().await?;
    token_input.send_keys(&token).await?;
    client
        .find(Locator::Css("#account-sign-in"))
        .await?
        .click()
        .await?;
    wait_for_text(
        &client,
        "#account-summary",
        &format!("Signed in to Acme as ada@example.com (admin) at {url}."),
    )
    .await?;
    client
        .find(Locator::Css("#settings-cancel"))
        .await?
        .click()
        .await?;

    wait_for_state(&client, "online").await?;
    wait_for_text(&client, "#sync-state", "Online: Acme").await?;
    // The table shows Active customers by default.
    let active = profiles
        .iter()
        .filter(|p| p.status == ProfileStatus::Active)
        .count();
    wait_for_text(&client, "#count", &format!("{active} users")).await?;
    save_screenshot(&client, "sync-signed-in").await?;

    // An edit in the Details window: pending at once, then pushed by the background sync.
    let target = profiles
        .iter()
        .find(|p| p.status == ProfileStatus::Active)
        .context("an active customer")?;
    let name = format!(".row[data-id='{}'] button.username", target.id);
    let search = wait_for(&client, "input#search").await?;
    search.send_keys(&target.email).await?;
    // The table redraws its rows as the search applies: click finds the row again if so.
    click(&client, &name).await?;
    wait_for(&client, "section#details").await?;
    client
        .find(Locator::Css(".field[data-field=location] button.edit"))
        .await?
        .click()
        .await?;
    let input = wait_for(&client, "input[name=location]").await?;
    input.clear().await?;
    input.send_keys("Reykjavík, Iceland").await?;
    client
        .find(Locator::Css(".field[data-field=location] button.save"))
        .await?
        .click()
        .await?;
    wait_for_text(
        &client,
        ".field[data-field=location] .value",
        "Reykjavík, Iceland",
    )
    .await?;
    wait_for_text(&client, "#sync-pending", "1 edit waiting to sync").await?;

    // The customer's bot session, starred for its completed goal; picked, its conversation.
    let session = wait_for(&client, "#sessions .session").await?;
    wait_for_text(&client, "#sessions .session .star", "★").await?;
    session.click().await?;
    wait_for_text(
        &client,
        "#conversation .message:first-child .message-body",
        "Hello! How can I help?",
    )
    .await?;
    wait_for_text(
        &client,
        "#conversation .message:last-child .message-body",
        "Where is my parcel?",
    )
    .await?;
    save_screenshot(&client, "details-conversation").await?;
    // The background sync pushes it a couple of seconds after the last edit.
    wait_for_text(&client, "#sync-pending", "No pending edits").await?;
    let mut on_server = String::new();
    for _ in 0..100 {
        let principal = storage
            .authenticate(&hash_token(&token))
            .await?
            .context("the token signs in")?;
        let query = PullQuery {
            client_id: ClientId::new(),
            cookie: None,
            limit: 5000,
        };
        let page = storage.pull(&principal, &query).await?;
        on_server = page
            .patch
            .iter()
            .find_map(|op| match op {
                PatchOp::Put(Entity::Profile(p)) if p.id == target.id => Some(p.location.clone()),
                _ => None,
            })
            .unwrap_or_default();
        if on_server == "Reykjavík, Iceland" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(on_server, "Reykjavík, Iceland");

    // The token is in the system keychain, and nowhere in the app's files.
    let store = userdesk_core::Store::open(&dir.path().join("userdesk.sqlite3")).await?;
    let client_id: ClientId = store.client_id().await?;
    store.close().await;
    let kept = Keychain::new(KEYCHAIN_SERVICE)
        .token(&client_id.to_string())
        .await?;
    assert_eq!(kept.as_deref(), Some(token.as_str()));
    for entry in std::fs::read_dir(dir.path())? {
        if let Ok(bytes) = std::fs::read(entry?.path()) {
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "the token is in the app's files"
            );
        }
    }
    save_screenshot(&client, "sync-edit-pushed").await?;
    client.close().await?;
    server.stop().await?;
    Ok(())
}
