//! Deterministic, realistic demo workspaces: customers (the same generator as the app's demo
//! store) with bot sessions on several bots and platforms, their conversations, goals and
//! completions, live chat takeovers, properties, notes and segments.

use chrono::{DateTime, Duration, Utc};
use userdesk_core::DemoProfiles;
use userdesk_model::{
    BotSession, Goal, GoalCompletion, GoalCompletionId, GoalId, LastSeenWindow, Message, MessageId,
    Note, NoteId, Platform, Profile, ProfileStatus, PropertyDefinition, PropertyFormat, PropertyId,
    PropertyValue, RuleOperator, Segment, SegmentId, SegmentMember, SegmentRule, Sender, SessionId,
};
use uuid::Uuid;

use crate::ids::WorkspaceId;
use crate::storage::{PlatformBatch, Storage, StorageError};

/// What to seed.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub profiles: usize,
    pub seed: u64,
    /// The moment the data is generated around: the same seed and anchor give the same data.
    pub anchor: DateTime<Utc>,
    /// Whether customers get sessions, messages, goal completions and notes (else only profiles,
    /// property values and segment members: the benchmark's lean workspace).
    pub conversations: bool,
    /// Profiles written per transaction.
    pub batch: usize,
}

/// How many records a seeding wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub profiles: usize,
    pub property_values: usize,
    pub sessions: usize,
    pub messages: usize,
    pub goal_completions: usize,
    pub notes: usize,
    pub segment_members: usize,
}

/// SplitMix64: small, fast and the same everywhere, so a seed always gives the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A UUIDv7 of time `at` whose random part comes from this generator.
    fn uuid_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let mut random = [0u8; 10];
        random[..8].copy_from_slice(&self.next().to_le_bytes());
        random[8..].copy_from_slice(&(self.next() as u16).to_le_bytes());
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &random)
            .into_uuid()
    }
}

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
        batch.profiles.push(profile);
        return;
    }
    let sessions = 1 + rng.below(3) as u32;
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
        let goal_completed = rng.chance(30);
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
        profile.live_chat_takeover |= takeover;
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
    profile.sessions = sessions;
    if let Some(last) = ends.iter().max() {
        profile.last_seen_at = *last;
    }
    if rng.chance(3) {
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

/// Fills `workspace` with `options.profiles` customers and everything around them.
pub async fn seed_workspace(
    storage: &dyn Storage,
    workspace: WorkspaceId,
    options: &SeedOptions,
) -> Result<SeedSummary, StorageError> {
    let mut rng = Rng(options.seed ^ 0x005E_ED0F_D0C5);
    let defs = definitions(&mut rng, options.anchor);
    let mut customers = DemoProfiles::new(options.seed, options.anchor)
        .take(options.profiles)
        .peekable();
    let mut summary = SeedSummary::default();
    let mut first = true;
    while first || customers.peek().is_some() {
        let mut batch = PlatformBatch::default();
        if first {
            batch.properties = vec![
                defs.plan.clone(),
                defs.company.clone(),
                defs.lifetime_value.clone(),
                defs.birthday.clone(),
                defs.newsletter.clone(),
            ];
            batch.goals = defs.goals.clone();
            batch.segments = std::iter::once(defs.vip.clone())
                .chain(defs.others.iter().cloned())
                .collect();
            first = false;
        }
        for profile in customers.by_ref().take(options.batch.max(1)) {
            customer(&mut rng, &defs, profile, options.conversations, &mut batch);
        }
        summary.profiles += batch.profiles.len();
        summary.property_values += batch.property_values.len();
        summary.sessions += batch.sessions.len();
        summary.messages += batch.messages.len();
        summary.goal_completions += batch.goal_completions.len();
        summary.notes += batch.notes.len();
        summary.segment_members += batch.segment_members.len();
        storage.insert_batch(workspace, &batch).await?;
    }
    Ok(summary)
}

/// The benchmarks' seed and anchor: every run measures the same workspace.
pub const BENCH_SEED: u64 = 20261128;

/// The lean workspace the benchmarks measure, as [`bench_workspace`] found or made it.
#[derive(Clone, Copy, Debug)]
pub struct BenchWorkspace {
    pub id: WorkspaceId,
    /// What seeding wrote and how long it took; `None` when the workspace was already there.
    pub seeded: Option<(SeedSummary, std::time::Duration)>,
}

/// The benchmarks' workspace `bench-{profiles}`: `profiles` customers with their property values
/// and segment members (no conversations), seeded on first use and reused afterwards, so the
/// server's and the app's benchmarks measure the same data.
pub async fn bench_workspace(
    storage: &dyn Storage,
    profiles: usize,
) -> Result<BenchWorkspace, StorageError> {
    let name = format!("bench-{profiles}");
    if let Some(id) = storage.find_workspace(&name).await? {
        return if storage.count_profiles(id).await? == profiles as u64 {
            Ok(BenchWorkspace { id, seeded: None })
        } else {
            Err(StorageError::InvalidRequest(format!(
                "workspace {name} is half seeded: remove the database and run again"
            )))
        };
    }
    let id = storage
        .ensure_workspace(&name, "privacy@example.com")
        .await?;
    let options = SeedOptions {
        profiles,
        seed: BENCH_SEED,
        anchor: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 28, 0, 0, 0)
            .single()
            .ok_or_else(|| StorageError::Corrupt("the benchmark's anchor".to_string()))?,
        conversations: false,
        batch: 5000,
    };
    let started = std::time::Instant::now();
    let summary = seed_workspace(storage, id, &options).await?;
    Ok(BenchWorkspace {
        id,
        seeded: Some((summary, started.elapsed())),
    })
}
