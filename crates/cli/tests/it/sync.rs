//! `userdesk-cli` as a script runs it, against the real server on loopback: listing, editing,
//! refusing bad input, and syncing through crashes: the client process is killed with SIGKILL in
//! the middle of a push and of a pull (just after the server committed a request whose answer
//! the client never gets), and at random moments, and loses nothing and applies nothing twice.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use crate::platform::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_model::sync::{ClientId, Op, PullRequest, PullResponse};
use userdesk_model::{ProfileId, ProfilePatch};

fn cli(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_userdesk-cli"));
    command.arg("--data-dir").arg(data);
    command
}

fn run(data: &Path, args: &[&str]) -> Output {
    cli(data).args(args).output().unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// `userdesk-cli sync` with `url` and the platform's token, started in the background.
fn spawn_sync(data: &Path, url: &str, token: &str, extra: &[&str]) -> Child {
    cli(data)
        .args(["sync", "--server", url])
        .args(extra)
        .env("USERDESK_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn sync(data: &Path, platform: &Platform, extra: &[&str]) -> String {
    let child = spawn_sync(data, &platform.url, &platform.token, extra);
    ok(child.wait_with_output().unwrap())
}

fn edit(data: &Path, id: ProfileId, field: &str, value: &str) {
    ok(run(
        data,
        &["profiles", "edit", &id.to_string(), field, value],
    ));
}

/// Opens the CLI's store in this process (while no CLI runs) to compare it with the server.
async fn store(data: &Path) -> AppCore {
    let options = OpenOptions {
        sqlite_search_only: true,
        ..Default::default()
    };
    AppCore::open(&data.join("userdesk.sqlite3"), options)
        .await
        .unwrap()
}

/// The client's last mutation the server has processed, as a whole pull tells it.
async fn server_last_mutation(platform: &Platform, client_id: ClientId) -> u64 {
    let mut cookie = None;
    loop {
        let request = PullRequest {
            client_id,
            cookie,
            limit: Some(5000),
        };
        let page: PullResponse = platform.post("/v1/pull", &request).await;
        if !page.has_more {
            return page.last_mutation_id;
        }
        cookie = Some(page.cookie);
    }
}

/// When the proxy lets the client die: after the server answered the `nth` request to `path`,
/// the answer is held back and the test is told, so it can kill the client.
#[derive(Clone, Copy)]
struct Trigger {
    path: &'static str,
    nth: usize,
}

/// A loopback proxy to `target` that asks the server to close each connection after answering,
/// passes answers on, and at `trigger` holds the answer back and reports on the receiver.
async fn proxy(target: SocketAddr, trigger: Option<Trigger>) -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tell, told) = mpsc::channel(1);
    tokio::spawn(async move {
        let mut seen: HashMap<String, usize> = HashMap::new();
        while let Ok((mut client, _)) = listener.accept().await {
            let Some(request) = try_read_request(&mut client).await else {
                continue;
            };
            let line = String::from_utf8_lossy(&request)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let path = line.split(' ').nth(1).unwrap_or_default().to_string();
            let count = seen.entry(path.clone()).or_default();
            *count += 1;
            let fire = trigger.is_some_and(|t| t.path == path && t.nth == *count);
            let answer = forward(target, &request).await;
            if fire {
                let _ = tell.send(()).await;
                // Hold the connection open, answerless, until the client is gone.
                let mut rest = Vec::new();
                let _ = client.read_to_end(&mut rest).await;
                continue;
            }
            let _ = client.write_all(&answer).await;
            let _ = client.shutdown().await;
        }
    });
    (format!("http://{addr}"), told)
}

/// Sends one request to the server on a connection of its own and reads the whole answer.
async fn forward(target: SocketAddr, request: &[u8]) -> Vec<u8> {
    let end = request.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let mut server = TcpStream::connect(target).await.unwrap();
    server.write_all(&request[..end]).await.unwrap();
    server.write_all(b"connection: close\r\n").await.unwrap();
    server.write_all(&request[end..]).await.unwrap();
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await.unwrap();
    answer
}

/// Kills `child` with SIGKILL once the proxy reports its trigger.
async fn kill_when_told(mut child: Child, told: &mut mpsc::Receiver<()>) {
    tokio::time::timeout(Duration::from_secs(60), told.recv())
        .await
        .expect("the trigger request came")
        .unwrap();
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the client was killed, not finished");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_and_editing_work_on_the_synced_store_and_bad_input_changes_nothing() {
    let platform = Platform::start(40).await;
    let data = tempfile::tempdir().unwrap();
    let report = sync(data.path(), &platform, &[]);
    assert!(report.contains("pulled 40 changes"), "{report}");

    let all = ok(run(
        data.path(),
        &[
            "profiles", "list", "--status", "all", "--json", "--limit", "1000",
        ],
    ));
    assert_eq!(all.lines().count(), 40);
    let first = &platform.profiles[0];
    let found = ok(run(
        data.path(),
        &[
            "profiles",
            "list",
            "--status",
            "all",
            "--search",
            &first.email,
        ],
    ));
    assert!(
        found.lines().any(|l| l.starts_with(&first.id.to_string())),
        "{found}"
    );
    let sorted = ok(run(
        data.path(),
        &[
            "profiles", "list", "--status", "all", "--sort", "sessions", "--desc", "--json",
            "--limit", "5",
        ],
    ));
    let sessions: Vec<u64> = sorted
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["sessions"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(sessions.len(), 5);
    assert!(sessions.windows(2).all(|w| w[0] >= w[1]), "{sessions:?}");

    let id = first.id.to_string();
    for (args, expected) in [
        (
            vec!["profiles", "edit", &id, "--email", "not an email"],
            "email",
        ),
        (
            vec!["profiles", "edit", "nope", "--location", "Oslo"],
            "nope",
        ),
        (vec!["profiles", "edit", &id], "name a field"),
        (
            vec!["profiles", "list", "--sort", "shoe size"],
            "unknown sort column",
        ),
        (
            vec!["profiles", "list", "--status", "gone"],
            "unknown status",
        ),
    ] {
        let output = run(data.path(), &args);
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    edit(data.path(), first.id, "--location", "Oslo");
    let report = sync(data.path(), &platform, &[]);
    assert!(report.contains("pushed 1 (applied 1"), "{report}");
    let server = platform.server_profiles().await;
    assert_eq!(server[&first.id].location, "Oslo");
    assert_eq!(
        server[&first.id].email, first.email,
        "the refused edit changed nothing"
    );
    assert_store_matches(&store(data.path()).await, &platform).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_after_the_server_committed_a_push_applies_it_once() {
    let platform = Platform::start(30).await;
    let data = tempfile::tempdir().unwrap();
    sync(data.path(), &platform, &[]);
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    for (i, id) in ids.iter().take(6).enumerate() {
        edit(data.path(), *id, "--location", &format!("mine-{i}"));
    }

    // Batches of two: killed once the server has committed mutations 3 and 4.
    let trigger = Trigger {
        path: "/v1/push",
        nth: 2,
    };
    let (url, mut told) = proxy(platform.addr(), Some(trigger)).await;
    let child = spawn_sync(data.path(), &url, &platform.token, &["--push-batch", "2"]);
    kill_when_told(child, &mut told).await;
    let client_id = store(data.path()).await.store().client_id().await.unwrap();
    assert_eq!(server_last_mutation(&platform, client_id).await, 4);

    // A colleague then changes customer 3 (mutation 3's): pushing mutation 3 again would undo it.
    let theirs = ProfilePatch {
        location: Some("theirs".into()),
        ..Default::default()
    };
    platform
        .push_from_elsewhere(&[Op::ProfilePatch {
            profile_id: ids[2],
            patch: theirs,
            base: None,
        }])
        .await;

    let report = sync(data.path(), &platform, &["--push-batch", "2"]);
    assert!(report.contains("applied 2, already applied 4"), "{report}");
    assert!(report.contains(", 0 pending"), "{report}");
    let server = platform.server_profiles().await;
    for (i, id) in ids.iter().take(6).enumerate() {
        let expected = if i == 2 {
            "theirs".to_string()
        } else {
            format!("mine-{i}")
        };
        assert_eq!(server[id].location, expected, "customer {i}");
    }
    assert_eq!(server_last_mutation(&platform, client_id).await, 6);
    assert_store_matches(&store(data.path()).await, &platform).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_in_the_middle_of_a_pull_resumes_without_losing_or_doubling() {
    let platform = Platform::start(200).await;
    let data = tempfile::tempdir().unwrap();
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();

    // The first download (seven pages of 30), killed when the last page is asked for.
    let trigger = Trigger {
        path: "/v1/pull",
        nth: 7,
    };
    let (url, mut told) = proxy(platform.addr(), Some(trigger)).await;
    let child = spawn_sync(data.path(), &url, &platform.token, &["--pull-limit", "30"]);
    kill_when_told(child, &mut told).await;
    let partial = store(data.path())
        .await
        .store()
        .profile_total()
        .await
        .unwrap();
    // Pages are fetched up to four ahead of the one applied: when the seventh was asked for, the
    // sixth had been handed over, so at least the first had been applied and committed; the
    // seventh never came. Whole pages only.
    assert!(
        partial % 30 == 0 && (30..=180).contains(&partial),
        "{partial} customers kept"
    );
    sync(data.path(), &platform, &["--pull-limit", "30"]);
    assert_store_matches(&store(data.path()).await, &platform).await;

    // Then local edits pending while colleagues change 100 customers; killed mid-pull again.
    for (i, id) in ids.iter().take(3).enumerate() {
        edit(data.path(), *id, "--first-name", &format!("Mine{i}"));
    }
    let theirs: Vec<Op> = ids
        .iter()
        .skip(50)
        .take(100)
        .map(|id| Op::ProfilePatch {
            profile_id: *id,
            patch: ProfilePatch {
                last_name: Some("Theirs".into()),
                ..Default::default()
            },
            base: None,
        })
        .collect();
    platform.push_from_elsewhere(&theirs).await;
    let trigger = Trigger {
        path: "/v1/pull",
        nth: 2,
    };
    let (url, mut told) = proxy(platform.addr(), Some(trigger)).await;
    let child = spawn_sync(data.path(), &url, &platform.token, &["--pull-limit", "20"]);
    kill_when_told(child, &mut told).await;
    let report = sync(data.path(), &platform, &["--pull-limit", "20"]);
    // The pages applied before the kill did not reach the edits' changes, so the edits were
    // still unconfirmed: they are pushed again, and the server skips them.
    assert!(
        report.contains("pushed 3 (applied 0, already applied 3"),
        "{report}"
    );
    let server = platform.server_profiles().await;
    for (i, id) in ids.iter().take(3).enumerate() {
        assert_eq!(server[id].first_name, format!("Mine{i}"));
    }
    let local = store(data.path()).await;
    assert_eq!(local.sync_status().await.unwrap().pending, 0);
    assert_store_matches(&local, &platform).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_killed_at_random_moments_ends_equal_to_the_server() {
    let platform = Platform::start(60).await;
    let data = tempfile::tempdir().unwrap();
    let ids: Vec<ProfileId> = platform.profiles.iter().map(|p| p.id).collect();
    let seed: u64 = std::env::var("USERDESK_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED);
    println!("USERDESK_KILL_SEED={seed}");
    let mut rng = seed;
    let mut next = move |bound: u64| {
        // xorshift64: deterministic for a seed.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % bound
    };
    sync(data.path(), &platform, &[]);
    let mut edits = 0;
    for round in 0..8 {
        for _ in 0..(1 + next(4)) {
            let id = ids[next(ids.len() as u64) as usize];
            edit(data.path(), id, "--location", &format!("r{round}-{edits}"));
            edits += 1;
        }
        platform
            .push_from_elsewhere(&[Op::ProfilePatch {
                profile_id: ids[next(ids.len() as u64) as usize],
                patch: ProfilePatch {
                    last_name: Some(format!("Round{round}")),
                    ..Default::default()
                },
                base: None,
            }])
            .await;
        let (url, _told) = proxy(platform.addr(), None).await;
        let extra = ["--push-batch", "1", "--pull-limit", "7"];
        let mut child = spawn_sync(data.path(), &url, &platform.token, &extra);
        tokio::time::sleep(Duration::from_millis(next(60))).await;
        let _ = child.kill();
        child.wait().unwrap();
    }
    sync(data.path(), &platform, &[]);
    let local = store(data.path()).await;
    let client_id = local.store().client_id().await.unwrap();
    assert_eq!(
        server_last_mutation(&platform, client_id).await,
        edits,
        "seed {seed}"
    );
    assert_eq!(local.sync_status().await.unwrap().pending, 0);
    assert_store_matches(&local, &platform).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_with_a_given_token_is_checked_as_a_sign_in_is() {
    use std::io::Write as _;
    use userdesk_server::managers::{hash_token, new_token, Role};

    let platform = Platform::start(5).await;
    let other = platform
        .storage
        .ensure_workspace("globex", "privacy@example.com")
        .await
        .unwrap();
    let zoe = platform
        .storage
        .ensure_manager(other, "zoe@example.com", Role::Admin, "UTC")
        .await
        .unwrap();
    let globex = new_token().unwrap();
    platform
        .storage
        .add_token(zoe, &hash_token(&globex))
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();

    // The token from standard input (no USERDESK_TOKEN): acme's customers come in.
    let mut child = cli(data.path())
        .args(["sync", "--server", &platform.url])
        .env_remove("USERDESK_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", platform.token).unwrap();
    ok(child.wait_with_output().unwrap());
    let store_of = |data: &Path| {
        let data = data.to_path_buf();
        async move {
            let app = store(&data).await;
            let total = app.store().profile_total().await.unwrap();
            app.store().close().await;
            total
        }
    };
    assert_eq!(store_of(data.path()).await, 5);

    // Another workspace's token is refused before anything is pulled.
    let refused = cli(data.path())
        .args(["sync", "--server", &platform.url])
        .env("USERDESK_TOKEN", &globex)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("another workspace"), "{said}");
    assert!(said.contains("acme"), "{said}");
    assert_eq!(store_of(data.path()).await, 5);

    // The same server under another address is the same workspace.
    let alias = platform.url.replace("127.0.0.1", "localhost");
    let synced = cli(data.path())
        .args(["sync", "--server", &alias])
        .env("USERDESK_TOKEN", &platform.token)
        .output()
        .unwrap();
    ok(synced);

    // A token is never an argument: other users of the computer can read those.
    let argument = run(
        data.path(),
        &[
            "sync",
            "--server",
            &platform.url,
            "--token",
            &platform.token,
        ],
    );
    assert!(!argument.status.success());
    assert!(
        String::from_utf8_lossy(&argument.stderr).contains("--token"),
        "{}",
        String::from_utf8_lossy(&argument.stderr)
    );
}
