//! What the platform's bots record: goals, bot sessions with their messages, goal completions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;
use crate::profile::Platform;

crate::uuid_id!(
    /// A bot goal's id.
    GoalId = "string & { readonly __brand: 'GoalId' }"
);
crate::uuid_id!(
    /// A goal completion's id.
    GoalCompletionId = "string & { readonly __brand: 'GoalCompletionId' }"
);
crate::uuid_id!(
    /// A bot session's id.
    SessionId = "string & { readonly __brand: 'SessionId' }"
);
crate::uuid_id!(
    /// A conversation message's id.
    MessageId = "string & { readonly __brand: 'MessageId' }"
);

/// Something a bot wants customers to do, such as "Booked a demo".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Goal {
    pub id: GoalId,
    pub name: String,
    /// The bot that tracks it.
    pub bot: String,
}

/// A goal as the Goals list shows it: its bot, and how many customers completed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct GoalSummary {
    pub id: GoalId,
    pub name: String,
    /// The bot that tracks it.
    pub bot: String,
    /// How many customers completed it (once each, however many times).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub completed: u64,
}

/// A customer reaching a goal during a session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoalCompletion {
    pub id: GoalCompletionId,
    pub goal_id: GoalId,
    pub profile_id: ProfileId,
    pub session_id: SessionId,
    pub completed_at: DateTime<Utc>,
}

/// One conversation between a customer and a bot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BotSession {
    pub id: SessionId,
    pub profile_id: ProfileId,
    pub bot: String,
    pub platform: Platform,
    /// The browser or service, such as "Firefox 89.0" or "WhatsApp".
    pub device: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub goal_completed: bool,
    /// Whether a live agent took the conversation over from the bot.
    pub live_chat_takeover: bool,
}

/// What a customer's profile says of their bot sessions: SESSIONS, LIVE CHAT TAKEOVER and DEVICE
/// in Details and the table. They follow from the sessions alone, so every place that stores
/// sessions (the server, the demo workspace) sets them with this one rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionTotals {
    /// How many sessions the customer had.
    pub sessions: u32,
    /// Whether an agent took over any of them.
    pub live_chat_takeover: bool,
    /// Every browser or service used, the most recently used first, such as
    /// "WhatsApp, Firefox 89.0"; empty without sessions.
    pub device: String,
}

impl SessionTotals {
    /// The totals of one customer's sessions (in any order).
    pub fn of<'a>(sessions: impl IntoIterator<Item = &'a BotSession>) -> Self {
        let mut by_end: Vec<&BotSession> = sessions.into_iter().collect();
        by_end.sort_by(|a, b| b.ended_at.cmp(&a.ended_at).then(b.id.cmp(&a.id)));
        let mut devices: Vec<&str> = Vec::new();
        for session in &by_end {
            let device = session.device.trim();
            if !device.is_empty() && !devices.contains(&device) {
                devices.push(device);
            }
        }
        Self {
            sessions: u32::try_from(by_end.len()).unwrap_or(u32::MAX),
            live_chat_takeover: by_end.iter().any(|s| s.live_chat_takeover),
            device: devices.join(", "),
        }
    }

    /// Writes the totals into `profile`.
    pub fn apply_to(&self, profile: &mut crate::Profile) {
        profile.sessions = self.sessions;
        profile.live_chat_takeover = self.live_chat_takeover;
        profile.device.clone_from(&self.device);
    }
}

/// Who wrote a message of a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Sender {
    Customer,
    Bot,
    /// A live agent who took the conversation over.
    Agent,
}

impl Sender {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Bot => "bot",
            Self::Agent => "agent",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Customer, Self::Bot, Self::Agent]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// One message of a bot session's transcript.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: MessageId,
    pub session_id: SessionId,
    pub sender: Sender,
    pub body: String,
    pub sent_at: DateTime<Utc>,
}

/// The order of the Details window's bot sessions, by end time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum SessionOrder {
    /// The latest first.
    #[default]
    NewestFirst,
    OldestFirst,
}

/// A bot session as the Details window lists it; times in the manager's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SessionView {
    pub id: SessionId,
    pub bot: String,
    pub platform: Platform,
    pub device: String,
    pub started: String,
    pub ended: String,
    /// A goal was completed in it: the list shows a star.
    pub goal_completed: bool,
    pub live_chat_takeover: bool,
}

/// One message of a conversation; the time in the manager's zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct MessageView {
    pub id: MessageId,
    pub sender: Sender,
    pub body: String,
    pub sent: String,
}

/// A session's whole transcript, oldest message first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Conversation {
    pub session: SessionView,
    pub messages: Vec<MessageView>,
}

/// A completed goal as the Details window lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct GoalCompletionView {
    pub id: GoalCompletionId,
    /// The goal's name; empty if the goal itself has not arrived.
    pub goal: String,
    pub bot: String,
    pub completed: String,
    pub session_id: SessionId,
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone as _};

    use super::*;

    fn session(n: i64, device: &str, takeover: bool) -> BotSession {
        let ended_at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::hours(n);
        BotSession {
            id: SessionId::from_uuid(uuid::Uuid::from_u128(n as u128)),
            profile_id: ProfileId::from_uuid(uuid::Uuid::from_u128(7)),
            bot: "Sales bot".into(),
            platform: Platform::Desktop,
            device: device.into(),
            started_at: ended_at - Duration::minutes(5),
            ended_at,
            goal_completed: false,
            live_chat_takeover: takeover,
        }
    }

    #[test]
    fn totals_count_every_session_and_list_each_device_once_latest_first() {
        let sessions = [
            session(1, "Firefox 89.0", false),
            session(3, "WhatsApp", false),
            session(2, "Firefox 89.0", false),
            session(4, " ", false),
        ];
        let totals = SessionTotals::of(&sessions);
        assert_eq!(totals.sessions, 4);
        assert!(!totals.live_chat_takeover);
        assert_eq!(totals.device, "WhatsApp, Firefox 89.0");
    }

    #[test]
    fn takeover_is_yes_only_when_an_agent_took_over_a_session() {
        let none = [session(1, "Telegram", false), session(2, "Telegram", false)];
        assert!(!SessionTotals::of(&none).live_chat_takeover);
        let one = [session(1, "Telegram", false), session(2, "Telegram", true)];
        assert!(SessionTotals::of(&one).live_chat_takeover);
    }

    #[test]
    fn no_sessions_means_none_of_them() {
        let totals = SessionTotals::of(&[]);
        assert_eq!(totals, SessionTotals::default());
        assert_eq!(totals.device, "");
    }
}
