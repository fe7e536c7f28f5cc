//! What the platform's bots recorded about a customer, as the Details window shows it: the bot
//! sessions (searchable by bot, sorted by end time), a session's whole conversation, and the
//! goals the customer completed. These records come only from the server; the app reads them.

use std::collections::HashMap;

use chrono_tz::Tz;
use sqlx::SqliteConnection;
use userdesk_model::{
    BotSession, Conversation, Goal, GoalCompletion, GoalCompletionView, GoalId, Message,
    MessageView, ProfileId, SessionId, SessionOrder, SessionView,
};

use crate::error::{CoreError, Result};
use crate::store::profiles;
use crate::store::synced::{self, Owner, RecordKind};
use crate::store::Store;
use crate::time::format_timestamp;

async fn sessions_of(conn: &mut SqliteConnection, profile: ProfileId) -> Result<Vec<BotSession>> {
    synced::owned_by(
        conn,
        RecordKind::Session,
        Owner::Profile,
        profile.to_string(),
    )
    .await
}

fn session_view(session: BotSession, tz: Tz) -> SessionView {
    SessionView {
        id: session.id,
        bot: session.bot,
        platform: session.platform,
        device: session.device,
        started: format_timestamp(session.started_at, tz),
        ended: format_timestamp(session.ended_at, tz),
        goal_completed: session.goal_completed,
        live_chat_takeover: session.live_chat_takeover,
    }
}

/// Whether `bot` contains `search`, ignoring case; an empty search matches every bot.
fn bot_matches(bot: &str, search: &str) -> bool {
    let search = search.trim().to_lowercase();
    search.is_empty() || bot.to_lowercase().contains(&search)
}

impl Store {
    /// The customer's bot sessions whose bot's name contains `search`, by end time.
    pub(crate) async fn bot_sessions(
        &self,
        profile: ProfileId,
        search: &str,
        order: SessionOrder,
        tz: Tz,
    ) -> Result<Vec<SessionView>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        let mut sessions: Vec<BotSession> = sessions_of(&mut conn, profile)
            .await?
            .into_iter()
            .filter(|s| bot_matches(&s.bot, search))
            .collect();
        sessions.sort_by(|a, b| a.ended_at.cmp(&b.ended_at).then(a.id.cmp(&b.id)));
        if order == SessionOrder::NewestFirst {
            sessions.reverse();
        }
        Ok(sessions.into_iter().map(|s| session_view(s, tz)).collect())
    }

    /// One session with its whole transcript, oldest message first.
    pub(crate) async fn conversation(&self, session: SessionId, tz: Tz) -> Result<Conversation> {
        let mut conn = self.pool.acquire().await?;
        let found: BotSession = synced::by_id(&mut conn, RecordKind::Session, session.to_string())
            .await?
            .ok_or_else(|| CoreError::SessionNotFound(session.to_string()))?;
        let mut messages: Vec<Message> = synced::owned_by(
            &mut conn,
            RecordKind::Message,
            Owner::Session,
            session.to_string(),
        )
        .await?;
        messages.sort_by(|a, b| a.sent_at.cmp(&b.sent_at).then(a.id.cmp(&b.id)));
        Ok(Conversation {
            session: session_view(found, tz),
            messages: messages
                .into_iter()
                .map(|m| MessageView {
                    id: m.id,
                    sender: m.sender,
                    body: m.body,
                    sent: format_timestamp(m.sent_at, tz),
                })
                .collect(),
        })
    }

    /// The goals the customer completed, the latest first, with the goal's name and bot.
    pub(crate) async fn goal_completions(
        &self,
        profile: ProfileId,
        tz: Tz,
    ) -> Result<Vec<GoalCompletionView>> {
        let mut conn = self.pool.acquire().await?;
        profiles::must_exist(&mut conn, profile).await?;
        let mut completions: Vec<GoalCompletion> = synced::owned_by(
            &mut conn,
            RecordKind::GoalCompletion,
            Owner::Profile,
            profile.to_string(),
        )
        .await?;
        completions.sort_by(|a, b| b.completed_at.cmp(&a.completed_at).then(b.id.cmp(&a.id)));
        let mut goals: HashMap<GoalId, Option<Goal>> = HashMap::new();
        let mut views = Vec::with_capacity(completions.len());
        for completion in completions {
            let goal = match goals.get(&completion.goal_id) {
                Some(goal) => goal.clone(),
                None => {
                    let goal: Option<Goal> =
                        synced::by_id(&mut conn, RecordKind::Goal, completion.goal_id.to_string())
                            .await?;
                    goals.insert(completion.goal_id, goal.clone());
                    goal
                }
            };
            let (name, bot) = goal.map(|g| (g.name, g.bot)).unwrap_or_default();
            views.push(GoalCompletionView {
                id: completion.id,
                goal: name,
                bot,
                completed: format_timestamp(completion.completed_at, tz),
                session_id: completion.session_id,
            });
        }
        Ok(views)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bot_search_ignores_case_and_blank_space() {
        assert!(bot_matches("Support Bot", "support"));
        assert!(bot_matches("Support Bot", "  BOT "));
        assert!(bot_matches("Support Bot", ""));
        assert!(!bot_matches("Support Bot", "sales"));
        assert!(bot_matches("Señora Bot", "SEÑORA"));
    }
}
