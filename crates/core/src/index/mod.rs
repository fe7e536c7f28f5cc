//! The in-memory search index of the All users table.
//!
//! A search with thousands of matches spends its time in SQLite reading one row per match to
//! filter and sort it (about 1.5 µs each). This index keeps, per profile, only what a search
//! needs: the case-folded name, email and phone, status, type, platform and last-seen time, and
//! the order of each sort in use (read from SQLite's index for that sort the first time the table
//! sorts by it: 4 bytes per profile each, which the sorts nobody uses do not cost). A search scans the text, filters and pages in memory, and reads from
//! SQLite only the rows of its page. SQLite stays the source of truth: the index follows the
//! `profile_changes` log, and while it is behind the store answers searches with SQL instead.
mod build;
mod order;
mod records;
mod scan;
mod shared;
mod text;

use order::*;
use records::*;
use text::*;
use userdesk_model::SortColumn;

pub(crate) use scan::IndexFilter;
pub(crate) use shared::SharedIndex;

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
    /// Per sort column (as in `SortColumn::ALL`): every live slot in ascending order, once read
    /// (only the sorts the manager uses are kept).
    orders: Vec<Option<Vec<u32>>>,
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
            + self.orders.iter().flatten().map(bytes).sum::<usize>()
    }

    /// `column`'s order, if read.
    pub(super) fn order(&self, column: SortColumn) -> Option<&[u32]> {
        self.orders
            .get(column_index(column))
            .and_then(Option::as_deref)
    }

    /// Keeps `column`'s order, read from the store.
    pub(super) fn set_order(&mut self, column: SortColumn, order: Vec<u32>) {
        if let Some(kept) = self.orders.get_mut(column_index(column)) {
            *kept = Some(order);
        }
    }

    /// Whether `column`'s order has been read.
    pub(crate) fn has_order(&self, column: SortColumn) -> bool {
        self.order(column).is_some()
    }

    /// The columns whose order has been read.
    pub(crate) fn ordered_columns(&self) -> Vec<SortColumn> {
        SortColumn::ALL
            .into_iter()
            .filter(|column| self.has_order(*column))
            .collect()
    }

    /// The last change reflected, if built.
    pub(crate) fn through(&self) -> Option<i64> {
        self.through
    }
}
