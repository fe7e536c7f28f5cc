//! The whole platform story around the demo customers: bot sessions on several bots and
//! platforms, their conversations, goals and completions, live chat takeovers, properties, notes
//! and segments.

use chrono::{DateTime, Duration, Utc};
use userdesk_model::{
    BotSession, Goal, GoalCompletion, GoalCompletionId, GoalId, LastSeenWindow, Message, MessageId,
    Note, NoteId, Platform, PlatformBatch, Profile, ProfileStatus, PropertyDefinition,
    PropertyFormat, PropertyId, PropertyValue, RuleOperator, Segment, SegmentId, SegmentMember,
    SegmentRule, Sender, SessionId, SessionTotals,
};

use crate::profiles::DemoProfiles;
use crate::rng::Rng;

/// A bot, the goal it tracks, and a conversation it typically has.
struct Bot {
    name: &'static str,
    goal: &'static str,
    script: &'static [(Sender, &'static str)],
}

const BOTS: &[Bot] = &[
    Bot {
        name: "Support Bot",
        goal: "Resolved without an agent",
        script: &[
            (Sender::Customer, "Hi, my order hasn't arrived yet."),
            (
                Sender::Bot,
                "Sorry to hear that! Could you share your order number?",
            ),
            (Sender::Customer, "Sure, it's 48213."),
            (
                Sender::Bot,
                "Thanks. It left our warehouse yesterday and should arrive tomorrow.",
            ),
            (Sender::Customer, "Great, thank you!"),
            (Sender::Bot, "Anything else I can help with?"),
        ],
    },
    Bot {
        name: "Sales Assistant",
        goal: "Booked a demo",
        script: &[
            (
                Sender::Bot,
                "Hello! Are you looking for a plan for your team?",
            ),
            (
                Sender::Customer,
                "Yes, we're about 40 people. What does Pro include?",
            ),
            (
                Sender::Bot,
                "Pro includes unlimited bots, analytics and priority support.",
            ),
            (Sender::Customer, "Can I see it in action?"),
            (Sender::Bot, "Of course! Pick a time for a 30-minute demo."),
            (Sender::Customer, "Thursday at 10 works."),
        ],
    },
    Bot {
        name: "Onboarding Guide",
        goal: "Completed onboarding",
        script: &[
            (
                Sender::Bot,
                "Welcome aboard! Shall we set up your first bot together?",
            ),
            (Sender::Customer, "Yes please."),
            (Sender::Bot, "Step 1: give your bot a name and a greeting."),
            (Sender::Customer, "Done. What's next?"),
            (
                Sender::Bot,
                "Step 2: connect a channel such as your website or WhatsApp.",
            ),
        ],
    },
    Bot {
        name: "Order Tracker",
        goal: "Tracked an order",
        script: &[
            (Sender::Customer, "Where is my parcel?"),
            (Sender::Bot, "Please type your tracking number."),
            (Sender::Customer, "TRK-7730-1192"),
            (
                Sender::Bot,
                "Your parcel is at the local depot and out for delivery today.",
            ),
        ],
    },
];

const TAKEOVER: &[(Sender, &str)] = &[
    (Sender::Customer, "Can I talk to a person?"),
    (
        Sender::Bot,
        "Of course, connecting you with a colleague now.",
    ),
    (
        Sender::Agent,
        "Hi, this is Sam from the support team. I'm looking into it.",
    ),
    (Sender::Customer, "Thanks Sam!"),
];

const NOTES: &[&str] = &[
    "Called about the invoice; resolved.",
    "Prefers to be contacted by email.",
    "Interested in the Enterprise plan, follow up next quarter.",
    "Reported a bug in the WhatsApp channel, forwarded to engineering.",
    "VIP: handle with priority.",
];

const PLANS: &[&str] = &["Free", "Pro", "Enterprise"];
const COMPANIES: &[&str] = &[
    "Acme",
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
];

/// The workspace's property, goal and segment definitions, with fixed ids derived from the seed.
struct Definitions {
    plan: PropertyDefinition,
    company: PropertyDefinition,
    lifetime_value: PropertyDefinition,
    birthday: PropertyDefinition,
    newsletter: PropertyDefinition,
    goals: Vec<Goal>,
    vip: Segment,
    others: Vec<Segment>,
}

fn definitions(rng: &mut Rng, anchor: DateTime<Utc>) -> Definitions {
    let mut property =
        |name: &str, description: &str, format, choices: &[&str]| PropertyDefinition {
            id: PropertyId::from_uuid(rng.uuid_at(anchor)),
            name: name.to_string(),
            description: description.to_string(),
            format,
            choices: choices.iter().map(|c| c.to_string()).collect(),
        };
    let plan = property(
        "Plan",
        "The customer's subscription",
        PropertyFormat::Choice,
        PLANS,
    );
    let company = property(
        "Company",
        "Where the customer works",
        PropertyFormat::Text,
        &[],
    );
    let lifetime_value = property(
        "Lifetime value",
        "Revenue so far, in euros",
        PropertyFormat::Number,
        &[],
    );
    let birthday = property("Birthday", "", PropertyFormat::Date, &[]);
    let newsletter = property(
        "Newsletter",
        "Subscribed to the newsletter",
        PropertyFormat::Boolean,
        &[],
    );
    let goals: Vec<Goal> = BOTS
        .iter()
        .map(|bot| Goal {
            id: GoalId::from_uuid(rng.uuid_at(anchor)),
            name: bot.goal.to_string(),
            bot: bot.name.to_string(),
        })
        .collect();
    let mut segment = |name: &str, description: &str, rules| Segment {
        id: SegmentId::from_uuid(rng.uuid_at(anchor)),
        name: name.to_string(),
        description: description.to_string(),
        rules,
    };
    let vip = segment("VIP customers", "Hand-picked by the support team", vec![]);
    let others = vec![
        segment(
            "Demo bookers",
            "Customers who booked a demo",
            vec![SegmentRule::Goal {
                goal_id: goals[1].id,
                completed: true,
            }],
        ),
        segment(
            "Active this month",
            "Seen in the last 30 days",
            vec![
                SegmentRule::Status {
                    status: ProfileStatus::Active,
                },
                SegmentRule::LastSeen {
                    window: LastSeenWindow::Last30Days,
                },
            ],
        ),
        segment(
            "Enterprise",
            "Customers on the Enterprise plan",
            vec![SegmentRule::Property {
                property_id: plan.id,
                operator: RuleOperator::Equals,
                value: "Enterprise".to_string(),
            }],
        ),
    ];
    Definitions {
        plan,
        company,
        lifetime_value,
        birthday,
        newsletter,
        goals,
        vip,
        others,
    }
}

/// Everything one customer brings, added to `batch`.
fn customer(
    rng: &mut Rng,
    defs: &Definitions,
    mut profile: Profile,
    conversations: bool,
    batch: &mut PlatformBatch,
) {
    let value = |property: &PropertyDefinition, value: String| PropertyValue {
        profile_id: profile.id,
        property_id: property.id,
        value,
    };
    if rng.chance(60) {
        batch
            .property_values
            .push(value(&defs.plan, rng.pick(PLANS).to_string()));
    }
    if !profile.email.is_empty() && rng.chance(40) {
        batch
            .property_values
            .push(value(&defs.company, rng.pick(COMPANIES).to_string()));
    }
    if rng.chance(30) {
        let euros = rng.below(500_000) as f64 / 100.0;
        batch
            .property_values
            .push(value(&defs.lifetime_value, format!("{euros}")));
    }
    if rng.chance(20) {
        let birthday = format!(
            "{}-{:02}-{:02}",
            1950 + rng.below(55),
            1 + rng.below(12),
            1 + rng.below(28)
        );
        batch.property_values.push(value(&defs.birthday, birthday));
    }
    if rng.chance(50) {
        batch
            .property_values
            .push(value(&defs.newsletter, rng.chance(50).to_string()));
    }
    if rng.chance(2) {
        batch.segment_members.push(SegmentMember {
            segment_id: defs.vip.id,
            profile_id: profile.id,
        });
    }
    if !conversations {
        // No sessions, so none of what follows from them.
        SessionTotals::default().apply_to(&mut profile);
        batch.profiles.push(profile);
        return;
    }
    let sessions = 1 + rng.below(3) as u32;
    let first_session = batch.sessions.len();
    let span = (profile.last_seen_at - profile.created_at)
        .num_minutes()
        .max(1) as u64;
    let mut ends = Vec::new();
    for n in 0..sessions {
        // The last session ends when the customer was last seen; earlier ones fall before it.
        let started_at = if n + 1 == sessions {
            profile.last_seen_at - Duration::minutes(2 + rng.below(20) as i64)
        } else {
            profile.created_at + Duration::minutes(rng.below(span) as i64)
        };
        let bot = rng.pick(BOTS);
        let platform = if rng.chance(80) {
            profile.platform
        } else {
            *rng.pick(&Platform::ALL)
        };
        let device = if platform == profile.platform {
            profile.device.clone()
        } else {
            platform_device(platform)
        };
        let takeover = rng.chance(8);
        let id = SessionId::from_uuid(rng.uuid_at(started_at));
        let mut at = started_at;
        let lines = bot
            .script
            .iter()
            .take(2 + rng.below(bot.script.len() as u64 - 1) as usize);
        let extra = if takeover { TAKEOVER } else { &[] };
        for (sender, body) in lines.chain(extra.iter()) {
            at += Duration::seconds(5 + rng.below(90) as i64);
            batch.messages.push(Message {
                id: MessageId::from_uuid(rng.uuid_at(at)),
                session_id: id,
                sender: *sender,
                body: body.to_string(),
                sent_at: at,
            });
        }
        let ended_at = at + Duration::seconds(30);
        let goal_completed = rng.chance(45);
        if goal_completed {
            let goal = &defs.goals[BOTS.iter().position(|b| b.name == bot.name).unwrap_or(0)];
            batch.goal_completions.push(GoalCompletion {
                id: GoalCompletionId::from_uuid(rng.uuid_at(ended_at)),
                goal_id: goal.id,
                profile_id: profile.id,
                session_id: id,
                completed_at: ended_at,
            });
        }
        ends.push(ended_at);
        batch.sessions.push(BotSession {
            id,
            profile_id: profile.id,
            bot: bot.name.to_string(),
            platform,
            device,
            started_at,
            ended_at,
            goal_completed,
            live_chat_takeover: takeover,
        });
    }
    SessionTotals::of(&batch.sessions[first_session..]).apply_to(&mut profile);
    if let Some(last) = ends.iter().max() {
        profile.last_seen_at = *last;
    }
    if rng.chance(55) {
        let at = profile.last_seen_at + Duration::minutes(30);
        batch.notes.push(Note {
            id: NoteId::from_uuid(rng.uuid_at(at)),
            profile_id: profile.id,
            author: "support@example.com".to_string(),
            body: rng.pick(NOTES).to_string(),
            created_at: at,
            updated_at: at,
        });
    }
    batch.profiles.push(profile);
}

fn platform_device(platform: Platform) -> String {
    match platform {
        Platform::Desktop => "Chrome 126.0",
        Platform::MobileWeb => "Mobile Safari 17.4",
        Platform::WhatsApp => "WhatsApp",
        Platform::Messenger => "Messenger",
        Platform::Telegram => "Telegram",
    }
    .to_string()
}

/// A demo workspace: its definitions, then its customers with everything they bring, in batches.
pub struct DemoWorkspace {
    rng: Rng,
    defs: Definitions,
    customers: DemoProfiles,
    conversations: bool,
}

impl DemoWorkspace {
    /// The workspace of `seed` around `anchor`: the same pair always gives the same workspace.
    pub fn new(seed: u64, anchor: DateTime<Utc>) -> Self {
        let mut rng = Rng::new(seed ^ 0x005E_ED0F_D0C5);
        let defs = definitions(&mut rng, anchor);
        Self {
            rng,
            defs,
            customers: DemoProfiles::new(seed, anchor),
            conversations: true,
        }
    }

    /// Customers without sessions, messages, goal completions or notes: only profiles, property
    /// values and segment members (the benchmarks' lean workspace).
    pub fn without_conversations(mut self) -> Self {
        self.conversations = false;
        self
    }

    /// The property, goal and segment definitions, and no customer.
    pub fn definitions(&self) -> PlatformBatch {
        let defs = &self.defs;
        PlatformBatch {
            properties: vec![
                defs.plan.clone(),
                defs.company.clone(),
                defs.lifetime_value.clone(),
                defs.birthday.clone(),
                defs.newsletter.clone(),
            ],
            goals: defs.goals.clone(),
            segments: std::iter::once(defs.vip.clone())
                .chain(defs.others.iter().cloned())
                .collect(),
            ..PlatformBatch::default()
        }
    }

    /// The next `count` customers with everything they bring, added to `batch`.
    pub fn add_customers(&mut self, count: usize, batch: &mut PlatformBatch) {
        for profile in self.customers.by_ref().take(count) {
            customer(
                &mut self.rng,
                &self.defs,
                profile,
                self.conversations,
                batch,
            );
        }
    }

    /// `profiles` customers in batches of `per_batch`, the first batch holding the definitions
    /// too (and only them when there are no customers).
    pub fn batches(self, profiles: usize, per_batch: usize) -> Batches {
        Batches {
            workspace: self,
            remaining: profiles,
            per_batch: per_batch.max(1),
            first: true,
        }
    }
}

/// The batches of [`DemoWorkspace::batches`].
pub struct Batches {
    workspace: DemoWorkspace,
    remaining: usize,
    per_batch: usize,
    first: bool,
}

impl Iterator for Batches {
    type Item = PlatformBatch;

    fn next(&mut self) -> Option<PlatformBatch> {
        if !self.first && self.remaining == 0 {
            return None;
        }
        let mut batch = if self.first {
            self.workspace.definitions()
        } else {
            PlatformBatch::default()
        };
        self.first = false;
        let count = self.remaining.min(self.per_batch);
        self.workspace.add_customers(count, &mut batch);
        self.remaining -= count;
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> DateTime<Utc> {
        "2026-11-28T12:00:00Z".parse().unwrap()
    }

    fn whole(workspace: DemoWorkspace, profiles: usize, per_batch: usize) -> PlatformBatch {
        let mut all = PlatformBatch::default();
        for batch in workspace.batches(profiles, per_batch) {
            all.properties.extend(batch.properties);
            all.goals.extend(batch.goals);
            all.segments.extend(batch.segments);
            all.profiles.extend(batch.profiles);
            all.property_values.extend(batch.property_values);
            all.sessions.extend(batch.sessions);
            all.messages.extend(batch.messages);
            all.goal_completions.extend(batch.goal_completions);
            all.notes.extend(batch.notes);
            all.segment_members.extend(batch.segment_members);
        }
        all
    }

    #[test]
    fn the_same_seed_gives_the_same_workspace_whatever_the_batch_size() {
        let one = whole(DemoWorkspace::new(5, anchor()), 300, 300);
        let many = whole(DemoWorkspace::new(5, anchor()), 300, 7);
        let other = whole(DemoWorkspace::new(6, anchor()), 300, 300);
        assert_eq!(one, many);
        assert_ne!(one.profiles, other.profiles);
        assert_eq!(one.profiles.len(), 300);
    }

    #[test]
    fn the_workspace_tells_the_whole_platform_story() {
        let all = whole(DemoWorkspace::new(1, anchor()), 500, 100);
        assert_eq!(all.properties.len(), 5);
        assert_eq!(all.goals.len(), BOTS.len());
        assert_eq!(all.segments.len(), 4);
        for kind in [
            all.property_values.len(),
            all.sessions.len(),
            all.messages.len(),
            all.goal_completions.len(),
            all.notes.len(),
            all.segment_members.len(),
        ] {
            assert!(kind > 0, "every kind of record is there");
        }
        assert!(all.sessions.iter().any(|s| s.live_chat_takeover));
        // Each customer's session count and last-seen time follow from their sessions.
        for profile in &all.profiles {
            let sessions: Vec<&BotSession> = all
                .sessions
                .iter()
                .filter(|s| s.profile_id == profile.id)
                .collect();
            assert_eq!(profile.sessions as usize, sessions.len());
            let totals = SessionTotals::of(sessions.iter().copied());
            assert_eq!(profile.live_chat_takeover, totals.live_chat_takeover);
            assert_eq!(profile.device, totals.device);
            let last = sessions.iter().map(|s| s.ended_at).max();
            assert_eq!(last, Some(profile.last_seen_at));
        }
    }

    #[test]
    fn a_lean_workspace_has_customers_without_conversations() {
        let all = whole(
            DemoWorkspace::new(1, anchor()).without_conversations(),
            200,
            50,
        );
        assert_eq!(all.profiles.len(), 200);
        assert!(all.sessions.is_empty() && all.messages.is_empty() && all.notes.is_empty());
        assert!(all
            .profiles
            .iter()
            .all(|p| p.sessions == 0 && !p.live_chat_takeover && p.device.is_empty()));
        assert!(!all.property_values.is_empty());
    }

    #[test]
    fn no_customers_still_gives_the_definitions() {
        let batches: Vec<PlatformBatch> = DemoWorkspace::new(1, anchor()).batches(0, 10).collect();
        assert_eq!(batches.len(), 1);
        assert!(batches[0].profiles.is_empty() && !batches[0].goals.is_empty());
    }
}
