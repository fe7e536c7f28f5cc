//! Managers' notes on a customer: written, changed and deleted offline, kept exactly, refused
//! clearly when empty or oversized, and synced through the real server on loopback.

use crate::platform::*;
use userdesk_core::CoreError;
use userdesk_model::{ApiError, ErrorCode, NoteView, ProfileId, MAX_LONG_TEXT_LEN};

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

async fn notes_of(client: &Client, id: ProfileId) -> Vec<NoteView> {
    client.app.notes(id).await.unwrap()
}

#[tokio::test]
async fn a_note_is_kept_at_once_and_marked_pending_until_the_server_has_it() {
    let platform = Platform::start(3).await;
    let ann = Client::synced(&platform).await;
    let id = platform.profiles[0].id;
    assert!(notes_of(&ann, id).await.is_empty());

    let first = ann
        .app
        .add_note(id, "Called back, wants a refund")
        .await
        .unwrap();
    assert!(first.pending);
    assert_eq!(
        first.author, "You",
        "not signed in: the server stamps the author"
    );
    assert_eq!(first.edited, None);
    let second = ann.app.add_note(id, "Refund sent").await.unwrap();
    let shown = notes_of(&ann, id).await;
    assert_eq!(
        shown.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        ["Refund sent", "Called back, wants a refund"],
        "newest first"
    );
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 2);
    // Another customer's notes are theirs.
    let other = platform.profiles[1].id;
    assert!(notes_of(&ann, other).await.is_empty());

    // Changed and deleted before any sync: only the last word counts.
    let edited = ann
        .app
        .edit_note(second.id, "Refund sent by bank transfer")
        .await
        .unwrap();
    assert_eq!(edited.body, "Refund sent by bank transfer");
    ann.app.delete_note(first.id).await.unwrap();
    assert_eq!(notes_of(&ann, id).await.len(), 1);

    ann.sync(&platform).await;
    let synced = notes_of(&ann, id).await;
    assert_eq!(synced.len(), 1);
    assert!(!synced[0].pending);
    assert_eq!(synced[0].body, "Refund sent by bank transfer");
    assert_eq!(synced[0].author, "admin@example.com", "the server's stamp");
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 0);
}

#[tokio::test]
async fn a_colleagues_notes_arrive_and_their_changes_follow() {
    let platform = Platform::start(3).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[2].id;
    let note = ann
        .app
        .add_note(id, "VIP: answer within the hour")
        .await
        .unwrap();
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    let seen = notes_of(&bob, id).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].body, "VIP: answer within the hour");
    assert!(!seen[0].pending);

    bob.app
        .edit_note(note.id, "VIP: answer within 30 minutes")
        .await
        .unwrap();
    bob.sync(&platform).await;
    ann.sync(&platform).await;
    let seen = notes_of(&ann, id).await;
    assert_eq!(seen[0].body, "VIP: answer within 30 minutes");
    assert!(seen[0].edited.is_some(), "an edited note says when");

    ann.app.delete_note(note.id).await.unwrap();
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    assert!(notes_of(&bob, id).await.is_empty());
}

#[tokio::test]
async fn a_note_change_the_server_refuses_gives_the_note_back_and_says_why() {
    let platform = Platform::start(2).await;
    let agent_token = platform.token_of("agent@example.com").await;
    let (admin, agent) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    let note = admin
        .app
        .add_note(id, "Escalated to billing")
        .await
        .unwrap();
    admin.sync(&platform).await;
    agent
        .app
        .sync_to(&platform.url, &agent_token)
        .await
        .unwrap();
    // An agent may change only their own notes: the server refuses.
    agent
        .app
        .edit_note(note.id, "Nothing to see")
        .await
        .unwrap();
    assert_eq!(notes_of(&agent, id).await[0].body, "Nothing to see");
    agent
        .app
        .sync_to(&platform.url, &agent_token)
        .await
        .unwrap();
    let seen = notes_of(&agent, id).await;
    assert_eq!(seen[0].body, "Escalated to billing");
    assert!(!seen[0].pending);
    let refused = agent.app.rejections().await.unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].code, ErrorCode::Forbidden);
    assert_eq!(refused[0].name, "note.update");
}

#[tokio::test]
async fn bad_notes_are_refused_with_the_reason_and_queue_nothing() {
    let platform = Platform::start(1).await;
    let ann = Client::synced(&platform).await;
    let id = platform.profiles[0].id;
    for (body, reason, told) in [
        ("", "a note needs some text", "A note needs some text"),
        (
            "   \n\t",
            "a note needs some text",
            "A note needs some text",
        ),
        (
            "a\0b",
            "the note contains a NUL character",
            "The note contains a NUL character",
        ),
    ] {
        let err = ann.app.add_note(id, body).await.unwrap_err();
        assert_eq!(err.to_string(), format!("invalid request: {reason}"));
        // The window is told the reason alone, as a sentence: nothing to strip.
        assert_eq!(err.to_api_error().message, told);
    }
    let long = "x".repeat(MAX_LONG_TEXT_LEN + 1);
    let err = ann.app.add_note(id, &long).await.unwrap_err();
    assert_eq!(code(err), ErrorCode::InvalidRequest);
    let missing = userdesk_model::ProfileId::new();
    assert_eq!(
        code(ann.app.add_note(missing, "hi").await.unwrap_err()),
        ErrorCode::NotFound
    );
    let note = userdesk_model::NoteId::new();
    assert_eq!(
        code(ann.app.edit_note(note, "hi").await.unwrap_err()),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(ann.app.delete_note(note).await.unwrap_err()),
        ErrorCode::NotFound
    );
    // An edit to empty text is refused too, and the note keeps its text.
    let kept = ann.app.add_note(id, "Keep me").await.unwrap();
    let err = ann.app.edit_note(kept.id, " ").await.unwrap_err();
    assert_eq!(code(err), ErrorCode::InvalidRequest);
    assert_eq!(notes_of(&ann, id).await[0].body, "Keep me");
    assert_eq!(ann.app.sync_status().await.unwrap().pending, 1);
}

#[tokio::test]
async fn hostile_strings_are_kept_byte_exact_through_the_server() {
    let blns: Vec<String> = serde_json::from_str(include_str!("../data/blns.json")).unwrap();
    let platform = Platform::start(1).await;
    let (ann, bob) = (
        Client::synced(&platform).await,
        Client::synced(&platform).await,
    );
    let id = platform.profiles[0].id;
    let mut kept = Vec::new();
    for hostile in blns
        .iter()
        .filter(|s| !s.trim().is_empty() && !s.contains('\0'))
        .take(120)
    {
        ann.app.add_note(id, hostile).await.unwrap();
        kept.push(hostile.clone());
    }
    ann.sync(&platform).await;
    bob.sync(&platform).await;
    let mut seen: Vec<String> = notes_of(&bob, id)
        .await
        .into_iter()
        .map(|n| n.body)
        .collect();
    seen.sort();
    kept.sort();
    assert_eq!(seen, kept);
}
