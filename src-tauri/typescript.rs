//! The UI's TypeScript client, made from the list of commands: the `Backend` interface (a method
//! per command, named in camelCase, its arguments and answer typed as ts-rs names the model's
//! types in `ui/src/bindings`) and `tauriBackend`, which invokes the commands. `cargo test` writes it to
//! `ui/src/bindings/commands.ts`; `make unit` fails if the committed file differs.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::commands::{camel, specs, CommandSpec};

/// The TypeScript type of a Rust type as the list writes it: the model's types keep their names
/// (ts-rs exports them under those names), the standard ones become TypeScript's.
fn ts_type(rust: &str) -> String {
    let rust: String = rust.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = |prefix: &str| {
        rust.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('>'))
            .map(ts_type)
    };
    if let Some(item) = inner("Vec<") {
        return format!("Array<{item}>");
    }
    if let Some(item) = inner("Option<") {
        return format!("{item} | null");
    }
    match rust.as_str() {
        "String" | "&str" => "string".to_string(),
        // Counts and seconds: JSON numbers, well inside a double's exact range.
        "u64" | "u32" | "usize" | "i64" | "i32" | "f64" => "number".to_string(),
        "bool" => "boolean".to_string(),
        "()" => "void".to_string(),
        _ => rust,
    }
}

/// The binding types a TypeScript type names (those that are not TypeScript's own).
fn named_types(ts: &str, into: &mut BTreeSet<String>) {
    for word in ts.split(|c: char| !c.is_ascii_alphanumeric()) {
        let builtin = matches!(word, "Array" | "Promise" | "Record" | "Uint8Array");
        if word.starts_with(|c: char| c.is_ascii_uppercase()) && !builtin {
            into.insert(word.to_string());
        }
    }
}

fn docs(out: &mut String, lines: &[&str]) {
    match lines {
        [] => {}
        [line] => {
            let _ = writeln!(out, "  /**{line} */");
        }
        _ => {
            out.push_str("  /**\n");
            for line in lines {
                let _ = writeln!(out, "   *{line}");
            }
            out.push_str("   */\n");
        }
    }
}

fn params(spec: &CommandSpec) -> String {
    match spec.raw {
        Some((params, _)) => params.to_string(),
        None => spec
            .args
            .iter()
            .map(|(name, rust)| format!("{}: {}", camel(name), ts_type(rust)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn invoke_args(spec: &CommandSpec) -> String {
    match spec.raw {
        Some((_, invoke)) => invoke.to_string(),
        None => {
            let names: Vec<String> = spec.args.iter().map(|(n, _)| camel(n)).collect();
            format!("{{ {} }}", names.join(", ")).replace("{  }", "{}")
        }
    }
}

fn lambda_params(spec: &CommandSpec) -> String {
    match spec.raw {
        Some((params, _)) => params
            .split(',')
            .filter_map(|p| p.split(':').next())
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(", "),
        None => spec
            .args
            .iter()
            .map(|(n, _)| camel(n))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The whole file.
pub fn client() -> String {
    let specs = specs();
    let mut types = BTreeSet::new();
    for spec in &specs {
        named_types(&params(spec), &mut types);
        named_types(&ts_type(spec.answer), &mut types);
    }
    let mut out = String::from(
        "// Generated from src-tauri/command_list.rs by `cargo test` (src-tauri/typescript.rs). Do not edit.\n\n\
         import { invoke } from '@tauri-apps/api/core';\n\n",
    );
    for name in &types {
        let _ = writeln!(out, "import type {{ {name} }} from './{name}';");
    }
    out.push_str("\n/** The Rust core as the UI sees it: one method per Tauri command. */\nexport interface Backend {\n");
    for spec in &specs {
        docs(&mut out, spec.docs);
        let _ = writeln!(
            out,
            "  {}({}): Promise<{}>;",
            camel(spec.name),
            params(spec),
            ts_type(spec.answer)
        );
    }
    out.push_str("}\n\n/** The real backend: the commands of the Tauri shell. */\nexport const tauriBackend: Backend = {\n");
    for spec in &specs {
        let _ = writeln!(
            out,
            "  {}: ({}) => invoke<{}>('{}', {}),",
            camel(spec.name),
            lambda_params(spec),
            ts_type(spec.answer),
            spec.name,
            invoke_args(spec)
        );
    }
    out.push_str("};\n\n/** Every command's name, as the window's capability allows it. */\nexport const COMMANDS = [\n");
    for spec in &specs {
        let _ = writeln!(out, "  '{}',", spec.name);
    }
    out.push_str("] as const;\n\n");
    out.push_str(
        "/** Calls the JSON command `command` on `backend` with `args` keyed as `invoke` passes them:\n \
         * the scenario recorded from the core is replayed on the test double through this. */\n\
         export function callCommand(\n  backend: Backend,\n  command: string,\n  \
         args: Readonly<Record<string, unknown>>,\n): Promise<unknown> {\n  switch (command) {\n",
    );
    for spec in specs.iter().filter(|spec| spec.raw.is_none()) {
        let args: Vec<String> = spec
            .args
            .iter()
            .map(|(name, rust)| format!("args['{}'] as {}", camel(name), ts_type(rust)))
            .collect();
        let _ = writeln!(
            out,
            "    case '{}':\n      return backend.{}({});",
            spec.name,
            camel(spec.name),
            args.join(", ")
        );
    }
    out.push_str(
        "    default:\n      return Promise.reject(new Error(`no JSON command ${command}`));\n  }\n}\n",
    );
    out
}

#[test]
fn the_typescript_client_is_written_from_the_commands() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/bindings/commands.ts");
    let client = client();
    assert!(client.contains("listProfiles(request: ListRequest): Promise<ProfilePage>;"));
    assert!(client.contains("invoke<void>('back_online', {})"));
    std::fs::write(&path, client).unwrap();
}

#[test]
fn rust_types_are_named_as_typescript_names_them() {
    assert_eq!(ts_type("Vec<String>"), "Array<string>");
    assert_eq!(ts_type("Option < String >"), "string | null");
    assert_eq!(
        ts_type("Vec<ProfilePropertyView>"),
        "Array<ProfilePropertyView>"
    );
    assert_eq!(ts_type("u64"), "number");
    assert_eq!(ts_type("()"), "void");
}

#[test]
fn names_are_camel_cased_as_tauri_names_arguments() {
    assert_eq!(camel("list_profiles"), "listProfiles");
    assert_eq!(camel("profile_id"), "profileId");
    assert_eq!(camel("search"), "search");
}
