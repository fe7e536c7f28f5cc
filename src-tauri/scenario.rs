//! The scenario the UI's test double is held to: calls of the window's commands answered by the
//! real `AppCore` on a demo store, recorded in `ui/src/testing/scenario.json` (checked for
//! staleness like the bindings). `ui/src/scenario.test.ts` replays the same calls on the test
//! double, seeded with the same customers, and expects the same answers, so the double cannot
//! drift from the core in what the scenario covers: listing, search, every sort, paging by cursor
//! and by offset, filters, counts, Details, refused edits, properties and their values, segments
//! by rules and by hand, the table filtered to a segment. Ids the core mints during the
//! scenario are recorded as placeholders (`00000000-0000-7000-8000-…`, in order of appearance),
//! which the replay binds to the ids the double mints. Notes, export and delete requests, Active
//! and Archive jobs (scheduled, refused, cancelled, fired) and Delete follow, on a clock the
//! scenario sets (`@clock` marks where it moves and the jobs due fire), so their times are the
//! same on every run.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use userdesk_core::{AppCore, Clock, Keychain, Notifier, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::JobView;
use userdesk_model::Profile;

/// The moment the demo customers are generated around (they were all seen before it).
const ANCHOR: &str = "2026-11-28T12:00:00Z";

/// Jobs fire in the scenario without a notification.
struct Quiet;

impl Notifier for Quiet {
    fn job_completed(&self, _: &JobView) -> Result<(), String> {
        Ok(())
    }
}

/// Moves the scenario's clock to `at` and fires the jobs due by then, as the app's timer would;
/// recorded as an `@clock` call answered by what the completed jobs' notifications say.
async fn move_clock(core: &AppCore, clock: &Clock, at: DateTime<Utc>) -> Value {
    clock.set(at);
    let done = core.run_due_jobs_at(at, &Quiet).await.unwrap();
    let summaries: Vec<String> = done.iter().map(JobView::summary).collect();
    json!({ "command": "@clock", "args": { "now": at }, "answer": summaries })
}

/// One call as the window makes it (through the same command body), and what the core answered.
async fn call(core: &Arc<AppCore>, command: &str, args: Value) -> Value {
    match crate::commands::dispatch(core, command, &args).await {
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
    // The scenario's own clock: notes, requests and jobs carry the same times on every run.
    let start: DateTime<Utc> = "2026-12-01T09:30:00Z".parse().unwrap();
    let clock = Clock::manual(start);
    let options = OpenOptions {
        sqlite_search_only: true,
        keychain: Some(Keychain::in_memory()),
        clock: Some(clock.clone()),
        ..OpenOptions::default()
    };
    let core = Arc::new(
        AppCore::open(&dir.path().join("userdesk.sqlite3"), options)
            .await
            .unwrap(),
    );
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

    // Notes: written, refused, edited, deleted; their times by the clock.
    let noted = profiles[0].id;
    let body = json!({ "profileId": noted, "body": "Called about the invoice; pays on Friday." });
    calls.push(call(&core, "add_note", body).await);
    let note = calls[calls.len() - 1]["answer"]["id"].clone();
    calls.push(move_clock(&core, &clock, start + Duration::minutes(5)).await);
    let body = json!({ "profileId": noted, "body": "Prefers email to calls." });
    calls.push(call(&core, "add_note", body).await);
    let second = calls[calls.len() - 1]["answer"]["id"].clone();
    for refused in ["   ".to_string(), "ü".repeat(10_001)] {
        let body = json!({ "profileId": noted, "body": refused });
        calls.push(call(&core, "add_note", body).await);
    }
    calls.push(move_clock(&core, &clock, start + Duration::minutes(9)).await);
    let edit = json!({ "noteId": note, "body": "Paid on Friday." });
    calls.push(call(&core, "edit_note", edit).await);
    calls.push(call(&core, "edit_note", json!({ "noteId": note, "body": "" })).await);
    calls.push(call(&core, "notes", json!({ "profileId": noted })).await);
    calls.push(call(&core, "delete_note", json!({ "noteId": second })).await);
    calls.push(call(&core, "notes", json!({ "profileId": noted })).await);
    calls.push(call(&core, "notes", json!({ "profileId": profiles[1].id })).await);

    // Export and delete requests.
    let asked = profiles[1].id;
    for kind in ["export", "delete"] {
        let args = json!({ "profileId": asked, "kind": kind });
        calls.push(call(&core, "request_data", args).await);
    }
    calls.push(call(&core, "data_requests", json!({ "profileId": asked })).await);
    calls.push(
        call(
            &core,
            "data_requests",
            json!({ "profileId": profiles[2].id }),
        )
        .await,
    );

    // Active and Archive after the delay; cancelled, refused, and fired when the clock passes
    // their time.
    calls.push(call(&core, "job_delay", json!({})).await);
    calls.push(call(&core, "set_job_delay", json!({ "seconds": 700_000 })).await);
    calls.push(call(&core, "set_job_delay", json!({ "seconds": 600 })).await);
    let picked = json!({ "kind": "ids", "ids": [profiles[7].id, profiles[8].id, profiles[7].id] });
    let args = json!({ "action": "archive", "selection": picked });
    calls.push(call(&core, "schedule_job", args).await);
    let archive = calls[calls.len() - 1]["answer"]["id"].clone();
    calls.push(move_clock(&core, &clock, start + Duration::minutes(10)).await);
    let archived = json!({ "kind": "filter", "filter":
        { "lastSeen": "any", "search": "", "status": "archived" } });
    let args = json!({ "action": "activate", "selection": archived });
    calls.push(call(&core, "schedule_job", args).await);
    let activate = calls[calls.len() - 1]["answer"]["id"].clone();
    let nobody = json!({ "action": "archive", "selection": { "kind": "ids", "ids": [] } });
    calls.push(call(&core, "schedule_job", nobody).await);
    calls.push(call(&core, "jobs", json!({})).await);
    calls.push(call(&core, "cancel_job", json!({ "id": activate })).await);
    calls.push(call(&core, "cancel_job", json!({ "id": activate })).await);
    calls.push(call(&core, "jobs", json!({})).await);
    calls.push(move_clock(&core, &clock, start + Duration::minutes(20)).await);
    calls.push(call(&core, "jobs", json!({})).await);
    calls.push(call(&core, "cancel_job", json!({ "id": archive })).await);
    let of_job = json!({ "lastSeen": "any", "search": "", "job": archive });
    let listed = request(of_job.clone(), "username", "asc", 20);
    calls.push(call(&core, "list_profiles", listed).await);
    calls.push(call(&core, "count_profiles", json!({ "filter": of_job })).await);

    // The Details window's Active option, and Delete.
    let args = json!({ "id": profiles[10].id, "active": false });
    calls.push(call(&core, "set_profile_active", args).await);
    // Undo takes it back, then what came before it; with nothing left it says so.
    calls.push(call(&core, "undo_available", json!({})).await);
    calls.push(call(&core, "undo", json!({})).await);
    calls.push(call(&core, "profile_details", json!({ "id": profiles[10].id })).await);
    calls.push(call(&core, "undo", json!({})).await);
    calls.push(call(&core, "undo_available", json!({})).await);
    let gone = json!({ "kind": "ids", "ids": [profiles[9].id] });
    calls.push(call(&core, "delete_profiles", json!({ "selection": gone })).await);
    calls.push(call(&core, "profile_details", json!({ "id": profiles[9].id })).await);
    calls.push(call(&core, "count_profiles", json!({ "filter": filter("") })).await);
    // Delete moved the customer to the Trash; Undo brings them back, and a second Delete puts
    // them there again, with another, for Restore and Delete forever.
    let page = json!({ "query": { "offset": 0, "limit": 50 } });
    calls.push(call(&core, "trash", page.clone()).await);
    calls.push(call(&core, "undo_available", json!({})).await);
    calls.push(call(&core, "undo", json!({})).await);
    calls.push(call(&core, "trash", page.clone()).await);
    let two = json!({ "kind": "ids", "ids": [profiles[9].id, profiles[8].id] });
    calls.push(call(&core, "delete_profiles", json!({ "selection": two })).await);
    calls.push(call(&core, "trash", page.clone()).await);
    let first = json!({ "kind": "ids", "ids": [profiles[9].id] });
    calls.push(
        call(
            &core,
            "restore_profiles",
            json!({ "selection": first.clone() }),
        )
        .await,
    );
    calls.push(call(&core, "restore_profiles", json!({ "selection": first })).await);
    calls.push(
        call(
            &core,
            "delete_forever",
            json!({ "selection": { "kind": "all" } }),
        )
        .await,
    );
    calls.push(call(&core, "trash", page.clone()).await);
    calls.push(
        call(
            &core,
            "restore_profiles",
            json!({ "selection": { "kind": "all" } }),
        )
        .await,
    );
    calls.push(
        call(
            &core,
            "trash",
            json!({ "query": { "offset": 0, "limit": 0 } }),
        )
        .await,
    );
    calls.push(call(&core, "count_profiles", json!({ "filter": filter("") })).await);
    // History: without a sign-in, the edits made here, the latest first; Put back sets a value
    // from it again.
    let edited = json!({ "id": profiles[11].id, "patch": { "location": "Leeds", "phone": "" } });
    calls.push(call(&core, "patch_profile", edited).await);
    calls.push(call(&core, "profile_history", json!({ "id": profiles[11].id })).await);
    let back = json!({
        "id": profiles[11].id,
        "putBack": { "kind": "field", "field": "location", "value": profiles[11].location },
    });
    calls.push(call(&core, "put_back", back).await);
    calls.push(call(&core, "profile_history", json!({ "id": profiles[11].id })).await);
    calls.push(call(&core, "profile_history", json!({ "id": profiles[9].id })).await);

    let scenario = json!({
        "timeZone": "Europe/Berlin",
        "now": start,
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
