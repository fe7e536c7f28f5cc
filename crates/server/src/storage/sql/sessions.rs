//! What the bots record: goals, bot sessions, their messages and goal completions. Clients only
//! read these; they arrive through the platform's own ingestion (here: seeding).

use std::collections::{HashMap, HashSet};

use sqlx::{QueryBuilder, Row as _};
use userdesk_model::sync::Entity;
use userdesk_model::{
    BotSession, Goal, GoalCompletion, Message, Platform, PlatformBatch, Profile, ProfileId, Sender,
    SessionTotals,
};
use uuid::Uuid;

use super::changes::{self, by_column, by_ids, Kind, CHUNK};
use super::{millis, parsed, time, Conn, Db, Row};
use crate::ids::WorkspaceId;
use crate::storage::Result;

pub(super) async fn insert_goals(
    conn: &mut Conn,
    workspace: WorkspaceId,
    goals: &[Goal],
    version: i64,
) -> Result<()> {
    for chunk in goals.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new("INSERT INTO goals (id, workspace_id, name, bot) ");
        query.push_values(chunk, |mut row, g| {
            row.push_bind(g.id)
                .push_bind(workspace)
                .push_bind(&g.name)
                .push_bind(&g.bot);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = goals.iter().map(|g| g.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Goal, &keys, version, false).await
}

pub(super) async fn insert_sessions(
    conn: &mut Conn,
    workspace: WorkspaceId,
    sessions: &[BotSession],
    version: i64,
) -> Result<()> {
    for chunk in sessions.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO sessions (id, workspace_id, profile_id, bot, platform, device, started_at,
                 ended_at, goal_completed, live_chat_takeover) ",
        );
        query.push_values(chunk, |mut row, s| {
            row.push_bind(s.id)
                .push_bind(workspace)
                .push_bind(s.profile_id)
                .push_bind(&s.bot)
                .push_bind(s.platform.as_str())
                .push_bind(&s.device)
                .push_bind(millis(s.started_at))
                .push_bind(millis(s.ended_at))
                .push_bind(s.goal_completed)
                .push_bind(s.live_chat_takeover);
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = sessions.iter().map(|s| s.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Session, &keys, version, false).await
}

pub(super) async fn insert_messages(
    conn: &mut Conn,
    workspace: WorkspaceId,
    messages: &[Message],
    version: i64,
) -> Result<()> {
    for chunk in messages.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO messages (id, workspace_id, session_id, sender, body, sent_at) ",
        );
        query.push_values(chunk, |mut row, m| {
            row.push_bind(m.id)
                .push_bind(workspace)
                .push_bind(m.session_id)
                .push_bind(m.sender.as_str())
                .push_bind(&m.body)
                .push_bind(millis(m.sent_at));
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = messages.iter().map(|m| m.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::Message, &keys, version, false).await
}

pub(super) async fn insert_completions(
    conn: &mut Conn,
    workspace: WorkspaceId,
    completions: &[GoalCompletion],
    version: i64,
) -> Result<()> {
    for chunk in completions.chunks(CHUNK) {
        let mut query = QueryBuilder::<Db>::new(
            "INSERT INTO goal_completions (id, workspace_id, goal_id, profile_id, session_id,
                 completed_at) ",
        );
        query.push_values(chunk, |mut row, c| {
            row.push_bind(c.id)
                .push_bind(workspace)
                .push_bind(c.goal_id)
                .push_bind(c.profile_id)
                .push_bind(c.session_id)
                .push_bind(millis(c.completed_at));
        });
        query.build().execute(&mut *conn).await?;
    }
    let keys: Vec<String> = completions.iter().map(|c| c.id.to_string()).collect();
    changes::touch_many(conn, workspace, Kind::GoalCompletion, &keys, version, false).await
}

pub(super) async fn fetch_goals(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let select = "SELECT id, name, bot FROM goals";
        for row in by_ids(select, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let goal = Goal {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                bot: row.try_get("bot")?,
            };
            found.push((goal.id.to_string(), Entity::Goal(goal)));
        }
    }
    Ok(found)
}

const SESSION_COLUMNS: &str = "SELECT id, profile_id, bot, platform, device, started_at, \
    ended_at, goal_completed, live_chat_takeover FROM sessions";

fn decode_session(row: &Row) -> Result<BotSession> {
    let platform: String = row.try_get("platform")?;
    Ok(BotSession {
        id: row.try_get("id")?,
        profile_id: row.try_get("profile_id")?,
        bot: row.try_get("bot")?,
        platform: parsed(&platform, Platform::parse, "platform")?,
        device: row.try_get("device")?,
        started_at: time(row.try_get("started_at")?)?,
        ended_at: time(row.try_get("ended_at")?)?,
        goal_completed: row.try_get("goal_completed")?,
        live_chat_takeover: row.try_get("live_chat_takeover")?,
    })
}

pub(super) async fn fetch_sessions(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        for row in by_ids(SESSION_COLUMNS, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let session = decode_session(&row)?;
            found.push((session.id.to_string(), Entity::Session(session)));
        }
    }
    Ok(found)
}

/// The batch's new profiles, with SESSIONS, LIVE CHAT TAKEOVER and DEVICE following from the
/// batch's sessions (a new profile can have no other).
pub(super) fn settled_profiles(batch: &PlatformBatch) -> Vec<Profile> {
    let mut by_profile: HashMap<ProfileId, Vec<&BotSession>> = HashMap::new();
    for session in &batch.sessions {
        by_profile
            .entry(session.profile_id)
            .or_default()
            .push(session);
    }
    batch
        .profiles
        .iter()
        .map(|profile| {
            let mut profile = profile.clone();
            let sessions = by_profile.remove(&profile.id).unwrap_or_default();
            SessionTotals::of(sessions).apply_to(&mut profile);
            profile
        })
        .collect()
}

/// Brings SESSIONS, LIVE CHAT TAKEOVER and DEVICE up to date for the earlier customers the
/// batch's sessions belong to, from all their stored sessions; each changed profile is sent to
/// clients at `version`.
pub(super) async fn settle_earlier_profiles(
    conn: &mut Conn,
    workspace: WorkspaceId,
    batch: &PlatformBatch,
    version: i64,
) -> Result<()> {
    let new: HashSet<ProfileId> = batch.profiles.iter().map(|p| p.id).collect();
    let earlier: Vec<Uuid> = batch
        .sessions
        .iter()
        .map(|s| s.profile_id)
        .filter(|id| !new.contains(id))
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|id| *id.as_uuid())
        .collect();
    let mut settled = Vec::new();
    for chunk in earlier.chunks(CHUNK) {
        let mut by_profile: HashMap<ProfileId, Vec<BotSession>> = HashMap::new();
        for row in by_column(SESSION_COLUMNS, "profile_id", workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let session = decode_session(&row)?;
            by_profile
                .entry(session.profile_id)
                .or_default()
                .push(session);
        }
        for (profile, sessions) in by_profile {
            let totals = SessionTotals::of(&sessions);
            sqlx::query(
                "UPDATE profiles SET sessions = $1, live_chat_takeover = $2, device = $3
                 WHERE workspace_id = $4 AND id = $5",
            )
            .bind(i64::from(totals.sessions))
            .bind(totals.live_chat_takeover)
            .bind(&totals.device)
            .bind(workspace)
            .bind(profile)
            .execute(&mut *conn)
            .await?;
            settled.push(profile.to_string());
        }
    }
    changes::touch_many(conn, workspace, Kind::Profile, &settled, version, false).await
}

pub(super) async fn fetch_messages(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let select = "SELECT id, session_id, sender, body, sent_at FROM messages";
        for row in by_ids(select, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let sender: String = row.try_get("sender")?;
            let message = Message {
                id: row.try_get("id")?,
                session_id: row.try_get("session_id")?,
                sender: parsed(&sender, Sender::parse, "sender")?,
                body: row.try_get("body")?,
                sent_at: time(row.try_get("sent_at")?)?,
            };
            found.push((message.id.to_string(), Entity::Message(message)));
        }
    }
    Ok(found)
}

pub(super) async fn fetch_completions(
    conn: &mut Conn,
    workspace: WorkspaceId,
    ids: &[Uuid],
) -> Result<Vec<(String, Entity)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let select =
            "SELECT id, goal_id, profile_id, session_id, completed_at FROM goal_completions";
        for row in by_ids(select, workspace, chunk)
            .build()
            .fetch_all(&mut *conn)
            .await?
        {
            let completion = GoalCompletion {
                id: row.try_get("id")?,
                goal_id: row.try_get("goal_id")?,
                profile_id: row.try_get("profile_id")?,
                session_id: row.try_get("session_id")?,
                completed_at: time(row.try_get("completed_at")?)?,
            };
            found.push((
                completion.id.to_string(),
                Entity::GoalCompletion(completion),
            ));
        }
    }
    Ok(found)
}
