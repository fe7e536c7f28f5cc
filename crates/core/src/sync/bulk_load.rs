//! Pulled records written many at a time. A page's profiles, and its property values and segment
//! members, each go to SQLite as one JSON array read by one `INSERT … SELECT … FROM json_each`:
//! a statement per kind and page instead of one per record. The rows written are exactly those the
//! record-by-record path writes.
//!
//! A first sync into an empty store is also a bulk load: records arriving in random key order
//! would each dirty a page of every B-tree they go into, and every commit writes those pages
//! again. So while it runs, the sort indexes of the profiles and the indexes of the other pulled
//! records are dropped (their definitions kept in `deferred_indexes`), and property values and
//! segment members are staged in order of arrival. When the last page is in, the staged rows are moved in
//! key order and each index is built by one sort, each step a short transaction of its own, so a
//! manager's edit waits for one step at most. The state lives in the store: a sync
//! resumed after a crash goes on loading and ends the load the same way. Throughout, the table
//! pages (more slowly, without its sort indexes), counts and searches as usual.

use serde::Serialize;
use sqlx::SqliteConnection;
use userdesk_model::sync::PropertyValueKey;
use userdesk_model::{Profile, PropertyValue, SegmentMember};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// Upserts every profile of a JSON array of rows (see [`ProfileRow`]), in the array's order.
const PROFILES: &str = "INSERT INTO profiles (id, email, first_name, last_name, phone, location, \
     username, created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind, \
     platform, trashed_at, trashed_by) \
     SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
     value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, \
     value ->> 12, value ->> 13, value ->> 14, value ->> 15, value ->> 16 \
     FROM json_each(?) WHERE true \
     ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, \
     last_name = excluded.last_name, phone = excluded.phone, location = excluded.location, \
     username = excluded.username, created_at = excluded.created_at, \
     last_seen_at = excluded.last_seen_at, device = excluded.device, \
     sessions = excluded.sessions, live_chat_takeover = excluded.live_chat_takeover, \
     status = excluded.status, kind = excluded.kind, platform = excluded.platform, \
     trashed_at = excluded.trashed_at, trashed_by = excluded.trashed_by";

/// Upserts every value of a JSON array of `[profile id, property id, value]` (ids in hex).
const VALUES: &str = "INSERT INTO property_values (profile_id, property_id, value) \
     SELECT unhex(value ->> 0), unhex(value ->> 1), value ->> 2 FROM json_each(?) WHERE true \
     ON CONFLICT (profile_id, property_id) DO UPDATE SET value = excluded.value";

/// Deletes every value of a JSON array of `[profile id, property id, null]`.
const VALUES_GONE: &str = "DELETE FROM property_values WHERE (profile_id, property_id) IN \
     (SELECT unhex(value ->> 0), unhex(value ->> 1) FROM json_each(?))";

/// Adds every member of a JSON array of `[segment id, profile id, present]`.
const MEMBERS: &str = "INSERT OR IGNORE INTO segment_members (segment_id, profile_id) \
     SELECT unhex(value ->> 0), unhex(value ->> 1) FROM json_each(?)";

/// Removes every member of a JSON array of `[segment id, profile id, present]`.
const MEMBERS_GONE: &str = "DELETE FROM segment_members WHERE (segment_id, profile_id) IN \
     (SELECT unhex(value ->> 0), unhex(value ->> 1) FROM json_each(?))";

/// Appends every value or deletion (a null value) to the load's staged values.
const STAGE_VALUES: &str = "INSERT INTO staged_property_values (profile_id, property_id, value) \
     SELECT unhex(value ->> 0), unhex(value ->> 1), value ->> 2 FROM json_each(?)";

/// Appends every member or removal (`present` 0) to the load's staged members.
const STAGE_MEMBERS: &str = "INSERT INTO staged_segment_members (segment_id, profile_id, present) \
     SELECT unhex(value ->> 0), unhex(value ->> 1), value ->> 2 FROM json_each(?)";

/// Moves the staged values to `property_values` in key order, the newest of a key last so that
/// it stays (one sort; the ones a later deletion removed go with [`UNSTAGE_GONE_VALUES`]).
const UNSTAGE_VALUES: &str = "INSERT INTO property_values (profile_id, property_id, value) \
     SELECT profile_id, property_id, value FROM staged_property_values WHERE value IS NOT NULL \
     ORDER BY profile_id, property_id, rowid \
     ON CONFLICT (profile_id, property_id) DO UPDATE SET value = excluded.value";

/// Removes the values whose newest staged row is a deletion (rare: a value deleted on the server
/// while the load ran), reading only the keys that have one.
const UNSTAGE_GONE_VALUES: &str = "WITH gone AS (SELECT DISTINCT profile_id, property_id \
     FROM staged_property_values WHERE value IS NULL), \
     newest AS (SELECT s.profile_id, s.property_id, max(s.rowid) AS last \
     FROM gone CROSS JOIN staged_property_values AS s \
     ON s.profile_id = gone.profile_id AND s.property_id = gone.property_id GROUP BY 1, 2) \
     DELETE FROM property_values WHERE (profile_id, property_id) IN (SELECT n.profile_id, \
     n.property_id FROM newest AS n JOIN staged_property_values AS s ON s.rowid = n.last \
     WHERE s.value IS NULL)";

/// Moves the newest staged state of each member to `segment_members`, in key order.
const UNSTAGE_MEMBERS: &str = "INSERT OR IGNORE INTO segment_members (segment_id, profile_id) \
     SELECT segment_id, profile_id FROM (SELECT segment_id, profile_id, present, \
     row_number() OVER (PARTITION BY segment_id, profile_id ORDER BY rowid DESC) AS newest \
     FROM staged_segment_members) WHERE newest = 1 AND present = 1 \
     ORDER BY segment_id, profile_id";

/// The indexes a bulk load goes without, whose keys arrive in random order: the profiles' sort
/// indexes and the indexes of the records kept whole. Those whose keys arrive in order stay:
/// `profiles_filter_columns` and `profiles_by_status` grow with the row id (the latter once per
/// status), and `property_values_by_property` with the customer as the staged values are moved
/// in key order (once per property).
const DEFERRABLE: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
     AND sql IS NOT NULL AND ((tbl_name = 'profiles' AND name LIKE 'profiles\\_by\\_%' ESCAPE '\\' \
     AND name <> 'profiles_by_status') OR tbl_name = 'synced_records') ORDER BY name";

/// A profile as the `profiles` table stores it: the id in hex, the Username derived by the
/// model's rule, times in Unix milliseconds.
#[derive(Serialize)]
struct ProfileRow<'a>(
    String,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    String,
    i64,
    i64,
    &'a str,
    u32,
    u8,
    &'static str,
    &'static str,
    &'static str,
    Option<i64>,
    Option<&'a str>,
);

impl<'a> ProfileRow<'a> {
    fn of(p: &'a Profile) -> Self {
        Self(
            p.id.as_uuid().simple().to_string(),
            &p.email,
            &p.first_name,
            &p.last_name,
            &p.phone,
            &p.location,
            p.username(),
            p.created_at.timestamp_millis(),
            p.last_seen_at.timestamp_millis(),
            &p.device,
            p.sessions,
            u8::from(p.live_chat_takeover),
            p.status.as_str(),
            p.kind.as_str(),
            p.platform.as_str(),
            p.trashed.as_ref().map(|t| t.at.timestamp_millis()),
            p.trashed.as_ref().map(|t| t.by.as_str()),
        )
    }
}

/// The records of one page that are written in bulk.
#[derive(Default)]
pub(crate) struct Bulk<'a> {
    profiles: Vec<&'a Profile>,
    /// Property values as `[profile id, property id, value]`, ids in hex; a deletion has no value.
    values: Vec<(String, String, Option<&'a str>)>,
    /// Segment members as `[segment id, profile id, present]`; a removal is not present.
    members: Vec<(String, String, u8)>,
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| CoreError::Protocol(format!("a pulled record could not be kept: {e}")))
}

fn hex(id: &Uuid) -> String {
    id.simple().to_string()
}

impl<'a> Bulk<'a> {
    /// Writes the profile to the `profiles` table with the others.
    pub(crate) fn profile(&mut self, profile: &'a Profile) {
        self.profiles.push(profile);
    }

    /// Keeps the customer's value of a property.
    pub(crate) fn value(&mut self, value: &'a PropertyValue) {
        self.values.push((
            hex(value.profile_id.as_uuid()),
            hex(value.property_id.as_uuid()),
            Some(&value.value),
        ));
    }

    /// Forgets the customer's value of a property.
    pub(crate) fn value_gone(&mut self, key: &PropertyValueKey) {
        self.values.push((
            hex(key.profile_id.as_uuid()),
            hex(key.property_id.as_uuid()),
            None,
        ));
    }

    /// Keeps (`present`) or forgets a hand-picked member of a segment.
    pub(crate) fn member(&mut self, member: &SegmentMember, present: bool) {
        self.members.push((
            hex(member.segment_id.as_uuid()),
            hex(member.profile_id.as_uuid()),
            u8::from(present),
        ));
    }

    /// Writes everything gathered: to the tables, or during a bulk load (`loading`) the values
    /// and members to their staging tables.
    pub(crate) async fn write(self, conn: &mut SqliteConnection, loading: bool) -> Result<()> {
        if !self.profiles.is_empty() {
            let rows: Vec<ProfileRow<'_>> =
                self.profiles.iter().map(|p| ProfileRow::of(p)).collect();
            sqlx::query(PROFILES)
                .bind(to_json(&rows)?)
                .execute(&mut *conn)
                .await?;
        }
        if loading {
            for (sql, rows) in [
                (STAGE_VALUES, json_of(&self.values)?),
                (STAGE_MEMBERS, json_of(&self.members)?),
            ] {
                if let Some(rows) = rows {
                    sqlx::query(sql).bind(rows).execute(&mut *conn).await?;
                }
            }
        } else {
            // A page names each record once: the deletions and the writes are of distinct keys.
            let (kept, gone): (Vec<_>, Vec<_>) =
                self.values.into_iter().partition(|v| v.2.is_some());
            let (added, removed): (Vec<_>, Vec<_>) =
                self.members.into_iter().partition(|m| m.2 == 1);
            for (sql, rows) in [
                (VALUES_GONE, json_of(&gone)?),
                (VALUES, json_of(&kept)?),
                (MEMBERS_GONE, json_of(&removed)?),
                (MEMBERS, json_of(&added)?),
            ] {
                if let Some(rows) = rows {
                    sqlx::query(sql).bind(rows).execute(&mut *conn).await?;
                }
            }
        }
        Ok(())
    }
}

/// The rows as one JSON array, or `None` when there are none.
fn json_of(rows: &[impl Serialize]) -> Result<Option<String>> {
    if rows.is_empty() {
        Ok(None)
    } else {
        to_json(&rows).map(Some)
    }
}

/// Whether a bulk load is under way.
pub(crate) async fn loading(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT bulk_load FROM sync_state WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Starts a bulk load when the store holds no profile and no record, in the caller's transaction
/// (the page's): the sort indexes are dropped, their definitions kept. Says whether it started.
pub(crate) async fn start_if_empty(conn: &mut SqliteConnection) -> Result<bool> {
    let empty: bool = sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM profiles) AND NOT EXISTS (SELECT 1 FROM synced_records) \
         AND NOT EXISTS (SELECT 1 FROM property_values) \
         AND NOT EXISTS (SELECT 1 FROM segment_members)",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !empty {
        return Ok(false);
    }
    let indexes: Vec<(String, String)> = sqlx::query_as(DEFERRABLE).fetch_all(&mut *conn).await?;
    for (name, sql) in indexes {
        sqlx::query("INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)")
            .bind(&name)
            .bind(&sql)
            .execute(&mut *conn)
            .await?;
        let drop = format!("DROP INDEX \"{}\"", name.replace('"', "\"\""));
        sqlx::query(&drop)
            .persistent(false)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE sync_state SET bulk_load = 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// The page cache, in KiB, of a connection writing a first download.
const BULK_CACHE_KIB: i64 = 64 * 1024;

/// How much of the store file a connection writing a first download maps, in bytes.
const BULK_MMAP_BYTES: i64 = 1 << 30;

/// Readies a connection to write a first download: more pages kept in its cache, and the file
/// mapped, so the pages each commit and each index build read again are not copied from the
/// file cache each time. [`lower`] gives the connection the store's own settings back.
pub(crate) async fn raise(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}"))
        .execute(&mut *conn)
        .await?;
    sqlx::query(&format!("PRAGMA mmap_size = {BULK_MMAP_BYTES}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The store's own settings again, after [`raise`]: the rest of the cache freed and the file
/// unmapped (mapped pages would stay counted in the app's memory).
pub(crate) async fn lower(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query(&format!("PRAGMA cache_size = -{}", crate::store::CACHE_KIB))
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA mmap_size = 0")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Ends a bulk load, if one is under way: the staged rows moved in key order, then each
/// index built, each step in a transaction of its own so that a manager's edit waits at most one
/// step. The steps run on one connection readied by [`raise`].
pub(crate) async fn finish(store: &Store) -> Result<()> {
    let mut conn = store.pool().acquire().await?;
    raise(&mut conn).await?;
    let finished = finish_on(&mut conn).await;
    if lower(&mut conn).await.is_err() {
        // A connection keeping the load's settings never goes back to the pool.
        drop(conn.detach());
    }
    finished
}

async fn finish_on(conn: &mut SqliteConnection) -> Result<()> {
    use sqlx::Connection as _;

    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    if !loading(&mut tx).await? {
        return Ok(());
    }
    for sql in [
        UNSTAGE_VALUES,
        UNSTAGE_GONE_VALUES,
        UNSTAGE_MEMBERS,
        "DELETE FROM staged_property_values",
        "DELETE FROM staged_segment_members",
    ] {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    // The step that finds no index left to build ends the load.
    let mut tx = loop {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let next: Option<(String, String)> =
            sqlx::query_as("SELECT name, sql FROM deferred_indexes ORDER BY name LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let Some((name, sql)) = next else {
            break tx;
        };
        sqlx::query(&sql)
            .persistent(false)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM deferred_indexes WHERE name = ?")
            .bind(&name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    };
    sqlx::query("UPDATE sync_state SET bulk_load = 0 WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
