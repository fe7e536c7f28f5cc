//! What the bots recorded about a customer, pulled from the real server on loopback and read as
//! the Details window shows it: bot sessions (search by bot, sort by end time both ways, a star
//! where a goal was completed), a session's conversation, and the completed goals.

use crate::platform::*;
use chrono::{Duration, TimeZone, Utc};
use userdesk_core::CoreError;
use userdesk_model::{
    ApiError, BotSession, ErrorCode, Goal, GoalCompletion, GoalCompletionId, GoalId, Message,
    MessageId, Platform as Channel, Sender, SessionId, SessionOrder,
};
use userdesk_server::storage::PlatformBatch;

fn code(err: CoreError) -> ErrorCode {
    ApiError::from(err).code
}

struct Story {
    platform: Platform,
    client: Client,
    sessions: [SessionId; 3],
}

/// Three sessions of the first customer (one with a completed goal and a conversation), and
/// one of the second.
async fn story() -> Story {
    let platform = Platform::start(2).await;
    let (ada, bob) = (platform.profiles[0].id, platform.profiles[1].id);
    let day = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
    let session = |profile, bot: &str, channel, ended_day: u32, goal: bool| BotSession {
        id: SessionId::new(),
        profile_id: profile,
        bot: bot.into(),
        platform: channel,
        device: "Firefox 131".into(),
        started_at: day(ended_day, 9),
        ended_at: day(ended_day, 10),
        goal_completed: goal,
        live_chat_takeover: false,
    };
    let sessions = vec![
        session(ada, "Support Bot", Channel::MobileWeb, 1, true),
        session(ada, "Sales Assistant", Channel::Desktop, 3, false),
        session(ada, "Support Bot", Channel::WhatsApp, 2, false),
        session(bob, "Support Bot", Channel::Desktop, 4, false),
    ];
    let first = sessions[0].id;
    let message = |minute: i64, sender, body: &str| Message {
        id: MessageId::new(),
        session_id: first,
        sender,
        body: body.into(),
        sent_at: day(1, 9) + Duration::minutes(minute),
    };
    let goal = Goal {
        id: GoalId::new(),
        name: "Refund requested".into(),
        bot: "Support Bot".into(),
    };
    let batch = PlatformBatch {
        goals: vec![goal.clone()],
        messages: vec![
            message(2, Sender::Customer, "My order arrived broken"),
            message(1, Sender::Bot, "Hello! How can I help?"),
            message(
                3,
                Sender::Bot,
                "Sorry to hear that. I have asked for a refund.",
            ),
        ],
        goal_completions: vec![GoalCompletion {
            id: GoalCompletionId::new(),
            goal_id: goal.id,
            profile_id: ada,
            session_id: first,
            completed_at: day(1, 9) + Duration::minutes(3),
        }],
        sessions: sessions.clone(),
        ..Default::default()
    };
    platform.insert(&batch).await;
    let client = Client::synced(&platform).await;
    Story {
        platform,
        client,
        sessions: [sessions[0].id, sessions[1].id, sessions[2].id],
    }
}

#[tokio::test]
async fn bot_sessions_are_sorted_by_end_time_either_way_and_searched_by_bot() {
    let s = story().await;
    let app = &s.client.app;
    app.set_time_zone("Asia/Tokyo").await.unwrap();
    let ada = s.platform.profiles[0].id;
    let newest = app
        .bot_sessions(ada, "", SessionOrder::NewestFirst)
        .await
        .unwrap();
    let ids: Vec<_> = newest.iter().map(|v| v.id).collect();
    assert_eq!(ids, [s.sessions[1], s.sessions[2], s.sessions[0]]);
    // 10:00 UTC is 19:00 in Tokyo.
    assert_eq!(newest[0].ended, "Nov 3, 2026 19:00");
    assert_eq!(newest[0].bot, "Sales Assistant");
    let stars: Vec<_> = newest.iter().map(|v| v.goal_completed).collect();
    assert_eq!(stars, [false, false, true]);
    let oldest = app
        .bot_sessions(ada, "", SessionOrder::OldestFirst)
        .await
        .unwrap();
    let ids: Vec<_> = oldest.iter().map(|v| v.id).collect();
    assert_eq!(ids, [s.sessions[0], s.sessions[2], s.sessions[1]]);
    let support = app
        .bot_sessions(ada, "  support ", SessionOrder::NewestFirst)
        .await
        .unwrap();
    assert_eq!(
        support.iter().map(|v| v.id).collect::<Vec<_>>(),
        [s.sessions[2], s.sessions[0]]
    );
    let none = app
        .bot_sessions(ada, "billing", SessionOrder::NewestFirst)
        .await
        .unwrap();
    assert!(none.is_empty());
    // The second customer's session is theirs only.
    let bob = s.platform.profiles[1].id;
    assert_eq!(
        app.bot_sessions(bob, "", SessionOrder::NewestFirst)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_sessions_conversation_reads_in_order_with_its_bot_and_platform() {
    let s = story().await;
    let app = &s.client.app;
    let talk = app.conversation(s.sessions[0]).await.unwrap();
    assert_eq!(talk.session.bot, "Support Bot");
    assert_eq!(talk.session.platform, Channel::MobileWeb);
    let lines: Vec<_> = talk
        .messages
        .iter()
        .map(|m| (m.sender, m.body.as_str(), m.sent.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (Sender::Bot, "Hello! How can I help?", "Nov 1, 2026 09:01"),
            (
                Sender::Customer,
                "My order arrived broken",
                "Nov 1, 2026 09:02"
            ),
            (
                Sender::Bot,
                "Sorry to hear that. I have asked for a refund.",
                "Nov 1, 2026 09:03"
            ),
        ]
    );
    // A session without messages has an empty transcript.
    let quiet = app.conversation(s.sessions[1]).await.unwrap();
    assert!(quiet.messages.is_empty());
}

#[tokio::test]
async fn completed_goals_are_listed_with_their_name_and_bot() {
    let s = story().await;
    let app = &s.client.app;
    let ada = s.platform.profiles[0].id;
    let goals = app.goal_completions(ada).await.unwrap();
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].goal, "Refund requested");
    assert_eq!(goals[0].bot, "Support Bot");
    assert_eq!(goals[0].completed, "Nov 1, 2026 09:03");
    assert_eq!(goals[0].session_id, s.sessions[0]);
    let bob = s.platform.profiles[1].id;
    assert!(app.goal_completions(bob).await.unwrap().is_empty());
}

#[tokio::test]
async fn unknown_or_malformed_ids_get_specific_errors() {
    let s = story().await;
    let app = &s.client.app;
    let missing = SessionId::new();
    assert_eq!(
        code(app.conversation(missing).await.unwrap_err()),
        ErrorCode::NotFound
    );
    let nobody = userdesk_model::ProfileId::new();
    assert_eq!(
        code(
            app.bot_sessions(nobody, "", SessionOrder::NewestFirst)
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(app.goal_completions(nobody).await.unwrap_err()),
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn sessions_takeover_and_device_follow_the_sessions_as_they_sync() {
    let s = story().await;
    let app = &s.client.app;
    let (ada, bob) = (s.platform.profiles[0].id, s.platform.profiles[1].id);
    let details = app.profile_details(ada).await.unwrap();
    assert_eq!(details.profile.sessions, 3);
    assert!(!details.profile.live_chat_takeover);
    assert_eq!(details.profile.device, "Firefox 131");

    // The platform records a later session of Bob's on Telegram, where an agent took over.
    let ended_at = Utc.with_ymd_and_hms(2026, 11, 5, 10, 0, 0).unwrap();
    let later = BotSession {
        id: SessionId::new(),
        profile_id: bob,
        bot: "Support Bot".into(),
        platform: Channel::Telegram,
        device: "Telegram".into(),
        started_at: ended_at - Duration::minutes(6),
        ended_at,
        goal_completed: false,
        live_chat_takeover: true,
    };
    s.platform
        .insert(&PlatformBatch {
            sessions: vec![later.clone()],
            ..Default::default()
        })
        .await;
    s.client.sync(&s.platform).await;

    let details = app.profile_details(bob).await.unwrap();
    let listed = app
        .bot_sessions(bob, "", SessionOrder::NewestFirst)
        .await
        .unwrap();
    assert_eq!(details.profile.sessions as usize, listed.len());
    assert_eq!(listed.len(), 2);
    assert!(details.profile.live_chat_takeover);
    assert!(listed[0].live_chat_takeover && listed[0].device == "Telegram");
    assert_eq!(details.profile.device, "Telegram, Firefox 131");
    // The All users table counts the same sessions.
    let page = app
        .list_profiles(&userdesk_model::ListRequest {
            filter: Default::default(),
            sort: Default::default(),
            after: None,
            offset: 0,
            limit: 100,
        })
        .await
        .unwrap();
    let row = page.rows.iter().find(|r| r.id == bob).unwrap();
    assert_eq!(row.sessions, 2);
}
