//! About Userdesk in the real window. Updates: the app's own updater (tauri-plugin-updater)
//! against an update server of the test's own on loopback, serving a manifest and a download
//! signed with a key pair the test makes with the Tauri CLI, as the release workflow signs (the
//! debug build reads the server and the key from USERDESK_UPDATE_ENDPOINT and
//! USERDESK_UPDATE_PUBKEY; a release build trusts only tauri.conf.json's). The copy runs as an
//! AppImage would (APPIMAGE names a file standing in for it), the one Linux copy that updates
//! itself. The start's check finds and downloads the update by itself; a download that does not
//! match its signature, a signature for another version, and an older version are refused and
//! nothing changes. Logs and diagnostics: "Open logs folder" runs the desktop's opener (here an
//! `xdg-open` of the test's own, standing in for a file manager, which this display has none of),
//! and "Copy diagnostics" is read back from the X clipboard with xclip.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use fantoccini::{Client, Locator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use userdesk_e2e::{active_store, save_screenshot, wait_for_text, Driver};

/// A button of the window, found by its words.
async fn button(client: &Client, words: &str) -> anyhow::Result<fantoccini::elements::Element> {
    let xpath = format!("//button[normalize-space()='{words}' or @aria-label='{words}']");
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::XPath(&xpath))
        .await
        .with_context(|| format!("no button {words:?}"))
}

/// Waits (up to 60 s) until the update message starts with `start`; answers it.
async fn update_message(client: &Client, start: &str) -> anyhow::Result<String> {
    let mut last = String::new();
    for _ in 0..600 {
        if let Ok(element) = client.find(Locator::Css("#update-message")).await {
            last = element.text().await.unwrap_or_default();
            if last.starts_with(start) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the update message is {last:?}, not {start:?}…")
}

/// The next minor version after this one.
fn newer() -> String {
    let parts: Vec<u64> = userdesk_core::VERSION
        .split('.')
        .map(|part| part.parse().unwrap())
        .collect();
    format!("{}.{}.0", parts[0], parts[1] + 1)
}

/// The Tauri CLI the UI's packages bring, which signs the release workflow's updates.
fn tauri_cli(args: &[&str]) -> anyhow::Result<String> {
    let cli = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/.bin/tauri");
    let output = StdCommand::new(&cli)
        .args(args)
        .output()
        .with_context(|| format!("running {} (make ui-deps)", cli.display()))?;
    if !output.status.success() {
        bail!(
            "tauri {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Signs `file` for `version` with the private key at `key`; answers the signature.
fn sign(key: &Path, file: &Path, version: &str) -> anyhow::Result<String> {
    tauri_cli(&[
        "signer",
        "sign",
        "--private-key-path",
        &key.to_string_lossy(),
        "--password",
        "",
        "--app-version",
        version,
        &file.to_string_lossy(),
    ])?;
    let signature = std::fs::read_to_string(PathBuf::from(format!("{}.sig", file.display())))?;
    std::fs::remove_file(format!("{}.sig", file.display()))?;
    Ok(signature)
}

/// What the update server serves: a manifest and one download.
struct Served {
    manifest: serde_json::Value,
    download: Vec<u8>,
    asked: Vec<String>,
}

/// An update server on 127.0.0.1: `/latest.json` and `/download`; answers its address.
async fn update_server(served: Arc<Mutex<Served>>) -> anyhow::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let served = Arc::clone(&served);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
                let (kind, body) = {
                    let mut served = served.lock().unwrap();
                    served.asked.push(path.clone());
                    match path.as_str() {
                        "/latest.json" => (
                            "application/json",
                            serde_json::to_vec(&served.manifest).unwrap(),
                        ),
                        "/download" => ("application/octet-stream", served.download.clone()),
                        _ => ("text/plain", Vec::new()),
                    }
                };
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let reply = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    Ok(address)
}

fn manifest(address: &str, version: &str, signature: &str) -> serde_json::Value {
    serde_json::json!({
        "version": version,
        "notes": "Faster search.",
        "pub_date": "2026-12-05T10:00:00Z",
        "platforms": {
            "linux-x86_64": { "signature": signature, "url": format!("{address}/download") }
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn updates_are_found_verified_and_a_bad_or_older_one_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 8, 300).await?;
    let keys = tempfile::tempdir()?;
    let key = keys.path().join("userdesk.key");
    tauri_cli(&[
        "signer",
        "generate",
        "--ci",
        "--password",
        "",
        "--write-keys",
        &key.to_string_lossy(),
    ])?;
    let public_key = std::fs::read_to_string(keys.path().join("userdesk.key.pub"))?;
    let next = newer();
    let download: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let file = keys.path().join("Userdesk.AppImage");
    std::fs::write(&file, &download)?;
    let good = sign(&key, &file, &next)?;
    let for_older = sign(&key, &file, "0.0.9")?;

    let served = Arc::new(Mutex::new(Served {
        manifest: serde_json::Value::Null,
        download: download.clone(),
        asked: Vec::new(),
    }));
    let address = update_server(Arc::clone(&served)).await?;
    served.lock().unwrap().manifest = manifest(&address, &next, &good);

    // The copy that would be replaced: an AppImage's file.
    let installed = dir.path().join("Userdesk-installed.AppImage");
    std::fs::write(&installed, b"the installed AppImage")?;
    let endpoint = format!("{address}/latest.json");
    let driver = Driver::start_with(
        dir.path(),
        &[
            ("USERDESK_UPDATE_ENDPOINT", endpoint.as_str()),
            ("USERDESK_UPDATE_PUBKEY", public_key.trim()),
            ("APPIMAGE", &installed.to_string_lossy()),
        ],
    )
    .await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;

    // The start's check, by itself, a few seconds after the table.
    for _ in 0..600 {
        if served
            .lock()
            .unwrap()
            .asked
            .iter()
            .any(|p| p == "/download")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        served.lock().unwrap().asked,
        ["/latest.json", "/download"],
        "the start checks and downloads the newer version"
    );
    button(&client, "Settings").await?.click().await?;
    wait_for_text(
        &client,
        "#about-version",
        &format!("Userdesk {}", userdesk_core::VERSION),
    )
    .await?;
    update_message(
        &client,
        &format!("Userdesk {next} is ready: restart to update."),
    )
    .await?;
    assert!(
        button(&client, "Restart to update")
            .await?
            .is_displayed()
            .await?
    );
    save_screenshot(&client, "settings-update-ready").await?;

    // A download that is not what was signed.
    let mut tampered = download.clone();
    tampered[1000] ^= 0xff;
    served.lock().unwrap().download = tampered;
    button(&client, "Check for updates").await?.click().await?;
    update_message(
        &client,
        &format!(
            "Userdesk {next} was not installed: its download could not be verified (its \
             signature does not match Userdesk's key)."
        ),
    )
    .await?;
    assert!(
        !button(&client, "Restart to update")
            .await?
            .is_displayed()
            .await?
    );

    // An older release's signed download announced as the newer version.
    {
        let mut served = served.lock().unwrap();
        served.download = download.clone();
        served.manifest = manifest(&address, &next, &for_older);
    }
    button(&client, "Check for updates").await?.click().await?;
    update_message(
        &client,
        &format!(
            "Userdesk {next} was not installed: its download could not be verified (it was \
             signed as version 0.0.9, not {next})."
        ),
    )
    .await?;

    // An older version, honestly announced.
    served.lock().unwrap().manifest = manifest(&address, "0.0.9", &for_older);
    button(&client, "Check for updates").await?.click().await?;
    update_message(
        &client,
        &format!(
            "The update server offers 0.0.9, older than this version ({}): an older version is \
             never installed.",
            userdesk_core::VERSION
        ),
    )
    .await?;
    assert!(
        !button(&client, "Restart to update")
            .await?
            .is_displayed()
            .await?
    );
    assert_eq!(
        std::fs::read(&installed)?,
        b"the installed AppImage",
        "nothing was installed"
    );
    client.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_logs_folder_opens_and_the_diagnostics_are_copied() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    active_store(dir.path(), 9, 300).await?;
    // The desktop's opener runs xdg-open: here one that notes what it was asked to open.
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin)?;
    let opened = dir.path().join("opened.txt");
    let opener = bin.join("xdg-open");
    std::fs::write(
        &opener,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
            opened.display()
        ),
    )?;
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&opener)?.permissions(),
        0o755,
    );
    std::fs::set_permissions(&opener, std::os::unix::fs::PermissionsExt::from_mode(0o755))?;
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let driver = Driver::start_with(dir.path(), &[("PATH", path.as_str())]).await?;
    let client = driver.open_app().await?;
    wait_for_text(&client, "#count", "300 users").await?;
    let email = client
        .find(Locator::Css(".row[data-id] .cell-email"))
        .await?
        .text()
        .await?;
    assert!(email.contains('@'), "{email}");

    button(&client, "Settings").await?.click().await?;
    update_message(&client, "Built from source: a newer build is the update.").await?;
    button(&client, "Open logs folder").await?.click().await?;
    let logs = dir.path().join("logs");
    let mut asked = String::new();
    for _ in 0..100 {
        asked = std::fs::read_to_string(&opened).unwrap_or_default();
        if !asked.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(asked.trim(), logs.to_string_lossy());
    // The window reports its first rows a frame after they are drawn: the log line may follow
    // the rows by a moment.
    let mut log = String::new();
    for _ in 0..200 {
        log = std::fs::read_dir(&logs)?
            .map(|entry| std::fs::read_to_string(entry?.path()))
            .collect::<Result<_, _>>()?;
        if log.contains("the first rows are shown") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(log.contains("Userdesk starts"), "{log}");
    assert!(log.contains("the first rows are shown"), "{log}");

    button(&client, "Copy diagnostics").await?.click().await?;
    wait_for_text(
        &client,
        "#about-note",
        "Diagnostics copied: paste them into your message to support. They hold no token and no \
         customer's data.",
    )
    .await?;
    let pasted = StdCommand::new("xclip")
        .args(["-selection", "clipboard", "-out"])
        .output()
        .context("xclip (Debian package xclip)")?;
    let text = String::from_utf8_lossy(&pasted.stdout);
    assert!(
        text.starts_with(&format!("Userdesk {}\n", userdesk_core::VERSION)),
        "{text}"
    );
    assert!(text.contains("Store: 300 customers"), "{text}");
    assert!(text.contains("Installation: built from source"), "{text}");
    assert!(
        text.contains(&format!("Logs: {}", logs.display())),
        "{text}"
    );
    assert!(
        !text.contains(email.trim()),
        "a customer's e-mail in:\n{text}"
    );
    client.close().await?;
    Ok(())
}
