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
        for order in self.orders.iter_mut().flatten() {
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
                if self.order(column).is_none() {
                    continue;
                }
                let at = self
                    .insertion_point(&mut tx, &mut probes, column, &keys)
                    .await?;
                if let Some(order) = self
                    .orders
                    .get_mut(column_index(column))
                    .and_then(Option::as_mut)
                {
                    order.insert(at, slot32);
                }
            }
        }
        self.through = Some(last);
        Ok(CatchUp::Applied(changed.len()))
    }

    /// `column`'s order of every profile in the index, read from the store's own index for that
    /// sort (the table's SQL and the index then agree by construction); `None` if the store has
    /// changed since the index last caught up.
    #[tracing::instrument(skip(self, pool))]
    pub(super) async fn order_from_store(
        &self,
        pool: &SqlitePool,
        column: SortColumn,
    ) -> Result<Option<Vec<u32>>> {
        let Some(through) = self.through else {
            return Ok(None);
        };
        let started = std::time::Instant::now();
        let mut tx = pool.begin().await?;
        let latest: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM profile_changes")
            .fetch_one(&mut *tx)
            .await?;
        if latest > through {
            return Ok(None);
        }
        // Status sorts by status, then id: the id's order, active before archived.
        let key = match column {
            SortColumn::Username => "p.username, p.id",
            SortColumn::Email => "p.email_blank, p.email, p.id",
            SortColumn::Phone => "p.phone_blank, p.phone, p.id",
            SortColumn::Location => "p.location_blank, p.location, p.id",
            SortColumn::Created => "p.created_at, p.id",
            SortColumn::LastSeen => "p.last_seen_at, p.id",
            SortColumn::Sessions => "p.sessions, p.id",
            SortColumn::Status => "p.id",
        };
        // One JSON array: a million rows one by one through the driver cost several times more.
        let listed: String = sqlx::query_scalar(&format!(
            "SELECT coalesce(json_group_array(seq), '[]') FROM \
             (SELECT p.seq FROM profiles p ORDER BY {key})"
        ))
        .fetch_one(&mut *tx)
        .await?;
        let seqs: Vec<i64> = serde_json::from_str(&listed)
            .map_err(|e| CoreError::Corrupt(format!("a sort order while indexing: {e}")))?;
        drop(listed);
        let mut order = Vec::with_capacity(seqs.len());
        // Rowids are mostly dense: a profile's slot is usually its rowid less the first one.
        let first = self.seqs.first().copied().unwrap_or(0);
        for seq in seqs {
            let guess = usize::try_from(seq - first).ok();
            let slot = match guess.filter(|g| self.seqs.get(*g) == Some(&seq)) {
                Some(slot) => slot,
                // A customer in the Trash is in the store's sort index but not in this one (read
                // without the mark: the index walk stays covering).
                None => match self.seqs.binary_search(&seq) {
                    Ok(slot) => slot,
                    Err(_) => continue,
                },
            };
            if self.flags[slot] & DELETED != 0 {
                continue;
            }
            order.push(u32::try_from(slot).map_err(|_| corrupt("slot"))?);
        }
        tx.commit().await?;
        if column == SortColumn::Status {
            let (mut active, archived): (Vec<u32>, Vec<u32>) = order
                .into_iter()
                .partition(|slot| self.flags[*slot as usize] & ARCHIVED == 0);
            active.extend(archived);
            order = active;
        }
        order.shrink_to_fit();
        tracing::info!(
            profiles = order.len(),
            ms = started.elapsed().as_millis() as u64,
            "sort order read"
        );
        Ok(Some(order))
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
        let order = self.order(column).unwrap_or_default();
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

/// Collects every profile's searchable text and flags; the sort orders are read from SQLite
/// afterwards, one by one as the table needs them (`order_from_store`).
#[derive(Default)]
pub(super) struct Builder {
    pub(super) index: ProfileIndex,
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
        Ok(())
    }

    /// The index as of change `through`, with no sort order yet.
    pub(super) fn finish(mut self, through: i64) -> ProfileIndex {
        let mut index = std::mem::take(&mut self.index);
        index.orders = vec![None; SortColumn::ALL.len()];
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
