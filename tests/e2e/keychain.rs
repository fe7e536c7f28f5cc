//! The sign-in token in the real system keychain: GNOME Keyring, unlocked in the test's own D-Bus
//! session (`make e2e` starts both), never a developer's own. The core's tests run the same
//! sign-in paths on a keychain in memory; this is where the Secret Service itself answers.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use userdesk_core::{AppCore, Keychain, OpenOptions};
use userdesk_model::SignIn;
use userdesk_server::http::Limits;
use userdesk_server::managers::{hash_token, new_token, Role};
use userdesk_server::storage;
use userdesk_server::RunningServer;

/// The keychain service of these tests, apart from the app's.
const SERVICE: &str = "app.userdesk.tests";

/// Waits until the session's keychain answers a read. GNOME Keyring started with `--daemonize`
/// may own its bus name a moment before it serves it; it is ready once a read succeeds.
async fn keychain_ready() -> anyhow::Result<Keychain> {
    let keychain = Keychain::new(SERVICE);
    let mut last = None;
    for _ in 0..100 {
        match keychain.token("readiness probe").await {
            Ok(_) => return Ok(keychain),
            Err(error) => last = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the session's keychain never answered: {last:?}")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_kept_in_the_system_keychain_is_read_back_and_forgotten() -> anyhow::Result<()> {
    let keychain = keychain_ready().await?;
    let account = format!("client-{}", std::process::id());
    keychain.save(&account, "udt_first").await?;
    keychain.save(&account, "udt_second").await?;
    // Another handle on the same service reads what the Secret Service keeps, not a cache.
    let other = Keychain::new(SERVICE);
    assert_eq!(other.token(&account).await?.as_deref(), Some("udt_second"));
    other.forget(&account).await?;
    assert_eq!(keychain.token(&account).await?, None);
    keychain.forget(&account).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn signing_in_keeps_the_token_in_the_system_keychain_and_signing_out_forgets_it(
) -> anyhow::Result<()> {
    let keychain = keychain_ready().await?;
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    let storage = storage::open(&url).await?;
    let workspace = storage
        .ensure_workspace("acme", "privacy@example.com")
        .await?;
    let manager = storage
        .ensure_manager(workspace, "admin@example.com", Role::Admin, "UTC")
        .await?;
    let token = new_token()?;
    storage.add_token(manager, &hash_token(&token)).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let server = RunningServer::start(listener, storage.clone(), Limits::default())?;

    let store = dir.path().join("app");
    std::fs::create_dir_all(&store)?;
    let options = OpenOptions {
        sqlite_search_only: true,
        keychain: Some(Keychain::new(SERVICE)),
        ..OpenOptions::default()
    };
    let core = Arc::new(AppCore::open(&store.join("userdesk.sqlite3"), options).await?);
    let form = SignIn {
        server_url: format!("http://{}", server.addr()),
        token: token.clone(),
        discard_pending: false,
    };
    core.sign_in(&form).await?;
    let client = core.store().client_id().await?.to_string();
    assert_eq!(
        keychain.token(&client).await?.as_deref(),
        Some(token.as_str())
    );
    for entry in std::fs::read_dir(&store)? {
        let bytes = std::fs::read(entry?.path())?;
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is in the store's files"
        );
    }

    core.sign_out().await?;
    assert_eq!(keychain.token(&client).await?, None);
    assert_eq!(core.account().await?, None);
    drop(server);
    Ok(())
}
