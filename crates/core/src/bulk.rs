//! Pulled records written many at a time. A page's profiles, and its property values and segment
//! members, each go to SQLite as one JSON array read by one `INSERT … SELECT … FROM json_each`:
//! a statement per kind and page instead of one per record, which is what a first sync of a
//! large workspace spends its time on otherwise. The rows written are exactly those the
//! record-by-record path writes.

use serde::Serialize;
use sqlx::SqliteConnection;
use userdesk_model::sync::Entity;
use userdesk_model::Profile;

use crate::error::{CoreError, Result};

/// Upserts every profile of a JSON array of rows (see [`ProfileRow`]), in the array's order.
const PROFILES: &str = "INSERT INTO profiles (id, email, first_name, last_name, phone, location, \
     username, created_at, last_seen_at, device, sessions, live_chat_takeover, status, kind, \
     platform) \
     SELECT unhex(value ->> 0), value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, \
     value ->> 6, value ->> 7, value ->> 8, value ->> 9, value ->> 10, value ->> 11, \
     value ->> 12, value ->> 13, value ->> 14 FROM json_each(?) WHERE true \
     ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, \
     last_name = excluded.last_name, phone = excluded.phone, location = excluded.location, \
     username = excluded.username, created_at = excluded.created_at, \
     last_seen_at = excluded.last_seen_at, device = excluded.device, \
     sessions = excluded.sessions, live_chat_takeover = excluded.live_chat_takeover, \
     status = excluded.status, kind = excluded.kind, platform = excluded.platform";

/// Upserts every record of a JSON array of `[kind, key, record]` into `synced_records`.
const RECORDS: &str = "INSERT INTO synced_records (kind, key, record, version) \
     SELECT value ->> 0, value ->> 1, value ->> 2, ? FROM json_each(?) WHERE true \
     ON CONFLICT (kind, key) DO UPDATE SET record = excluded.record, version = excluded.version";

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
        )
    }
}

/// The records of one page that are written in bulk.
#[derive(Default)]
pub(crate) struct Bulk<'a> {
    profiles: Vec<&'a Profile>,
    /// Kind, key and the whole record, as `synced_records` keeps them.
    records: Vec<(String, String, String)>,
}

fn to_json(value: &impl Serialize) -> Result<String> {
    serde_json::to_string(value)
        .map_err(|e| CoreError::Protocol(format!("a pulled record could not be kept: {e}")))
}

impl<'a> Bulk<'a> {
    /// Writes the profile to the `profiles` table with the others.
    pub(crate) fn profile(&mut self, profile: &'a Profile) {
        self.profiles.push(profile);
    }

    /// Keeps the record whole in `synced_records` with the others.
    pub(crate) fn record(&mut self, kind: String, key: String, entity: &Entity) -> Result<()> {
        self.records.push((kind, key, to_json(entity)?));
        Ok(())
    }

    /// Writes everything gathered, the records as of pull page `version`.
    pub(crate) async fn write(self, conn: &mut SqliteConnection, version: i64) -> Result<()> {
        if !self.profiles.is_empty() {
            let rows: Vec<ProfileRow<'_>> =
                self.profiles.iter().map(|p| ProfileRow::of(p)).collect();
            sqlx::query(PROFILES)
                .bind(to_json(&rows)?)
                .execute(&mut *conn)
                .await?;
        }
        if !self.records.is_empty() {
            sqlx::query(RECORDS)
                .bind(version)
                .bind(to_json(&self.records)?)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}
