//! The bulk jobs as the app uses them: the delay, scheduling Active or Archive over a selection,
//! the jobs panel, cancelling, and the runner that applies them when they are due.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{QueryBuilder, Sqlite};
use userdesk_model::{JobAction, JobId, JobState, JobView, ProfileId, ProfileRow, Selection};

use crate::app::AppCore;
use crate::error::{CoreError, Result};
use crate::jobs::{self, Job, JobTarget, DEFAULT_DELAY, MAX_DELAY};
use crate::platform::notify::Notifier;
use crate::store::profiles;
use crate::store::settings::keys;
use crate::sync::auto::AutoSync;
use crate::time::format_timestamp;

impl AppCore {
    /// The delay between Active or Archive and its effect (Settings; 5 minutes by default).
    pub async fn job_delay(&self) -> Result<Duration> {
        let seconds = self.store().setting(keys::JOB_DELAY_SECONDS).await?;
        Ok(seconds
            .and_then(|s| s.parse::<u64>().ok())
            .map_or(DEFAULT_DELAY, Duration::from_secs))
    }

    /// Sets the delay, in whole seconds, from none up to a week.
    pub async fn set_job_delay(&self, seconds: u64) -> Result<Duration> {
        let delay = Duration::from_secs(seconds);
        if delay > MAX_DELAY {
            return Err(CoreError::InvalidRequest(format!(
                "the delay is at most a week ({} seconds), not {seconds}",
                MAX_DELAY.as_secs()
            )));
        }
        self.store()
            .set_setting(keys::JOB_DELAY_SECONDS, &seconds.to_string())
            .await?;
        Ok(delay)
    }

    /// Active or Archive over the selection, to take effect after the delay: the job is kept at
    /// once and fires by itself (or at the next start, if the app is closed meanwhile).
    pub async fn schedule_job(&self, action: JobAction, selection: &Selection) -> Result<JobView> {
        let now = self.store().now();
        let delay = chrono::Duration::from_std(self.job_delay().await?)
            .map_err(|_| CoreError::InvalidRequest("the delay is too long".to_string()))?;
        let id = match selection {
            Selection::Ids { ids } => {
                self.store()
                    .schedule_job(action, JobTarget::Ids(ids), now, now + delay)
                    .await?
            }
            Selection::Filter { filter } => {
                let total = self.count_profiles_at(filter, now).await?;
                self.store()
                    .schedule_job(action, JobTarget::Filter(filter, total), now, now + delay)
                    .await?
            }
        };
        self.job_runner.wake();
        let view = self.job_view(id).await?;
        self.remember_job(&view);
        Ok(view)
    }

    /// Cancels a job that has not fired yet.
    pub async fn cancel_job(&self, id: JobId) -> Result<()> {
        self.store().cancel_job(id).await?;
        self.job_runner.wake();
        Ok(())
    }

    /// The jobs panel: pending and running jobs by time, then the last ones done or cancelled.
    pub async fn jobs(&self) -> Result<Vec<JobView>> {
        let tz = self.time_zone();
        let jobs = self.store().jobs().await?;
        Ok(jobs.iter().map(|job| view(job, tz)).collect())
    }

    pub(super) async fn job_view(&self, id: JobId) -> Result<JobView> {
        let mut conn = self.store().pool().acquire().await?;
        let job = jobs::read(&mut conn, id).await?;
        Ok(view(&job, self.time_zone()))
    }

    /// Fires every job due now: as [`Self::run_due_jobs_at`].
    pub async fn run_due_jobs(&self, notifier: &dyn Notifier) -> Result<Vec<JobView>> {
        self.run_due_jobs_at(self.store().now(), notifier).await
    }

    /// Fires every job due at `now` (and finishes any a crash interrupted), chunk by chunk, then
    /// announces each completed job once through `notifier`. Returns the jobs completed.
    pub async fn run_due_jobs_at(
        &self,
        now: DateTime<Utc>,
        notifier: &dyn Notifier,
    ) -> Result<Vec<JobView>> {
        let mut completed = Vec::new();
        // One process fires jobs at a time (the app, `userdesk-cli jobs run`).
        let _one_process = self.store().exclusive("jobs").await?;
        for job in self.store().due_jobs(now).await? {
            if matches!(job.state, JobState::Pending | JobState::Running) {
                let filter = match &job.filter {
                    Some(filter) => Some(self.resolve(filter, job.resolved_at).await?),
                    None => None,
                };
                loop {
                    let chunk = self.store().apply_job_chunk(&job, filter.as_ref()).await?;
                    if chunk.covered > 0 {
                        self.refresh_search_index_in_background();
                        self.with_auto_sync(AutoSync::edited);
                    }
                    if chunk.last {
                        break;
                    }
                }
                self.store().complete_job(job.id, now).await?;
            }
            let done = {
                let mut conn = self.store().pool().acquire().await?;
                jobs::read(&mut conn, job.id).await?
            };
            // Claimed before it is shown: of two processes, one announces it.
            if done.state == JobState::Done
                && !done.notified
                && self.store().claim_job_notice(done.id, now).await?
            {
                let shown = view(&done, self.time_zone());
                if let Err(error) = notifier.job_completed(&shown) {
                    tracing::warn!(%error, "a job's notification could not be shown");
                    // Shown at the next start instead.
                    self.store().release_job_notice(done.id).await?;
                }
                completed.push(shown);
            }
        }
        Ok(completed)
    }

    /// Starts the job runner on this runtime: every job fires at its time, those whose time
    /// passed while the app was closed at once.
    pub fn start_jobs(self: &Arc<Self>, notifier: Arc<dyn Notifier>) {
        self.start_jobs_with(notifier, tokio::runtime::Handle::current());
    }

    /// As [`Self::start_jobs`], with the store's work run on `store`'s runtime: the runner's
    /// timers follow the runtime it is started on (a test's paused clock), the database's own
    /// timeouts the real one.
    pub fn start_jobs_with(
        self: &Arc<Self>,
        notifier: Arc<dyn Notifier>,
        store: tokio::runtime::Handle,
    ) {
        let core = Arc::clone(self);
        self.job_runner.start(move |now| {
            let (core, notifier, store) = (Arc::clone(&core), Arc::clone(&notifier), store.clone());
            async move {
                let round = store.spawn(async move {
                    core.run_due_jobs_at(now, notifier.as_ref()).await?;
                    core.store().next_job_at().await
                });
                round.await.map_err(|e| CoreError::Task(e.to_string()))?
            }
        });
    }
}

impl AppCore {
    /// The customers a selection names: the picked ones (each must exist), or every customer
    /// the filter matches now.
    pub(crate) async fn selection_ids(&self, selection: &Selection) -> Result<Vec<ProfileId>> {
        match selection {
            Selection::Ids { ids } => {
                let mut unique = ids.clone();
                unique.sort();
                unique.dedup();
                let mut conn = self.store().pool().acquire().await?;
                profiles::must_all_exist(&mut conn, &unique).await?;
                Ok(unique)
            }
            Selection::Filter { filter } => {
                let resolved = self.resolve(filter, self.store().now()).await?;
                let mut query = QueryBuilder::<Sqlite>::new("SELECT p.id");
                resolved.push_from_where(&mut query);
                query.push(" ORDER BY p.id");
                Ok(query
                    .build_query_scalar()
                    .fetch_all(self.store().pool())
                    .await?)
            }
        }
    }

    /// [`Self::selection_ids`], refused when it holds nobody: what a bulk action acts on.
    pub(crate) async fn selected_ids(&self, selection: &Selection) -> Result<Vec<ProfileId>> {
        let ids = self.selection_ids(selection).await?;
        if ids.is_empty() {
            return Err(CoreError::InvalidRequest(
                "select at least one customer".to_string(),
            ));
        }
        Ok(ids)
    }

    /// Delete: moves the selected customers to the Trash at once (one `profile.trash` per
    /// [`userdesk_model::sync::MAX_MEMBERS_PER_MUTATION`], all in one transaction), where they
    /// stay [`userdesk_model::TRASH_DAYS`] days; returns how many were moved. Undo restores them.
    pub async fn delete_profiles(&self, selection: &Selection) -> Result<u64> {
        let ids = self.selected_ids(selection).await?;
        let moved = self.store().trash_profiles(&ids).await?;
        let count = moved.len();
        let label = match moved.as_slice() {
            [one] => format!("Deleted {}", self.store().trashed_username(*one).await?),
            _ => format!("Deleted {}", super::undo::customers(count)),
        };
        self.remember_trashed(moved, label);
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        Ok(count as u64)
    }

    /// "Create segment" from a selection: a segment whose hand-picked members are the selected
    /// customers.
    pub async fn create_segment_from(
        &self,
        draft: userdesk_model::SegmentDraft,
        selection: &Selection,
    ) -> Result<userdesk_model::SegmentView> {
        let ids = self.selected_ids(selection).await?;
        self.create_segment(draft, &ids).await
    }

    /// Marks the rows a pending job will change when it fires.
    pub(crate) async fn mark_pending_jobs(&self, rows: &mut [ProfileRow]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let pending: Vec<Job> = self
            .store()
            .jobs()
            .await?
            .into_iter()
            .filter(|job| job.state == JobState::Pending)
            .collect();
        if pending.is_empty() {
            return Ok(());
        }
        let page: Vec<ProfileId> = rows.iter().map(|r| r.id).collect();
        let page = profiles::id_list(&page);
        for job in pending {
            let mut query = match &job.filter {
                None => {
                    let mut query = QueryBuilder::<Sqlite>::new(
                        "SELECT p.id FROM profiles AS p JOIN job_targets AS t ON t.seq = p.seq \
                         AND t.job_id = ",
                    );
                    query.push_bind(job.id);
                    query.push(" WHERE p.id IN (SELECT unhex(value) FROM json_each(");
                    query
                }
                Some(filter) => {
                    let resolved = self.resolve(filter, job.resolved_at).await?;
                    let mut query = QueryBuilder::<Sqlite>::new("SELECT p.id");
                    resolved.push_from_where(&mut query);
                    query.push(" AND p.id IN (SELECT unhex(value) FROM json_each(");
                    query
                }
            };
            query.push_bind(page.clone()).push("))");
            let marked: Vec<ProfileId> = query
                .build_query_scalar()
                .fetch_all(self.store().pool())
                .await?;
            for row in rows.iter_mut().filter(|r| marked.contains(&r.id)) {
                row.pending_job = Some(job.action);
            }
        }
        Ok(())
    }
}

fn view(job: &Job, tz: Tz) -> JobView {
    JobView {
        id: job.id,
        action: job.action,
        state: job.state,
        total: job.total,
        applied: job.applied,
        run_at: format_timestamp(job.run_at, tz),
        run_at_ms: job.run_at.timestamp_millis(),
        completed: job.completed_at.map(|at| format_timestamp(at, tz)),
    }
}
