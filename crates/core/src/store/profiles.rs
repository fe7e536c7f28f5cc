//! Customer profiles in the local store: insert, get, patch, list, count.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use userdesk_model::sync::Op;
use userdesk_model::{
    Cursor, CursorValue, ListRequest, Platform, Profile, ProfileId, ProfilePage, ProfilePatch,
    ProfileRow, ProfileStatus, ProfileType, SortColumn, ValidPatch,
};

use crate::error::{CoreError, Result};
use crate::store::listing::{self, ResolvedFilter};
use crate::store::outbox;
use crate::store::server_copies;
use crate::store::trash;
use crate::store::Store;

const PROFILE_COLUMNS: &str = "id, email, first_name, last_name, phone, location, created_at, \
     last_seen_at, device, sessions, live_chat_takeover, status, kind, platform, trashed_at, \
     trashed_by";

const ROW_COLUMNS: &str = "p.id, p.username, p.email, p.phone, p.location, p.created_at, \
     p.last_seen_at, p.sessions, p.status";

#[derive(sqlx::FromRow)]
struct ProfileRecord {
    id: ProfileId,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    location: String,
    created_at: i64,
    last_seen_at: i64,
    device: String,
    sessions: i64,
    live_chat_takeover: bool,
    status: String,
    kind: String,
    platform: String,
    trashed_at: Option<i64>,
    trashed_by: Option<String>,
}

impl TryFrom<ProfileRecord> for Profile {
    type Error = CoreError;

    fn try_from(r: ProfileRecord) -> Result<Self> {
        Ok(Profile {
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            location: r.location,
            created_at: from_millis(r.created_at)?,
            last_seen_at: from_millis(r.last_seen_at)?,
            device: r.device,
            sessions: u32::try_from(r.sessions).map_err(|_| corrupt("sessions", r.sessions))?,
            live_chat_takeover: r.live_chat_takeover,
            status: parse_status(&r.status)?,
            kind: ProfileType::parse(&r.kind).ok_or_else(|| corrupt("kind", &r.kind))?,
            platform: Platform::parse(&r.platform)
                .ok_or_else(|| corrupt("platform", &r.platform))?,
            trashed: trash::trashed_of(r.trashed_at, r.trashed_by)?,
        })
    }
}

/// A table row as read, before its times are formatted.
#[derive(sqlx::FromRow)]
pub(crate) struct RowRecord {
    id: ProfileId,
    username: String,
    email: String,
    phone: String,
    location: String,
    created_at: i64,
    last_seen_at: i64,
    sessions: i64,
    status: String,
}

impl RowRecord {
    /// The table row, times formatted by `format`.
    pub(crate) fn into_row(self, format: impl Fn(DateTime<Utc>) -> String) -> Result<ProfileRow> {
        Ok(ProfileRow {
            id: self.id,
            username: self.username,
            email: self.email,
            phone: self.phone,
            location: self.location,
            created: format(from_millis(self.created_at)?),
            last_seen: format(from_millis(self.last_seen_at)?),
            sessions: u32::try_from(self.sessions)
                .map_err(|_| corrupt("sessions", self.sessions))?,
            status: parse_status(&self.status)?,
            pending_job: None,
        })
    }

    fn cursor(&self, column: SortColumn) -> Cursor {
        Cursor {
            column,
            value: self.sort_value(column),
            id: self.id,
        }
    }

    /// The value `column` sorts this row by.
    fn sort_value(&self, column: SortColumn) -> CursorValue {
        use SortColumn as C;
        match column {
            C::Username => CursorValue::Text(self.username.clone()),
            C::Email => CursorValue::Text(self.email.clone()),
            C::Phone => CursorValue::Text(self.phone.clone()),
            C::Location => CursorValue::Text(self.location.clone()),
            C::Status => CursorValue::Text(self.status.clone()),
            C::Created => CursorValue::Int(self.created_at),
            C::LastSeen => CursorValue::Int(self.last_seen_at),
            C::Sessions => CursorValue::Int(self.sessions),
        }
    }
}

/// A table row with its rowid.
#[derive(sqlx::FromRow)]
struct SeqRowRecord {
    seq: i64,
    #[sqlx(flatten)]
    row: RowRecord,
}

pub(crate) fn from_millis(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt("timestamp", ms))
}

pub(crate) fn parse_status(s: &str) -> Result<ProfileStatus> {
    ProfileStatus::parse(s).ok_or_else(|| corrupt("status", s))
}

fn corrupt(what: &str, value: impl std::fmt::Debug) -> CoreError {
    CoreError::Corrupt(format!("{what} {value:?}"))
}

/// The row change and its outbox mutation, in the caller's transaction.
pub(crate) async fn patch_in(
    conn: &mut SqliteConnection,
    id: ProfileId,
    patch: &ValidPatch,
    at: DateTime<Utc>,
) -> Result<Profile> {
    let current = read_profile(conn, id)
        .await?
        .ok_or_else(|| CoreError::ProfileNotFound(id.to_string()))?;
    // Only the fields that change travel, so another manager's edit of another field survives.
    let changed = |new: &Option<String>, old: &str| new.clone().filter(|v| v != old);
    let delta = ProfilePatch {
        email: changed(&patch.email, &current.email),
        first_name: changed(&patch.first_name, &current.first_name),
        last_name: changed(&patch.last_name, &current.last_name),
        phone: changed(&patch.phone, &current.phone),
        location: changed(&patch.location, &current.location),
    };
    if delta == ProfilePatch::default() {
        return Ok(current);
    }
    let next = apply_patch(&current, &delta);
    // What the manager saw before the edit travels with it, so the server can tell whose
    // edit, unseen here, this one replaces.
    let was = |new: &Option<String>, old: &str| new.as_ref().map(|_| old.to_string());
    let base = ProfilePatch {
        email: was(&delta.email, &current.email),
        first_name: was(&delta.first_name, &current.first_name),
        last_name: was(&delta.last_name, &current.last_name),
        phone: was(&delta.phone, &current.phone),
        location: was(&delta.location, &current.location),
    };
    server_copies::keep_server_copy(conn, &current).await?;
    write_profile(conn, &next).await?;
    outbox::append(
        conn,
        &Op::ProfilePatch {
            profile_id: id,
            patch: delta,
            base: Some(base),
        },
        at,
    )
    .await?;
    Ok(next)
}

/// Activates or archives the profile and queues its `profile.set_status` mutation in the
/// caller's transaction; setting the status it already has queues nothing.
pub(crate) async fn set_status_in(
    conn: &mut SqliteConnection,
    id: ProfileId,
    status: ProfileStatus,
    at: DateTime<Utc>,
) -> Result<Profile> {
    let current = read_profile(conn, id)
        .await?
        .ok_or_else(|| CoreError::ProfileNotFound(id.to_string()))?;
    if current.status == status {
        return Ok(current);
    }
    let mut next = current.clone();
    next.status = status;
    server_copies::keep_server_copy(conn, &current).await?;
    // Only the status column: the indexes and triggers of the other columns stay untouched,
    // which is most of the cost of a bulk job's chunk.
    sqlx::query("UPDATE profiles SET status = ? WHERE id = ?")
        .bind(status.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    outbox::append(
        conn,
        &Op::ProfileSetStatus {
            profile_id: id,
            status,
        },
        at,
    )
    .await?;
    Ok(next)
}

/// Sets the status of the profiles at these rowids, as [`set_status_in`] does for each (the
/// server's copy kept, as the status it had; a `profile.set_status` mutation queued for each one
/// that changes), in a few statements for all of them. Rowids no profile has any more, and
/// customers in the Trash, are passed over. Returns how
/// many profiles were found, and the rowids of those that changed.
pub(crate) async fn set_status_of_rows(
    conn: &mut SqliteConnection,
    seqs: &[i64],
    status: ProfileStatus,
    at: DateTime<Utc>,
) -> Result<(u64, Vec<i64>)> {
    if seqs.is_empty() {
        return Ok((0, Vec::new()));
    }
    let rows = serde_json::Value::from(seqs.to_vec()).to_string();
    let found: Vec<(i64, ProfileId, String)> = sqlx::query_as(
        "SELECT seq, id, status FROM profiles WHERE seq IN (SELECT value FROM json_each(?)) \
         AND trashed_at IS NULL ORDER BY seq",
    )
    .bind(&rows)
    .fetch_all(&mut *conn)
    .await?;
    let (changing, changed_seqs): (Vec<ProfileId>, Vec<i64>) = found
        .iter()
        .filter(|(_, _, current)| current != status.as_str())
        .map(|(seq, id, _)| (*id, *seq))
        .unzip();
    server_copies::keep_server_statuses(conn, &rows, status).await?;
    // Only the status column: the indexes and triggers of the other columns stay untouched.
    sqlx::query(
        "UPDATE profiles SET status = ?1 WHERE seq IN (SELECT value FROM json_each(?2)) \
         AND status <> ?1 AND trashed_at IS NULL",
    )
    .bind(status.as_str())
    .bind(&rows)
    .execute(&mut *conn)
    .await?;
    let ops: Vec<Op> = changing
        .iter()
        .map(|id| Op::ProfileSetStatus {
            profile_id: *id,
            status,
        })
        .collect();
    outbox::append_all(conn, &ops, at).await?;
    Ok((found.len() as u64, changed_seqs))
}

/// The profile with the patch's fields set.
pub(crate) fn apply_patch(profile: &Profile, patch: &ProfilePatch) -> Profile {
    let pick = |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_string());
    let mut next = profile.clone();
    next.email = pick(&patch.email, &profile.email);
    next.first_name = pick(&patch.first_name, &profile.first_name);
    next.last_name = pick(&patch.last_name, &profile.last_name);
    next.phone = pick(&patch.phone, &profile.phone);
    next.location = pick(&patch.location, &profile.location);
    next
}

/// Fails with [`CoreError::ProfileNotFound`] unless the profile is in the store.
pub(crate) async fn must_exist(conn: &mut SqliteConnection, id: ProfileId) -> Result<()> {
    if read_profile(conn, id).await?.is_none() {
        return Err(CoreError::ProfileNotFound(id.to_string()));
    }
    Ok(())
}

/// A list of ids bound as one JSON array, read back in SQL with `json_each` and `unhex`.
pub(crate) fn id_list(ids: &[ProfileId]) -> String {
    let hex: Vec<String> = ids
        .iter()
        .map(|id| id.as_uuid().simple().to_string())
        .collect();
    serde_json::Value::from(hex).to_string()
}

/// Fails with [`CoreError::ProfileNotFound`], naming the first missing one, unless every
/// profile is in the store: one count per chunk, and one lookup each only when one is missing.
pub(crate) async fn must_all_exist(conn: &mut SqliteConnection, ids: &[ProfileId]) -> Result<()> {
    const CHUNK: usize = 10_000;
    for chunk in ids.chunks(CHUNK) {
        let found: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM profiles \
             WHERE id IN (SELECT unhex(value) FROM json_each(?)) AND trashed_at IS NULL",
        )
        .bind(id_list(chunk))
        .fetch_one(&mut *conn)
        .await?;
        let unique: std::collections::BTreeSet<&ProfileId> = chunk.iter().collect();
        if usize::try_from(found).ok() != Some(unique.len()) {
            for id in unique {
                must_exist(conn, *id).await?;
            }
        }
    }
    Ok(())
}

/// One profile of the table (not in the Trash) by id, read inside the caller's connection or
/// transaction.
pub(crate) async fn read_profile(
    conn: &mut SqliteConnection,
    id: ProfileId,
) -> Result<Option<Profile>> {
    Ok(read_any(conn, id).await?.filter(|p| p.trashed.is_none()))
}

/// One profile by id, in the table or in the Trash.
pub(crate) async fn read_any(
    conn: &mut SqliteConnection,
    id: ProfileId,
) -> Result<Option<Profile>> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = ?");
    sqlx::query_as::<_, ProfileRecord>(&sql)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(Profile::try_from)
        .transpose()
}

/// The profiles whose server copy is their status alone (`status_shadows`), as they are here.
pub(crate) async fn read_status_copied(conn: &mut SqliteConnection) -> Result<Vec<Profile>> {
    let sql = format!(
        "SELECT {PROFILE_COLUMNS} FROM profiles WHERE seq IN (SELECT seq FROM status_shadows)"
    );
    sqlx::query_as::<_, ProfileRecord>(&sql)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(Profile::try_from)
        .collect()
}

/// Inserts the profile, or replaces every column of the one with its id.
pub(crate) async fn write_profile(conn: &mut SqliteConnection, p: &Profile) -> Result<()> {
    sqlx::query(
        "INSERT INTO profiles (id, email, first_name, last_name, phone, location, username, \
         created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind, platform, \
         trashed_at, trashed_by) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, \
         last_name = excluded.last_name, phone = excluded.phone, location = excluded.location, \
         username = excluded.username, created_at = excluded.created_at, \
         last_seen_at = excluded.last_seen_at, device = excluded.device, \
         sessions = excluded.sessions, live_chat_takeover = excluded.live_chat_takeover, \
         status = excluded.status, kind = excluded.kind, platform = excluded.platform, \
         trashed_at = excluded.trashed_at, trashed_by = excluded.trashed_by",
    )
    .bind(p.id)
    .bind(&p.email)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.phone)
    .bind(&p.location)
    .bind(p.username())
    .bind(p.created_at.timestamp_millis())
    .bind(p.last_seen_at.timestamp_millis())
    .bind(&p.device)
    .bind(i64::from(p.sessions))
    .bind(p.live_chat_takeover)
    .bind(p.status.as_str())
    .bind(p.kind.as_str())
    .bind(p.platform.as_str())
    .bind(p.trashed.as_ref().map(|t| t.at.timestamp_millis()))
    .bind(p.trashed.as_ref().map(|t| t.by.as_str()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Removes the profile's row, in the table or in the Trash, if there is one.
pub(crate) async fn delete_profile(conn: &mut SqliteConnection, id: ProfileId) -> Result<()> {
    sqlx::query("DELETE FROM profiles WHERE id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Adds profiles in one transaction (demo data, tests, and later the sync's pull).
    #[tracing::instrument(skip_all, fields(count = profiles.len()))]
    pub async fn insert_profiles(&self, profiles: &[Profile]) -> Result<()> {
        let mut tx = self.write_transaction().await?;
        for p in profiles {
            sqlx::query(
                "INSERT INTO profiles (id, email, first_name, last_name, phone, location, username, \
                 created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind, platform) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(p.id)
            .bind(&p.email)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.phone)
            .bind(&p.location)
            .bind(p.username())
            .bind(p.created_at.timestamp_millis())
            .bind(p.last_seen_at.timestamp_millis())
            .bind(&p.device)
            .bind(i64::from(p.sessions))
            .bind(p.live_chat_takeover)
            .bind(p.status.as_str())
            .bind(p.kind.as_str())
            .bind(p.platform.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One profile by id.
    #[tracing::instrument(skip(self))]
    pub async fn get_profile(&self, id: ProfileId) -> Result<Profile> {
        let sql =
            format!("SELECT {PROFILE_COLUMNS} FROM profiles WHERE id = ? AND trashed_at IS NULL");
        sqlx::query_as::<_, ProfileRecord>(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| CoreError::ProfileNotFound(id.to_string()))?
            .try_into()
    }

    /// Applies a validated change to the editable fields and queues its `profile.patch`
    /// mutation, both in one transaction, keeping the derived username in step; returns the
    /// profile as saved. An edit that changes nothing queues nothing.
    #[tracing::instrument(skip(self, patch))]
    pub async fn patch_profile(&self, id: ProfileId, patch: &ValidPatch) -> Result<Profile> {
        let mut tx = self.write_transaction().await?;
        let saved = patch_in(&mut tx, id, patch, self.now()).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Activates or archives one profile: the row and its outbox mutation in one transaction.
    #[tracing::instrument(skip(self))]
    pub async fn set_profile_status(
        &self,
        id: ProfileId,
        status: ProfileStatus,
    ) -> Result<Profile> {
        let mut tx = self.write_transaction().await?;
        let saved = set_status_in(&mut tx, id, status, self.now()).await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// One page of the table; the returned cursor continues after its last row.
    #[tracing::instrument(skip(self, format))]
    pub(crate) async fn list_profiles(
        &self,
        request: &ListRequest,
        filter: &ResolvedFilter,
        format: impl Fn(DateTime<Utc>) -> String,
    ) -> Result<ProfilePage> {
        let mut filter = filter.clone();
        if let Some(status) = filter.status {
            let (with_status, total) = self.status_counts(status).await?;
            filter.walk_status = listing::walks_status(request.limit, with_status, total);
        }
        self.list_profiles_resolved(request, &filter, format).await
    }

    /// How many profiles have `status`, and how many there are, from `profile_counts`.
    async fn status_counts(&self, status: ProfileStatus) -> Result<(u64, u64)> {
        let (with_status, total): (i64, i64) = sqlx::query_as(
            "SELECT coalesce(sum(profiles) FILTER (WHERE status = ?), 0), \
             coalesce(sum(profiles), 0) FROM profile_counts",
        )
        .bind(status.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok((
            u64::try_from(with_status).map_err(|_| corrupt("count", with_status))?,
            u64::try_from(total).map_err(|_| corrupt("count", total))?,
        ))
    }

    /// One page of the table, `filter` taken as it is (its route to the status chosen).
    async fn list_profiles_resolved(
        &self,
        request: &ListRequest,
        filter: &ResolvedFilter,
        format: impl Fn(DateTime<Utc>) -> String,
    ) -> Result<ProfilePage> {
        listing::check_limit(request.limit)?;
        let offset = i64::try_from(request.offset)
            .map_err(|_| CoreError::InvalidRequest("the offset is too large".to_string()))?;
        let mut query = QueryBuilder::<Sqlite>::new(format!("SELECT {ROW_COLUMNS}"));
        filter.push_from_where(&mut query);
        if let Some(after) = &request.after {
            listing::push_after(&mut query, request.sort, filter, after)?;
        }
        listing::push_order(&mut query, request.sort, filter);
        query
            .push(" LIMIT ")
            .push_bind(i64::from(request.limit))
            .push(" OFFSET ")
            .push_bind(offset);
        let records: Vec<RowRecord> = query.build_query_as().fetch_all(&self.pool).await?;
        let next = match records.last() {
            Some(last) if records.len() == request.limit as usize => {
                Some(last.cursor(request.sort.column))
            }
            _ => None,
        };
        let rows = records
            .into_iter()
            .map(|r| r.into_row(&format))
            .collect::<Result<Vec<_>>>()?;
        Ok(ProfilePage { rows, next })
    }

    /// How many profiles match the filter.
    #[tracing::instrument(skip(self))]
    pub(crate) async fn count_profiles(&self, filter: &ResolvedFilter) -> Result<u64> {
        let mut query = if filter.counts_by_category() {
            QueryBuilder::<Sqlite>::new(
                "SELECT coalesce(sum(profiles), 0) FROM profile_counts AS p WHERE 1",
            )
        } else {
            QueryBuilder::<Sqlite>::new("SELECT count(*)")
        };
        if filter.counts_by_category() {
            filter.push_category_conditions(&mut query);
        } else {
            filter.push_from_where(&mut query);
        }
        let count: i64 = query.build_query_scalar().fetch_one(&self.pool).await?;
        u64::try_from(count).map_err(|_| corrupt("count", count))
    }

    /// The id of the last logged profile change (0 when none is logged).
    pub(crate) async fn latest_profile_change(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM profile_changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// The rowid of the cursor's profile, if it still has the sort value the cursor holds (a
    /// cursor on a profile edited or deleted since is answered by SQL alone).
    pub(crate) async fn cursor_seq(&self, cursor: &Cursor) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT p.seq, {ROW_COLUMNS} FROM profiles AS p WHERE p.id = ? AND p.trashed_at IS NULL"
        );
        let record: Option<SeqRowRecord> = sqlx::query_as(&sql)
            .bind(cursor.id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(record
            .filter(|r| r.row.sort_value(cursor.column) == cursor.value)
            .map(|r| r.seq))
    }

    /// The page of the rows with these rowids, in this order.
    pub(crate) async fn page_of(
        &self,
        seqs: &[i64],
        request: &ListRequest,
        format: impl Fn(DateTime<Utc>) -> String,
    ) -> Result<ProfilePage> {
        let mut records: HashMap<i64, RowRecord> = HashMap::with_capacity(seqs.len());
        if !seqs.is_empty() {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "SELECT p.seq, {ROW_COLUMNS} FROM profiles AS p WHERE p.seq IN ("
            ));
            let mut list = query.separated(", ");
            for seq in seqs {
                list.push_bind(*seq);
            }
            query.push(") AND p.trashed_at IS NULL");
            let found: Vec<SeqRowRecord> = query.build_query_as().fetch_all(&self.pool).await?;
            records.extend(found.into_iter().map(|r| (r.seq, r.row)));
        }
        let ordered: Vec<RowRecord> = seqs.iter().filter_map(|s| records.remove(s)).collect();
        let next = match ordered.last() {
            Some(last) if seqs.len() == request.limit as usize => {
                Some(last.cursor(request.sort.column))
            }
            _ => None,
        };
        let rows = ordered
            .into_iter()
            .map(|r| r.into_row(&format))
            .collect::<Result<Vec<_>>>()?;
        Ok(ProfilePage { rows, next })
    }

    /// How many profiles the store holds (from `profile_counts`, without walking the table).
    pub async fn profile_total(&self) -> Result<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT coalesce(sum(profiles), 0) FROM profile_counts")
                .fetch_one(&self.pool)
                .await?;
        u64::try_from(count).map_err(|_| corrupt("count", count))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_demo::DemoProfiles;
    use userdesk_model::{ProfileFilter, SortColumn, SortDirection, SortOrder};

    /// A store in a temporary directory holding `count` demo customers from `seed`.
    async fn demo_store(seed: u64, count: usize) -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.sqlite3")).await.unwrap();
        let now = "2026-11-28T12:00:00Z".parse().unwrap();
        let profiles: Vec<Profile> = DemoProfiles::new(seed, now).take(count).collect();
        store.insert_profiles(&profiles).await.unwrap();
        (store, dir)
    }

    #[tokio::test]
    async fn category_counts_follow_inserts_status_changes_and_deletes() {
        let (store, _dir) = demo_store(6, 600).await;
        // Until the bulk jobs arrive, status changes and deletes come from SQL directly.
        sqlx::query("UPDATE profiles SET status = 'archived' WHERE seq % 3 = 0")
            .execute(&store.pool)
            .await
            .unwrap();
        sqlx::query(
            "UPDATE profiles SET platform = 'telegram', kind = 'anonymous' WHERE seq % 7 = 0",
        )
        .execute(&store.pool)
        .await
        .unwrap();
        sqlx::query("DELETE FROM profiles WHERE seq % 5 = 0")
            .execute(&store.pool)
            .await
            .unwrap();
        let statuses = [
            None,
            Some(ProfileStatus::Active),
            Some(ProfileStatus::Archived),
        ];
        let kinds = [
            None,
            Some(ProfileType::Registered),
            Some(ProfileType::Anonymous),
        ];
        let platforms = std::iter::once(None).chain(Platform::ALL.into_iter().map(Some));
        for platform in platforms {
            for status in statuses {
                for kind in kinds {
                    let filter = ProfileFilter {
                        status,
                        kind,
                        platform,
                        ..Default::default()
                    };
                    let resolved = ResolvedFilter::new(&filter, None);
                    assert!(resolved.counts_by_category());
                    let counted = store.count_profiles(&resolved).await.unwrap();
                    let mut scan = QueryBuilder::<Sqlite>::new("SELECT count(*)");
                    resolved.push_from_where(&mut scan);
                    let scanned: i64 = scan
                        .build_query_scalar()
                        .fetch_one(&store.pool)
                        .await
                        .unwrap();
                    assert_eq!(counted, scanned as u64, "{filter:?}");
                }
            }
        }
    }

    /// Every row of the table, page after page by keyset.
    async fn every_page(
        store: &Store,
        filter: &ProfileFilter,
        resolved: &ResolvedFilter,
        sort: SortOrder,
        limit: u32,
    ) -> Vec<userdesk_model::ProfileRow> {
        let mut rows = Vec::new();
        let mut after = None;
        loop {
            let request = ListRequest {
                filter: filter.clone(),
                sort,
                after: after.take(),
                offset: 0,
                limit,
            };
            let page = store
                .list_profiles_resolved(&request, resolved, |t| t.to_string())
                .await
                .unwrap();
            rows.extend(page.rows);
            match page.next {
                Some(next) => after = Some(next),
                None => return rows,
            }
        }
    }

    #[tokio::test]
    async fn walking_a_sort_and_reading_by_status_list_the_same_rows() {
        let (store, _dir) = demo_store(7, 900).await;
        for status in [ProfileStatus::Active, ProfileStatus::Archived] {
            for kind in [None, Some(ProfileType::Registered)] {
                let filter = ProfileFilter {
                    status: Some(status),
                    kind,
                    ..Default::default()
                };
                for column in SortColumn::ALL {
                    for direction in [SortDirection::Asc, SortDirection::Desc] {
                        let mut pages = Vec::new();
                        for walk_status in [false, true] {
                            let mut resolved = ResolvedFilter::new(&filter, None);
                            resolved.walk_status = walk_status;
                            let sort = SortOrder { column, direction };
                            let rows = every_page(&store, &filter, &resolved, sort, 40).await;
                            assert!(rows.iter().all(|r| r.status == status));
                            pages.push(rows.into_iter().map(|r| r.id).collect::<Vec<_>>());
                        }
                        assert!(!pages[0].is_empty(), "{status:?} {kind:?}");
                        assert_eq!(pages[0], pages[1], "{status:?} {column:?} {direction:?}");
                        let expected = store
                            .count_profiles(&ResolvedFilter::new(&filter, None))
                            .await
                            .unwrap();
                        assert_eq!(pages[0].len() as u64, expected);
                    }
                }
            }
        }
    }

    #[test]
    fn a_rare_status_is_read_by_its_index_and_a_common_one_by_walking_the_sort() {
        // A page of 100 among a million: walking finds it in 10,000 rows when 1 % have the
        // status, as many as reading that 1 % and sorting it.
        assert!(listing::walks_status(100, 10_000, 1_000_000));
        assert!(!listing::walks_status(100, 9_999, 1_000_000));
        assert!(listing::walks_status(100, 880_000, 1_000_000));
        assert!(!listing::walks_status(100, 0, 1_000_000));
        assert!(listing::walks_status(100, 0, 0));
    }
}
