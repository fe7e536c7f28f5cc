//! A profile as the index reads it: one by one while catching up, in JSON batches while
//! building; the flags byte that packs its status, type and platform.

use std::borrow::Cow;

use userdesk_model::{Platform, ProfileId, ProfileStatus, ProfileType, SortColumn};

use crate::error::{CoreError, Result};

use super::*;

/// Bits of a profile's `flags`.
pub(super) const ARCHIVED: u8 = 1;
pub(super) const ANONYMOUS: u8 = 1 << 1;
pub(super) const PLATFORM_SHIFT: u32 = 2;
pub(super) const PLATFORM_BITS: u8 = 0b111 << PLATFORM_SHIFT;
pub(super) const DELETED: u8 = 1 << 7;

/// One profile as the index reads it while catching up.
pub(super) const PROFILE_BY_SEQ: &str =
    "SELECT seq, id, first_name, last_name, email, phone, location, \
     username, created_at, last_seen_at, sessions, status, kind, platform FROM profiles \
     WHERE seq = ? AND trashed_at IS NULL";

#[derive(sqlx::FromRow)]
pub(super) struct IndexRecord {
    pub(super) seq: i64,
    pub(super) id: ProfileId,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) email: String,
    pub(super) phone: String,
    pub(super) location: String,
    pub(super) username: String,
    pub(super) created_at: i64,
    pub(super) last_seen_at: i64,
    pub(super) sessions: i64,
    pub(super) status: String,
    pub(super) kind: String,
    pub(super) platform: String,
}

impl IndexRecord {
    pub(super) fn as_ref(&self) -> RecordRef<'_> {
        RecordRef {
            seq: self.seq,
            id: self.id.as_uuid().as_u128(),
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
            phone: &self.phone,
            location: &self.location,
            username: &self.username,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            sessions: self.sessions,
            status: &self.status,
            kind: &self.kind,
            platform: &self.platform,
        }
    }
}

/// Profiles read per query while building: SQLite hands each batch over as one JSON array, which
/// costs far less than a million rows one by one through the driver.
pub(super) const BATCH: usize = 20_000;

pub(super) const BATCH_SQL: &str = "SELECT json_group_array(json_array(seq, hex(id), first_name, last_name, \
     email, phone, location, username, created_at, last_seen_at, sessions, status, kind, platform)), \
     max(seq) FROM (SELECT * FROM profiles WHERE seq > ? AND trashed_at IS NULL ORDER BY seq \
     LIMIT ?)";

/// A profile in a batch, as JSON.
#[derive(serde::Deserialize)]
pub(super) struct JsonRecord<'a> {
    pub(super) seq: i64,
    #[serde(borrow)]
    pub(super) id: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) first_name: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) last_name: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) email: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) phone: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) location: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) username: Cow<'a, str>,
    pub(super) created_at: i64,
    pub(super) last_seen_at: i64,
    pub(super) sessions: i64,
    #[serde(borrow)]
    pub(super) status: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) kind: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) platform: Cow<'a, str>,
}

impl JsonRecord<'_> {
    pub(super) fn as_ref(&self) -> Result<RecordRef<'_>> {
        Ok(RecordRef {
            seq: self.seq,
            id: u128::from_str_radix(&self.id, 16).map_err(|_| corrupt("id"))?,
            first_name: &self.first_name,
            last_name: &self.last_name,
            email: &self.email,
            phone: &self.phone,
            location: &self.location,
            username: &self.username,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
            sessions: self.sessions,
            status: &self.status,
            kind: &self.kind,
            platform: &self.platform,
        })
    }
}

/// A profile as the index reads it, borrowed.
#[derive(Clone, Copy)]
pub(super) struct RecordRef<'a> {
    pub(super) seq: i64,
    pub(super) id: u128,
    pub(super) first_name: &'a str,
    pub(super) last_name: &'a str,
    pub(super) email: &'a str,
    pub(super) phone: &'a str,
    pub(super) location: &'a str,
    pub(super) username: &'a str,
    pub(super) created_at: i64,
    pub(super) last_seen_at: i64,
    pub(super) sessions: i64,
    pub(super) status: &'a str,
    pub(super) kind: &'a str,
    pub(super) platform: &'a str,
}

impl RecordRef<'_> {
    pub(super) fn flags(&self) -> Result<u8> {
        let status = ProfileStatus::parse(self.status).ok_or_else(|| corrupt("status"))?;
        let kind = ProfileType::parse(self.kind).ok_or_else(|| corrupt("kind"))?;
        let platform = Platform::ALL
            .iter()
            .position(|p| p.as_str() == self.platform)
            .ok_or_else(|| corrupt("platform"))?;
        let mut flags = (platform as u8) << PLATFORM_SHIFT;
        if status == ProfileStatus::Archived {
            flags |= ARCHIVED;
        }
        if kind == ProfileType::Anonymous {
            flags |= ANONYMOUS;
        }
        Ok(flags)
    }

    pub(super) fn keys(&self) -> SortKeys {
        SortKeys {
            id: self.id,
            username: self.username.as_bytes().to_vec(),
            email: self.email.as_bytes().to_vec(),
            phone: self.phone.as_bytes().to_vec(),
            location: self.location.as_bytes().to_vec(),
            created: self.created_at,
            last_seen: self.last_seen_at,
            sessions: self.sessions,
            archived: self.status == ProfileStatus::Archived.as_str(),
        }
    }
}

pub(super) fn corrupt(what: &str) -> CoreError {
    CoreError::Corrupt(format!("a profile's {what} while indexing"))
}

pub(super) fn column_index(column: SortColumn) -> usize {
    SortColumn::ALL
        .iter()
        .position(|c| *c == column)
        .unwrap_or_default()
}
