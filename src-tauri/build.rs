//! Tauri's build step, given the app's commands from `command_list.rs`: each gets a permission,
//! and the main window's capability allows exactly those.

use std::path::PathBuf;

/// Reads the one list of commands for their names alone (types and bodies are not compiled here).
macro_rules! commands {
    (
        json {$(
            $(#[doc = $doc:literal])*
            $name:ident ( $($args:tt)* ) -> $answer:ty $body:block
        )*}
        raw {$(
            $(#[doc = $rdoc:literal])*
            $rname:ident ( $($rargs:tt)* ) -> $ranswer:ty as $params:literal => $invoke:literal
                $rbody:block
        )*}
    ) => {
        &[$(stringify!($name),)* $(stringify!($rname),)*]
    };
}

const COMMANDS: &[&str] = include!("command_list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src-tauri/command_list.rs");
    let capabilities = match write_capability() {
        Ok(dir) => dir,
        Err(error) => panic!("the window's capability could not be written: {error}"),
    };
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    // Tauri keeps the pattern for the whole build step, which is the whole of this program.
    let pattern: &'static str = Box::leak(format!("{}/*.json", capabilities.display()).into());
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern(pattern)
        .app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri build step failed: {error:#}");
    }
}

/// The main window's capability, allowing every command of the list and nothing else, written
/// to the build's output folder.
fn write_capability() -> std::io::Result<PathBuf> {
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(std::io::Error::other)?);
    let dir = out.join("capabilities");
    std::fs::create_dir_all(&dir)?;
    let permissions: Vec<String> = COMMANDS
        .iter()
        .map(|name| format!("allow-{}", name.replace('_', "-")))
        .collect();
    let capability = serde_json::json!({
        "identifier": "main-window",
        "description": "The All users window: Userdesk's own commands, nothing else.",
        "windows": ["main"],
        "permissions": permissions,
    });
    std::fs::write(
        dir.join("main-window.json"),
        serde_json::to_string_pretty(&capability).map_err(std::io::Error::other)?,
    )?;
    Ok(dir)
}
