//! A search or a filtered page answered in memory: the filters as flags, the text scanned with
//! the needles, the matches paged in a sort's order.

use memchr::memmem::Finder;
use userdesk_model::{Platform, ProfileStatus, ProfileType, SortDirection, SortOrder};

use crate::store::search::Needles;

use super::*;

/// The filters of the table other than the search, as the index tests them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IndexFilter {
    pub(super) mask: u8,
    pub(super) value: u8,
    pub(super) last_seen_since: Option<i64>,
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

impl ProfileIndex {
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

    pub(super) fn admits(&self, filter: &IndexFilter, slot: usize) -> bool {
        self.flags[slot] & filter.mask == filter.value
            && filter
                .last_seen_since
                .is_none_or(|since| self.last_seen[slot] >= since)
    }

    /// Scans the built text on two threads, each over half of the profiles.
    pub(super) fn scan_built(
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
    pub(super) fn scan_slots(
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

    pub(super) fn scan_tail(
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

    /// Up to `limit` rowids of profiles matching the search and the filter, in `sort` order
    /// (`None` while that sort's order is not read),
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
    ) -> Option<Vec<i64>> {
        self.order(sort.column)?;
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
    ) -> Option<Vec<i64>> {
        self.page_where(sort, after, offset, limit, |slot| self.admits(filter, slot))
    }

    /// Whether the entry of `slot` holds `text`, or `digits` in its phone.
    pub(super) fn entry_matches(
        &self,
        slot: usize,
        text: &Finder<'_>,
        digits: Option<&Finder<'_>>,
    ) -> bool {
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
    pub(super) fn page_where(
        &self,
        sort: SortOrder,
        after: Option<u32>,
        offset: usize,
        limit: usize,
        is_match: impl Fn(usize) -> bool,
    ) -> Option<Vec<i64>> {
        let order = self.order(sort.column)?;
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
        Some(match sort.direction {
            SortDirection::Asc => pick(&mut slots.filter(|slot| is_match(*slot))),
            SortDirection::Desc => pick(&mut slots.rev().filter(|slot| is_match(*slot))),
        })
    }
}

/// Which field of an entry a position is in, given the entry's bytes before it.
pub(super) fn field_of(before: &[u8]) -> usize {
    memchr::memchr_iter(FIELD_END, before).count()
}

/// The profiles a search matched (after the filters).
pub(crate) struct Matches {
    pub(super) bits: Bits,
}

impl Matches {
    /// How many profiles matched.
    pub(crate) fn count(&self) -> u64 {
        self.bits.count()
    }
}
