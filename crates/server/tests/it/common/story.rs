//! The test story every storage implementation must pass, through the real HTTP API.

use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use serde_json::{json, Value};
use userdesk_model::sync::{ClientId, Entity, Mutation, Op, PatchOp, Tombstone};
use userdesk_model::{
    DataRequestKind, DataRequestState, ErrorCode, Field, NoteId, ProfileId, ProfilePatch,
    ProfileStatus, PropertyDefinition, PropertyFormat, PropertyId, RequestId, Segment, SegmentId,
    SegmentRule,
};
use userdesk_server::http::Limits;
use userdesk_server::rate_limit::RateLimit;

use super::{Backend, TestServer};

/// Generates the story's tests once per storage: `sqlite::step` for each step, and
/// `postgres::step`, marked ignored because it needs a database, run with `--include-ignored`
/// where USERDESK_TEST_POSTGRES_URL names one (asked to run without it, each fails and says so).
#[macro_export]
macro_rules! story_tests {
    ($($name:ident),* $(,)?) => {
        /// The story on SQLite, the default storage.
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::story::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }

        /// The story on PostgreSQL.
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: USERDESK_TEST_POSTGRES_URL (make server-postgres)"]
                async fn $name() {
                    $crate::common::story::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}

fn puts(ops: &[PatchOp]) -> Vec<&Entity> {
    ops.iter()
        .filter_map(|op| match op {
            PatchOp::Put(entity) => Some(entity),
            PatchOp::Delete(_) => None,
        })
        .collect()
}

fn deletes(ops: &[PatchOp]) -> Vec<&Tombstone> {
    ops.iter()
        .filter_map(|op| match op {
            PatchOp::Delete(t) => Some(t),
            PatchOp::Put(_) => None,
        })
        .collect()
}

fn segment(name: &str) -> Segment {
    Segment {
        id: SegmentId::new(),
        name: name.into(),
        description: "Customers worth a call".into(),
        rules: vec![SegmentRule::Status {
            status: ProfileStatus::Active,
        }],
    }
}

/// A customer's picture as an app sends it: a 256×256 PNG, base64.
fn picture() -> String {
    use base64::Engine as _;
    let image = image::RgbaImage::from_pixel(256, 256, image::Rgba([30, 120, 200, 255]));
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(png)
}

pub async fn each_mutation_kind_is_applied_and_pulled(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let p = &server.a.profiles;
    let tier = PropertyDefinition {
        id: PropertyId::new(),
        name: "Tier".into(),
        description: "Support plan".into(),
        format: PropertyFormat::Choice,
        choices: vec!["gold".into(), "silver".into()],
    };
    let scratch = PropertyDefinition {
        id: PropertyId::new(),
        name: "Scratch".into(),
        description: String::new(),
        format: PropertyFormat::Number,
        choices: vec![],
    };
    let (kept_note, gone_note) = (NoteId::new(), NoteId::new());
    let (vip, old) = (segment("VIP"), segment("Old"));
    let mut vip_renamed = vip.clone();
    vip_renamed.name = "VIP customers".into();
    let (export, erase) = (RequestId::new(), RequestId::new());
    let ops = vec![
        Op::ProfilePatch {
            profile_id: p[0],
            patch: ProfilePatch {
                email: Some(" ada@example.com ".into()),
                phone: Some("+44 20 7946 0958".into()),
                ..Default::default()
            },
            base: None,
        },
        Op::ProfileSetStatus {
            profile_id: p[1],
            status: ProfileStatus::Archived,
        },
        Op::ProfileTrash {
            profile_ids: vec![p[1], p[5]],
        },
        Op::ProfileRestore {
            profile_ids: vec![p[5]],
        },
        Op::ProfileDelete { profile_id: p[2] },
        Op::ProfileSetPicture {
            profile_id: p[0],
            png: Some(picture()),
        },
        Op::ProfileSetPicture {
            profile_id: p[3],
            png: Some(picture()),
        },
        Op::ProfileSetPicture {
            profile_id: p[3],
            png: None,
        },
        Op::PropertyDefine {
            property: tier.clone(),
        },
        Op::PropertyDefine {
            property: scratch.clone(),
        },
        Op::PropertySet {
            profile_id: p[0],
            property_id: tier.id,
            value: Some("gold".into()),
        },
        Op::PropertyDelete {
            property_id: scratch.id,
        },
        Op::NoteCreate {
            note_id: kept_note,
            profile_id: p[0],
            body: "Called about the invoice".into(),
        },
        Op::NoteUpdate {
            note_id: kept_note,
            body: "Called about the invoice; solved".into(),
        },
        Op::NoteCreate {
            note_id: gone_note,
            profile_id: p[0],
            body: "typo".into(),
        },
        Op::NoteDelete { note_id: gone_note },
        Op::SegmentCreate {
            segment: vip.clone(),
            members: vec![p[0], p[3]],
        },
        Op::SegmentUpdate {
            segment: vip_renamed.clone(),
        },
        Op::SegmentAddMembers {
            segment_id: vip.id,
            profile_ids: vec![p[4], p[5]],
        },
        Op::SegmentRemoveMembers {
            segment_id: vip.id,
            profile_ids: vec![p[3]],
        },
        Op::SegmentCreate {
            segment: old.clone(),
            members: vec![],
        },
        Op::SegmentDelete { segment_id: old.id },
        Op::RequestExport {
            request_id: export,
            profile_id: p[0],
        },
        Op::RequestDelete {
            request_id: erase,
            profile_id: p[4],
        },
    ];
    let names: HashSet<&str> = ops.iter().map(Op::name).collect();
    assert_eq!(
        names.len(),
        Op::NAMES.len(),
        "the story covers every mutation"
    );
    let pushed = server.push(token, client, 1, &ops).await;
    assert_eq!(pushed.rejections, vec![], "every mutation applies");
    assert_eq!(pushed.applied as usize, ops.len());
    assert_eq!(pushed.last_mutation_id, ops.len() as u64);

    let (patch, _, last) = server.pull_all(token, ClientId::new(), None, 1000).await;
    assert_eq!(last, 0, "another client has pushed nothing");
    let (_, _, last) = server.pull_all(token, client, None, 1000).await;
    assert_eq!(last, ops.len() as u64);
    let mut profiles = HashMap::new();
    let mut values = Vec::new();
    let mut notes = HashMap::new();
    let mut segments = HashMap::new();
    let mut members = HashSet::new();
    let mut properties = HashMap::new();
    let mut requests = HashMap::new();
    let mut pictures = HashMap::new();
    for entity in puts(&patch) {
        match entity {
            Entity::Profile(x) => drop(profiles.insert(x.id, x.clone())),
            Entity::PropertyValue(x) => values.push(x.clone()),
            Entity::Note(x) => drop(notes.insert(x.id, x.clone())),
            Entity::Segment(x) => drop(segments.insert(x.id, x.clone())),
            Entity::SegmentMember(x) => drop(members.insert(x.profile_id)),
            Entity::Property(x) => drop(properties.insert(x.id, x.clone())),
            Entity::Request(x) => drop(requests.insert(x.id, x.clone())),
            Entity::Picture(x) => drop(pictures.insert(x.profile_id, x.clone())),
            _ => {}
        }
    }
    assert_eq!(profiles.len(), server.a.profiles.len() - 1);
    assert_eq!(pictures.len(), 1);
    assert_eq!(pictures[&p[0]].png, picture());
    assert!(deletes(&patch).contains(&&Tombstone::Picture(p[3])));
    assert_eq!(profiles[&p[0]].email, "ada@example.com");
    assert_eq!(profiles[&p[0]].phone, "+442079460958");
    assert_eq!(profiles[&p[1]].status, ProfileStatus::Archived);
    let trashed = profiles[&p[1]].trashed.as_ref().expect("in the Trash");
    assert_eq!(trashed.by, "admin@example.com");
    assert_eq!(profiles[&p[5]].trashed, None, "restored");
    assert!(!profiles.contains_key(&p[2]));
    assert!(deletes(&patch).contains(&&Tombstone::Profile(p[2])));
    assert_eq!(properties.len(), 1);
    assert_eq!(properties[&tier.id], tier);
    assert!(deletes(&patch).contains(&&Tombstone::Property(scratch.id)));
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value, "gold");
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[&kept_note].body, "Called about the invoice; solved");
    assert_eq!(notes[&kept_note].author, "admin@example.com");
    assert!(deletes(&patch).contains(&&Tombstone::Note(gone_note)));
    assert_eq!(segments.len(), 1);
    assert_eq!(segments[&vip.id], vip_renamed);
    assert!(deletes(&patch).contains(&&Tombstone::Segment(old.id)));
    assert_eq!(members, HashSet::from([p[0], p[4], p[5]]));
    assert_eq!(requests[&export].kind, DataRequestKind::Export);
    assert_eq!(requests[&erase].kind, DataRequestKind::Delete);
    assert_eq!(requests[&erase].state, DataRequestState::Queued);
    assert_eq!(requests[&erase].requested_by, "admin@example.com");
}

pub async fn a_delete_beats_a_later_edit(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let profile = server.a.profiles[0];
    let pushed = server
        .push(
            &server.a.admin,
            client,
            1,
            &[
                Op::ProfileDelete {
                    profile_id: profile,
                },
                Op::ProfilePatch {
                    profile_id: profile,
                    patch: ProfilePatch {
                        first_name: Some("Late".into()),
                        ..Default::default()
                    },
                    base: None,
                },
            ],
        )
        .await;
    assert_eq!(pushed.applied, 1);
    assert_eq!(pushed.rejections.len(), 1);
    assert_eq!(pushed.rejections[0].mutation_id, 2);
    assert_eq!(pushed.rejections[0].code, ErrorCode::NotFound);
    assert_eq!(
        pushed.last_mutation_id, 2,
        "a rejection still advances the client"
    );
}

fn patch_with_base(profile: ProfileId, field: Field, value: &str, base: Option<&str>) -> Op {
    let set = |v: &str| {
        let mut patch = ProfilePatch::default();
        field.set(&mut patch, v.to_string());
        patch
    };
    Op::ProfilePatch {
        profile_id: profile,
        patch: set(value),
        base: base.map(set),
    }
}

pub async fn an_edit_replacing_one_it_never_saw_leaves_a_notice_for_its_writer(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (ann, bob, carl) = (ClientId::new(), ClientId::new(), ClientId::new());
    let profile = server.a.profiles[3];
    let (before, cookie, _) = server.pull_all(&server.a.admin, ann, None, 100).await;
    let original = puts(&before)
        .into_iter()
        .find_map(|e| match e {
            Entity::Profile(p) if p.id == profile => Some(p.location.clone()),
            _ => None,
        })
        .unwrap();
    let loc = Field::Location;
    // Ann moves the customer; Bob, who has not seen it, moves them elsewhere: his edit stands
    // and Ann's client is told. Bob's next edit, made after seeing his own value, tells nobody.
    let ops = [patch_with_base(profile, loc, "Paris", Some(&original))];
    assert_eq!(server.push(&server.a.admin, ann, 1, &ops).await.applied, 1);
    let ops = [
        patch_with_base(profile, loc, "Rome", Some(&original)),
        patch_with_base(profile, loc, "Milan", Some("Rome")),
        // Same value as the one it replaces: nothing was lost.
        patch_with_base(profile, loc, "Milan", Some(&original)),
    ];
    assert_eq!(server.push(&server.a.agent, bob, 1, &ops).await.applied, 3);
    // Carl's client names no base (an older app): no notice either way.
    let ops = [patch_with_base(profile, loc, "Turin", None)];
    assert_eq!(server.push(&server.a.admin, carl, 1, &ops).await.applied, 1);
    // Ann, not having seen Turin, names Paris as her base: Carl's client is told, by Ann.
    let ops = [patch_with_base(profile, loc, "Naples", Some("Paris"))];
    assert_eq!(server.push(&server.a.admin, ann, 2, &ops).await.applied, 1);

    // Each notice goes to the client whose edit it is about, and to no other: a pull never
    // hands out another client's id.
    let notices_to = |token: String, client: ClientId, cookie: String| {
        let server = &server;
        async move {
            let (ops, _, _) = server.pull_all(&token, client, Some(cookie), 100).await;
            puts(&ops)
                .into_iter()
                .filter_map(|e| match e {
                    Entity::Overwrite(o) => Some(o.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        }
    };
    let admin = server.a.admin.clone();
    assert!(notices_to(server.a.agent.clone(), bob, cookie.clone())
        .await
        .is_empty());
    let to_ann = notices_to(admin.clone(), ann, cookie.clone()).await;
    let to_carl = notices_to(admin.clone(), carl, cookie.clone()).await;
    assert_eq!(
        (to_ann.len(), to_carl.len()),
        (1, 1),
        "{to_ann:?} {to_carl:?}"
    );
    let (to_ann, to_carl) = (&to_ann[0], &to_carl[0]);
    assert_eq!(
        (to_ann.client_id, to_ann.mutation_id, to_ann.profile_id),
        (ann, 1, profile)
    );
    assert_eq!(to_ann.field, Field::Location);
    assert_eq!(
        (to_ann.replaced.as_str(), to_ann.value.as_str()),
        ("Paris", "Rome")
    );
    assert_eq!(to_ann.by, "agent@example.com");
    assert_eq!((to_carl.client_id, to_carl.mutation_id), (carl, 1));
    assert_eq!(
        (
            to_carl.replaced.as_str(),
            to_carl.value.as_str(),
            to_carl.by.as_str()
        ),
        ("Turin", "Naples", "admin@example.com")
    );
    // A notice goes with its customer.
    let ops = [Op::ProfileDelete {
        profile_id: profile,
    }];
    assert_eq!(server.push(&server.a.admin, ann, 3, &ops).await.applied, 1);
    let (ops, _, _) = server.pull_all(&server.a.admin, ann, None, 100).await;
    assert!(
        puts(&ops)
            .iter()
            .all(|e| !matches!(e, Entity::Overwrite(_))),
        "{ops:?}"
    );
}

pub async fn a_sync_from_nothing_is_told_how_much_is_coming(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let first = server.pull_page(&server.a.admin, client, None, 7).await;
    let total = first.total.expect("the first page says how much is coming");
    let mut pulled = first.patch.len() as u64;
    let mut cookie = first.cookie;
    let mut more = first.has_more;
    while more {
        let page = server
            .pull_page(&server.a.admin, client, Some(&cookie), 7)
            .await;
        assert_eq!(page.total, None, "only the first page counts");
        pulled += page.patch.len() as u64;
        cookie = page.cookie;
        more = page.has_more;
    }
    assert_eq!(pulled, total);
    assert_eq!(total, server.a.profiles.len() as u64);
}

pub async fn a_repeated_push_is_applied_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let token = &server.a.agent;
    let note = NoteId::new();
    let ops = [
        Op::NoteCreate {
            note_id: note,
            profile_id: server.a.profiles[0],
            body: "once".into(),
        },
        Op::ProfilePatch {
            profile_id: server.a.profiles[0],
            patch: ProfilePatch {
                email: Some("not an email".into()),
                ..Default::default()
            },
            base: None,
        },
    ];
    let first = server.push(token, client, 1, &ops).await;
    assert_eq!((first.applied, first.skipped), (1, 0));
    assert_eq!(first.rejections.len(), 1);
    let again = server.push(token, client, 1, &ops).await;
    assert_eq!((again.applied, again.skipped), (0, 2));
    assert_eq!(again.last_mutation_id, 2);
    assert_eq!(
        again.rejections, first.rejections,
        "the recorded rejection is told again"
    );
    let (patch, _, _) = server.pull_all(token, client, None, 1000).await;
    let notes = puts(&patch)
        .into_iter()
        .filter(|e| matches!(e, Entity::Note(n) if n.id == note))
        .count();
    assert_eq!(notes, 1);
}

pub async fn a_gap_in_mutation_ids_is_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let token = &server.a.agent;
    let status = |n: usize| Op::ProfileSetStatus {
        profile_id: server.a.profiles[n],
        status: ProfileStatus::Archived,
    };
    server.push(token, client, 1, &[status(0)]).await;
    let (code, json) = server
        .push_raw(token, client, &[status(1).to_mutation(3)])
        .await;
    assert_eq!(code, StatusCode::CONFLICT, "{json}");
    assert_eq!(json["code"], "mutation_gap");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("from mutation 2"),
        "{json}"
    );
    let resumed = server.push(token, client, 2, &[status(1), status(2)]).await;
    assert_eq!(resumed.applied, 2);
    assert_eq!(resumed.last_mutation_id, 3);
}

pub async fn rejections_name_the_refused_fields_and_the_next_mutation_applies(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let token = &server.a.agent;
    let profile = server.a.profiles[0];
    let pushed = server
        .push(
            token,
            client,
            1,
            &[
                Op::ProfilePatch {
                    profile_id: profile,
                    patch: ProfilePatch {
                        email: Some("ada@".into()),
                        phone: Some("12345".into()),
                        ..Default::default()
                    },
                    base: None,
                },
                Op::ProfileDelete {
                    profile_id: profile,
                },
                Op::ProfilePatch {
                    profile_id: profile,
                    patch: ProfilePatch {
                        location: Some("Lisbon".into()),
                        ..Default::default()
                    },
                    base: None,
                },
            ],
        )
        .await;
    assert_eq!(pushed.applied, 1);
    assert_eq!(pushed.rejections.len(), 2);
    let fields: Vec<Field> = pushed.rejections[0]
        .fields
        .iter()
        .map(|f| f.field)
        .collect();
    assert_eq!(fields, vec![Field::Email, Field::Phone]);
    assert_eq!(pushed.rejections[0].code, ErrorCode::Validation);
    assert_eq!(
        pushed.rejections[1].code,
        ErrorCode::Forbidden,
        "an agent may not delete"
    );
    assert_eq!(pushed.last_mutation_id, 3);
}

pub async fn malformed_requests_and_unknown_mutations_are_answered_cleanly(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.agent;
    for body in [
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        br#"{"client_id": 5, "mutations": []}"#.to_vec(),
        br#"{"client_id": "not-a-uuid", "mutations": []}"#.to_vec(),
        br#"{"client_id": "0190b3c4-4c5d-7e6f-8a9b-0c1d2e3f4a5b", "mutations": {}}"#.to_vec(),
        br#"{"client_id": "0190b3c4-4c5d-7e6f-8a9b-0c1d2e3f4a5b", "mutations": [{"id": -1, "name": "x"}]}"#.to_vec(),
        vec![0xff, 0xfe, 0x00],
    ] {
        let (status, json) = server.post_raw("/v1/push", Some(token), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
        assert_eq!(json["code"], "invalid_request", "{json}");
        assert!(!json["message"].as_str().unwrap().is_empty());
    }
    let client = ClientId::new();
    let mutations = [
        Mutation {
            id: 1,
            name: "profile.explode".into(),
            args: json!({}),
        },
        Mutation {
            id: 2,
            name: "note.create".into(),
            args: json!({ "note_id": 5, "profile_id": [], "body": {} }),
        },
        Mutation {
            id: 3,
            name: "profile.set_status".into(),
            args: json!({ "profile_id": server.a.profiles[0], "status": "exploded" }),
        },
    ];
    let (status, json) = server.push_raw(token, client, &mutations).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let codes: Vec<&str> = json["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["unknown_mutation", "invalid_request", "invalid_request"]
    );
    assert_eq!(json["last_mutation_id"], 3);
    let (status, json) = server
        .push_raw(
            token,
            client,
            &[Mutation {
                id: 0,
                name: "note.delete".into(),
                args: json!({}),
            }],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    for body in [
        json!({ "client_id": client, "limit": 0 }),
        json!({ "client_id": client, "limit": 1_000_000 }),
        json!({ "client_id": client, "cookie": "garbage" }),
        json!({ "client_id": client, "cookie": 12 }),
    ] {
        let (status, json) = server.post("/v1/pull", token, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
        assert_eq!(json["code"], "invalid_request");
    }
    let (status, json) = server
        .post_raw("/v1/nowhere", Some(token), b"{}".to_vec())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["code"], "not_found");
}

pub async fn requests_without_a_valid_token_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let body = serde_json::to_vec(&json!({ "client_id": ClientId::new() })).unwrap();
    let long = format!("udt_{}", "f".repeat(300));
    for token in [None, Some(""), Some("udt_0000"), Some(long.as_str())] {
        let (status, json) = server.post_raw("/v1/pull", token, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
        assert_eq!(json["code"], "unauthorized");
    }
}

pub async fn a_token_of_one_workspace_can_neither_read_nor_write_another(backend: Backend) {
    let server = TestServer::start(backend).await;
    let intruder = &server.b.admin;
    let victim = server.a.profiles[0];
    let b_client = ClientId::new();
    let pushed = server
        .push(
            intruder,
            b_client,
            1,
            &[
                Op::ProfilePatch {
                    profile_id: victim,
                    patch: ProfilePatch {
                        first_name: Some("Pwned".into()),
                        ..Default::default()
                    },
                    base: None,
                },
                Op::ProfileDelete { profile_id: victim },
                Op::NoteCreate {
                    note_id: NoteId::new(),
                    profile_id: victim,
                    body: "hello".into(),
                },
                Op::RequestExport {
                    request_id: RequestId::new(),
                    profile_id: victim,
                },
                Op::SegmentCreate {
                    segment: segment("Stolen"),
                    members: vec![victim],
                },
            ],
        )
        .await;
    assert_eq!(pushed.applied, 0);
    assert!(
        pushed
            .rejections
            .iter()
            .all(|r| r.code == ErrorCode::NotFound),
        "{:?}",
        pushed.rejections
    );

    // A's client cannot be borrowed by B either.
    let a_client = ClientId::new();
    server
        .push(
            &server.a.agent,
            a_client,
            1,
            &[Op::ProfileSetStatus {
                profile_id: victim,
                status: ProfileStatus::Active,
            }],
        )
        .await;
    let mutation = Op::ProfileSetStatus {
        profile_id: victim,
        status: ProfileStatus::Archived,
    }
    .to_mutation(2);
    let (status, json) = server.push_raw(intruder, a_client, &[mutation]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
    assert_eq!(json["code"], "forbidden");
    let (status, _) = server
        .post("/v1/pull", intruder, &json!({ "client_id": a_client }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (b_patch, _, _) = server.pull_all(intruder, b_client, None, 1000).await;
    let a_ids: HashSet<ProfileId> = server.a.profiles.iter().copied().collect();
    for entity in puts(&b_patch) {
        if let Entity::Profile(p) = entity {
            assert!(!a_ids.contains(&p.id), "B saw A's profile");
        }
    }
    assert_eq!(puts(&b_patch).len(), server.b.profiles.len());
    // A cookie of A's handed to B starts B over rather than continuing A's log.
    let (_, a_cookie, _) = server.pull_all(&server.a.agent, a_client, None, 1000).await;
    let page = server
        .pull_page(intruder, b_client, Some(&a_cookie), 1000)
        .await;
    assert!(page.reset);
    assert!(puts(&page.patch)
        .iter()
        .all(|e| !matches!(e, Entity::Profile(p) if a_ids.contains(&p.id))));

    let (a_patch, _, _) = server.pull_all(&server.a.agent, a_client, None, 1000).await;
    let victim_now = puts(&a_patch).into_iter().find_map(|e| match e {
        Entity::Profile(p) if p.id == victim => Some(p.clone()),
        _ => None,
    });
    let victim_now = victim_now.expect("A's profile is still there");
    assert_eq!(victim_now.first_name, "First0");
    assert_eq!(victim_now.status, ProfileStatus::Active);
    assert!(puts(&a_patch)
        .iter()
        .all(|e| !matches!(e, Entity::Note(_) | Entity::Segment(_) | Entity::Request(_))));
}

pub async fn a_token_beyond_its_rate_is_slowed_down(backend: Backend) {
    let limits = Limits {
        rate: RateLimit {
            burst: 3,
            per_second: 0.001,
        },
        ..Limits::default()
    };
    let server = TestServer::with_limits(backend, limits, 1).await;
    let body = json!({ "client_id": ClientId::new(), "limit": 1 });
    for _ in 0..3 {
        let (status, json) = server.post("/v1/pull", &server.a.agent, &body).await;
        assert_eq!(status, StatusCode::OK, "{json}");
    }
    let response = server
        .http
        .post(format!("{}/v1/pull", server.base))
        .bearer_auth(&server.a.agent)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["code"], "rate_limited");
    let (status, _) = server.post("/v1/pull", &server.a.admin, &body).await;
    assert_eq!(status, StatusCode::OK, "another token keeps its own budget");
}

pub async fn an_oversized_body_is_refused(backend: Backend) {
    let limits = Limits {
        body_bytes: 64 * 1024,
        ..Limits::default()
    };
    let server = TestServer::with_limits(backend, limits, 1).await;
    let body = json!({
        "client_id": ClientId::new(),
        "mutations": [{ "id": 1, "name": "note.create", "args": { "body": "x".repeat(100_000) } }],
    });
    let (status, json) = server.post("/v1/push", &server.a.agent, &body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
    assert_eq!(json["code"], "payload_too_large");
}

fn blns() -> Vec<String> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/data/blns.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub async fn every_hostile_string_is_kept_as_data_or_refused_clearly(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let profile = server.a.profiles[0];
    let text = PropertyDefinition {
        id: PropertyId::new(),
        name: "Free text".into(),
        description: String::new(),
        format: PropertyFormat::Text,
        choices: vec![],
    };
    let mut next = 1;
    server
        .push(
            token,
            client,
            next,
            &[Op::PropertyDefine {
                property: text.clone(),
            }],
        )
        .await;
    next += 1;
    let strings = blns();
    assert!(strings.len() > 400);
    let mut notes = HashMap::new();
    for chunk in strings.chunks(100) {
        let mut ops = Vec::new();
        for s in chunk {
            let note = NoteId::new();
            notes.insert(note, s.clone());
            ops.push(Op::NoteCreate {
                note_id: note,
                profile_id: profile,
                body: s.clone(),
            });
            ops.push(Op::ProfilePatch {
                profile_id: server.a.profiles[1],
                patch: ProfilePatch {
                    email: Some(s.clone()),
                    first_name: Some(s.clone()),
                    phone: Some(s.clone()),
                    location: Some(s.clone()),
                    ..Default::default()
                },
                base: None,
            });
            ops.push(Op::PropertySet {
                profile_id: profile,
                property_id: text.id,
                value: Some(s.clone()),
            });
            ops.push(Op::SegmentCreate {
                segment: Segment {
                    id: SegmentId::new(),
                    name: s.clone(),
                    description: s.clone(),
                    rules: vec![],
                },
                members: vec![],
            });
        }
        let pushed = server.push(token, client, next, &ops).await;
        next += ops.len() as u64;
        assert_eq!(pushed.last_mutation_id, next - 1);
        for rejection in &pushed.rejections {
            assert!(
                matches!(
                    rejection.code,
                    ErrorCode::Validation | ErrorCode::InvalidRequest
                ),
                "{rejection:?}"
            );
            assert!(!rejection.message.is_empty());
        }
        // Hostile strings in the protocol's own fields: mutation names, cookies, tokens.
        let named: Vec<Mutation> = chunk
            .iter()
            .enumerate()
            .map(|(i, s)| Mutation {
                id: next + i as u64,
                name: s.clone(),
                args: json!(s),
            })
            .collect();
        let (status, json) = server.push_raw(token, client, &named).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let rejections = json["rejections"].as_array().unwrap();
        assert_eq!(rejections.len(), chunk.len());
        assert!(
            rejections.iter().all(|r| r["code"] == "unknown_mutation"),
            "{json}"
        );
        next += chunk.len() as u64;
        for s in chunk {
            let (status, json) = server
                .post(
                    "/v1/pull",
                    token,
                    &json!({ "client_id": client, "cookie": s }),
                )
                .await;
            assert!(
                status == StatusCode::BAD_REQUEST || status == StatusCode::OK,
                "{status}: {json}"
            );
            // Strings that cannot travel in a header never reach the server.
            if reqwest::header::HeaderValue::from_str(&format!("Bearer {s}")).is_ok() {
                let (status, json) = server
                    .post("/v1/pull", s, &json!({ "client_id": client }))
                    .await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
            }
        }
    }
    let (patch, _, _) = server.pull_all(token, client, None, 5000).await;
    let mut seen = 0;
    for entity in puts(&patch) {
        if let Entity::Note(note) = entity {
            if let Some(expected) = notes.get(&note.id) {
                assert_eq!(&note.body, expected, "a note comes back byte for byte");
                seen += 1;
            }
        }
    }
    let refused = strings
        .iter()
        .filter(|s| s.trim().is_empty() || s.contains('\0'))
        .count();
    assert_eq!(seen, strings.len() - refused);
}

pub async fn two_clients_pushing_concurrently_are_pulled_exactly_once(backend: Backend) {
    let server = std::sync::Arc::new(TestServer::start(backend).await);
    let token = server.a.agent.clone();
    const PER_CLIENT: usize = 120;
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let server = server.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let client = ClientId::new();
                let mut ids = Vec::new();
                let mut next = 1;
                for batch in 0..(PER_CLIENT / 10) {
                    let ops: Vec<Op> = (0..10)
                        .map(|i| {
                            let note = NoteId::new();
                            ids.push(note);
                            Op::NoteCreate {
                                note_id: note,
                                profile_id: server.a.profiles
                                    [(w * 7 + batch + i) % server.a.profiles.len()],
                                body: format!("writer {w} note {}", batch * 10 + i),
                            }
                        })
                        .collect();
                    let pushed = server.push(&token, client, next, &ops).await;
                    assert_eq!(pushed.applied, 10);
                    next += 10;
                }
                ids
            })
        })
        .collect();
    // A reader pulls small pages while the writers write: what it sees must add up exactly.
    let reader = {
        let server = server.clone();
        let token = token.clone();
        tokio::spawn(async move {
            let client = ClientId::new();
            let mut cookie: Option<String> = None;
            let mut seen: Vec<NoteId> = Vec::new();
            loop {
                let page = server.pull_page(&token, client, cookie.as_deref(), 7).await;
                for entity in puts(&page.patch) {
                    if let Entity::Note(note) = entity {
                        seen.push(note.id);
                    }
                }
                cookie = Some(page.cookie);
                if !page.has_more && seen.len() >= 2 * PER_CLIENT {
                    return seen;
                }
            }
        })
    };
    let mut written = HashSet::new();
    for writer in writers {
        written.extend(writer.await.unwrap());
    }
    assert_eq!(written.len(), 2 * PER_CLIENT);
    let seen = reader.await.unwrap();
    assert_eq!(
        seen.len(),
        written.len(),
        "each note seen exactly once while writes went on"
    );
    assert_eq!(seen.iter().copied().collect::<HashSet<_>>(), written);
    let (patch, _, _) = server.pull_all(&token, ClientId::new(), None, 50).await;
    let after: Vec<NoteId> = puts(&patch)
        .into_iter()
        .filter_map(|e| match e {
            Entity::Note(n) => Some(n.id),
            _ => None,
        })
        .collect();
    assert_eq!(after.len(), written.len());
    assert_eq!(after.into_iter().collect::<HashSet<_>>(), written);
}

pub async fn pages_of_any_size_deliver_every_change_once(backend: Backend) {
    let server = TestServer::with_limits(backend, TestServer::roomy(), 130).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let vip = segment("Everyone");
    server
        .push(
            token,
            client,
            1,
            &[Op::SegmentCreate {
                segment: vip.clone(),
                members: server.a.profiles.clone(),
            }],
        )
        .await;
    let expected = server.a.profiles.len() * 2 + 1;
    for limit in [1, 7, 64, 5000] {
        let mut cookie = None;
        let mut keys = HashSet::new();
        let mut total = 0;
        loop {
            let page = server
                .pull_page(token, client, cookie.as_deref(), limit)
                .await;
            for entity in puts(&page.patch) {
                total += 1;
                keys.insert(format!("{entity:?}"));
            }
            let members_so_far = keys
                .iter()
                .filter(|k| k.starts_with("SegmentMember"))
                .count();
            if page.last_mutation_id == 1 {
                assert_eq!(
                    members_so_far,
                    server.a.profiles.len(),
                    "limit {limit}: a mutation is confirmed only once all of it arrived"
                );
            }
            cookie = Some(page.cookie);
            if !page.has_more {
                assert_eq!(page.last_mutation_id, 1);
                break;
            }
        }
        assert_eq!(total, expected, "limit {limit}");
        assert_eq!(keys.len(), expected, "limit {limit}");
    }
}

pub async fn a_cookie_older_than_the_pruned_tombstones_gets_a_reset(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let (_, old_cookie, _) = server.pull_all(token, client, None, 1000).await;
    let gone = server.a.profiles[0];
    server
        .push(token, client, 1, &[Op::ProfileDelete { profile_id: gone }])
        .await;
    let (patch, fresh_cookie, _) = server
        .pull_all(token, client, Some(old_cookie.clone()), 1000)
        .await;
    assert_eq!(deletes(&patch), vec![&Tombstone::Profile(gone)]);
    let version: i64 = fresh_cookie.rsplit('.').next().unwrap().parse().unwrap();
    let pruned = server
        .storage
        .prune_tombstones(server.a.id, version)
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let page = server
        .pull_page(token, client, Some(&old_cookie), 1000)
        .await;
    assert!(page.reset, "the old cookie cannot see the pruned delete");
    assert!(deletes(&page.patch).is_empty());
    assert_eq!(puts(&page.patch).len(), server.a.profiles.len() - 1);
    let page = server
        .pull_page(token, client, Some(&fresh_cookie), 1000)
        .await;
    assert!(!page.reset, "a cookie past the pruned versions goes on");
    assert!(page.patch.is_empty());
}

pub async fn the_health_endpoint_answers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let response = server
        .http
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["status"], "ok");
}

pub async fn a_token_tells_whom_it_signs_in(backend: Backend) {
    let server = TestServer::start(backend).await;
    let me = |token: Option<&str>| {
        let mut request = server.http.get(format!("{}/v1/me", server.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.json::<Value>().await.unwrap())
        }
    };
    let (status, json) = me(Some(&server.a.agent)).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        json,
        json!({
            "workspace": server.a.name,
            "workspace_id": server.a.id.to_string(),
            "manager": "agent@example.com",
            "role": "agent",
            "time_zone": "Europe/Berlin",
        })
    );
    let (_, json) = me(Some(&server.b.admin)).await;
    assert_eq!(json["workspace"], server.b.name.as_str());
    assert_eq!(json["workspace_id"], server.b.id.to_string().as_str());
    assert_eq!(json["role"], "admin");
    for token in [None, Some("udt_0000")] {
        let (status, json) = me(token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
        assert_eq!(json["code"], "unauthorized");
    }
}

pub async fn a_data_request_is_mailed_retried_and_its_state_pulled(backend: Backend) {
    use chrono::{TimeZone, Utc};
    use userdesk_server::mailer::{Mailer, RetryPolicy};

    let server = TestServer::start(backend).await;
    let mut sink = super::smtp::SmtpSink::start().await;
    let policy = RetryPolicy {
        max_attempts: 3,
        first_delay: std::time::Duration::from_secs(60),
        max_delay: std::time::Duration::from_secs(3600),
    };
    let mailer = Mailer::new(
        server.storage.clone(),
        &sink.url(),
        "userdesk@example.com",
        policy,
    )
    .unwrap();
    let client = ClientId::new();
    let request = RequestId::new();
    server
        .push(
            &server.a.admin,
            client,
            1,
            &[Op::RequestExport {
                request_id: request,
                profile_id: server.a.profiles[1],
            }],
        )
        .await;
    let (_, cookie, _) = server.pull_all(&server.a.admin, client, None, 1000).await;
    sink.refuse_next(1);
    let now = Utc
        .timestamp_millis_opt(Utc::now().timestamp_millis())
        .unwrap();
    assert_eq!(mailer.deliver_due(now).await.unwrap().failed, 1);
    let (patch, cookie, _) = server
        .pull_all(&server.a.admin, client, Some(cookie), 1000)
        .await;
    let failed = match puts(&patch).as_slice() {
        [Entity::Request(r)] => r.clone(),
        other => panic!("one changed request expected, got {other:?}"),
    };
    assert_eq!(failed.state, DataRequestState::Failed);
    // The relay's own words ("451 4.3.0 mailbox busy, try again later") stay in the log.
    assert!(
        failed.reason.contains("Userdesk tries again later"),
        "{}",
        failed.reason
    );
    assert!(
        !failed.reason.contains("451") && !failed.reason.contains("mailbox busy"),
        "{}",
        failed.reason
    );
    let retry_at = failed.next_attempt_at.expect("a retry is planned");
    assert_eq!(mailer.deliver_due(retry_at).await.unwrap().sent, 1);
    let message = sink.next_message().await;
    assert_eq!(message.to, vec!["privacy@example.com".to_string()]);
    assert!(
        message.data.contains("customer1@example.com"),
        "{}",
        message.data
    );
    let (patch, _, _) = server
        .pull_all(&server.a.admin, client, Some(cookie), 1000)
        .await;
    match puts(&patch).as_slice() {
        [Entity::Request(r)] => {
            assert_eq!(r.state, DataRequestState::Sent);
            assert_eq!(r.attempts, 2);
        }
        other => panic!("one changed request expected, got {other:?}"),
    }
    // Another workspace's pull never shows the request.
    let (b_patch, _, _) = server
        .pull_all(&server.b.admin, ClientId::new(), None, 1000)
        .await;
    assert!(puts(&b_patch)
        .iter()
        .all(|e| !matches!(e, Entity::Request(_))));
}

/// A 256×256 PNG of noise, which compresses to nothing: about 260 KB, near the largest picture
/// a server keeps; base64. Each seed gives another picture.
fn heavy_picture(seed: u64) -> String {
    use base64::Engine as _;
    let mut rng = userdesk_demo::Rng::new(seed);
    let image = image::RgbaImage::from_fn(256, 256, |_, _| {
        let bits = rng.next_u64().to_le_bytes();
        image::Rgba([bits[0], bits[1], bits[2], bits[3]])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    base64::engine::general_purpose::STANDARD.encode(png)
}

pub async fn a_pull_page_of_big_records_stays_within_its_byte_budget(backend: Backend) {
    use userdesk_model::RuleOperator;
    use userdesk_server::storage::PULL_PAGE_BYTES;

    const PICTURES: usize = 1_000;
    const SEGMENTS: usize = 12;
    let server = TestServer::with_limits(backend, TestServer::roomy(), PICTURES).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    // A picture for every customer, eight to a push (a push's body is at most 4 MiB); eight
    // pictures of noise, each given to one customer in eight.
    let noise: Vec<String> = (0..8).map(heavy_picture).collect();
    let mut next = 1;
    let mut biggest = 0;
    for chunk in server.a.profiles.chunks(8) {
        let ops: Vec<Op> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| Op::ProfileSetPicture {
                profile_id: *id,
                png: Some(noise[i].clone()),
            })
            .collect();
        for op in &ops {
            if let Op::ProfileSetPicture { png: Some(png), .. } = op {
                biggest = biggest.max(png.len());
            }
        }
        let pushed = server.push(token, client, next, &ops).await;
        assert!(pushed.rejections.is_empty(), "{:?}", pushed.rejections);
        next += ops.len() as u64;
    }
    // Segments of 50 rules, each rule's value 10,000 characters: about half a megabyte each.
    let plan = PropertyDefinition {
        id: PropertyId::new(),
        name: "Plan".into(),
        description: String::new(),
        format: PropertyFormat::Text,
        choices: Vec::new(),
    };
    server
        .push(
            token,
            client,
            next,
            &[Op::PropertyDefine {
                property: plan.clone(),
            }],
        )
        .await;
    next += 1;
    let mut segment_ids = HashSet::new();
    for n in 0..SEGMENTS {
        let rules = (0..50)
            .map(|r| SegmentRule::Property {
                property_id: plan.id,
                operator: RuleOperator::NotEquals,
                value: format!("{n}-{r}-")
                    .repeat(2_000)
                    .chars()
                    .take(10_000)
                    .collect(),
            })
            .collect();
        let segment = Segment {
            id: SegmentId::new(),
            name: format!("Long rules {n}"),
            description: String::new(),
            rules,
        };
        segment_ids.insert(segment.id);
        let op = Op::SegmentCreate {
            segment,
            members: Vec::new(),
        };
        let pushed = server.push(token, client, next, &[op]).await;
        assert!(pushed.rejections.is_empty(), "{:?}", pushed.rejections);
        next += 1;
    }

    // A sync from nothing, asking for pages of 5,000 changes: every page's answer stays within
    // the budget (and one record), and every picture and segment arrives once.
    let mut cookie: Option<String> = None;
    let mut pictures = HashSet::new();
    let mut segments = HashSet::new();
    let mut pages = 0;
    let mut largest_answer = 0;
    loop {
        let body = json!({ "client_id": client, "cookie": cookie, "limit": 5_000 });
        let (status, answer) = server.post("/v1/pull", token, &body).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let bytes = serde_json::to_vec(&answer).unwrap().len();
        largest_answer = largest_answer.max(bytes);
        assert!(
            bytes <= PULL_PAGE_BYTES + 600_000,
            "page {pages}: {bytes} bytes"
        );
        let page: userdesk_model::sync::PullResponse = serde_json::from_value(answer).unwrap();
        assert!(
            !page.patch.is_empty() || !page.has_more,
            "an empty page that is not the last"
        );
        for entity in puts(&page.patch) {
            match entity {
                Entity::Picture(p) => assert!(pictures.insert(p.profile_id), "twice: {p:?}"),
                Entity::Segment(s) => assert!(segments.insert(s.id), "twice: {}", s.name),
                _ => {}
            }
        }
        pages += 1;
        cookie = Some(page.cookie);
        if !page.has_more {
            assert_eq!(page.last_mutation_id, next - 1);
            break;
        }
    }
    assert_eq!(pictures.len(), PICTURES);
    assert_eq!(segments, segment_ids);
    assert!(biggest > 250_000, "the pictures are big: {biggest}");
    // About 350 MB of pictures and 6 MB of segments: many pages, none of them larger than the
    // budget and the one record that begins it.
    assert!(pages >= 80, "{pages} pages");
    assert!(largest_answer > PULL_PAGE_BYTES / 2, "{largest_answer}");
}

pub async fn revoked_or_expired_tokens_and_disabled_managers_are_refused_at_once(backend: Backend) {
    use userdesk_server::managers::{hash_token, Role};

    let server = TestServer::start(backend).await;
    let body = serde_json::to_vec(&json!({ "client_id": ClientId::new() })).unwrap();
    let pull = |token: String| {
        let body = body.clone();
        let server = &server;
        async move { server.post_raw("/v1/pull", Some(&token), body).await.0 }
    };
    let storage = &server.storage;
    let workspace = server.a.id;
    assert_eq!(pull(server.a.agent.clone()).await, StatusCode::OK);

    // The listing names each token by its hash's first digits, never the secret; its use is
    // kept.
    let tokens = storage.tokens(Some(workspace)).await.unwrap();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    let agent = tokens
        .iter()
        .find(|t| hash_token(&server.a.agent).starts_with(&t.id))
        .unwrap();
    assert!(agent.last_used_at.is_some());
    assert!(storage
        .tokens(Some(server.b.id))
        .await
        .unwrap()
        .iter()
        .all(|t| t.workspace == server.b.name));

    // Revoked: refused from the next request on; a prefix naming no token revokes nothing.
    assert!(storage.revoke_token("0123456789ab").await.is_err());
    let revoked = storage.revoke_token(&agent.id).await.unwrap();
    assert_eq!(revoked.manager, agent.manager);
    assert_eq!(pull(server.a.agent.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(pull(server.a.admin.clone()).await, StatusCode::OK);

    // Expired: refused; one with time left signs in.
    let manager = storage
        .ensure_manager(workspace, "eve@example.com", Role::Agent, "UTC")
        .await
        .unwrap();
    let now = chrono::Utc::now();
    // Tokens of their own on every run: a PostgreSQL database outlives the test.
    let gone = format!("udt_gone_{}", ClientId::new());
    let alive = format!("udt_alive_{}", ClientId::new());
    let minute_ago = now - chrono::Duration::minutes(1);
    let tomorrow = now + chrono::Duration::days(1);
    for (token, expires, status) in [
        (gone, minute_ago, StatusCode::UNAUTHORIZED),
        (alive, tomorrow, StatusCode::OK),
    ] {
        storage
            .add_token_until(manager, &hash_token(&token), Some(expires))
            .await
            .unwrap();
        assert_eq!(pull(token.clone()).await, status, "{token}");
    }

    // A disabled manager is refused with every token; an existing manager keeps their role
    // whatever a later `ensure_manager` asks; the role changes by its own call.
    let email = storage
        .tokens(Some(workspace))
        .await
        .unwrap()
        .into_iter()
        .find(|t| hash_token(&server.a.admin).starts_with(&t.id))
        .unwrap()
        .manager;
    assert!(storage
        .set_manager_disabled(workspace, &email, true)
        .await
        .unwrap());
    assert_eq!(pull(server.a.admin.clone()).await, StatusCode::UNAUTHORIZED);
    assert!(storage
        .set_manager_disabled(workspace, &email, false)
        .await
        .unwrap());
    assert_eq!(pull(server.a.admin.clone()).await, StatusCode::OK);
    storage
        .ensure_manager(workspace, "eve@example.com", Role::Admin, "UTC")
        .await
        .unwrap();
    assert_eq!(
        storage
            .manager_role(workspace, "eve@example.com")
            .await
            .unwrap(),
        Some(Role::Agent)
    );
    assert!(storage
        .set_manager_role(workspace, "eve@example.com", Role::Admin)
        .await
        .unwrap());
    assert_eq!(
        storage
            .manager_role(workspace, "eve@example.com")
            .await
            .unwrap(),
        Some(Role::Admin)
    );
    assert!(!storage
        .set_manager_role(workspace, "nobody@example.com", Role::Admin)
        .await
        .unwrap());
}

pub async fn a_client_id_belongs_to_the_manager_who_first_pushed_under_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (admin, agent) = (&server.a.admin, &server.a.agent);
    let client = ClientId::new();
    let profile = server.a.profiles[0];
    let ops = [patch_with_base(profile, Field::Location, "Oslo", None)];
    assert_eq!(server.push(admin, client, 1, &ops).await.applied, 1);

    // A colleague pushing under it is refused, and nothing of theirs is applied or numbered:
    // the client's own next edit is not "skipped" later.
    let hijack = [patch_with_base(profile, Field::Location, "Bergen", None)];
    let mutations: Vec<Mutation> = hijack.iter().map(|op| op.to_mutation(2)).collect();
    let (status, json) = server.push_raw(agent, client, &mutations).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
    assert_eq!(json["code"], "forbidden");
    assert!(
        json["message"]
            .as_str()
            .unwrap()
            .contains("another manager"),
        "{json}"
    );
    let body = json!({ "client_id": client, "cookie": null, "limit": 10 });
    let (status, _) = server.post("/v1/pull", agent, &body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let own = [patch_with_base(profile, Field::Location, "Tromsø", None)];
    let pushed = server.push(admin, client, 2, &own).await;
    assert_eq!((pushed.applied, pushed.skipped), (1, 0));
    let (ops, _, last) = server.pull_all(admin, client, None, 100).await;
    assert_eq!(last, 2);
    let location = puts(&ops).into_iter().find_map(|e| match e {
        Entity::Profile(p) if p.id == profile => Some(p.location.clone()),
        _ => None,
    });
    assert_eq!(location.as_deref(), Some("Tromsø"));
}

pub async fn a_backup_is_written_on_sqlite_and_left_to_pg_dump_on_postgresql(backend: Backend) {
    let server = TestServer::start(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("backup.sqlite3");
    let result = server.storage.backup(&to).await;
    match backend {
        Backend::Sqlite => {
            result.unwrap();
            let copy = userdesk_server::storage::open(&format!("sqlite://{}", to.display()))
                .await
                .unwrap();
            assert_eq!(copy.count_profiles(server.a.id).await.unwrap(), 20);
            copy.close().await;
        }
        Backend::Postgres => {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("pg_dump"), "{err}");
            assert!(!to.exists());
        }
    }
}

pub async fn only_memberships_that_change_are_logged(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let p = &server.a.profiles;
    let vip = segment("VIP");
    let ops = [Op::SegmentCreate {
        segment: vip.clone(),
        members: vec![p[0], p[1]],
    }];
    server.push(token, client, 1, &ops).await;
    let (_, cookie, _) = server.pull_all(token, client, None, 1000).await;

    // Adding members already in, and removing customers never in, changes nothing: nothing is
    // logged for them, only for p[2] (added) and p[1] (removed).
    let ops = [
        Op::SegmentAddMembers {
            segment_id: vip.id,
            profile_ids: vec![p[0], p[1], p[2], p[2]],
        },
        Op::SegmentRemoveMembers {
            segment_id: vip.id,
            profile_ids: p[1..].to_vec(),
        },
    ];
    let pushed = server.push(token, client, 2, &ops).await;
    assert_eq!(pushed.applied, 2);
    let (ops, _, _) = server.pull_all(token, client, Some(cookie), 1000).await;
    let mut members: Vec<(bool, ProfileId)> = ops
        .iter()
        .filter_map(|op| match op {
            PatchOp::Put(Entity::SegmentMember(m)) => Some((true, m.profile_id)),
            PatchOp::Delete(Tombstone::SegmentMember(m)) => Some((false, m.profile_id)),
            _ => None,
        })
        .collect();
    members.sort();
    // p[2] was added then removed in the same pull: one change row, a removal.
    let mut expected = vec![(false, p[1]), (false, p[2])];
    expected.sort();
    assert_eq!(members, expected, "{ops:?}");
}

pub async fn data_a_database_cannot_keep_refuses_its_mutation_not_the_push(backend: Backend) {
    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let client = ClientId::new();
    let p = &server.a.profiles;
    // A mutation whose name holds a NUL (PostgreSQL keeps no NUL in text) is refused as unknown
    // and recorded, and the push goes on: never a 503 the client would retry for ever.
    let mutations = vec![
        Mutation {
            id: 1,
            name: "note.\u{0}create".into(),
            args: json!({}),
        },
        patch_with_base(p[1], Field::Location, "Lyon", None).to_mutation(2),
    ];
    let (status, json) = server.push_raw(token, client, &mutations).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let pushed: userdesk_model::sync::PushResponse = serde_json::from_value(json).unwrap();
    assert_eq!((pushed.last_mutation_id, pushed.applied), (2, 1));
    let [refused] = pushed.rejections.as_slice() else {
        panic!("{pushed:?}")
    };
    assert_eq!(
        (refused.mutation_id, refused.code),
        (1, ErrorCode::UnknownMutation)
    );
    // Pushed again, it is answered the same way, from the record.
    let (status, json) = server.push_raw(token, client, &mutations).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["skipped"], 2, "{json}");
    assert_eq!(json["rejections"][0]["code"], "unknown_mutation", "{json}");

    // A cookie at the very end of the number line is not one this server wrote: a new start or
    // a clear refusal, never a crash.
    let tag = server.a.id.as_uuid().simple().to_string();
    for cookie in [
        format!("{tag}.{}", i64::MAX),
        format!("{tag}.{}", u64::MAX),
        format!("{tag}.{}.profile.{}", i64::MAX, p[0]),
        format!("{tag}.-1"),
    ] {
        let body = json!({ "client_id": client, "cookie": cookie, "limit": 10 });
        let (status, json) = server.post("/v1/pull", token, &body).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{cookie}: {status} {json}"
        );
        if status == StatusCode::OK {
            assert_eq!(json["reset"], true, "{cookie}: {json}");
        }
    }
}

pub async fn two_servers_on_one_database_mail_each_request_once(backend: Backend) {
    use userdesk_server::mailer::{Mailer, RetryPolicy};

    let server = TestServer::start(backend).await;
    // A second server's storage on the same database, as two servers behind one balancer.
    let other = userdesk_server::storage::open(&server.database_url)
        .await
        .unwrap();
    let mut sink = super::smtp::SmtpSink::start().await;
    let mailer = |storage| {
        Mailer::new(
            storage,
            &sink.url(),
            "userdesk@example.com",
            RetryPolicy::default(),
        )
        .unwrap()
    };
    let (first, second) = (mailer(server.storage.clone()), mailer(other.clone()));
    let requests: Vec<RequestId> = (0..12).map(|_| RequestId::new()).collect();
    let ops: Vec<Op> = requests
        .iter()
        .zip(server.a.profiles.iter().cycle())
        .map(|(request, profile)| Op::RequestExport {
            request_id: *request,
            profile_id: *profile,
        })
        .collect();
    server.push(&server.a.admin, ClientId::new(), 1, &ops).await;

    let now = chrono::Utc::now();
    let (a, b) = tokio::join!(first.deliver_due(now), second.deliver_due(now));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 12, "{a:?} {b:?}");
    let mut mailed = Vec::new();
    while mailed.len() < 12 {
        let message = tokio::time::timeout(std::time::Duration::from_secs(20), sink.next_message())
            .await
            .expect("a message");
        let id = requests
            .iter()
            .find(|r| message.data.contains(&r.to_string()))
            .copied()
            .expect("a message of one of the requests");
        mailed.push(id);
    }
    mailed.sort();
    mailed.dedup();
    assert_eq!(mailed.len(), 12, "each request mailed once");
    assert!(sink.try_message().is_none(), "a request mailed twice");
    // Nothing is due any more, on either server.
    let later = now + chrono::Duration::minutes(10);
    assert_eq!(first.deliver_due(later).await.unwrap().sent, 0);
    assert_eq!(second.deliver_due(later).await.unwrap().sent, 0);
    other.close().await;
}

pub async fn old_history_is_pruned_and_old_cookies_start_over(backend: Backend) {
    use userdesk_server::managers::hash_token;

    let server = TestServer::start(backend).await;
    let token = &server.a.admin;
    let p = &server.a.profiles;
    let principal = server
        .storage
        .authenticate(&hash_token(token))
        .await
        .unwrap()
        .unwrap();
    let (ann, bob) = (ClientId::new(), ClientId::new());
    let (_, early_cookie, _) = server.pull_all(token, ann, None, 1000).await;

    // A hundred days ago: Ann edits, deletes a customer, edits again; Bob edits once.
    let long_ago = chrono::Utc::now() - chrono::Duration::days(100);
    let old = [
        patch_with_base(p[0], Field::Location, "Old 1", None),
        Op::ProfileDelete { profile_id: p[1] },
        patch_with_base(p[2], Field::Location, "Old 3", None),
    ];
    let mutations: Vec<Mutation> = old
        .iter()
        .enumerate()
        .map(|(i, op)| op.to_mutation(i as u64 + 1))
        .collect();
    server
        .storage
        .process_push(&principal, ann, &mutations, long_ago)
        .await
        .unwrap();
    let bobs = [patch_with_base(p[4], Field::Location, "Bob's", None).to_mutation(1)];
    server
        .storage
        .process_push(&principal, bob, &bobs, long_ago)
        .await
        .unwrap();
    // Today: Ann edits once more.
    let today = [patch_with_base(p[3], Field::Location, "Today", None)];
    server.push(token, ann, 4, &today).await;

    let before = chrono::Utc::now() - chrono::Duration::days(90);
    let pruned = server
        .storage
        .prune_before(server.a.id, before)
        .await
        .unwrap();
    // Ann's first two mutations go; her third (her latest back then) and Bob's only one stay.
    assert_eq!(pruned.mutations, 2, "{pruned:?}");
    assert!(pruned.tombstones >= 1, "{pruned:?}");
    // Nothing of the other workspace is touched.
    assert_eq!(
        server
            .storage
            .prune_before(server.b.id, before)
            .await
            .unwrap(),
        Default::default()
    );

    // A cookie from before the pruned history starts over; a download from nothing tells each
    // client its last mutation as before.
    let body = json!({ "client_id": ann, "cookie": early_cookie, "limit": 1000 });
    let (status, json) = server.post("/v1/pull", token, &body).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["reset"], true, "{json}");
    let (ops, _, last) = server.pull_all(token, ann, None, 1000).await;
    assert_eq!(last, 4);
    assert!(
        deletes(&ops).is_empty(),
        "a pruned tombstone was sent: {ops:?}"
    );
    assert!(puts(&ops)
        .iter()
        .all(|e| !matches!(e, Entity::Profile(x) if x.id == p[1])));
    let (_, _, bobs_last) = server.pull_all(token, bob, None, 1000).await;
    assert_eq!(bobs_last, 1);
    // Pushed again, the old mutations are still known as done; the next one applies.
    let again = server.push_raw(token, ann, &mutations).await;
    assert_eq!(again.0, StatusCode::OK, "{}", again.1);
    assert_eq!(again.1["skipped"], 3, "{}", again.1);
    let next = [patch_with_base(p[0], Field::Location, "Next", None)];
    assert_eq!(server.push(token, ann, 5, &next).await.applied, 1);
}

/// A bot session of `profile` on `device`, ended `hours` after a fixed moment.
fn bot_session(
    profile: ProfileId,
    device: &str,
    hours: i64,
    takeover: bool,
) -> userdesk_model::BotSession {
    use chrono::TimeZone as _;
    let ended_at =
        chrono::Utc.with_ymd_and_hms(2026, 2, 1, 9, 0, 0).unwrap() + chrono::Duration::hours(hours);
    userdesk_model::BotSession {
        id: userdesk_model::SessionId::new(),
        profile_id: profile,
        bot: "Sales bot".into(),
        platform: userdesk_model::Platform::Desktop,
        device: device.into(),
        started_at: ended_at - chrono::Duration::minutes(4),
        ended_at,
        goal_completed: false,
        live_chat_takeover: takeover,
    }
}

pub async fn sessions_takeover_and_device_follow_from_the_bot_sessions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let client = ClientId::new();
    let (_, cookie, _) = server.pull_all(&server.a.admin, client, None, 100).await;
    // A new customer whose profile claims what its sessions do not show.
    let mut newcomer = super::profile(99);
    newcomer.sessions = 17;
    newcomer.live_chat_takeover = true;
    newcomer.device = "Netscape 4".into();
    let first = vec![
        bot_session(newcomer.id, "Firefox 89.0", 1, false),
        bot_session(newcomer.id, "WhatsApp", 2, false),
    ];
    server
        .storage
        .insert_batch(
            server.a.id,
            &userdesk_server::storage::PlatformBatch {
                profiles: vec![newcomer.clone()],
                sessions: first,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let profile_in = |ops: &[PatchOp], id: ProfileId| {
        puts(ops).into_iter().find_map(|e| match e {
            Entity::Profile(p) if p.id == id => Some(p.clone()),
            _ => None,
        })
    };
    let (ops, cookie, _) = server
        .pull_all(&server.a.admin, client, Some(cookie), 100)
        .await;
    let pulled = profile_in(&ops, newcomer.id).expect("the new customer is pulled");
    assert_eq!(pulled.sessions, 2);
    assert!(!pulled.live_chat_takeover, "no agent took over a session");
    assert_eq!(pulled.device, "WhatsApp, Firefox 89.0");

    // Later sessions of the same customer and of a customer with none: an agent took one over.
    let earlier = server.a.profiles[0];
    let later = vec![
        bot_session(newcomer.id, "Telegram", 3, true),
        bot_session(newcomer.id, "Firefox 89.0", 4, false),
        bot_session(earlier, "Messenger", 1, false),
    ];
    server
        .storage
        .insert_batch(
            server.a.id,
            &userdesk_server::storage::PlatformBatch {
                sessions: later,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (ops, _, _) = server
        .pull_all(&server.a.admin, client, Some(cookie), 100)
        .await;
    let pulled = profile_in(&ops, newcomer.id).expect("the changed customer is pulled again");
    assert_eq!(pulled.sessions, 4);
    assert!(pulled.live_chat_takeover);
    assert_eq!(pulled.device, "Firefox 89.0, Telegram, WhatsApp");
    let pulled = profile_in(&ops, earlier).expect("the earlier customer is pulled again");
    assert_eq!(pulled.sessions, 1);
    assert!(!pulled.live_chat_takeover);
    assert_eq!(pulled.device, "Messenger");
    assert!(
        profile_in(&ops, server.a.profiles[1]).is_none(),
        "a customer without new sessions is not sent again"
    );
}

/// One page of the audit log as `token` reads it.
async fn audit_page(server: &TestServer, token: &str, query: Value) -> (StatusCode, Value) {
    server.post("/v1/audit", token, &query).await
}

fn audit_entries(page: &Value) -> Vec<userdesk_model::AuditEntry> {
    serde_json::from_value(page["entries"].clone()).unwrap()
}

pub async fn every_mutation_applied_or_refused_is_in_the_audit_log(backend: Backend) {
    let server = TestServer::start(backend).await;
    let p = &server.a.profiles;
    let before = server
        .storage
        .audit(server.a.id, &Default::default())
        .await
        .unwrap();
    assert!(before.entries.is_empty(), "seeding is not a mutation");
    let note = NoteId::new();
    let vip = segment("VIP");
    let admin_client = ClientId::new();
    server
        .push(
            &server.a.admin,
            admin_client,
            1,
            &[
                Op::ProfilePatch {
                    profile_id: p[0],
                    patch: ProfilePatch {
                        first_name: Some("Ada".into()),
                        ..Default::default()
                    },
                    base: None,
                },
                Op::ProfileSetStatus {
                    profile_id: p[1],
                    status: ProfileStatus::Archived,
                },
                Op::NoteCreate {
                    note_id: note,
                    profile_id: p[0],
                    body: "Called back".into(),
                },
                Op::SegmentCreate {
                    segment: vip.clone(),
                    members: vec![p[0], p[1]],
                },
                Op::ProfileSetPicture {
                    profile_id: p[0],
                    png: Some(picture()),
                },
            ],
        )
        .await;
    // An agent may not delete: refused, and logged with what it asked for.
    let agent_client = ClientId::new();
    let refused = server
        .push(
            &server.a.agent,
            agent_client,
            1,
            &[Op::ProfileDelete { profile_id: p[2] }],
        )
        .await;
    assert_eq!(refused.rejections.len(), 1);

    let (status, page) = audit_page(&server, &server.a.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let entries = audit_entries(&page);
    assert_eq!(entries.len(), 6);
    assert!(
        entries.windows(2).all(|w| w[0].seq < w[1].seq),
        "oldest first"
    );
    let names: Vec<&str> = entries.iter().map(|e| e.mutation.as_str()).collect();
    assert_eq!(
        names,
        [
            "profile.patch",
            "profile.set_status",
            "note.create",
            "segment.create",
            "profile.set_picture",
            "profile.delete"
        ]
    );
    let patch = &entries[0];
    assert_eq!(patch.manager, "admin@example.com");
    assert_eq!(patch.client_id, admin_client);
    assert_eq!(patch.mutation_id, 1);
    assert_eq!(patch.outcome, userdesk_model::AuditOutcome::Applied);
    assert_eq!(patch.changes.len(), 1, "{:?}", patch.changes);
    let change = &patch.changes[0];
    assert_eq!(
        (
            change.record.as_str(),
            change.key.clone(),
            change.field.as_str()
        ),
        ("profile", p[0].to_string(), "firstName")
    );
    assert_eq!(change.before, json!("First0"));
    assert_eq!(change.after, json!("Ada"));
    let status_change = &entries[1].changes;
    assert_eq!(status_change.len(), 1);
    assert_eq!(
        (&status_change[0].before, &status_change[0].after),
        (&json!("active"), &json!("archived"))
    );
    // A created record: each of its fields from nothing.
    let created = &entries[2].changes;
    assert!(created
        .iter()
        .any(|c| c.field == "body" && c.before.is_null() && c.after == json!("Called back")));
    // A segment and its two members.
    let segment_changes = &entries[3].changes;
    assert!(segment_changes
        .iter()
        .any(|c| c.record == "segment" && c.field == "name" && c.after == json!("VIP")));
    assert_eq!(
        segment_changes
            .iter()
            .filter(|c| c.record == "segment_member" && c.field == "profileId")
            .count(),
        2
    );
    // A picture is logged by its size and digest, not its bytes.
    let png = entries[4]
        .changes
        .iter()
        .find(|c| c.field == "png")
        .expect("the picture's change");
    let logged = png.after.as_str().unwrap();
    assert!(logged.contains("bytes of PNG, SHA-256"), "{logged}");
    assert!(logged.len() < 200);
    let delete = &entries[5];
    assert_eq!(delete.manager, "agent@example.com");
    assert_eq!(delete.outcome, userdesk_model::AuditOutcome::Refused);
    assert!(delete.changes.is_empty());
    let refusal = delete.refusal.as_ref().expect("why it was refused");
    assert_eq!(refusal.code, ErrorCode::Forbidden);
    assert_eq!(delete.request["profile_id"], json!(p[2].to_string()));

    // Filters, and pages.
    let (_, page) = audit_page(
        &server,
        &server.a.admin,
        json!({ "manager": "agent@example.com" }),
    )
    .await;
    assert_eq!(audit_entries(&page).len(), 1);
    let (_, page) = audit_page(
        &server,
        &server.a.admin,
        json!({ "since": "2999-01-01T00:00:00Z" }),
    )
    .await;
    assert!(audit_entries(&page).is_empty());
    let mut seen = Vec::new();
    let mut after: Option<u64> = None;
    loop {
        let (status, page) = audit_page(
            &server,
            &server.a.admin,
            json!({ "limit": 4, "after": after }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(audit_entries(&page).into_iter().map(|e| e.seq));
        match page["next"].as_u64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, entries.iter().map(|e| e.seq).collect::<Vec<_>>());

    // Only an admin reads it, and only their own workspace's.
    let (status, body) = audit_page(&server, &server.a.agent, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["code"], json!("forbidden"));
    let (status, page) = audit_page(&server, &server.b.admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(audit_entries(&page).is_empty());
    let (status, body) = audit_page(&server, &server.a.admin, json!({ "limit": 0 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // Pruning the sync history leaves the log whole.
    server
        .storage
        .prune_before(server.a.id, chrono::Utc::now() + chrono::Duration::days(1))
        .await
        .unwrap();
    let (_, page) = audit_page(&server, &server.a.admin, json!({})).await;
    assert_eq!(audit_entries(&page).len(), 6);
}

/// The profile a pull carried last for `id`, if any.
fn pulled_profile(ops: &[PatchOp], id: ProfileId) -> Option<&userdesk_model::Profile> {
    puts(ops).into_iter().rev().find_map(|e| match e {
        Entity::Profile(p) if p.id == id => Some(p),
        _ => None,
    })
}

pub async fn deleted_customers_wait_in_the_trash_until_restored_or_purged(backend: Backend) {
    let server = TestServer::start(backend).await;
    let p = &server.a.profiles;
    let (agent, admin, reader) = (ClientId::new(), ClientId::new(), ClientId::new());
    let note = NoteId::new();
    server
        .push(
            &server.a.admin,
            admin,
            1,
            &[Op::NoteCreate {
                note_id: note,
                profile_id: p[0],
                body: "Prefers email".into(),
            }],
        )
        .await;
    let (_, cookie, _) = server.pull_all(&server.a.admin, reader, None, 100).await;

    // An agent may move customers to the Trash (it can be undone); only an admin deletes forever.
    let trashed = server
        .push(
            &server.a.agent,
            agent,
            1,
            &[Op::ProfileTrash {
                profile_ids: vec![p[0], p[1], p[0]],
            }],
        )
        .await;
    assert_eq!((trashed.applied, trashed.rejections.len()), (1, 0));
    let (ops, cookie, _) = server
        .pull_all(&server.a.admin, reader, Some(cookie), 100)
        .await;
    for id in [p[0], p[1]] {
        let profile = pulled_profile(&ops, id).expect("the trashed customer is pulled");
        let trashed = profile.trashed.as_ref().expect("in the Trash");
        assert_eq!(trashed.by, "agent@example.com");
    }
    assert!(deletes(&ops).is_empty(), "nothing is deleted: {ops:?}");

    // A colleague edits a customer in the Trash: the edit is kept.
    server
        .push(
            &server.a.admin,
            admin,
            2,
            &[patch_with_base(p[0], Field::FirstName, "Kept", None)],
        )
        .await;
    let restored = server
        .push(
            &server.a.agent,
            agent,
            2,
            &[Op::ProfileRestore {
                profile_ids: vec![p[0]],
            }],
        )
        .await;
    assert_eq!((restored.applied, restored.rejections.len()), (1, 0));
    let (ops, cookie, _) = server
        .pull_all(&server.a.admin, reader, Some(cookie), 100)
        .await;
    let back = pulled_profile(&ops, p[0]).expect("the restored customer is pulled");
    assert_eq!(back.trashed, None);
    assert_eq!(
        back.first_name, "Kept",
        "the colleague's edit survives the Trash"
    );
    // Everything attached came back with it: a sync from nothing still has the note.
    let (everything, _, _) = server
        .pull_all(&server.a.admin, ClientId::new(), None, 1000)
        .await;
    assert!(puts(&everything)
        .iter()
        .any(|e| matches!(e, Entity::Note(n) if n.id == note)));

    // The purge takes only those in the Trash longer than its days.
    let now = chrono::Utc::now();
    let days = chrono::Duration::days(userdesk_model::TRASH_DAYS);
    assert_eq!(server.storage.purge_trash(now - days).await.unwrap(), 0);
    assert_eq!(
        server
            .storage
            .purge_trash(now + days + chrono::Duration::days(1))
            .await
            .unwrap(),
        1
    );
    let (ops, _, _) = server
        .pull_all(&server.a.admin, reader, Some(cookie), 100)
        .await;
    assert!(
        deletes(&ops).contains(&&Tombstone::Profile(p[1])),
        "the purge reaches the apps: {ops:?}"
    );
    assert_eq!(
        server.storage.count_profiles(server.a.id).await.unwrap(),
        p.len() as u64 - 1
    );

    // Restoring a purged customer is refused, and says why.
    let late = server
        .push(
            &server.a.agent,
            agent,
            3,
            &[Op::ProfileRestore {
                profile_ids: vec![p[1]],
            }],
        )
        .await;
    assert_eq!(late.rejections.len(), 1);
    assert_eq!(late.rejections[0].code, ErrorCode::NotFound);
    assert!(
        late.rejections[0].message.contains("deleted forever"),
        "{}",
        late.rejections[0].message
    );
    // Nothing named, or only strangers: refused, nothing changes.
    let empty = server
        .push(
            &server.a.agent,
            agent,
            4,
            &[
                Op::ProfileTrash {
                    profile_ids: vec![],
                },
                Op::ProfileTrash {
                    profile_ids: server.b.profiles[..2].to_vec(),
                },
            ],
        )
        .await;
    let codes: Vec<ErrorCode> = empty.rejections.iter().map(|r| r.code).collect();
    assert_eq!(codes, [ErrorCode::InvalidRequest, ErrorCode::NotFound]);
    let (theirs, _, _) = server
        .pull_all(&server.b.admin, ClientId::new(), None, 1000)
        .await;
    assert!(puts(&theirs).iter().all(|e| match e {
        Entity::Profile(p) => p.trashed.is_none(),
        _ => true,
    }));
    // The audit log names who trashed and restored.
    let log = server
        .storage
        .audit(server.a.id, &Default::default())
        .await
        .unwrap();
    let names: Vec<&str> = log.entries.iter().map(|e| e.mutation.as_str()).collect();
    assert!(names.contains(&"profile.trash") && names.contains(&"profile.restore"));
}

pub async fn a_customers_history_lists_every_change_of_them_latest_first(backend: Backend) {
    let server = TestServer::start(backend).await;
    let p = &server.a.profiles;
    let tier = PropertyDefinition {
        id: PropertyId::new(),
        name: "Tier".into(),
        description: String::new(),
        format: PropertyFormat::Text,
        choices: vec![],
    };
    let vip = segment("VIP");
    server
        .push(
            &server.a.admin,
            ClientId::new(),
            1,
            &[
                patch_with_base(p[0], Field::FirstName, "Ada", None),
                Op::ProfileSetStatus {
                    profile_id: p[0],
                    status: ProfileStatus::Archived,
                },
                patch_with_base(p[1], Field::FirstName, "Someone else", None),
                Op::ProfileTrash {
                    profile_ids: vec![p[0], p[1]],
                },
                Op::ProfileRestore {
                    profile_ids: vec![p[0]],
                },
                Op::PropertyDefine {
                    property: tier.clone(),
                },
                Op::PropertySet {
                    profile_id: p[0],
                    property_id: tier.id,
                    value: Some("gold".into()),
                },
                Op::SegmentCreate {
                    segment: vip.clone(),
                    members: vec![p[0]],
                },
            ],
        )
        .await;
    // An agent reads it too (the audit log is for admins; a customer's History for everyone).
    let (status, page) = server
        .post(
            "/v1/history",
            &server.a.agent,
            &json!({ "profile_id": p[0] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let entries = audit_entries(&page);
    let names: Vec<&str> = entries.iter().map(|e| e.mutation.as_str()).collect();
    assert_eq!(
        names,
        [
            "segment.create",
            "property.set",
            "profile.restore",
            "profile.trash",
            "profile.set_status",
            "profile.patch"
        ],
        "the latest first, and only the changes of this customer"
    );
    let first_name = &entries[5].changes;
    assert_eq!(first_name.len(), 1);
    assert_eq!(first_name[0].field, "firstName");
    assert_eq!(
        (&first_name[0].before, &first_name[0].after),
        (&json!("First0"), &json!("Ada"))
    );
    assert_eq!(entries[5].manager, "admin@example.com");
    // The trash of two customers shows this one's change alone.
    assert!(entries[3]
        .changes
        .iter()
        .all(|c| c.key == p[0].to_string() && c.field == "trashed"));
    assert!(entries[3].changes[0].before.is_null());
    assert_eq!(
        entries[3].changes[0].after["by"],
        json!("admin@example.com")
    );
    assert!(entries[0]
        .changes
        .iter()
        .any(|c| c.record == "segment_member"));
    assert!(entries[1]
        .changes
        .iter()
        .any(|c| c.field == "value" && c.after == json!("gold")));

    // Paged, newest first.
    let (_, first) = server
        .post(
            "/v1/history",
            &server.a.admin,
            &json!({ "profile_id": p[0], "limit": 4 }),
        )
        .await;
    assert_eq!(audit_entries(&first).len(), 4);
    let next = first["next"].as_u64().expect("a next page");
    let (_, rest) = server
        .post(
            "/v1/history",
            &server.a.admin,
            &json!({ "profile_id": p[0], "before": next }),
        )
        .await;
    let rest: Vec<String> = audit_entries(&rest)
        .into_iter()
        .map(|e| e.mutation)
        .collect();
    assert_eq!(rest, ["profile.set_status", "profile.patch"]);
    assert!(first.get("next").is_some());

    // Another workspace sees nothing of it; a limit of 0 is refused.
    let (_, theirs) = server
        .post(
            "/v1/history",
            &server.b.admin,
            &json!({ "profile_id": p[0] }),
        )
        .await;
    assert!(audit_entries(&theirs).is_empty());
    let (status, _) = server
        .post(
            "/v1/history",
            &server.a.admin,
            &json!({ "profile_id": p[0], "limit": 0 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Runs `sql` (one migration's statements) straight on the test's database.
async fn run_on_database(server: &TestServer, backend: Backend, sql: &str) {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&server.database_url)
                .await
                .unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&server.database_url).await.unwrap();
            sqlx::raw_sql(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

pub async fn history_covers_audit_entries_written_before_its_index(backend: Backend) {
    let server = TestServer::start(backend).await;
    let p = &server.a.profiles;
    let vip = segment("VIP");
    server
        .push(
            &server.a.admin,
            ClientId::new(),
            1,
            &[
                patch_with_base(p[0], Field::Location, "Leeds", None),
                Op::SegmentCreate {
                    segment: vip,
                    members: vec![p[0]],
                },
            ],
        )
        .await;
    let history = |token: String| {
        let server = &server;
        async move {
            let (status, page) = server
                .post("/v1/history", &token, &json!({ "profile_id": p[0] }))
                .await;
            assert_eq!(status, StatusCode::OK, "{page}");
            audit_entries(&page)
                .into_iter()
                .map(|e| e.mutation)
                .collect::<Vec<_>>()
        }
    };
    // As a server upgraded from before the index: the log holds entries the index does not.
    run_on_database(&server, backend, "DELETE FROM audit_profiles").await;
    assert!(history(server.a.admin.clone()).await.is_empty());
    let backfill = match backend {
        Backend::Sqlite => {
            include_str!("../../../migrations/sqlite/20261206000012_audit_profiles_backfill.sql")
        }
        Backend::Postgres => {
            include_str!("../../../migrations/postgres/20261206000012_audit_profiles_backfill.sql")
        }
    };
    run_on_database(&server, backend, backfill).await;
    assert_eq!(
        history(server.a.admin.clone()).await,
        ["segment.create", "profile.patch"]
    );
    // Run twice (a migration never is, but nothing is doubled).
    run_on_database(&server, backend, backfill).await;
    assert_eq!(history(server.a.admin.clone()).await.len(), 2);
}
