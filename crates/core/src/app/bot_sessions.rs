//! A customer's bot sessions, their conversations, goal completions, and the goals tracked.

use userdesk_model::ProfileId;
use userdesk_model::{
    Conversation, Goal, GoalCompletionView, GoalSummary, SessionId, SessionOrder, SessionView,
};

use super::AppCore;
use crate::error::Result;

impl AppCore {
    /// The customer's bot sessions whose bot's name contains `search` (any case), by end time
    /// either way; times in the manager's zone.
    pub async fn bot_sessions(
        &self,
        profile_id: ProfileId,
        search: &str,
        order: SessionOrder,
    ) -> Result<Vec<SessionView>> {
        let id = profile_id;
        self.store
            .bot_sessions(id, search, order, self.time_zone())
            .await
    }

    /// A bot session's whole conversation, with its bot and platform.
    pub async fn conversation(&self, session_id: SessionId) -> Result<Conversation> {
        self.store.conversation(session_id, self.time_zone()).await
    }

    /// The goals the customer completed, the latest first.
    pub async fn goal_completions(&self, profile_id: ProfileId) -> Result<Vec<GoalCompletionView>> {
        let id = profile_id;
        self.store.goal_completions(id, self.time_zone()).await
    }

    /// The Goals list: every goal by name, with its bot and how many customers completed it
    /// (`ProfileFilter::goal` then shows them).
    pub async fn goal_summaries(&self) -> Result<Vec<GoalSummary>> {
        self.store.goal_summaries().await
    }

    /// The goals the platform's bots track, by name.
    pub async fn goals(&self) -> Result<Vec<Goal>> {
        self.store.goals().await
    }
}
