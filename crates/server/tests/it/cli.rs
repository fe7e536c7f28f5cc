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

#[tokio::test]
async fn a_token_created_on_the_command_line_signs_its_manager_into_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.sqlite3");
    let database = format!("sqlite://{}", file.display());

    let seeded = run(&database, &["seed", "--profiles", "20", "--seed", "7"]);
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let token_for = |manager: &str| {
        let created = run(
            &database,
            &[
                "token",
                "create",
                "--workspace",
                "Demo",
                "--manager",
                manager,
                "--role",
                "agent",
            ],
        );
        assert!(created.status.success(), "{}", stderr(&created));
        String::from_utf8(created.stdout)
            .unwrap()
            .trim()
            .to_string()
    };
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
