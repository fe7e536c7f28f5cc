//! Delayed bulk jobs: Active and Archive on a selection of customers take effect after a delay
//! (5 minutes unless Settings says otherwise), as the platform does. A job is kept in the store
//! until it is done, so it survives a restart: at start-up every job whose time has passed is
//! caught up. It applies in chunks of at most [`CHUNK`] customers, each one transaction holding
//! the customers' new status, their `profile.set_status` mutations and the job's cursor, so a
//! crash resumes after the last committed chunk and never applies one twice. Completion is a
//! compare-and-set on the job's state; the notification that follows is recorded as sent, so it
//! may repeat after a crash but is never lost.

mod runner;

pub(crate) use runner::JobRunner;

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use userdesk_model::{JobAction, JobId, JobState, ProfileFilter, ProfileId, ProfileStatus};

use crate::error::{CoreError, Result};
use crate::store::listing::ResolvedFilter;
use crate::store::profiles;
use crate::store::Store;

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
                 WHERE id IN (SELECT unhex(value) FROM json_each(?)) AND trashed_at IS NULL",
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

    /// The jobs not yet done, soonest first, then the last few done or cancelled, latest first.
    pub(crate) async fn jobs(&self) -> Result<Vec<Job>> {
        let records: Vec<JobRecord> = sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM ( \
             SELECT {JOB_COLUMNS}, 0 AS finished FROM jobs WHERE state IN ('pending', 'running') \
             UNION ALL SELECT * FROM (SELECT {JOB_COLUMNS}, 1 AS finished FROM jobs \
             WHERE state IN ('done', 'cancelled') ORDER BY run_at DESC LIMIT {KEPT_DONE})) \
             ORDER BY finished, CASE finished WHEN 0 THEN run_at ELSE -run_at END, id"
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
        let (covered, changed) =
            profiles::set_status_of_rows(&mut tx, &seqs, job.action.status(), self.now()).await?;
        // What Undo sets back once the job has fired.
        if !changed.is_empty() {
            sqlx::query(
                "UPDATE job_targets SET changed = 1 WHERE job_id = ? \
                 AND seq IN (SELECT value FROM json_each(?))",
            )
            .bind(job.id)
            .bind(serde_json::Value::from(changed).to_string())
            .execute(&mut *tx)
            .await?;
        }
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

    /// Sets back the customers a job that has fired changed and that still have the status it
    /// set (in the Trash or not), with a `profile.set_status` each, in chunks of [`CHUNK`];
    /// returns how many. Those changed again since keep their status.
    pub(crate) async fn reverse_job(&self, job: &Job) -> Result<u64> {
        let set = job.action.status();
        let back = match job.action {
            JobAction::Activate => ProfileStatus::Archived,
            JobAction::Archive => ProfileStatus::Active,
        };
        let seqs: Vec<i64> = sqlx::query_scalar(
            "SELECT t.seq FROM job_targets AS t JOIN profiles AS p ON p.seq = t.seq \
             WHERE t.job_id = ? AND t.changed = 1 AND p.status = ? ORDER BY t.seq",
        )
        .bind(job.id)
        .bind(set.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut reversed = 0;
        for chunk in seqs.chunks(CHUNK) {
            let mut tx = self.write_transaction().await?;
            let (_, changed) =
                profiles::set_status_of_rows(&mut tx, chunk, back, self.now()).await?;
            sqlx::query(
                "UPDATE job_targets SET changed = 0 WHERE job_id = ? \
                 AND seq IN (SELECT value FROM json_each(?))",
            )
            .bind(job.id)
            .bind(serde_json::Value::from(changed.clone()).to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            reversed += changed.len() as u64;
        }
        Ok(reversed)
    }

    /// Whether the job's list of customers is still kept (the last [`KEPT_DONE`] jobs done).
    pub(crate) async fn job_customers_kept(&self, id: JobId) -> Result<bool> {
        Ok(
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM job_targets WHERE job_id = ?)")
                .bind(id)
                .fetch_one(&self.pool)
                .await?,
        )
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

    /// Takes the announcing of the job's completion for this process: true once, for the one
    /// process that takes it.
    pub(crate) async fn claim_job_notice(&self, id: JobId, now: DateTime<Utc>) -> Result<bool> {
        let claimed =
            sqlx::query("UPDATE jobs SET notified_at = ? WHERE id = ? AND notified_at IS NULL")
                .bind(millis(now))
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Gives back a claimed announcement that could not be shown: the next start shows it.
    pub(crate) async fn release_job_notice(&self, id: JobId) -> Result<()> {
        sqlx::query("UPDATE jobs SET notified_at = NULL WHERE id = ?")
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
