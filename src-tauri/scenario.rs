//! The scenario the UI's test double is held to: calls of the window's commands answered by the
//! real `AppCore` on a demo store, recorded in `ui/src/testing/scenario.json` (checked for
//! staleness like the bindings). `ui/src/scenario.test.ts` replays the same calls on the test
//! double, seeded with the same customers, and expects the same answers, so the double cannot
//! drift from the core in what the scenario covers: listing, search, every sort, paging by cursor
//! and by offset, filters, counts, Details, refused edits, properties and their values, segments
//! by rules and by hand, and the table filtered to a segment. Ids the core mints during the
//! scenario are recorded as placeholders (`00000000-0000-7000-8000-…`, in order of appearance),
//! which the replay binds to the ids the double mints. Jobs are not in it: their times are the
//! clock's.

use serde_json::{json, Value};
use userdesk_core::{AppCore, Keychain, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::{
    ApiError, ListRequest, Profile, ProfileFilter, ProfileId, ProfilePatch, PropertyDraft,
    PropertyId, PropertySort, SegmentDraft, SegmentId, SortDirection,
};

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
            "properties" => {
                let search: String = serde_json::from_value(field("search")).unwrap();
                let sort: PropertySort = serde_json::from_value(field("sort")).unwrap();
                let direction: SortDirection = serde_json::from_value(field("direction")).unwrap();
                json!(core.properties(&search, sort, direction).await?)
            }
            "create_property" => {
                let draft: PropertyDraft = serde_json::from_value(field("draft")).unwrap();
                json!(core.create_property(draft).await?)
            }
            "set_profile_property" => {
                let profile: ProfileId = serde_json::from_value(field("profileId")).unwrap();
                let property: PropertyId = serde_json::from_value(field("propertyId")).unwrap();
                let value: Option<String> = serde_json::from_value(field("value")).unwrap();
                json!(
                    core.set_profile_property(profile, property, value.as_deref())
                        .await?
                )
            }
            "profile_properties" => {
                let profile: ProfileId = serde_json::from_value(field("profileId")).unwrap();
                json!(core.profile_properties(profile).await?)
            }
            "segments" => {
                let search: String = serde_json::from_value(field("search")).unwrap();
                json!(core.segments(&search).await?)
            }
            "create_segment" => {
                let draft: SegmentDraft = serde_json::from_value(field("draft")).unwrap();
                let members: Vec<ProfileId> = serde_json::from_value(field("members")).unwrap();
                json!(core.create_segment(draft, &members).await?)
            }
            "update_segment" => {
                let id: SegmentId = serde_json::from_value(field("id")).unwrap();
                let draft: SegmentDraft = serde_json::from_value(field("draft")).unwrap();
                json!(core.update_segment(id, draft).await?)
            }
            "profile_segments" => {
                let profile: ProfileId = serde_json::from_value(field("profileId")).unwrap();
                json!(core.profile_segments(profile).await?)
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

    // Properties: created (or refused), a value checked against its format, listed.
    let plan_draft = json!({ "name": "Plan", "description": "The subscription", "format": "choice",
        "choices": ["Free", "Pro", "Enterprise"] });
    calls.push(call(&core, "create_property", json!({ "draft": plan_draft })).await);
    let plan = calls[calls.len() - 1]["answer"]["id"].clone();
    for refused in [
        json!({ "name": "  ", "description": "", "format": "text", "choices": [] }),
        json!({ "name": "Tier", "description": "", "format": "choice", "choices": [] }),
        json!({ "name": "plan", "description": "", "format": "number", "choices": [] }),
    ] {
        calls.push(call(&core, "create_property", json!({ "draft": refused })).await);
    }
    let seats_draft =
        json!({ "name": "Seats", "description": "", "format": "number", "choices": [] });
    calls.push(call(&core, "create_property", json!({ "draft": seats_draft })).await);
    let seats = calls[calls.len() - 1]["answer"]["id"].clone();
    for direction in ["asc", "desc"] {
        let args = json!({ "search": "", "sort": "name", "direction": direction });
        calls.push(call(&core, "properties", args).await);
    }
    for (i, value) in [(0, "Pro"), (1, "Pro"), (2, "Enterprise"), (3, "Gold")] {
        let args = json!({ "profileId": profiles[i].id, "propertyId": plan, "value": value });
        calls.push(call(&core, "set_profile_property", args).await);
    }
    for (i, value) in [(0, "12"), (1, "twelve"), (2, "3.5")] {
        let args = json!({ "profileId": profiles[i].id, "propertyId": seats, "value": value });
        calls.push(call(&core, "set_profile_property", args).await);
    }
    let cleared = json!({ "profileId": profiles[2].id, "propertyId": seats, "value": null });
    calls.push(call(&core, "set_profile_property", cleared).await);
    let first = json!({ "profileId": profiles[0].id });
    calls.push(call(&core, "profile_properties", first).await);

    // Segments: by a rule, by hand, refused, renamed; the table filtered to one.
    let pro = json!({ "name": "Pro customers", "description": "", "rules": [
        { "rule": "property", "property_id": plan, "operator": "equals", "value": "Pro" } ] });
    calls.push(
        call(
            &core,
            "create_segment",
            json!({ "draft": pro, "members": [] }),
        )
        .await,
    );
    let pro_id = calls[calls.len() - 1]["answer"]["id"].clone();
    let picked = json!({ "name": "VIP", "description": "Hand-picked", "rules": [] });
    let members = json!([profiles[5].id, profiles[6].id, profiles[5].id]);
    let args = json!({ "draft": picked, "members": members });
    calls.push(call(&core, "create_segment", args).await);
    let archived = json!({ "name": "Archived big", "description": "", "rules": [
        { "rule": "status", "status": "archived" },
        { "rule": "property", "property_id": seats, "operator": "is_not_set", "value": "" } ] });
    let args = json!({ "draft": archived, "members": [] });
    calls.push(call(&core, "create_segment", args).await);
    let empty_name = json!({ "name": "", "description": "", "rules": [] });
    let args = json!({ "draft": empty_name, "members": [] });
    calls.push(call(&core, "create_segment", args).await);
    let renamed = json!({ "name": "Pro plan", "description": "Renamed", "rules": [
        { "rule": "property", "property_id": plan, "operator": "equals", "value": "Pro" } ] });
    let args = json!({ "id": pro_id, "draft": renamed });
    calls.push(call(&core, "update_segment", args).await);
    calls.push(call(&core, "segments", json!({ "search": "" })).await);
    calls.push(call(&core, "segments", json!({ "search": "pro" })).await);
    let first = json!({ "profileId": profiles[0].id });
    calls.push(call(&core, "profile_segments", first).await);
    let in_segment = json!({ "lastSeen": "any", "search": "", "segment": pro_id });
    let listed = request(in_segment.clone(), "username", "asc", 20);
    calls.push(call(&core, "list_profiles", listed).await);
    calls.push(call(&core, "count_profiles", json!({ "filter": in_segment })).await);

    let scenario = json!({
        "timeZone": "Europe/Berlin",
        "profiles": profiles,
        "calls": calls,
    });
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/testing/scenario.json");
    let mut text = serde_json::to_string_pretty(&scenario).unwrap();
    // Ids minted during the scenario change from run to run: recorded as placeholders, in the
    // order they first appear.
    let known: Vec<String> = profiles.iter().map(|p| p.id.to_string()).collect();
    let mut minted = Vec::new();
    for call in &calls {
        collect_ids(&call["answer"], &known, &mut minted);
    }
    for (n, id) in minted.iter().enumerate() {
        text = text.replace(id, &format!("00000000-0000-7000-8000-{:012}", n + 1));
    }
    text.push('\n');
    std::fs::write(path, text).unwrap();
}

/// The values of `id` fields in `value` that are not among `known`, in order, once each.
fn collect_ids(value: &Value, known: &[String], into: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                if let (true, Some(id)) = (key == "id", field.as_str()) {
                    if !known.iter().any(|k| k == id) && !into.iter().any(|m| m == id) {
                        into.push(id.to_string());
                    }
                }
                collect_ids(field, known, into);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_ids(v, known, into)),
        _ => {}
    }
}
