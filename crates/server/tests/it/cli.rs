//! The `userdesk-server` binary as an operator runs it: seed a workspace, then create a token.

use std::process::{Command, Output};

use userdesk_server::managers::{hash_token, Role, TOKEN_PREFIX};
use userdesk_server::storage;

fn run(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_userdesk-server"))
        .arg("--database")
        .arg(database)
        .args(args)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `userdesk-server token create` for a manager of the Demo workspace: the printed token.
fn create_token(database: &str, manager: &str, role: &str) -> String {
    let created = run(
        database,
        &[
            "token",
            "create",
            "--workspace",
            "Demo",
            "--manager",
            manager,
            "--role",
            role,
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string()
}

#[tokio::test]
async fn a_token_created_on_the_command_line_signs_its_manager_into_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.sqlite3");
    let database = format!("sqlite://{}", file.display());

    let seeded = run(&database, &["seed", "--profiles", "20", "--seed", "7"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let token_for = |manager: &str| create_token(&database, manager, "agent");
    let token = token_for("ada@example.com");
    assert!(token.starts_with(TOKEN_PREFIX), "{token}");
    // A second token for the same manager is another secret; the first stays valid.
    let second = token_for("ada@example.com");
    assert_ne!(second, token);

    let storage = storage::open(&database).await.unwrap();
    let demo = storage.find_workspace("Demo").await.unwrap();
    for secret in [&token, &second] {
        let principal = storage
            .authenticate(&hash_token(secret))
            .await
            .unwrap()
            .expect("the token signs in");
        assert_eq!(principal.email, "ada@example.com");
        assert_eq!(principal.role, Role::Agent);
        assert_eq!(Some(principal.workspace_id), demo);
    }
    storage.close().await;

    // Only the token's hash is kept: the secret appears nowhere in the database's files.
    // SQLite may still be removing its -wal/-shm files as the last connection closes: a file
    // gone between listing and reading had its pages checkpointed into the database file.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = match std::fs::read(entry.unwrap().path()) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => panic!("reading the database files: {e}"),
        };
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "the token is stored in the clear"
        );
    }
}

#[tokio::test]
async fn a_token_with_an_unknown_time_zone_is_refused_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    let refused = run(
        &database,
        &[
            "token",
            "create",
            "--workspace",
            "Demo",
            "--manager",
            "bob@example.com",
            "--time-zone",
            "Mars/Olympus_Mons",
        ],
    );
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty(), "no token is printed");
    assert!(
        stderr(&refused).contains("unknown time zone \"Mars/Olympus_Mons\""),
        "{}",
        stderr(&refused)
    );
    let storage = storage::open(&database).await.unwrap();
    assert_eq!(storage.find_workspace("Demo").await.unwrap(), None);
    storage.close().await;
}

/// The status `GET /v1/me` answers with `token`, and the role it names.
async fn me(base: &str, token: &str) -> (reqwest::StatusCode, Option<String>) {
    let response = reqwest::Client::new()
        .get(format!("{base}/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["role"].as_str().map(str::to_string))
}

/// The tokens `token list --json` prints.
fn listed(database: &str) -> Vec<serde_json::Value> {
    let list = run(database, &["token", "list", "--json"]);
    assert!(list.status.success(), "{}", stderr(&list));
    String::from_utf8(list.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test]
async fn tokens_are_listed_revoked_and_expire_and_managers_are_disabled_at_once() {
    use userdesk_server::http::Limits;
    use userdesk_server::RunningServer;

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    let create = |role: Option<&str>| {
        let mut args = vec![
            "token",
            "create",
            "--workspace",
            "Acme",
            "--manager",
            "ada@example.com",
        ];
        if let Some(role) = role {
            args.extend(["--role", role]);
        }
        run(&database, &args)
    };
    let created = create(Some("agent"));
    assert!(created.status.success(), "{}", stderr(&created));
    let token = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    let manager = |args: &[&str]| {
        let mut all = vec!["manager"];
        all.extend_from_slice(args);
        all.extend(["--workspace", "Acme", "--manager", "ada@example.com"]);
        let done = run(&database, &all);
        assert!(done.status.success(), "{}", stderr(&done));
    };

    // The running server reads the same database the commands change.
    let storage = storage::open(&database).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = RunningServer::start(listener, storage.clone(), Limits::default()).unwrap();
    let base = format!("http://{}", server.addr());

    let tokens = listed(&database);
    assert_eq!(tokens.len(), 1);
    let id = tokens[0]["id"].as_str().unwrap().to_string();
    assert!(
        hash_token(&token).starts_with(&id),
        "the id is the hash's start"
    );
    assert!(!serde_json::to_string(&tokens)
        .unwrap()
        .contains(&token[4..]));
    assert_eq!(tokens[0]["valid"], true);
    assert!(tokens[0]["last_used_at"].is_null());
    assert_eq!(
        me(&base, &token).await,
        (reqwest::StatusCode::OK, Some("agent".into()))
    );
    assert!(
        listed(&database)[0]["last_used_at"].is_string(),
        "its use is kept"
    );

    // Another token never changes the manager's role; a command of its own does.
    let refused = create(Some("admin"));
    assert!(!refused.status.success());
    assert!(refused.stdout.is_empty());
    assert!(
        stderr(&refused).contains("manager set-role"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(me(&base, &token).await.1.as_deref(), Some("agent"));
    let second = create(None);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(me(&base, &token).await.1.as_deref(), Some("agent"));
    manager(&["set-role", "--role", "admin"]);
    assert_eq!(me(&base, &token).await.1.as_deref(), Some("admin"));

    // A disabled manager is refused at once, with every token; enabled, they are back.
    manager(&["disable"]);
    assert_eq!(me(&base, &token).await.0, reqwest::StatusCode::UNAUTHORIZED);
    assert!(listed(&database).iter().all(|t| t["valid"] == false));
    manager(&["enable"]);
    assert_eq!(me(&base, &token).await.0, reqwest::StatusCode::OK);

    // A revoked token is refused from the next request on; the other still signs in. An id
    // too short, or naming no token, revokes nothing.
    for bad in ["abc", "ffffffffffff"] {
        let refused = run(&database, &["token", "revoke", bad]);
        assert!(!refused.status.success(), "{bad}");
    }
    assert_eq!(me(&base, &token).await.0, reqwest::StatusCode::OK);
    let revoked = run(&database, &["token", "revoke", &id]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert_eq!(me(&base, &token).await.0, reqwest::StatusCode::UNAUTHORIZED);
    let other = String::from_utf8(second.stdout).unwrap().trim().to_string();
    assert_eq!(me(&base, &other).await.0, reqwest::StatusCode::OK);
    let states: Vec<bool> = listed(&database)
        .iter()
        .map(|t| t["valid"].as_bool().unwrap())
        .collect();
    assert_eq!(states.iter().filter(|v| **v).count(), 1);

    // A token past its expiry is refused; one given days to live signs in.
    let acme = storage.find_workspace("Acme").await.unwrap().unwrap();
    let ada = storage
        .ensure_manager(acme, "ada@example.com", Role::Agent, "UTC")
        .await
        .unwrap();
    let stale = "udt_expired-for-the-test";
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    storage
        .add_token_until(ada, &hash_token(stale), Some(yesterday))
        .await
        .unwrap();
    assert_eq!(me(&base, stale).await.0, reqwest::StatusCode::UNAUTHORIZED);
    let expiring = run(
        &database,
        &[
            "token",
            "create",
            "--workspace",
            "Acme",
            "--manager",
            "bo@example.com",
            "--expires-in-days",
            "30",
        ],
    );
    assert!(expiring.status.success(), "{}", stderr(&expiring));
    let fresh = String::from_utf8(expiring.stdout)
        .unwrap()
        .trim()
        .to_string();
    assert_eq!(
        me(&base, &fresh).await,
        (reqwest::StatusCode::OK, Some("admin".into()))
    );
    let listed_fresh = listed(&database)
        .into_iter()
        .find(|t| t["manager"] == "bo@example.com")
        .unwrap();
    assert!(listed_fresh["expires_at"].is_string());

    server.stop().await.unwrap();
    storage.close().await;
}

#[tokio::test]
async fn a_backup_is_a_database_the_server_opens_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    let seeded = run(&database, &["seed", "--profiles", "30", "--seed", "9"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let copy = dir.path().join("backup.sqlite3");
    let backed = run(&database, &["backup", "--to", copy.to_str().unwrap()]);
    assert!(backed.status.success(), "{}", stderr(&backed));
    // Never over an existing file.
    let again = run(&database, &["backup", "--to", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("never overwrites"),
        "{}",
        stderr(&again)
    );

    let restored = storage::open(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    let demo = restored.find_workspace("Demo").await.unwrap().unwrap();
    assert_eq!(restored.count_profiles(demo).await.unwrap(), 30);
    restored.close().await;
}

#[tokio::test]
async fn the_audit_log_is_exported_as_json_lines_or_csv_and_filtered() {
    use userdesk_model::sync::{ClientId, Op};
    use userdesk_model::{AuditEntry, AuditOutcome, ProfilePatch};

    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("server.sqlite3").display());
    let seeded = run(&database, &["seed", "--profiles", "5", "--seed", "3"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let token = |manager: &str, role: &str| create_token(&database, manager, role);
    let (admin, agent) = (
        token("ana@example.com", "admin"),
        token("bo@example.com", "agent"),
    );

    // Ana renames a customer; Bo, an agent, tries to delete one.
    let storage = storage::open(&database).await.unwrap();
    let demo = storage.find_workspace("Demo").await.unwrap().unwrap();
    let ids: Vec<_> = {
        let principal = storage
            .authenticate(&hash_token(&admin))
            .await
            .unwrap()
            .unwrap();
        let pulled = storage
            .pull(
                &principal,
                &storage::PullQuery {
                    client_id: ClientId::new(),
                    cookie: None,
                    limit: 1000,
                },
            )
            .await
            .unwrap();
        pulled
            .patch
            .iter()
            .filter_map(|op| match op {
                userdesk_model::sync::PatchOp::Put(userdesk_model::sync::Entity::Profile(p)) => {
                    Some(p.id)
                }
                _ => None,
            })
            .collect()
    };
    for (secret, op) in [
        (
            &admin,
            Op::ProfilePatch {
                profile_id: ids[0],
                patch: ProfilePatch {
                    location: Some("Lisbon, \"Portugal\"".into()),
                    ..Default::default()
                },
                base: None,
            },
        ),
        (&agent, Op::ProfileDelete { profile_id: ids[1] }),
    ] {
        let principal = storage
            .authenticate(&hash_token(secret))
            .await
            .unwrap()
            .unwrap();
        storage
            .process_push(
                &principal,
                ClientId::new(),
                &[op.to_mutation(1)],
                chrono::Utc::now(),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        storage
            .audit(demo, &Default::default())
            .await
            .unwrap()
            .entries
            .len(),
        2
    );
    storage.close().await;

    let lines = run(&database, &["audit", "--workspace", "Demo"]);
    assert!(lines.status.success(), "{}", stderr(&lines));
    let entries: Vec<AuditEntry> = String::from_utf8(lines.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].manager, "ana@example.com");
    assert_eq!(entries[0].changes[0].field, "location");
    assert_eq!(entries[1].outcome, AuditOutcome::Refused);

    let only_bo = run(
        &database,
        &[
            "audit",
            "--workspace",
            "Demo",
            "--manager",
            "bo@example.com",
            "--format",
            "csv",
        ],
    );
    assert!(only_bo.status.success(), "{}", stderr(&only_bo));
    let csv = String::from_utf8(only_bo.stdout).unwrap();
    let rows: Vec<&str> = csv.split("\r\n").filter(|r| !r.is_empty()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].starts_with("seq,at,manager,"));
    assert!(rows[1].contains(",bo@example.com,"));
    assert!(rows[1].contains(",profile.delete,refused,forbidden,"));

    let csv = run(
        &database,
        &["audit", "--workspace", "Demo", "--format", "csv"],
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.contains(",\"Lisbon, \"\"Portugal\"\"\","), "{csv}");

    let later = run(
        &database,
        &["audit", "--workspace", "Demo", "--since", "2999-01-01"],
    );
    assert!(later.status.success());
    assert!(later.stdout.is_empty());
    let wrong = run(
        &database,
        &["audit", "--workspace", "Demo", "--since", "last week"],
    );
    assert!(!wrong.status.success());
    assert!(
        stderr(&wrong).contains("neither a day"),
        "{}",
        stderr(&wrong)
    );
    let unknown = run(&database, &["audit", "--workspace", "Nowhere"]);
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("no workspace is named \"Nowhere\""));
}
