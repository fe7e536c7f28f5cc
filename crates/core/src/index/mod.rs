//! The in-memory search index of the All users table.
//!
//! A search with thousands of matches spends its time in SQLite reading one row per match to
//! filter and sort it (about 1.5 µs each). This index keeps, per profile, only what a search
//! needs: the case-folded name, email and phone, status, type, platform and last-seen time, and
//! the order of every sort. A search scans the text, filters and pages in memory, and reads from
//! SQLite only the rows of its page. SQLite stays the source of truth: the index follows the
//! `profile_changes` log, and while it is behind the store answers searches with SQL instead.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use memchr::memmem::Finder;
use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{Mutex, RwLock};
use userdesk_model::{
    Platform, ProfileId, ProfileStatus, ProfileType, SortColumn, SortDirection, SortOrder,
};

use crate::error::{CoreError, Result};
use crate::store::search::{fold_into, Needles};

/// Bits of a profile's `flags`.
const ARCHIVED: u8 = 1;
const ANONYMOUS: u8 = 1 << 1;
const PLATFORM_SHIFT: u32 = 2;
const PLATFORM_BITS: u8 = 0b111 << PLATFORM_SHIFT;
const DELETED: u8 = 1 << 7;

/// Text bytes of an entry that no longer belongs to anyone: never part of valid UTF-8, so no
/// needle matches them.
const DEAD: u8 = 0xFF;
/// Ends each field of an entry (`name 0 email 0 phone 0`); no needle contains it.
const FIELD_END: u8 = 0;
/// The phone is an entry's third field.
const PHONE_FIELD: usize = 2;

/// More changed profiles than this are caught up by building the index again.
const REBUILD_ABOVE: usize = 256;

/// One profile as the index reads it while catching up.
const PROFILE_BY_SEQ: &str = "SELECT seq, id, first_name, last_name, email, phone, location, \
     username, created_at, last_seen_at, sessions, status, kind, platform FROM profiles WHERE seq = ?";

#[derive(sqlx::FromRow)]
struct IndexRecord {
    seq: i64,
    id: ProfileId,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    location: String,
    username: String,
    created_at: i64,
    last_seen_at: i64,
    sessions: i64,
    status: String,
    kind: String,
    platform: String,
}

impl IndexRecord {
    fn as_ref(&self) -> RecordRef<'_> {
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
const BATCH: usize = 20_000;

const BATCH_SQL: &str = "SELECT json_group_array(json_array(seq, hex(id), first_name, last_name, \
     email, phone, location, username, created_at, last_seen_at, sessions, status, kind, platform)), \
     max(seq) FROM (SELECT * FROM profiles WHERE seq > ? ORDER BY seq LIMIT ?)";

/// A profile in a batch, as JSON.
#[derive(serde::Deserialize)]
struct JsonRecord<'a> {
    seq: i64,
    #[serde(borrow)]
    id: Cow<'a, str>,
    #[serde(borrow)]
    first_name: Cow<'a, str>,
    #[serde(borrow)]
    last_name: Cow<'a, str>,
    #[serde(borrow)]
    email: Cow<'a, str>,
    #[serde(borrow)]
    phone: Cow<'a, str>,
    #[serde(borrow)]
    location: Cow<'a, str>,
    #[serde(borrow)]
    username: Cow<'a, str>,
    created_at: i64,
    last_seen_at: i64,
    sessions: i64,
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    platform: Cow<'a, str>,
}

impl JsonRecord<'_> {
    fn as_ref(&self) -> Result<RecordRef<'_>> {
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
struct RecordRef<'a> {
    seq: i64,
    id: u128,
    first_name: &'a str,
    last_name: &'a str,
    email: &'a str,
    phone: &'a str,
    location: &'a str,
    username: &'a str,
    created_at: i64,
    last_seen_at: i64,
    sessions: i64,
    status: &'a str,
    kind: &'a str,
    platform: &'a str,
}

impl RecordRef<'_> {
    fn flags(&self) -> Result<u8> {
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

    fn keys(&self) -> SortKeys {
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

fn corrupt(what: &str) -> CoreError {
    CoreError::Corrupt(format!("a profile's {what} while indexing"))
}

fn column_index(column: SortColumn) -> usize {
    SortColumn::ALL
        .iter()
        .position(|c| *c == column)
        .unwrap_or_default()
}

/// One profile's sort values, owned (a profile read back from SQLite while catching up).
#[derive(Clone, Debug)]
struct SortKeys {
    id: u128,
    username: Vec<u8>,
    email: Vec<u8>,
    phone: Vec<u8>,
    location: Vec<u8>,
    created: i64,
    last_seen: i64,
    sessions: i64,
    archived: bool,
}

impl SortKeys {
    fn as_ref(&self) -> KeyRef<'_> {
        KeyRef {
            id: self.id,
            username: &self.username,
            email: &self.email,
            phone: &self.phone,
            location: &self.location,
            created: self.created,
            last_seen: self.last_seen,
            sessions: self.sessions,
            archived: self.archived,
        }
    }
}

/// One profile's sort values, borrowed.
#[derive(Clone, Copy)]
struct KeyRef<'a> {
    id: u128,
    username: &'a [u8],
    email: &'a [u8],
    phone: &'a [u8],
    location: &'a [u8],
    created: i64,
    last_seen: i64,
    sessions: i64,
    archived: bool,
}

/// How SQLite compares two texts of a column.
type Collation = fn(&[u8], &[u8]) -> Ordering;

/// SQLite's NOCASE collation: ASCII letters folded, other bytes compared as they are, a NUL
/// ending the comparison, then the shorter string first.
fn nocase(a: &[u8], b: &[u8]) -> Ordering {
    for (&x, &y) in a.iter().zip(b) {
        let (lx, ly) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x == 0 || lx != ly {
            return lx.cmp(&ly).then(a.len().cmp(&b.len()));
        }
    }
    a.len().cmp(&b.len())
}

/// The first 16 bytes of `value` as a number ordered like the whole values, so that a smaller
/// prefix means a smaller value: ASCII-folded for NOCASE, cut at a NUL (where NOCASE stops).
fn prefix(value: &[u8], folded: bool) -> u128 {
    let mut bytes = [0u8; 16];
    for (slot, &b) in bytes.iter_mut().zip(value) {
        if folded && b == 0 {
            break;
        }
        *slot = if folded { b.to_ascii_lowercase() } else { b };
    }
    u128::from_be_bytes(bytes)
}

/// Empty values after every other value (ascending), then `by`.
fn blank_last(a: &[u8], b: &[u8], by: Collation) -> Ordering {
    a.is_empty().cmp(&b.is_empty()).then_with(|| by(a, b))
}

fn binary(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// The ascending order of `column` exactly as the store's SQL sorts it (the collations of the
/// schema, empty values last, ties broken by id).
fn compare(column: SortColumn, a: &KeyRef<'_>, b: &KeyRef<'_>) -> Ordering {
    let by = match column {
        SortColumn::Username => nocase(a.username, b.username),
        SortColumn::Email => blank_last(a.email, b.email, nocase),
        SortColumn::Phone => blank_last(a.phone, b.phone, binary),
        SortColumn::Location => blank_last(a.location, b.location, nocase),
        SortColumn::Created => a.created.cmp(&b.created),
        SortColumn::LastSeen => a.last_seen.cmp(&b.last_seen),
        SortColumn::Sessions => a.sessions.cmp(&b.sessions),
        SortColumn::Status => a.archived.cmp(&b.archived),
    };
    by.then(a.id.cmp(&b.id))
}

/// The searchable text: per profile an entry `name 0 email 0 phone 0`, case-folded.
#[derive(Debug, Default)]
struct Text {
    bytes: Vec<u8>,
    /// Where each profile's current entry starts.
    entry: Vec<u32>,
    /// The entries as built, one per profile in order, for finding whose entry a position is in.
    built: Vec<u32>,
    built_len: usize,
    /// Entries written since the build: (start, profile), in the order written.
    tail: Vec<(u32, u32)>,
}

impl Text {
    fn push(&mut self, slot: u32, record: &RecordRef<'_>) -> Result<()> {
        let start = u32::try_from(self.bytes.len())
            .map_err(|_| CoreError::Corrupt("the search index outgrew 4 GB".to_string()))?;
        // The name as the SQL search index has it: first and last name with a space between.
        for field in [
            &[record.first_name, " ", record.last_name][..],
            &[record.email],
            &[record.phone],
        ] {
            let from = self.bytes.len();
            for part in field {
                fold_into(part, &mut self.bytes);
            }
            if self.bytes[from..].contains(&FIELD_END) {
                let kept: Vec<u8> = self
                    .bytes
                    .drain(from..)
                    .filter(|b| *b != FIELD_END)
                    .collect();
                self.bytes.extend(kept);
            }
            self.bytes.push(FIELD_END);
        }
        let slot_index = slot as usize;
        if slot_index == self.entry.len() {
            self.entry.push(start);
        } else {
            self.entry[slot_index] = start;
        }
        Ok(())
    }

    /// Marks everything written so far as the built text.
    fn seal(&mut self) {
        self.built = self.entry.clone();
        self.built_len = self.bytes.len();
    }

    fn push_after_build(&mut self, slot: u32, record: &RecordRef<'_>) -> Result<()> {
        self.push(slot, record)?;
        self.tail.push((self.entry[slot as usize], slot));
        Ok(())
    }

    fn kill(&mut self, slot: u32) {
        let start = self.entry[slot as usize] as usize;
        let end = self.entry_end(start);
        self.bytes[start..end].fill(DEAD);
    }

    /// Where the entry starting at `start` ends (just after its last field).
    fn entry_end(&self, start: usize) -> usize {
        memchr::memchr_iter(FIELD_END, &self.bytes[start..])
            .nth(PHONE_FIELD)
            .map_or(self.bytes.len(), |i| start + i + 1)
    }

    /// Which profile's entry holds position `at` of the tail, and where that entry starts.
    fn tail_entry(&self, at: usize) -> (u32, usize) {
        let i = self
            .tail
            .partition_point(|(start, _)| *start as usize <= at)
            .saturating_sub(1);
        let (start, slot) = self.tail[i];
        (slot, start as usize)
    }

    fn tail_len(&self) -> usize {
        self.bytes.len() - self.built_len
    }
}

/// A set of profiles (by slot), as bits.
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}

/// The filters of the table other than the search, as the index tests them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexFilter {
    mask: u8,
    value: u8,
    last_seen_since: Option<i64>,
}

impl IndexFilter {
    /// Status, type and platform (`None` for any), and the Last seen window's start in ms.
    pub(crate) fn new(
        status: Option<ProfileStatus>,
        kind: Option<ProfileType>,
        platform: Option<Platform>,
        last_seen_since: Option<i64>,
    ) -> Self {
        let (mut mask, mut value) = (DELETED, 0);
        if let Some(status) = status {
            mask |= ARCHIVED;
            if status == ProfileStatus::Archived {
                value |= ARCHIVED;
            }
        }
        if let Some(kind) = kind {
            mask |= ANONYMOUS;
            if kind == ProfileType::Anonymous {
                value |= ANONYMOUS;
            }
        }
        if let Some(platform) = platform {
            mask |= PLATFORM_BITS;
            let position = Platform::ALL.iter().position(|p| *p == platform);
            value |= (position.unwrap_or_default() as u8) << PLATFORM_SHIFT;
        }
        Self {
            mask,
            value,
            last_seen_since,
        }
    }
}

/// What catching up found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CatchUp {
    /// The index already reflects every change.
    Current,
    /// This many changed profiles were applied.
    Applied(usize),
    /// Too much changed (or the log was pruned by another process): build the index again.
    Rebuild,
}

/// The index itself.
#[derive(Debug, Default)]
pub(crate) struct ProfileIndex {
    /// The last `profile_changes` id reflected; `None` until built (or after a failed catch-up).
    through: Option<i64>,
    /// Each profile's rowid, ascending; a profile's position here is its slot.
    seqs: Vec<i64>,
    flags: Vec<u8>,
    last_seen: Vec<i64>,
    text: Text,
    /// Per sort column (as in `SortColumn::ALL`): every live slot in ascending order.
    orders: Vec<Vec<u32>>,
}

impl ProfileIndex {
    /// Whether the index reflects every change up to `latest` (the log's last id).
    pub(crate) fn is_current(&self, latest: i64) -> bool {
        self.through.is_some_and(|through| latest <= through)
    }

    /// The memory the index holds, in bytes.
    pub(crate) fn heap_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        bytes(&self.seqs)
            + bytes(&self.flags)
            + bytes(&self.last_seen)
            + bytes(&self.text.bytes)
            + bytes(&self.text.entry)
            + bytes(&self.text.built)
            + bytes(&self.text.tail)
            + self.orders.iter().map(bytes).sum::<usize>()
    }

    /// The last change reflected, if built.
    pub(crate) fn through(&self) -> Option<i64> {
        self.through
    }

    /// Builds the index from every profile, in one read transaction.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn build(pool: &SqlitePool) -> Result<Self> {
        let mut tx = pool.begin().await?;
        let through: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM profile_changes")
            .fetch_one(&mut *tx)
            .await?;
        let started = std::time::Instant::now();
        let mut builder = Builder::default();
        let mut after = i64::MIN;
        loop {
            let (batch, last): (Option<String>, Option<i64>) = sqlx::query_as(BATCH_SQL)
                .bind(after)
                .bind(BATCH as i64)
                .fetch_one(&mut *tx)
                .await?;
            let (Some(batch), Some(last)) = (batch, last) else {
                break;
            };
            after = last;
            builder =
                tokio::task::spawn_blocking(move || builder.push_batch(&batch).map(|()| builder))
                    .await
                    .map_err(|e| CoreError::Task(e.to_string()))??;
        }
        tx.commit().await?;
        let read = started.elapsed();
        let index = tokio::task::spawn_blocking(move || builder.finish(through))
            .await
            .map_err(|e| CoreError::Task(e.to_string()))?;
        tracing::info!(
            profiles = index.seqs.len(),
            read_ms = read.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "search index built"
        );
        Ok(index)
    }

    /// Applies the changes logged since the index was built or last caught up, in one read
    /// transaction; on `Rebuild` (or an error) the index is left unbuilt.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn catch_up(&mut self, pool: &SqlitePool) -> Result<CatchUp> {
        let outcome = self.try_catch_up(pool).await;
        if !matches!(outcome, Ok(CatchUp::Current | CatchUp::Applied(_))) {
            self.through = None;
        }
        outcome
    }

    async fn try_catch_up(&mut self, pool: &SqlitePool) -> Result<CatchUp> {
        let Some(through) = self.through else {
            return Ok(CatchUp::Rebuild);
        };
        let mut tx = pool.begin().await?;
        let (first, last): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT min(id), max(id) FROM profile_changes")
                .fetch_one(&mut *tx)
                .await?;
        let Some(last) = last.filter(|last| *last > through) else {
            return Ok(CatchUp::Current);
        };
        if first.unwrap_or(last) > through + 1 {
            return Ok(CatchUp::Rebuild);
        }
        let changed: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT seq FROM profile_changes WHERE id > ? AND id <= ? ORDER BY seq LIMIT ?",
        )
        .bind(through)
        .bind(last)
        .bind(REBUILD_ABOVE as i64 + 1)
        .fetch_all(&mut *tx)
        .await?;
        if changed.len() > REBUILD_ABOVE || self.text.tail_len() > self.text.built_len / 4 + 4096 {
            return Ok(CatchUp::Rebuild);
        }
        let mut current = Vec::with_capacity(changed.len());
        for seq in &changed {
            let record: Option<IndexRecord> = sqlx::query_as(PROFILE_BY_SEQ)
                .bind(seq)
                .fetch_optional(&mut *tx)
                .await?;
            current.push((*seq, record));
        }

        // Every changed profile leaves the sort orders, then comes back where it now belongs.
        let mut moving = Bits::new(self.seqs.len());
        for (seq, _) in &current {
            if let Ok(slot) = self.seqs.binary_search(seq) {
                if self.flags[slot] & DELETED == 0 {
                    moving.set(slot);
                }
            }
        }
        for order in &mut self.orders {
            order.retain(|slot| !moving.get(*slot as usize));
        }

        let mut probes = HashMap::new();
        for (seq, record) in &current {
            let existing = self.seqs.binary_search(seq).ok();
            if let Some(slot) = existing {
                if self.flags[slot] & DELETED == 0 {
                    self.text.kill(slot as u32);
                }
            }
            let Some(record) = record else {
                if let Some(slot) = existing {
                    self.flags[slot] |= DELETED;
                }
                continue;
            };
            let slot = match existing {
                Some(slot) => slot,
                None if self.seqs.last().is_none_or(|last| last < seq) => {
                    self.seqs.push(*seq);
                    self.flags.push(DELETED);
                    self.last_seen.push(0);
                    self.seqs.len() - 1
                }
                // A new rowid below the last one: SQLite reused a deleted profile's rowid.
                None => return Ok(CatchUp::Rebuild),
            };
            let slot32 = u32::try_from(slot).map_err(|_| corrupt("slot"))?;
            let record = record.as_ref();
            self.text.push_after_build(slot32, &record)?;
            self.flags[slot] = record.flags()?;
            self.last_seen[slot] = record.last_seen_at;
            let keys = record.keys();
            for column in SortColumn::ALL {
                let at = self
                    .insertion_point(&mut tx, &mut probes, column, &keys)
                    .await?;
                self.orders[column_index(column)].insert(at, slot32);
            }
        }
        self.through = Some(last);
        Ok(CatchUp::Applied(changed.len()))
    }

    /// Where `keys` belongs in `column`'s order, found by a binary search that reads the values
    /// of the profiles it compares with from the same transaction.
    async fn insertion_point(
        &self,
        tx: &mut SqliteConnection,
        probes: &mut HashMap<i64, SortKeys>,
        column: SortColumn,
        keys: &SortKeys,
    ) -> Result<usize> {
        let order = &self.orders[column_index(column)];
        let (mut low, mut high) = (0, order.len());
        while low < high {
            let mid = (low + high) / 2;
            let seq = self.seqs[order[mid] as usize];
            let other = match probes.entry(seq) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(unknown) => {
                    let record: IndexRecord = sqlx::query_as(PROFILE_BY_SEQ)
                        .bind(seq)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(|| corrupt("row, gone while catching up"))?;
                    unknown.insert(record.as_ref().keys())
                }
            };
            if compare(column, &other.as_ref(), &keys.as_ref()) == Ordering::Less {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        Ok(low)
    }

    /// The slot of rowid `seq`, if the profile is in the index.
    pub(crate) fn slot_of(&self, seq: i64) -> Option<u32> {
        let slot = self.seqs.binary_search(&seq).ok()?;
        (self.flags[slot] & DELETED == 0).then_some(slot as u32)
    }

    /// The profiles matching the search and the filter.
    pub(crate) fn matches(&self, needles: &Needles, filter: &IndexFilter) -> Matches {
        let mut bits = Bits::new(self.seqs.len());
        let scan = |needle: &[u8], phone_only: bool, bits: &mut Bits| {
            if needle.is_empty() || needle.contains(&FIELD_END) {
                return;
            }
            let finder = Finder::new(needle);
            self.scan_built(&finder, phone_only, filter, bits);
            self.scan_tail(&finder, phone_only, filter, bits);
        };
        scan(&needles.text, false, &mut bits);
        if let Some(digits) = &needles.phone_digits {
            scan(digits, true, &mut bits);
        }
        Matches { bits }
    }

    fn admits(&self, filter: &IndexFilter, slot: usize) -> bool {
        self.flags[slot] & filter.mask == filter.value
            && filter
                .last_seen_since
                .is_none_or(|since| self.last_seen[slot] >= since)
    }

    /// Scans the built text on two threads, each over half of the profiles.
    fn scan_built(
        &self,
        finder: &Finder<'_>,
        phone_only: bool,
        filter: &IndexFilter,
        bits: &mut Bits,
    ) {
        let slots = self.text.built.len();
        // Split on a word of the bit set, so each thread owns its half of the bits.
        let half = (slots / 2) & !63;
        let (low, high) = bits.0.split_at_mut(half / 64);
        std::thread::scope(|scope| {
            if half > 0 {
                scope.spawn(|| self.scan_slots(finder, phone_only, filter, 0, half, low, 0));
            }
            self.scan_slots(finder, phone_only, filter, half, slots, high, half);
        });
    }

    /// Scans the built entries of slots `from..to`, setting bits (numbered from `bit_base`).
    #[allow(clippy::too_many_arguments)]
    fn scan_slots(
        &self,
        finder: &Finder<'_>,
        phone_only: bool,
        filter: &IndexFilter,
        from: usize,
        to: usize,
        bits: &mut [u64],
        bit_base: usize,
    ) {
        let built = &self.text.built;
        let entry_end = |slot: usize| {
            built
                .get(slot + 1)
                .map_or(self.text.built_len, |e| *e as usize)
        };
        let Some(&first) = built.get(from) else {
            return;
        };
        let end = if to == 0 { 0 } else { entry_end(to - 1) };
        let bytes = &self.text.bytes[..end];
        let (mut at, mut slot) = (first as usize, from);
        while let Some(found) = finder.find(&bytes[at..]) {
            let position = at + found;
            // Matches come in increasing positions: move on to the entry holding this one.
            if entry_end(slot) <= position {
                slot += built[slot + 1..to].partition_point(|start| *start as usize <= position);
            }
            let start = built[slot] as usize;
            let next = entry_end(slot);
            if phone_only && field_of(&bytes[start..position]) != PHONE_FIELD {
                at = position + 1;
                continue;
            }
            if self.admits(filter, slot) {
                let bit = slot - bit_base;
                bits[bit / 64] |= 1 << (bit % 64);
            }
            at = next;
            if at >= end {
                break;
            }
        }
    }

    fn scan_tail(
        &self,
        finder: &Finder<'_>,
        phone_only: bool,
        filter: &IndexFilter,
        bits: &mut Bits,
    ) {
        let bytes = &self.text.bytes;
        let mut at = self.text.built_len;
        while let Some(found) = finder.find(&bytes[at..]) {
            let position = at + found;
            let (slot, start) = self.text.tail_entry(position);
            if phone_only && field_of(&bytes[start..position]) != PHONE_FIELD {
                at = position + 1;
                continue;
            }
            if self.admits(filter, slot as usize) {
                bits.set(slot as usize);
            }
            at = self.text.entry_end(start);
            if at >= bytes.len() {
                break;
            }
        }
    }

    /// Up to `limit` rowids of profiles matching the search and the filter, in `sort` order,
    /// after the profile in `after` (a slot) and `offset` more.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn search_page(
        &self,
        needles: &Needles,
        filter: &IndexFilter,
        sort: SortOrder,
        after: Option<u32>,
        offset: usize,
        limit: usize,
    ) -> Vec<i64> {
        // One or two characters match most profiles: testing profiles in sort order finds a
        // page long before a scan of all the text would end.
        if needles.text.len() <= 2 {
            let text = Finder::new(&needles.text);
            let digits = needles.phone_digits.as_deref().map(Finder::new);
            return self.page_where(sort, after, offset, limit, |slot| {
                self.admits(filter, slot) && self.entry_matches(slot, &text, digits.as_ref())
            });
        }
        let matches = self.matches(needles, filter);
        self.page_where(sort, after, offset, limit, |slot| matches.bits.get(slot))
    }

    /// Up to `limit` rowids of the profiles `filter` admits, in `sort` order, with no search: a
    /// jump deep into the table, which SQLite answers only by reading every row it skips.
    pub(crate) fn filtered_page(
        &self,
        filter: &IndexFilter,
        sort: SortOrder,
        after: Option<u32>,
        offset: usize,
        limit: usize,
    ) -> Vec<i64> {
        self.page_where(sort, after, offset, limit, |slot| self.admits(filter, slot))
    }

    /// Whether the entry of `slot` holds `text`, or `digits` in its phone.
    fn entry_matches(&self, slot: usize, text: &Finder<'_>, digits: Option<&Finder<'_>>) -> bool {
        let start = self.text.entry[slot] as usize;
        let entry = &self.text.bytes[start..self.text.entry_end(start)];
        if text.needle().is_empty() || text.needle().contains(&FIELD_END) {
            return false;
        }
        text.find(entry).is_some()
            || digits.is_some_and(|digits| {
                let phone = memchr::memchr_iter(FIELD_END, entry)
                    .nth(PHONE_FIELD - 1)
                    .map_or(&[][..], |i| &entry[i + 1..]);
                digits.find(phone).is_some()
            })
    }

    /// Up to `limit` rowids of profiles for which `is_match` holds, in `sort` order, after the
    /// profile in `after` (a slot) and `offset` more. Descending is ascending reversed, as in SQL.
    fn page_where(
        &self,
        sort: SortOrder,
        after: Option<u32>,
        offset: usize,
        limit: usize,
        is_match: impl Fn(usize) -> bool,
    ) -> Vec<i64> {
        let order = &self.orders[column_index(sort.column)];
        let after = after.and_then(|slot| order.iter().position(|s| *s == slot));
        let (from, to) = match (sort.direction, after) {
            (SortDirection::Asc, None) => (0, order.len()),
            (SortDirection::Asc, Some(q)) => (q + 1, order.len()),
            (SortDirection::Desc, None) => (0, order.len()),
            (SortDirection::Desc, Some(q)) => (0, q),
        };
        let slots = order[from..to].iter().map(|slot| *slot as usize);
        let pick = |slots: &mut dyn Iterator<Item = usize>| -> Vec<i64> {
            slots
                .skip(offset)
                .take(limit)
                .map(|slot| self.seqs[slot])
                .collect()
        };
        match sort.direction {
            SortDirection::Asc => pick(&mut slots.filter(|slot| is_match(*slot))),
            SortDirection::Desc => pick(&mut slots.rev().filter(|slot| is_match(*slot))),
        }
    }
}

/// Which field of an entry a position is in, given the entry's bytes before it.
fn field_of(before: &[u8]) -> usize {
    memchr::memchr_iter(FIELD_END, before).count()
}

/// The profiles a search matched (after the filters).
pub(crate) struct Matches {
    bits: Bits,
}

impl Matches {
    /// How many profiles matched.
    pub(crate) fn count(&self) -> u64 {
        self.bits.count()
    }
}

/// Collects every profile, then sorts each column's order.
#[derive(Default)]
struct Builder {
    index: ProfileIndex,
    ids: Vec<u128>,
    username: Column,
    email: Column,
    phone: Column,
    location: Column,
    created: Vec<i64>,
    sessions: Vec<i64>,
}

/// One text column of every profile, end to end.
#[derive(Default)]
struct Column {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Column {
    fn push(&mut self, value: &str) {
        self.bytes.extend_from_slice(value.as_bytes());
        self.ends.push(self.bytes.len());
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

impl Builder {
    /// Adds a batch of profiles read as JSON.
    fn push_batch(&mut self, batch: &str) -> Result<()> {
        let records: Vec<JsonRecord<'_>> = serde_json::from_str(batch)
            .map_err(|e| CoreError::Corrupt(format!("a batch of profiles while indexing: {e}")))?;
        for record in &records {
            self.push(&record.as_ref()?)?;
        }
        Ok(())
    }

    fn push(&mut self, record: &RecordRef<'_>) -> Result<()> {
        let index = &mut self.index;
        let slot = u32::try_from(index.seqs.len()).map_err(|_| corrupt("slot"))?;
        index.seqs.push(record.seq);
        index.flags.push(record.flags()?);
        index.last_seen.push(record.last_seen_at);
        index.text.push(slot, record)?;
        self.ids.push(record.id);
        self.username.push(record.username);
        self.email.push(record.email);
        self.phone.push(record.phone);
        self.location.push(record.location);
        self.created.push(record.created_at);
        self.sessions.push(record.sessions);
        Ok(())
    }

    /// `column`'s ascending order of every profile. Each sort compares compact keys first (the
    /// number, or the first 16 bytes of the text as its collation sees them) and reads the whole
    /// text only to break a tie, so it stays within the cache.
    fn order(&self, column: SortColumn) -> Vec<u32> {
        let slots = 0..self.ids.len() as u32;
        let number = |values: &[i64]| -> Vec<u32> {
            let mut keyed: Vec<(i64, u128, u32)> = slots
                .clone()
                .map(|s| (values[s as usize], self.ids[s as usize], s))
                .collect();
            keyed.sort_unstable();
            keyed.into_iter().map(|(_, _, s)| s).collect()
        };
        let (text, by, blank_last): (&Column, Collation, bool) = match column {
            SortColumn::Created => return number(&self.created),
            SortColumn::LastSeen => return number(&self.index.last_seen),
            SortColumn::Sessions => return number(&self.sessions),
            SortColumn::Status => {
                let archived: Vec<i64> = self
                    .index
                    .flags
                    .iter()
                    .map(|f| i64::from(f & ARCHIVED))
                    .collect();
                return number(&archived);
            }
            SortColumn::Username => (&self.username, nocase, false),
            SortColumn::Email => (&self.email, nocase, true),
            SortColumn::Phone => (&self.phone, binary, true),
            SortColumn::Location => (&self.location, nocase, true),
        };
        let folded = column != SortColumn::Phone;
        let mut keyed: Vec<(bool, u128, u32)> = slots
            .map(|s| {
                let value = text.get(s as usize);
                (blank_last && value.is_empty(), prefix(value, folded), s)
            })
            .collect();
        keyed.sort_unstable_by(|a, b| {
            (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| {
                let (x, y) = (a.2 as usize, b.2 as usize);
                by(text.get(x), text.get(y)).then(self.ids[x].cmp(&self.ids[y]))
            })
        });
        keyed.into_iter().map(|(_, _, s)| s).collect()
    }

    /// Sorts every column (on two threads) and returns the index as of change `through`.
    fn finish(mut self, through: i64) -> ProfileIndex {
        // Text sorts cost the most: each thread takes two text and two number columns.
        let mine: Vec<SortColumn> = SortColumn::ALL.iter().step_by(2).copied().collect();
        let theirs: Vec<SortColumn> = SortColumn::ALL.iter().skip(1).step_by(2).copied().collect();
        let mut sorted: HashMap<SortColumn, Vec<u32>> = std::thread::scope(|scope| {
            let this = &self;
            let theirs = &theirs;
            let other = scope.spawn(move || {
                theirs
                    .iter()
                    .map(|c| (*c, this.order(*c)))
                    .collect::<Vec<_>>()
            });
            let mut sorted: HashMap<_, _> = mine.iter().map(|c| (*c, this.order(*c))).collect();
            // A panic in a sort is a bug; the other half is then sorted here.
            let others = other
                .join()
                .unwrap_or_else(|_| theirs.iter().map(|c| (*c, this.order(*c))).collect());
            sorted.extend(others);
            sorted
        });
        let orders = SortColumn::ALL
            .iter()
            .map(|c| sorted.remove(c).unwrap_or_default())
            .collect();
        let mut index = std::mem::take(&mut self.index);
        index.orders = orders;
        index.text.seal();
        index.seqs.shrink_to_fit();
        index.flags.shrink_to_fit();
        index.last_seen.shrink_to_fit();
        index.text.bytes.shrink_to_fit();
        index.text.entry.shrink_to_fit();
        index.through = Some(through);
        index
    }
}

/// The index as the app shares it: searches read it, one refresher at a time brings it up to
/// date.
#[derive(Debug, Default)]
pub(crate) struct SharedIndex {
    pub(crate) index: Arc<RwLock<ProfileIndex>>,
    refreshing: Mutex<()>,
}

impl SharedIndex {
    /// Whether a refresh is running now.
    pub(crate) fn is_refreshing(&self) -> bool {
        self.refreshing.try_lock().is_err()
    }

    /// Builds the index again from every profile, then catches up with what changed meanwhile.
    pub(crate) async fn rebuild(&self, pool: &SqlitePool) -> Result<()> {
        {
            let _one_at_a_time = self.refreshing.lock().await;
            let built = ProfileIndex::build(pool).await?;
            *self.index.write().await = built;
        }
        self.refresh(pool).await
    }

    /// Brings the index up to date with every change committed so far, then prunes the log.
    pub(crate) async fn refresh(&self, pool: &SqlitePool) -> Result<()> {
        let _one_at_a_time = self.refreshing.lock().await;
        loop {
            let step = self.index.write().await.catch_up(pool).await?;
            match step {
                CatchUp::Current => return Ok(()),
                CatchUp::Applied(_) => {}
                CatchUp::Rebuild => {
                    // Searches keep using SQLite while the new index is built beside the old.
                    let built = ProfileIndex::build(pool).await?;
                    *self.index.write().await = built;
                }
            }
            let through = self.index.read().await.through();
            if let Some(through) = through {
                sqlx::query("DELETE FROM profile_changes WHERE id <= ?")
                    .bind(through)
                    .execute(pool)
                    .await?;
            }
        }
    }
}
