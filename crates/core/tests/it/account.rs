//! Signing in: the token is checked with the real server, kept in the keychain (here one in
//! memory; `tests/e2e/keychain.rs` runs the same path on a real Secret Service), never in
//! SQLite; sign-out forgets it; refused input changes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::platform::*;
use tempfile::TempDir;
use userdesk_core::{AppCore, AutoSyncOptions, CoreError, Keychain, OpenOptions};
use userdesk_model::{ErrorCode, ProfilePatch, SignIn};
use userdesk_server::managers::{hash_token, new_token, Role};

struct App {
    core: Arc<AppCore>,
    keychain: Keychain,
    dir: TempDir,
}

impl App {
    async fn open(demo_profiles: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let keychain = Keychain::in_memory();
        let core = open_at(dir.path(), demo_profiles, &keychain).await;
        Self {
            core,
            keychain,
            dir,
        }
    }

    async fn reopen(self) -> Self {
        let Self {
            core,
            keychain,
            dir,
        } = self;
        drop(core);
        let core = open_at(dir.path(), 0, &keychain).await;
        Self {
            core,
            keychain,
            dir,
        }
    }

    async fn client_id(&self) -> String {
        self.core.store().client_id().await.unwrap().to_string()
    }

    async fn kept_token(&self) -> Option<String> {
        self.keychain.token(&self.client_id().await).await.unwrap()
    }

    async fn total(&self) -> u64 {
        self.core.store().profile_total().await.unwrap()
    }

    /// Every byte of the store's files (database, WAL, shared memory).
    fn store_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            if let Ok(content) = std::fs::read(entry.unwrap().path()) {
                bytes.extend(content);
            }
        }
        bytes
    }
}

async fn open_at(dir: &Path, demo_profiles: usize, keychain: &Keychain) -> Arc<AppCore> {
    let options = OpenOptions {
        demo_profiles,
        sqlite_search_only: true,
        keychain: Some(keychain.clone()),
        ..OpenOptions::default()
    };
    Arc::new(
        AppCore::open(&PathBuf::from(dir).join("userdesk.sqlite3"), options)
            .await
            .unwrap(),
    )
}

fn sign_in(url: &str, token: &str) -> SignIn {
    SignIn {
        server_url: url.into(),
        token: token.into(),
        discard_pending: false,
    }
}

#[tokio::test]
async fn signing_in_keeps_the_token_in_the_keychain_and_syncs_the_workspace() {
    let platform = Platform::start(23).await;
    let app = App::open(30).await;
    assert_eq!(app.total().await, 30, "demo customers before signing in");
    assert!(matches!(
        app.core.sync_now().await,
        Err(CoreError::NotSignedIn)
    ));

    let account = app
        .core
        .sign_in(&sign_in(&format!("{}/", platform.url), &platform.token))
        .await
        .unwrap();
    assert_eq!(
        account.server_url, platform.url,
        "kept without the trailing slash"
    );
    assert_eq!(account.workspace, "acme");
    assert_eq!(account.manager, "admin@example.com");
    assert_eq!(account.role, "admin");
    assert_eq!(app.core.account().await.unwrap(), Some(account.clone()));
    assert_eq!(
        app.kept_token().await.as_deref(),
        Some(platform.token.as_str())
    );
    assert_eq!(
        app.total().await,
        0,
        "the demo customers exist on no server"
    );
    for table in ["synced_records", "property_values", "segment_members"] {
        let left: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(app.core.store().pool())
            .await
            .unwrap();
        assert_eq!(left, 0, "nor does the demo's story: {table}");
    }

    let report = app.core.sync_now().await.unwrap();
    assert_eq!(report.pulled, 23);
    let view = app.core.sync_view().await.unwrap();
    assert_eq!(view.account, Some(account));
    assert_eq!(view.online, Some(true));
    assert!(!view.syncing);
    assert!(view.first_sync.is_none());
    assert!(view.last_synced.is_some());
    assert_store_matches(&app.core, &platform).await;
    assert!(
        !app.store_bytes()
            .windows(platform.token.len())
            .any(|w| w == platform.token.as_bytes()),
        "the token is in the store's files"
    );
}

#[tokio::test]
async fn a_refused_sign_in_changes_nothing() {
    let platform = Platform::start(5).await;
    let app = App::open(12).await;
    let blns: Vec<String> = serde_json::from_str(include_str!("../data/blns.json")).unwrap();
    let offline = unreachable_url().await;
    let mut attempts = vec![
        (
            platform.url.clone(),
            "udt_not-a-token".to_string(),
            ErrorCode::Unauthorized,
        ),
        (
            platform.url.clone(),
            "   ".to_string(),
            ErrorCode::InvalidRequest,
        ),
        (
            platform.url.clone(),
            "x".repeat(300),
            ErrorCode::InvalidRequest,
        ),
        (
            "ftp://example.com".to_string(),
            platform.token.clone(),
            ErrorCode::InvalidRequest,
        ),
        (offline, platform.token.clone(), ErrorCode::Offline),
    ];
    for hostile in blns.iter().take(200) {
        attempts.push((
            hostile.clone(),
            platform.token.clone(),
            ErrorCode::InvalidRequest,
        ));
        attempts.push((
            platform.url.clone(),
            hostile.clone(),
            ErrorCode::Unauthorized,
        ));
    }
    for (url, token, expected) in attempts {
        let error = app
            .core
            .sign_in(&sign_in(&url, &token))
            .await
            .expect_err("refused");
        let api = error.to_api_error();
        // A hostile token may be empty or hold control characters: refused before asking.
        let expected_codes = if expected == ErrorCode::Unauthorized {
            vec![ErrorCode::Unauthorized, ErrorCode::InvalidRequest]
        } else {
            vec![expected]
        };
        assert!(
            expected_codes.contains(&api.code),
            "{url:?} / {token:?}: {api:?}"
        );
        assert!(!api.message.is_empty());
        assert!(
            !api.message.contains(&platform.token),
            "the token is never told"
        );
        assert_eq!(app.core.account().await.unwrap(), None);
        assert_eq!(app.kept_token().await, None);
    }
    assert_eq!(app.total().await, 12, "the demo customers are still there");
}

#[tokio::test]
async fn signing_out_forgets_the_token_and_keeps_pending_edits_for_the_next_sign_in() {
    let platform = Platform::start(4).await;
    let app = App::open(0).await;
    let form = sign_in(&platform.url, &platform.token);
    app.core.sign_in(&form).await.unwrap();
    app.core.sync_now().await.unwrap();

    app.core.sign_out().await.unwrap();
    assert_eq!(app.kept_token().await, None);
    assert_eq!(app.core.account().await.unwrap(), None);
    let id = platform.profiles[0].id;
    let patch = ProfilePatch {
        first_name: Some("Offline".into()),
        ..Default::default()
    };
    app.core.patch_profile(id, patch).await.unwrap();
    let refused = app.core.sync_now().await.unwrap_err();
    assert_eq!(refused.to_api_error().code, ErrorCode::Unauthorized);
    assert_eq!(app.core.sync_view().await.unwrap().pending, 1);

    // Signed in again after a restart: the background sync finds the token and pushes the edit.
    app.core.sign_in(&form).await.unwrap();
    let app = app.reopen().await;
    assert_eq!(
        app.kept_token().await.as_deref(),
        Some(platform.token.as_str())
    );
    let options = AutoSyncOptions {
        debounce: Duration::from_millis(10),
        ..Default::default()
    };
    assert!(app.core.resume_sync(options).await.unwrap());
    for _ in 0..500 {
        if app.core.sync_view().await.unwrap().pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(app.core.sync_view().await.unwrap().pending, 0);
    let server = platform.server_profiles().await;
    assert_eq!(server[&id].first_name, "Offline");
    app.core.stop_auto_sync();
}

#[tokio::test]
async fn a_store_holding_one_workspace_refuses_a_token_of_another() {
    let platform = Platform::start(3).await;
    let other = platform
        .storage
        .ensure_workspace("globex", "privacy@example.com")
        .await
        .unwrap();
    let manager = platform
        .storage
        .ensure_manager(other, "zoe@example.com", Role::Agent, "UTC")
        .await
        .unwrap();
    let token = new_token().unwrap();
    platform
        .storage
        .add_token(manager, &hash_token(&token))
        .await
        .unwrap();

    let app = App::open(0).await;
    let acme = app
        .core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    app.core.sync_now().await.unwrap();
    app.core.sign_out().await.unwrap();
    let refused = app
        .core
        .sign_in(&sign_in(&platform.url, &token))
        .await
        .unwrap_err();
    assert_eq!(refused.to_api_error().code, ErrorCode::InvalidRequest);
    assert!(refused.to_string().contains("acme"), "{refused}");
    assert_eq!(app.core.account().await.unwrap(), None);
    assert_eq!(app.kept_token().await, None);
    assert_eq!(app.total().await, 3, "acme's customers are kept");
    assert_eq!(
        app.core
            .sign_in(&sign_in(&platform.url, &platform.token))
            .await
            .unwrap(),
        acme
    );
}

#[tokio::test]
async fn what_was_done_to_the_demo_never_reaches_the_real_workspace() {
    use userdesk_model::{DataRequestKind, JobAction, PropertyDraft, PropertyFormat, SegmentDraft};
    use userdesk_model::{PropertySort, Selection, SortDirection};

    let platform = Platform::start(5).await;
    let app = App::open(30).await;
    // A manager tries the demo: edits a customer, a property, a segment, a note, a request and
    // an Archive job, all waiting for a server.
    let page = app
        .core
        .list_profiles(&userdesk_model::ListRequest {
            filter: Default::default(),
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 5,
        })
        .await
        .unwrap();
    let demo = page.rows[0].id;
    app.core
        .patch_profile(demo, location("Demo town"))
        .await
        .unwrap();
    let property = PropertyDraft {
        name: "Demo plan".into(),
        description: String::new(),
        format: PropertyFormat::Text,
        choices: Vec::new(),
    };
    app.core.create_property(property).await.unwrap();
    let segment = SegmentDraft {
        name: "Demo segment".into(),
        description: String::new(),
        rules: Vec::new(),
    };
    app.core.create_segment(segment, &[demo]).await.unwrap();
    app.core.add_note(demo, "Tried on the demo").await.unwrap();
    app.core
        .request_data(demo, DataRequestKind::Export)
        .await
        .unwrap();
    let picked = Selection::Ids { ids: vec![demo] };
    app.core
        .schedule_job(JobAction::Archive, &picked)
        .await
        .unwrap();
    assert!(app.core.store().pending_count().await.unwrap() >= 5);

    app.core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    assert_eq!(
        app.core.store().pending_count().await.unwrap(),
        0,
        "the demo's edits wait for no server"
    );
    assert!(app.core.jobs().await.unwrap().is_empty(), "nor its jobs");
    let report = app.core.sync_now().await.unwrap();
    assert_eq!(report.pushed, 0);
    let properties = app
        .core
        .properties("", PropertySort::Name, SortDirection::Asc)
        .await
        .unwrap();
    assert!(properties.iter().all(|p| p.name != "Demo plan"));
    let segments = app.core.segments("").await.unwrap();
    assert!(segments.iter().all(|s| s.name != "Demo segment"));
    assert_store_matches(&app.core, &platform).await;

    // The first edit of the real workspace is the client's first mutation.
    let real = platform.server_profiles().await.into_keys().next().unwrap();
    app.core
        .patch_profile(real, location("Lisbon, Portugal"))
        .await
        .unwrap();
    let outbox = app.core.store().outbox().await.unwrap();
    assert_eq!(outbox.iter().map(|m| m.id).collect::<Vec<_>>(), [1]);
    let report = app.core.sync_now().await.unwrap();
    assert_eq!((report.pushed, report.applied), (1, 1));
    assert_store_matches(&app.core, &platform).await;
}

#[tokio::test]
async fn another_manager_signing_in_gets_a_client_of_their_own_after_the_last_ones_edits() {
    let platform = Platform::start(4).await;
    let bob = platform.token_of("bob@example.com").await;
    let app = App::open(0).await;
    app.core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    app.core.sync_now().await.unwrap();
    let admins_client = app.client_id().await;
    let customer = platform.profiles[0].id;

    // The admin leaves an edit unsent and signs out; Bob's sign-in is refused while it waits,
    // with a clear reason, and changes nothing.
    app.core
        .patch_profile(customer, location("Unsent town"))
        .await
        .unwrap();
    app.core.sign_out().await.unwrap();
    let refused = app
        .core
        .sign_in(&sign_in(&platform.url, &bob))
        .await
        .unwrap_err();
    let api = refused.to_api_error();
    assert_eq!(api.code, ErrorCode::PendingOfAnotherManager);
    assert!(api.message.contains("admin@example.com"), "{}", api.message);
    assert!(api.message.contains("1 edit"), "{}", api.message);
    assert_eq!(app.core.account().await.unwrap(), None);
    assert_eq!(app.client_id().await, admins_client);
    assert_eq!(app.core.store().pending_count().await.unwrap(), 1);

    // The admin comes back and sends it: then Bob signs in with a client of his own, numbered
    // from 1, and his edits sync as his (the server would refuse him the admin's client).
    app.core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    assert_eq!(
        app.client_id().await,
        admins_client,
        "the same manager keeps it"
    );
    app.core.sync_now().await.unwrap();
    app.core.sign_out().await.unwrap();
    app.core
        .sign_in(&sign_in(&platform.url, &bob))
        .await
        .unwrap();
    let bobs_client = app.client_id().await;
    assert_ne!(bobs_client, admins_client);
    assert_eq!(app.kept_token().await.as_deref(), Some(bob.as_str()));
    assert_eq!(app.total().await, 4, "the workspace stays");
    app.core
        .patch_profile(customer, location("Bob's town"))
        .await
        .unwrap();
    let outbox = app.core.store().outbox().await.unwrap();
    assert_eq!(outbox.iter().map(|m| m.id).collect::<Vec<_>>(), [1]);
    let report = app.core.sync_now().await.unwrap();
    assert_eq!((report.applied, report.skipped, report.rejected), (1, 0, 0));
    assert_eq!(
        platform.server_profiles().await[&customer].location,
        "Bob's town"
    );

    // Bob leaves an edit unsent; the admin confirms dropping it: the edit goes, and the
    // workspace is downloaded again, as the server has it.
    app.core
        .patch_profile(customer, location("Bob's unsent town"))
        .await
        .unwrap();
    app.core.sign_out().await.unwrap();
    let mut form = sign_in(&platform.url, &platform.token);
    form.discard_pending = true;
    app.core.sign_in(&form).await.unwrap();
    assert_eq!(app.core.store().pending_count().await.unwrap(), 0);
    assert_ne!(app.client_id().await, bobs_client);
    app.core.sync_now().await.unwrap();
    assert_store_matches(&app.core, &platform).await;
    assert_eq!(
        app.core
            .store()
            .get_profile(customer)
            .await
            .unwrap()
            .location,
        "Bob's town"
    );
}

#[tokio::test]
async fn signing_out_works_with_the_keychain_unreachable() {
    let platform = Platform::start(2).await;
    let app = App::open(0).await;
    app.core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    app.keychain.set_reachable(false);
    app.core.sign_out().await.unwrap();
    assert_eq!(app.core.account().await.unwrap(), None);
    assert!(matches!(
        app.core.sync_now().await,
        Err(CoreError::NotSignedIn)
    ));
    // Once reachable again, the next sign-in replaces the token left behind.
    app.keychain.set_reachable(true);
    app.core
        .sign_in(&sign_in(&platform.url, &platform.token))
        .await
        .unwrap();
    assert_eq!(
        app.kept_token().await.as_deref(),
        Some(platform.token.as_str())
    );
}
