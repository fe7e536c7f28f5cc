//! Building the index from every profile, and catching it up with the `profile_changes` log.

use std::cmp::Ordering;
use std::collections::hash_map::Entry;
use std::collections::HashMap;

use sqlx::{SqliteConnection, SqlitePool};
use userdesk_model::SortColumn;

use crate::error::{CoreError, Result};

use super::*;

/// More changed profiles than this are caught up by building the index again.
pub(super) const REBUILD_ABOVE: usize = 256;

impl ProfileIndex {
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

    pub(super) async fn try_catch_up(&mut self, pool: &SqlitePool) -> Result<CatchUp> {
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
    pub(super) async fn insertion_point(
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
}

/// Collects every profile, then sorts each column's order.
#[derive(Default)]
pub(super) struct Builder {
    pub(super) index: ProfileIndex,
    pub(super) ids: Vec<u128>,
    pub(super) username: Column,
    pub(super) email: Column,
    pub(super) phone: Column,
    pub(super) location: Column,
    pub(super) created: Vec<i64>,
    pub(super) sessions: Vec<i64>,
}

/// One text column of every profile, end to end.
#[derive(Default)]
pub(super) struct Column {
    pub(super) bytes: Vec<u8>,
    pub(super) ends: Vec<usize>,
}

impl Column {
    pub(super) fn push(&mut self, value: &str) {
        self.bytes.extend_from_slice(value.as_bytes());
        self.ends.push(self.bytes.len());
    }

    pub(super) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

impl Builder {
    /// Adds a batch of profiles read as JSON.
    pub(super) fn push_batch(&mut self, batch: &str) -> Result<()> {
        let records: Vec<JsonRecord<'_>> = serde_json::from_str(batch)
            .map_err(|e| CoreError::Corrupt(format!("a batch of profiles while indexing: {e}")))?;
        for record in &records {
            self.push(&record.as_ref()?)?;
        }
        Ok(())
    }

    pub(super) fn push(&mut self, record: &RecordRef<'_>) -> Result<()> {
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
    pub(super) fn order(&self, column: SortColumn) -> Vec<u32> {
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
    pub(super) fn finish(mut self, through: i64) -> ProfileIndex {
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
