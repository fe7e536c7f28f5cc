//! The scenario the UI's test double is held to: calls of the window's commands answered by the
//! real `AppCore` on a demo store, recorded in `ui/src/testing/scenario.json` (checked for
//! staleness like the bindings). `ui/src/scenario.test.ts` replays the same calls on the test
//! double, seeded with the same customers, and expects the same answers, so the double cannot
//! drift from the core in what the scenario covers: listing, search, every sort, paging by cursor
//! and by offset, filters, counts, Details, and refused edits.

use serde_json::{json, Value};
use userdesk_core::{AppCore, Keychain, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::{ApiError, ListRequest, Profile, ProfileFilter, ProfileId, ProfilePatch};

/// The moment the demo customers are generated around (they were all seen before it).
const ANCHOR: &str = "2026-11-28T12:00:00Z";

/// One call as the window makes it, and what the core answered.
async fn call(core: &AppCore, command: &str, args: Value) -> Value {
    let answer: Result<Value, ApiError> = async {
        let field = |name: &str| args[name].clone();
        Ok(match command {
            "list_profiles" => {
                let request: ListRequest = serde_json::from_value(field("request")).unwrap();
                json!(core.list_profiles(&request).await?)
            }
            "count_profiles" => {
                let filter: ProfileFilter = serde_json::from_value(field("filter")).unwrap();
                json!(core.count_profiles(&filter).await?)
            }
            "profile_details" => {
                let id: ProfileId = serde_json::from_value(field("id")).unwrap();
                json!(core.profile_details(id).await?)
            }
            "patch_profile" => {
                let id: ProfileId = serde_json::from_value(field("id")).unwrap();
                let patch: ProfilePatch = serde_json::from_value(field("patch")).unwrap();
                json!(core.patch_profile(id, patch).await?)
            }
            other => panic!("the scenario has no command {other}"),
        })
    }
    .await;
    match answer {
        Ok(answer) => json!({ "command": command, "args": args, "answer": answer }),
        Err(error) => json!({ "command": command, "args": args, "error": error }),
    }
}

fn request(filter: Value, column: &str, direction: &str, limit: u32) -> Value {
    json!({
        "request": {
            "filter": filter,
            "sort": { "column": column, "direction": direction },
            "offset": 0,
            "limit": limit,
        }
    })
}

fn filter(search: &str) -> Value {
    json!({ "lastSeen": "any", "search": search })
}

#[tokio::test]
async fn the_ui_scenario_is_recorded_from_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let options = OpenOptions {
        sqlite_search_only: true,
        keychain: Some(Keychain::in_memory()),
        ..OpenOptions::default()
    };
    let core = AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
        .await
        .unwrap();
    core.set_time_zone("Europe/Berlin").await.unwrap();
    let profiles: Vec<Profile> = DemoProfiles::new(2026, ANCHOR.parse().unwrap())
        .take(60)
        .collect();
    core.store().insert_profiles(&profiles).await.unwrap();

    let mut calls = Vec::new();
    for column in [
        "username", "email", "phone", "location", "created", "lastSeen", "sessions", "status",
    ] {
        for direction in ["asc", "desc"] {
            calls.push(
                call(
                    &core,
                    "list_profiles",
                    request(filter(""), column, direction, 15),
                )
                .await,
            );
        }
    }
    // The next page, by the cursor the first one ended on.
    let first = &calls[0]["answer"]["next"];
    let mut next = request(filter(""), "username", "asc", 15);
    next["request"]["after"] = first.clone();
    calls.push(call(&core, "list_profiles", next).await);
    // A jump of the scroll bar.
    let mut jump = request(filter(""), "lastSeen", "desc", 10);
    jump["request"]["offset"] = json!(25);
    calls.push(call(&core, "list_profiles", jump).await);
    for search in ["an", "MÜ", "gmail", "+49", "0151", "nobody-matches-this"] {
        calls.push(
            call(
                &core,
                "list_profiles",
                request(filter(search), "username", "asc", 20),
            )
            .await,
        );
        calls.push(call(&core, "count_profiles", json!({ "filter": filter(search) })).await);
    }
    for narrowed in [
        json!({ "lastSeen": "any", "search": "", "status": "archived" }),
        json!({ "lastSeen": "any", "search": "", "kind": "anonymous" }),
        json!({ "lastSeen": "any", "search": "", "platform": "whats_app" }),
        json!({ "lastSeen": "any", "search": "a", "status": "active", "kind": "registered" }),
    ] {
        calls.push(
            call(
                &core,
                "list_profiles",
                request(narrowed.clone(), "created", "desc", 20),
            )
            .await,
        );
        calls.push(call(&core, "count_profiles", json!({ "filter": narrowed })).await);
    }
    let id = profiles[3].id;
    calls.push(call(&core, "profile_details", json!({ "id": id })).await);
    for patch in [
        json!({ "email": "not an email" }),
        json!({ "phone": "12" }),
        json!({ "firstName": "Ada", "phone": "+44 20 7946 0958" }),
    ] {
        calls.push(call(&core, "patch_profile", json!({ "id": id, "patch": patch })).await);
    }
    calls.push(
        call(
            &core,
            "list_profiles",
            request(filter("ada"), "username", "asc", 20),
        )
        .await,
    );

    let scenario = json!({
        "timeZone": "Europe/Berlin",
        "profiles": profiles,
        "calls": calls,
    });
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/testing/scenario.json");
    let mut text = serde_json::to_string_pretty(&scenario).unwrap();
    text.push('\n');
    std::fs::write(path, text).unwrap();
}
