//! Delayed bulk jobs: Active and Archive on a selection of customers take effect after a delay
//! (5 minutes unless Settings says otherwise), as the platform does. A job is kept in the store
//! until it is done, so it survives a restart: at start-up every job whose time has passed is
//! caught up. It applies in chunks of at most [`CHUNK`] customers, each one transaction holding
//! the customers' new status, their `profile.set_status` mutations and the job's cursor, so a
//! crash resumes after the last committed chunk and never applies one twice. Completion is a
//! compare-and-set on the job's state; the notification that follows is recorded as sent, so it
//! may repeat after a crash but is never lost.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tokio::time::Instant;
use userdesk_model::{
    JobAction, JobId, JobState, JobView, ProfileFilter, ProfileId, ProfileRow, Selection,
};

use crate::app::AppCore;
use crate::autosync::AutoSync;
use crate::error::{CoreError, Result};
use crate::listing::ResolvedFilter;
use crate::profiles;
use crate::settings::keys;
use crate::store::Store;
use crate::time::format_timestamp;

/// Most customers one chunk of a job changes, in one transaction.
pub const CHUNK: usize = 500;

/// How many of the last jobs done keep the list of their customers.
pub const KEPT_DONE: usize = 20;

/// The delay of a job when Settings names none.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(5 * 60);

/// Longest delay Settings accepts: a week.
pub const MAX_DELAY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// A job as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Job {
    pub id: JobId,
    pub action: JobAction,
    /// The table's filter of a "select all N matching" job; `None` for picked ids.
    pub filter: Option<ProfileFilter>,
    /// The instant the filter's Last seen window counts back from: when it was scheduled.
    pub resolved_at: DateTime<Utc>,
    pub total: u64,
    pub run_at: DateTime<Utc>,
    pub state: JobState,
    pub applied: u64,
    pub completed_at: Option<DateTime<Utc>>,
    pub notified: bool,
}

#[derive(sqlx::FromRow)]
struct JobRecord {
    id: JobId,
    action: String,
    filter: Option<String>,
    resolved_at: i64,
    total: i64,
    run_at: i64,
    state: String,
    applied: i64,
    completed_at: Option<i64>,
    notified_at: Option<i64>,
}

const JOB_COLUMNS: &str =
    "id, action, filter, resolved_at, total, run_at, state, applied, completed_at, notified_at";

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

fn instant(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| CoreError::Corrupt(format!("time {ms}")))
}

impl TryFrom<JobRecord> for Job {
    type Error = CoreError;

    fn try_from(r: JobRecord) -> Result<Self> {
        let corrupt = |what: &str| CoreError::Corrupt(format!("the {what} of job {}", r.id));
        Ok(Job {
            id: r.id,
            action: JobAction::parse(&r.action).ok_or_else(|| corrupt("action"))?,
            filter: match &r.filter {
                Some(json) => Some(serde_json::from_str(json).map_err(|_| corrupt("filter"))?),
                None => None,
            },
            resolved_at: instant(r.resolved_at)?,
            total: u64::try_from(r.total).map_err(|_| corrupt("total"))?,
            run_at: instant(r.run_at)?,
            state: JobState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
            applied: u64::try_from(r.applied).map_err(|_| corrupt("count"))?,
            completed_at: r.completed_at.map(instant).transpose()?,
            notified: r.notified_at.is_some(),
        })
    }
}

/// What one chunk did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Chunk {
    /// Customers the chunk covered.
    pub covered: u64,
    /// No customer is left after this chunk.
    pub last: bool,
}

pub(crate) async fn read(conn: &mut SqliteConnection, id: JobId) -> Result<Job> {
    let record: Option<JobRecord> =
        sqlx::query_as(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    record
        .ok_or_else(|| CoreError::JobNotFound(id.to_string()))?
        .try_into()
}

impl Store {
    /// Schedules a job over picked customers (each must exist) or over a filter; `total` is how
    /// many the filter matched when the manager chose it.
    pub(crate) async fn schedule_job(
        &self,
        action: JobAction,
        target: JobTarget<'_>,
        now: DateTime<Utc>,
        run_at: DateTime<Utc>,
    ) -> Result<JobId> {
        let id = JobId::new();
        let (filter, picked) = match &target {
            JobTarget::Ids(ids) => {
                let mut unique: Vec<ProfileId> = ids.to_vec();
                unique.sort();
                unique.dedup();
                (None, unique)
            }
            JobTarget::Filter(filter, _) => {
                let json = serde_json::to_string(filter)
                    .map_err(|e| CoreError::InvalidRequest(format!("the filter: {e}")))?;
                (Some(json), Vec::new())
            }
        };
        let total = match target {
            JobTarget::Ids(_) => picked.len() as u64,
            JobTarget::Filter(_, total) => total,
        };
        if total == 0 {
            return Err(CoreError::InvalidRequest(
                "select at least one customer".to_string(),
            ));
        }
        let mut tx = self.write_transaction().await?;
        sqlx::query(
            "INSERT INTO jobs (id, action, filter, resolved_at, total, created_at, run_at, state) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
        )
        .bind(id)
        .bind(action.as_str())
        .bind(filter)
        .bind(millis(now))
        .bind(i64::try_from(total).unwrap_or(i64::MAX))
        .bind(millis(now))
        .bind(millis(run_at))
        .execute(&mut *tx)
        .await?;
        // Kept by rowid, the order the chunks go in. The ids are distinct, so as many rows as ids
        // are written exactly when every picked customer is in the store.
        let mut found = 0;
        for chunk in picked.chunks(10_000) {
            found += sqlx::query(
                "INSERT OR IGNORE INTO job_targets (job_id, seq) SELECT ?, seq FROM profiles \
                 WHERE id IN (SELECT unhex(value) FROM json_each(?))",
            )
            .bind(id)
            .bind(profiles::id_list(chunk))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        if found != picked.len() as u64 {
            // Names the first missing customer; the transaction is dropped, nothing is kept.
            profiles::must_all_exist(&mut tx, &picked).await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Cancels a job that has not fired yet (a compare-and-set: a job that fired meanwhile is
    /// not cancelled, and the manager is told).
    pub(crate) async fn cancel_job(&self, id: JobId) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        let job = read(&mut tx, id).await?;
        let done =
            sqlx::query("UPDATE jobs SET state = 'cancelled' WHERE id = ? AND state = 'pending'")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(CoreError::InvalidRequest(match job.state {
                JobState::Cancelled => "the job is already cancelled".to_string(),
                _ => {
                    "the job has already fired: its changes are being made or are made".to_string()
                }
            }));
        }
        sqlx::query("DELETE FROM job_targets WHERE job_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The jobs not yet done, by time, and the last few done or cancelled.
    pub(crate) async fn jobs(&self) -> Result<Vec<Job>> {
        let records: Vec<JobRecord> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ('pending', 'running') \
             UNION ALL SELECT * FROM (SELECT {JOB_COLUMNS} FROM jobs \
             WHERE state IN ('done', 'cancelled') ORDER BY run_at DESC LIMIT {KEPT_DONE}) \
             ORDER BY run_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        records.into_iter().map(Job::try_from).collect()
    }

    /// Jobs to run at `now`: fired and unfinished, due, or done and not yet announced.
    pub(crate) async fn due_jobs(&self, now: DateTime<Utc>) -> Result<Vec<Job>> {
        let records: Vec<JobRecord> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE state = 'running' \
             OR (state = 'pending' AND run_at <= ?) \
             OR (state = 'done' AND notified_at IS NULL) ORDER BY run_at, id"
        ))
        .bind(millis(now))
        .fetch_all(&self.pool)
        .await?;
        records.into_iter().map(Job::try_from).collect()
    }

    /// When the next pending job fires.
    pub(crate) async fn next_job_at(&self) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> =
            sqlx::query_scalar("SELECT min(run_at) FROM jobs WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        at.map(instant).transpose()
    }

    /// Applies the job's next chunk: the first customers after its cursor, their status and
    /// mutations, the cursor and the count, in one transaction. `filter` is the job's filter,
    /// resolved; the first chunk also moves the job from pending to running.
    pub(crate) async fn apply_job_chunk(
        &self,
        job: &Job,
        filter: Option<&ResolvedFilter>,
    ) -> Result<Chunk> {
        let mut tx = self.write_transaction().await?;
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM jobs WHERE id = ?")
            .bind(job.id)
            .fetch_optional(&mut *tx)
            .await?;
        match state.as_deref() {
            Some("pending") => {
                sqlx::query("UPDATE jobs SET state = 'running' WHERE id = ? AND state = 'pending'")
                    .bind(job.id)
                    .execute(&mut *tx)
                    .await?;
            }
            Some("running") => {}
            // Cancelled, done or gone meanwhile: nothing is left to do.
            _ => {
                return Ok(Chunk {
                    covered: 0,
                    last: true,
                })
            }
        }
        let after: i64 = sqlx::query_scalar("SELECT after_seq FROM jobs WHERE id = ?")
            .bind(job.id)
            .fetch_one(&mut *tx)
            .await?;
        let limit = CHUNK as i64;
        // The chunk's customers by rowid: their rows sit together in the table and in
        // profiles_by_status, so a chunk rewrites few pages.
        let seqs: Vec<i64> =
            match filter {
                None => sqlx::query_scalar(
                    "SELECT seq FROM job_targets WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                )
                .bind(job.id)
                .bind(after)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?,
                Some(filter) => {
                    let mut query = QueryBuilder::<Sqlite>::new("SELECT p.seq");
                    filter.push_from_where(&mut query);
                    query.push(" AND p.seq > ").push_bind(after);
                    query.push(" ORDER BY p.seq LIMIT ").push_bind(limit);
                    let seqs: Vec<i64> = query.build_query_scalar().fetch_all(&mut *tx).await?;
                    // Kept as the job's customers, as picked ones are.
                    sqlx::query(
                        "INSERT OR IGNORE INTO job_targets (job_id, seq) \
                         SELECT ?, value FROM json_each(?)",
                    )
                    .bind(job.id)
                    .bind(serde_json::Value::from(seqs.clone()).to_string())
                    .execute(&mut *tx)
                    .await?;
                    seqs
                }
            };
        // Customers deleted since they were picked are not found, and there is nothing to change.
        let covered = profiles::set_status_of_rows(&mut tx, &seqs, job.action.status()).await?;
        if let Some(last) = seqs.last() {
            sqlx::query("UPDATE jobs SET after_seq = ?, applied = applied + ? WHERE id = ?")
                .bind(*last)
                .bind(i64::try_from(covered).unwrap_or(i64::MAX))
                .bind(job.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Chunk {
            covered,
            last: seqs.len() < CHUNK,
        })
    }

    /// Marks a running job done; `false` if it was not running (another runner completed it).
    pub(crate) async fn complete_job(&self, id: JobId, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE jobs SET state = 'done', completed_at = ? WHERE id = ? AND state = 'running'",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        // The customers of the last jobs done stay listed, so the table can show them (a click
        // on the notification); older jobs' lists go.
        sqlx::query(
            "DELETE FROM job_targets WHERE job_id IN (SELECT id FROM jobs WHERE state = 'done' \
             AND id NOT IN (SELECT id FROM jobs WHERE state = 'done' \
             ORDER BY completed_at DESC, rowid DESC LIMIT ?))",
        )
        .bind(KEPT_DONE as i64)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the job's completion was announced.
    pub(crate) async fn job_notified(&self, id: JobId, now: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE jobs SET notified_at = ? WHERE id = ? AND notified_at IS NULL")
            .bind(millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// The customers a job is scheduled over.
pub(crate) enum JobTarget<'a> {
    Ids(&'a [ProfileId]),
    /// The filter, and how many customers it matched when chosen.
    Filter(&'a ProfileFilter, u64),
}

/// The wall clock as the job runner reads it: the system's, advancing with tokio's clock, so a
/// test that pauses and advances tokio's time moves the runner's "now" with it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    start_wall: DateTime<Utc>,
    start: Instant,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            start_wall: Utc::now(),
            start: Instant::now(),
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.start.elapsed()).unwrap_or_default();
        self.start_wall + elapsed
    }

    /// The tokio instant of a wall-clock time.
    pub(crate) fn instant_of(&self, at: DateTime<Utc>) -> Instant {
        let ahead = (at - self.now()).to_std().unwrap_or_default();
        Instant::now() + ahead
    }
}

/// Tells the manager that a job has completed: a system notification in the app.
pub trait Notifier: Send + Sync + 'static {
    /// Shows `job.summary()` ("Archived 1,204 profiles"); an error is logged and the
    /// notification tried again at the next start.
    fn job_completed(&self, job: &JobView) -> std::result::Result<(), String>;
}

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
        let now = Utc::now();
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
        self.jobs_wake.notify_one();
        self.job_view(id).await
    }

    /// Cancels a job that has not fired yet.
    pub async fn cancel_job(&self, id: &str) -> Result<()> {
        let id: JobId = id
            .parse()
            .map_err(|_| CoreError::InvalidRequest(format!("{id:?} is not a job id")))?;
        self.store().cancel_job(id).await?;
        self.jobs_wake.notify_one();
        Ok(())
    }

    /// The jobs panel: pending and running jobs by time, then the last ones done or cancelled.
    pub async fn jobs(&self) -> Result<Vec<JobView>> {
        let tz = self.time_zone();
        let jobs = self.store().jobs().await?;
        Ok(jobs.iter().map(|job| view(job, tz)).collect())
    }

    async fn job_view(&self, id: JobId) -> Result<JobView> {
        let mut conn = self.store().pool().acquire().await?;
        let job = read(&mut conn, id).await?;
        Ok(view(&job, self.time_zone()))
    }

    /// Fires every job due now: as [`Self::run_due_jobs_at`].
    pub async fn run_due_jobs(&self, notifier: &dyn Notifier) -> Result<Vec<JobView>> {
        self.run_due_jobs_at(Utc::now(), notifier).await
    }

    /// Fires every job due at `now` (and finishes any a crash interrupted), chunk by chunk, then
    /// announces each completed job once through `notifier`. Returns the jobs completed.
    pub async fn run_due_jobs_at(
        &self,
        now: DateTime<Utc>,
        notifier: &dyn Notifier,
    ) -> Result<Vec<JobView>> {
        let mut completed = Vec::new();
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
                read(&mut conn, job.id).await?
            };
            if done.state == JobState::Done && !done.notified {
                let shown = view(&done, self.time_zone());
                match notifier.job_completed(&shown) {
                    Ok(()) => self.store().job_notified(done.id, now).await?,
                    Err(error) => tracing::warn!(%error, "a job's notification could not be shown"),
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
        let task = tokio::spawn(async move {
            let clock = Clock::new();
            loop {
                // Registered before looking, so a job scheduled meanwhile wakes the wait.
                let wake = Arc::clone(&core.jobs_wake);
                let woken = wake.notified();
                let (ran, next) = {
                    let (core, notifier) = (Arc::clone(&core), Arc::clone(&notifier));
                    let now = clock.now();
                    store
                        .spawn(async move {
                            let ran = core.run_due_jobs_at(now, notifier.as_ref()).await;
                            (ran, core.store().next_job_at().await)
                        })
                        .await
                        .unwrap_or_else(|e| {
                            let reason = e.to_string();
                            (
                                Err(CoreError::Task(reason.clone())),
                                Err(CoreError::Task(reason)),
                            )
                        })
                };
                if let Err(error) = ran {
                    tracing::warn!(%error, "jobs could not run; trying again in a minute");
                }
                let wait_until = match next {
                    Ok(Some(at)) => clock.instant_of(at),
                    Ok(None) => Instant::now() + Duration::from_secs(24 * 60 * 60),
                    Err(_) => Instant::now() + Duration::from_secs(60),
                };
                tokio::select! {
                    () = tokio::time::sleep_until(wait_until) => {}
                    () = woken => {}
                }
            }
        });
        if let Some(old) = self
            .job_runner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(task)
        {
            old.abort();
        }
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
                let resolved = self.resolve(filter, Utc::now()).await?;
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

    /// Deletes the selected customers at once (each with its `profile.delete` mutation, in
    /// transactions of [`CHUNK`]); returns how many were deleted.
    pub async fn delete_profiles(&self, selection: &Selection) -> Result<u64> {
        let ids = self.selection_ids(selection).await?;
        if ids.is_empty() {
            return Err(CoreError::InvalidRequest(
                "select at least one customer".to_string(),
            ));
        }
        let mut deleted = 0;
        for chunk in ids.chunks(CHUNK) {
            let mut tx = self.store().write_transaction().await?;
            for id in chunk {
                match profiles::delete_in(&mut tx, *id).await {
                    Ok(()) => deleted += 1,
                    // Deleted meanwhile (a pull, another window): nothing left to do.
                    Err(CoreError::ProfileNotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await?;
        }
        self.refresh_search_index_in_background();
        self.with_auto_sync(AutoSync::edited);
        Ok(deleted)
    }

    /// "Create segment" from a selection: a segment whose hand-picked members are the selected
    /// customers.
    pub async fn create_segment_from(
        &self,
        draft: userdesk_model::SegmentDraft,
        selection: &Selection,
    ) -> Result<userdesk_model::SegmentView> {
        let ids: Vec<String> = self
            .selection_ids(selection)
            .await?
            .iter()
            .map(ProfileId::to_string)
            .collect();
        if ids.is_empty() {
            return Err(CoreError::InvalidRequest(
                "select at least one customer".to_string(),
            ));
        }
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
