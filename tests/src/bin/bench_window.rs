//! The release app as a manager starts and uses it (docs/benchmarks.md, "The installed app"):
//! cold start to the first rows on a 5,000- and a 1,000,000-customer store, and resident memory
//! idle and after scrolling and searching the million. Run by `make bench-window` under Xvfb in
//! a D-Bus session of its own; never a timed test.
//!
//! Cold start: the release binary is started as the system starts it (no WebDriver), and the time
//! runs from just before the process is spawned to the log line the app writes once the window
//! has its first rows on screen (the UI reports it after the frame that shows them). Memory: the
//! same binary driven through tauri-driver, read from /proc: the app's own process, and with it
//! the web content and network processes WebKitGTK runs for its window.
//!
//! `USERDESK_BENCH_RUNS` (default 5) cold starts per store; the stores are built once into
//! bench-data/ by the app's own first-launch code (`USERDESK_DEMO_PROFILES` customers).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use fantoccini::Locator;
use userdesk_core::{AppCore, OpenOptions};
use userdesk_e2e::{wait_for, Driver};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The release app `make dist` builds.
fn release_app() -> anyhow::Result<PathBuf> {
    let app = root().join("target/release/userdesk");
    if !app.exists() {
        bail!("{} is missing: make dist builds it", app.display());
    }
    Ok(app)
}

/// A store of `customers` demo customers, filled once by the app's first-launch code.
async fn store(customers: usize) -> anyhow::Result<PathBuf> {
    let dir = root().join(format!("bench-data/window-{customers}"));
    let path = dir.join("userdesk.sqlite3");
    if !path.exists() {
        std::fs::create_dir_all(&dir)?;
        let started = Instant::now();
        let core = AppCore::open(
            &path,
            OpenOptions {
                demo_profiles: customers,
                sqlite_search_only: true,
                ..Default::default()
            },
        )
        .await?;
        core.set_time_zone("UTC").await?;
        core.store().close().await;
        eprintln!(
            "built {} in {:.0} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(dir)
}

/// When the log in `logs` says the first rows were shown, if it says so yet.
fn first_rows_at(logs: &Path) -> Option<DateTime<Utc>> {
    for entry in std::fs::read_dir(logs).ok()? {
        let text = std::fs::read_to_string(entry.ok()?.path()).ok()?;
        for line in text.lines() {
            if line.contains("the first rows are shown") {
                let stamp = line.split_whitespace().next()?;
                return DateTime::parse_from_rfc3339(stamp)
                    .ok()
                    .map(|at| at.with_timezone(&Utc));
            }
        }
    }
    None
}

/// One cold start on the store in `dir`: milliseconds from spawn to the first rows on screen.
async fn cold_start(app: &Path, dir: &Path) -> anyhow::Result<f64> {
    let scratch = tempfile::tempdir()?;
    let logs = scratch.path().join("logs");
    let spawned = Utc::now();
    let mut child = tokio::process::Command::new(app)
        .env("USERDESK_DATA_DIR", dir)
        .env("USERDESK_DEMO_PROFILES", "0")
        .env("USERDESK_LOG_DIR", &logs)
        .env("XDG_CONFIG_HOME", scratch.path().join("config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the release app")?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let shown = loop {
        if let Some(at) = first_rows_at(&logs) {
            break at;
        }
        if Instant::now() > deadline {
            bail!("no first rows within 2 minutes");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    child.kill().await?;
    Ok((shown - spawned).num_microseconds().unwrap_or(0) as f64 / 1000.0)
}

/// Resident memory of process `pid`, in MB: all of it (`VmRSS`), and of that the private
/// memory (`RssAnon`) and the mapped files (`RssFile`: the store's file mapped by SQLite, the
/// libraries; pages the system can drop and read again).
#[derive(Clone, Copy, Default)]
struct Rss {
    total: f64,
    anon: f64,
    file: f64,
}

impl std::ops::Add for Rss {
    type Output = Rss;
    fn add(self, other: Rss) -> Rss {
        Rss {
            total: self.total + other.total,
            anon: self.anon + other.anon,
            file: self.file + other.file,
        }
    }
}

impl std::fmt::Display for Rss {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.0} MB (private {:.0} MB, mapped files {:.0} MB)",
            self.total, self.anon, self.file
        )
    }
}

fn rss_mb(pid: u32) -> Rss {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1000.0)
    };
    Rss {
        total: field("VmRSS:"),
        anon: field("RssAnon:"),
        file: field("RssFile:"),
    }
}

/// Every process: (pid, parent, command name).
fn processes() -> Vec<(u32, u32, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let parent = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        all.push((pid, parent, comm));
    }
    all
}

/// The app's process under `driver` (tauri-driver → WebKitWebDriver → userdesk), and its
/// descendants (WebKit's web and network processes).
fn app_tree(driver: u32) -> anyhow::Result<(u32, Vec<u32>)> {
    let all = processes();
    let descendants = |top: u32| {
        let mut found = vec![top];
        let mut i = 0;
        while i < found.len() {
            let parent = found[i];
            found.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
            i += 1;
        }
        found
    };
    let app = descendants(driver)
        .into_iter()
        .find(|pid| all.iter().any(|p| p.0 == *pid && p.2 == "userdesk"))
        .context("the app's process under tauri-driver")?;
    Ok((app, descendants(app)))
}

fn memory(driver: u32) -> anyhow::Result<(Rss, Rss)> {
    let (app, tree) = app_tree(driver)?;
    Ok((
        rss_mb(app),
        tree.iter()
            .map(|pid| rss_mb(*pid))
            .fold(Rss::default(), |a, b| a + b),
    ))
}

async fn count(client: &fantoccini::Client) -> anyhow::Result<String> {
    Ok(client
        .find(Locator::Css("#count"))
        .await?
        .text()
        .await?
        .trim()
        .to_string())
}

/// Waits until the count differs from `before` and stops changing.
async fn count_settles(client: &fantoccini::Client, before: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = count(client).await?;
        if now != before && (now.ends_with("users") || now.ends_with("user")) {
            // Whatever the keystrokes still asked for lands too.
            tokio::time::sleep(Duration::from_secs(1)).await;
            return count(client).await;
        }
        if Instant::now() > deadline {
            bail!("the count stayed {now:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let app = release_app()?;
    let runs: usize = std::env::var("USERDESK_BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    println!(
        "release binary: {:.1} MB",
        std::fs::metadata(&app)?.len() as f64 / 1_000_000.0
    );
    let starts = std::env::var("USERDESK_BENCH_ONLY").map_or(true, |only| only != "memory");
    for customers in [5_000usize, 1_000_000].into_iter().filter(|_| starts) {
        let dir = store(customers).await?;
        // One start to warm the page cache: the figures are of a warm file cache, as a manager's
        // second start of the day.
        cold_start(&app, &dir).await?;
        let mut times: Vec<f64> = Vec::new();
        for _ in 0..runs {
            times.push(cold_start(&app, &dir).await?);
        }
        let max = times.iter().copied().fold(0.0, f64::max);
        println!(
            "cold start to the first rows, {customers} customers: median {:.0} ms, max {:.0} ms over {runs} runs ({:?})",
            median(&mut times),
            max,
            times.iter().map(|t| t.round() as u64).collect::<Vec<_>>()
        );
    }

    // Memory on the million, through WebDriver.
    let dir = store(1_000_000).await?;
    std::env::set_var("USERDESK_APP", &app);
    let scratch = tempfile::tempdir()?;
    let config = scratch.path().join("config");
    let logs = scratch.path().join("logs");
    let driver = Driver::start_with(
        &dir,
        &[
            ("XDG_CONFIG_HOME", &config.to_string_lossy()),
            ("USERDESK_LOG_DIR", &logs.to_string_lossy()),
        ],
    )
    .await?;
    let client = driver.open_app().await?;
    wait_for(&client, ".row[data-id]").await?;
    let all = count_settles(&client, "").await?;
    tokio::time::sleep(Duration::from_secs(15)).await;
    let driver_pid = driver.pid().context("tauri-driver's process")?;
    let (app_idle, tree_idle) = memory(driver_pid)?;
    println!("resident memory idle on {all}: app {app_idle}; with WebKit's processes {tree_idle}");

    // Scrolling: 40 jumps across the million, each waiting for its rows, then back to the top.
    for step in 0..40u32 {
        let fraction = f64::from(step * 37 % 40) / 40.0;
        client
            .execute(
                "const s = document.querySelector('.table-scroller'); s.scrollTop = (s.scrollHeight - s.clientHeight) * arguments[0];",
                vec![serde_json::json!(fraction)],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        wait_for(&client, ".row[data-id]").await?;
    }
    // Searching: a few words, each to its count, then cleared.
    let search = wait_for(&client, "input#search").await?;
    let mut before = all.clone();
    for word in ["ada", "smith", "gmail", "+44", "lee"] {
        search.clear().await?;
        search.send_keys(word).await?;
        before = count_settles(&client, &before).await?;
    }
    search.clear().await?;
    search.send_keys(" ").await?;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (app_used, tree_used) = memory(driver_pid)?;
    println!("resident memory after scrolling and searching: app {app_used}; with WebKit's processes {tree_used}");
    client.close().await?;
    Ok(())
}
