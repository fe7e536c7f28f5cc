//! Opening a customer's Details on a store of 100,000 customers, where that customer has 1,000
//! bot sessions, 200 completed goals and 50 notes, and every other customer a few sessions of
//! their own: each read through Userdesk's own code (`AppCore`: the record reads, decoding,
//! times in the manager's zone), beside the raw SQL fetching the same rows (the yardstick).
//!
//! `cargo bench -p userdesk-core --bench details` (`USERDESK_BENCH_PROFILES` sets the number of
//! customers; the store is built in a temporary directory, about a minute).

// A benchmark stops at the first failure, with what failed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use userdesk_core::{AppCore, OpenOptions};
use userdesk_demo::DemoProfiles;
use userdesk_model::sync::Entity;
use userdesk_model::{
    BotSession, Goal, GoalCompletion, GoalCompletionId, GoalId, Message, MessageId, Note, NoteId,
    Platform, Profile, ProfileId, Sender, SessionId, SessionOrder,
};

const RUNS: usize = 100;
const SESSIONS: usize = 1_000;
const GOALS: usize = 200;
const NOTES: usize = 50;
const MESSAGES: usize = 200;
/// Sessions of every other customer, so the reads must find the one customer's among many.
const OTHERS_SESSIONS: usize = 2;

fn now() -> DateTime<Utc> {
    "2026-11-28T12:00:00Z".parse().expect("a valid timestamp")
}

struct Timing {
    p50: Duration,
    p95: Duration,
    max: Duration,
}

async fn time<F, Fut, T>(mut f: F) -> Timing
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..3 {
        f().await;
    }
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        f().await;
        samples.push(start.elapsed());
    }
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Timing {
        p50: at(0.5),
        p95: at(0.95),
        max: at(1.0),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn session(profile: ProfileId, n: usize, goal: bool) -> BotSession {
    let ended = now() - chrono::Duration::minutes(n as i64 * 37);
    BotSession {
        id: SessionId::new(),
        profile_id: profile,
        bot: if n.is_multiple_of(3) {
            "Sales Assistant".into()
        } else {
            "Support Bot".into()
        },
        platform: Platform::MobileWeb,
        device: "Firefox 131".into(),
        started_at: ended - chrono::Duration::minutes(6),
        ended_at: ended,
        goal_completed: goal,
        live_chat_takeover: n.is_multiple_of(7),
    }
}

/// Writes records as a pull leaves them: whole, in `synced_records`, in one transaction.
async fn keep(app: &AppCore, entities: &[Entity]) -> anyhow::Result<()> {
    let mut tx = app.store().pool().begin().await?;
    for chunk in entities.chunks(500) {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO synced_records (kind, key, record, version) ",
        );
        let rows = chunk
            .iter()
            .map(|entity| {
                let json = serde_json::to_value(entity)?;
                let kind = json["kind"].as_str().unwrap_or_default().to_string();
                let key = json["value"]["id"].to_string();
                Ok((kind, key, json.to_string()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        query.push_values(rows, |mut row, (kind, key, record)| {
            row.push_bind(kind)
                .push_bind(key)
                .push_bind(record)
                .push_bind(1_i64);
        });
        query.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers: usize = std::env::var("USERDESK_BENCH_PROFILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let app = AppCore::open(&dir.path().join("details.sqlite3"), OpenOptions::default()).await?;
    app.set_time_zone("Europe/Berlin").await?;
    let started = Instant::now();
    let profiles: Vec<Profile> = DemoProfiles::new(7, now()).take(customers).collect();
    for chunk in profiles.chunks(10_000) {
        app.store().insert_profiles(chunk).await?;
    }
    let target = profiles[customers / 2].id;

    let goal = Goal {
        id: GoalId::new(),
        name: "Refund requested".into(),
        bot: "Support Bot".into(),
    };
    let mut records = vec![Entity::Goal(goal.clone())];
    let mine: Vec<BotSession> = (0..SESSIONS)
        .map(|n| session(target, n, n < GOALS))
        .collect();
    let talk = mine[0].id;
    for (n, s) in mine.iter().enumerate().take(GOALS) {
        records.push(Entity::GoalCompletion(GoalCompletion {
            id: GoalCompletionId::new(),
            goal_id: goal.id,
            profile_id: target,
            session_id: s.id,
            completed_at: s.ended_at - chrono::Duration::minutes(n as i64 % 5),
        }));
    }
    records.extend(mine.into_iter().map(Entity::Session));
    for n in 0..MESSAGES {
        records.push(Entity::Message(Message {
            id: MessageId::new(),
            session_id: talk,
            sender: if n % 2 == 0 {
                Sender::Bot
            } else {
                Sender::Customer
            },
            body: format!("Message {n} of the conversation, about an order and its refund."),
            sent_at: now() - chrono::Duration::seconds((MESSAGES - n) as i64 * 20),
        }));
    }
    for n in 0..NOTES {
        records.push(Entity::Note(Note {
            id: NoteId::new(),
            profile_id: target,
            author: "admin@example.com".into(),
            body: format!("Note {n}: called back about the refund."),
            created_at: now() - chrono::Duration::hours(n as i64),
            updated_at: now() - chrono::Duration::hours(n as i64),
        }));
    }
    for (i, other) in profiles.iter().enumerate() {
        if other.id != target {
            for n in 0..OTHERS_SESSIONS {
                records.push(Entity::Session(session(other.id, i + n, false)));
            }
        }
    }
    keep(&app, &records).await?;
    let built = started.elapsed();
    let id = target;

    let open = time(|| async {
        let details = app.profile_details(id).await.expect("details");
        let notes = app.notes(id).await.expect("notes");
        let goals = app.goal_completions(id).await.expect("goals");
        let sessions = app
            .bot_sessions(id, "", SessionOrder::NewestFirst)
            .await
            .expect("sessions");
        assert_eq!(
            (sessions.len(), goals.len(), notes.len()),
            (SESSIONS, GOALS, NOTES)
        );
        details
    })
    .await;
    let sessions_only = time(|| async {
        app.bot_sessions(id, "", SessionOrder::NewestFirst)
            .await
            .expect("sessions")
    })
    .await;
    let searched = time(|| async {
        app.bot_sessions(id, "sales", SessionOrder::OldestFirst)
            .await
            .expect("sessions")
    })
    .await;
    let goals = time(|| async { app.goal_completions(id).await.expect("goals") }).await;
    let notes = time(|| async { app.notes(id).await.expect("notes") }).await;
    let conversation = time(|| async { app.conversation(talk).await.expect("conversation") }).await;

    let pool = app.store().pool();
    let raw = |kind: &'static str, field: &'static str, value: String| {
        let sql = format!(
            "SELECT record FROM synced_records \
             WHERE kind = '{kind}' AND json_extract(record, '$.value.{field}') = ?"
        );
        async move {
            let rows: Vec<String> = sqlx::query_scalar(&sql)
                .bind(value)
                .fetch_all(pool)
                .await
                .expect("raw rows");
            rows.len()
        }
    };
    let raw_open = time(|| async {
        raw("session", "profileId", id.to_string()).await
            + raw("goal_completion", "profileId", id.to_string()).await
            + raw("note", "profileId", id.to_string()).await
    })
    .await;
    let raw_sessions = time(|| raw("session", "profileId", id.to_string())).await;
    let raw_messages = time(|| raw("message", "sessionId", talk.to_string())).await;
    let raw_goals = time(|| raw("goal_completion", "profileId", id.to_string())).await;
    let raw_notes = time(|| raw("note", "profileId", id.to_string())).await;

    println!(
        "store: {customers} customers, {} pulled records, built in {:.1} s",
        records.len(),
        built.as_secs_f64()
    );
    println!("| case | Userdesk p50 | Userdesk p95 | Userdesk max | raw SQL p50 | raw SQL p95 |");
    println!("|---|---:|---:|---:|---:|---:|");
    let row = |case: &str, ours: &Timing, raw: Option<&Timing>| {
        let (r50, r95) = raw.map(|r| (ms(r.p50), ms(r.p95))).unwrap_or_default();
        println!(
            "| {case} | {} | {} | {} | {r50} | {r95} |",
            ms(ours.p50),
            ms(ours.p95),
            ms(ours.max)
        );
    };
    row(
        "open Details: profile, 50 notes, 200 goals, 1,000 sessions",
        &open,
        Some(&raw_open),
    );
    row(
        "1,000 bot sessions, latest first",
        &sessions_only,
        Some(&raw_sessions),
    );
    row(
        "bot sessions searched \"sales\", oldest first",
        &searched,
        Some(&raw_sessions),
    );
    row(
        "200 completed goals, with the goal's name",
        &goals,
        Some(&raw_goals),
    );
    row("50 notes", &notes, Some(&raw_notes));
    row(
        "a conversation of 200 messages",
        &conversation,
        Some(&raw_messages),
    );
    app.store().close().await;
    Ok(())
}
