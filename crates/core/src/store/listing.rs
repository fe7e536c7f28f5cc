//! The All users table's query: filters, sort keys and keyset pagination, as SQL.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};
use userdesk_model::{
    Cursor, CursorValue, JobId, Platform, ProfileFilter, ProfileStatus, ProfileType, SortColumn,
    SortDirection, SortOrder, MAX_PAGE_SIZE,
};

use crate::error::{CoreError, Result};
use crate::store::search::{self, SearchPlan};
use crate::store::segments::Membership;

/// A filter with its Last seen window turned into an instant.
#[derive(Debug, Clone)]
pub struct ResolvedFilter {
    pub status: Option<ProfileStatus>,
    pub kind: Option<ProfileType>,
    pub platform: Option<Platform>,
    pub last_seen_since: Option<DateTime<Utc>>,
    pub search: SearchPlan,
    /// The Segment filter's members, as a condition.
    pub segment: Option<Membership>,
    /// Test the status row by row (`+p.status`, which SQLite cannot answer from an index) so a
    /// page walks its sort's index; otherwise the status may be looked up in profiles_by_status.
    /// Set when most profiles have the status: see [`walks_status`].
    pub walk_status: bool,
    /// Only the customers of this bulk job.
    pub job: Option<JobId>,
    /// Only the customers who completed the goal the filter names.
    pub goal: Option<Membership>,
}

impl ResolvedFilter {
    /// Resolves `filter`, the window having been computed in the manager's zone.
    pub fn new(filter: &ProfileFilter, last_seen_since: Option<DateTime<Utc>>) -> Self {
        Self {
            status: filter.status,
            kind: filter.kind,
            platform: filter.platform,
            last_seen_since,
            search: search::plan(&filter.search),
            segment: None,
            walk_status: false,
            job: filter.job,
            goal: None,
        }
    }

    /// Appends ` FROM … WHERE …` over `profiles AS p`.
    pub fn push_from_where(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        match &self.search {
            SearchPlan::Matching { term, phone_digits } => {
                query
                    .push(
                        " FROM profiles AS p WHERE p.trashed_at IS NULL \
                         AND ((p.first_name || ' ' || p.last_name) REGEXP ",
                    )
                    .push_bind(term.clone())
                    .push(" OR p.email REGEXP ")
                    .push_bind(term.clone())
                    .push(" OR p.phone REGEXP ")
                    .push_bind(term.clone());
                if let Some(digits) = phone_digits {
                    query.push(" OR p.phone REGEXP ").push_bind(digits.clone());
                }
                query.push(")");
            }
            SearchPlan::Everyone => {
                query.push(" FROM profiles AS p WHERE p.trashed_at IS NULL");
            }
        }
        self.push_category_conditions(query);
        if let Some(since) = self.last_seen_since {
            query
                .push(" AND p.last_seen_at >= ")
                .push_bind(since.timestamp_millis());
        }
        if let Some(segment) = &self.segment {
            segment.push_condition(query);
        }
        if let Some(goal) = &self.goal {
            goal.push_condition(query);
        }
        if let Some(job) = self.job {
            query
                .push(" AND p.seq IN (SELECT seq FROM job_targets WHERE job_id = ")
                .push_bind(job)
                .push(")");
        }
    }

    /// Whether only status, type and platform filter, so `profile_counts` holds the count.
    pub fn counts_by_category(&self) -> bool {
        self.search == SearchPlan::Everyone
            && self.last_seen_since.is_none()
            && self.open_to_every_customer()
    }

    /// Whether no segment, job or goal narrows the filter (the search index knows nothing of
    /// them: SQLite answers those).
    pub fn open_to_every_customer(&self) -> bool {
        self.segment.is_none() && self.job.is_none() && self.goal.is_none()
    }

    /// Appends the status, type and platform conditions on `p`.
    pub fn push_category_conditions(&self, query: &mut QueryBuilder<'_, Sqlite>) {
        if let Some(status) = self.status {
            let column = if self.walk_status {
                " AND +p.status = "
            } else {
                " AND p.status = "
            };
            query.push(column).push_bind(status.as_str());
        }
        if let Some(kind) = self.kind {
            query.push(" AND p.kind = ").push_bind(kind.as_str());
        }
        if let Some(platform) = self.platform {
            query
                .push(" AND p.platform = ")
                .push_bind(platform.as_str());
        }
    }
}

/// Whether a page of `limit` rows should walk its sort's index, testing the status of each row,
/// rather than read every profile with the status through profiles_by_status and sort them:
/// walking reads about `limit × total / with_status` rows, the other way `with_status`.
pub fn walks_status(limit: u32, with_status: u64, total: u64) -> bool {
    with_status.saturating_mul(with_status) >= u64::from(limit).saturating_mul(total)
}

/// The columns a sort orders by, before the id that breaks ties.
struct SortKey {
    /// For text columns that may be empty: the generated column that puts empties last.
    blank: Option<&'static str>,
    column: &'static str,
    text: bool,
}

/// The sort's key; none when every row the filter lets through has the same value (the Status
/// sort with a status chosen), so the id alone orders them and its unique index serves.
fn sort_key(column: SortColumn, filter: &ResolvedFilter) -> Option<SortKey> {
    if column == SortColumn::Status && filter.status.is_some() {
        return None;
    }
    let (blank, column, text) = match column {
        SortColumn::Username => (None, "p.username", true),
        SortColumn::Email => (Some("p.email_blank"), "p.email", true),
        SortColumn::Phone => (Some("p.phone_blank"), "p.phone", true),
        SortColumn::Location => (Some("p.location_blank"), "p.location", true),
        SortColumn::Created => (None, "p.created_at", false),
        SortColumn::LastSeen => (None, "p.last_seen_at", false),
        SortColumn::Sessions => (None, "p.sessions", false),
        SortColumn::Status => (None, "p.status", true),
    };
    Some(SortKey {
        blank,
        column,
        text,
    })
}

/// Refuses a page size outside 1..=MAX_PAGE_SIZE.
pub fn check_limit(limit: u32) -> Result<()> {
    if limit == 0 || limit > MAX_PAGE_SIZE {
        return Err(CoreError::InvalidRequest(format!(
            "a page holds 1 to {MAX_PAGE_SIZE} rows, not {limit}"
        )));
    }
    Ok(())
}

/// Refuses a cursor taken from another sort.
pub fn check_cursor(sort: SortOrder, cursor: &Cursor) -> Result<()> {
    if cursor.column != sort.column {
        return Err(CoreError::InvalidRequest(format!(
            "the cursor belongs to a sort by {:?}, not by {:?}",
            cursor.column, sort.column
        )));
    }
    Ok(())
}

/// Appends the keyset condition: rows strictly after `cursor` in `sort` order.
pub fn push_after(
    query: &mut QueryBuilder<'_, Sqlite>,
    sort: SortOrder,
    filter: &ResolvedFilter,
    cursor: &Cursor,
) -> Result<()> {
    check_cursor(sort, cursor)?;
    let op = match sort.direction {
        SortDirection::Asc => ">",
        SortDirection::Desc => "<",
    };
    let Some(key) = sort_key(sort.column, filter) else {
        query
            .push(" AND p.id ")
            .push(op)
            .push(" ")
            .push_bind(*cursor.id.as_uuid());
        return Ok(());
    };
    query.push(" AND (");
    if let Some(blank) = key.blank {
        query.push(blank).push(", ");
    }
    query.push(key.column).push(", p.id) ").push(op).push(" (");
    match (&cursor.value, key.text) {
        (CursorValue::Text(value), true) => {
            if key.blank.is_some() {
                query.push_bind(i64::from(value.is_empty())).push(", ");
            }
            query.push_bind(value.clone());
        }
        (CursorValue::Int(value), false) => {
            query.push_bind(*value);
        }
        _ => {
            return Err(CoreError::InvalidRequest(
                "the cursor's value does not fit its column".to_string(),
            ))
        }
    }
    query.push(", ").push_bind(*cursor.id.as_uuid()).push(")");
    Ok(())
}

/// Appends ` ORDER BY …` for `sort`, ties broken by id in the same direction.
pub fn push_order(query: &mut QueryBuilder<'_, Sqlite>, sort: SortOrder, filter: &ResolvedFilter) {
    let dir = match sort.direction {
        SortDirection::Asc => " ASC",
        SortDirection::Desc => " DESC",
    };
    let Some(key) = sort_key(sort.column, filter) else {
        query.push(" ORDER BY p.id").push(dir);
        return;
    };
    query.push(" ORDER BY ");
    if let Some(blank) = key.blank {
        query.push(blank).push(dir).push(", ");
    }
    query.push(key.column).push(dir).push(", p.id").push(dir);
}
