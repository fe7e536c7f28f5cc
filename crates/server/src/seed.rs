//! Seeds a workspace with a deterministic demo workspace (`userdesk-demo`, the same data as the
//! app's demo store): customers with bot sessions, conversations, goals, properties, notes and
//! segments.

use chrono::{DateTime, Utc};
use userdesk_demo::DemoWorkspace;
use userdesk_model::PlatformBatch;

use crate::ids::WorkspaceId;
use crate::storage::{Storage, StorageError};

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

impl SeedSummary {
    fn add(&mut self, batch: &PlatformBatch) {
        self.profiles += batch.profiles.len();
        self.property_values += batch.property_values.len();
        self.sessions += batch.sessions.len();
        self.messages += batch.messages.len();
        self.goal_completions += batch.goal_completions.len();
        self.notes += batch.notes.len();
        self.segment_members += batch.segment_members.len();
    }
}

/// Fills `workspace` with `options.profiles` customers and everything around them.
pub async fn seed_workspace(
    storage: &dyn Storage,
    workspace_id: WorkspaceId,
    options: &SeedOptions,
) -> Result<SeedSummary, StorageError> {
    let mut workspace = DemoWorkspace::new(options.seed, options.anchor);
    if !options.conversations {
        workspace = workspace.without_conversations();
    }
    let mut summary = SeedSummary::default();
    for batch in workspace.batches(options.profiles, options.batch) {
        summary.add(&batch);
        storage.insert_batch(workspace_id, &batch).await?;
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
