//! The searchable text (per profile an entry `name 0 email 0 phone 0`, case-folded), and sets
//! of profiles as bits.

use crate::error::{CoreError, Result};
use crate::store::search::fold_into;

use super::*;

/// Text bytes of an entry that no longer belongs to anyone: never part of valid UTF-8, so no
/// needle matches them.
pub(super) const DEAD: u8 = 0xFF;
/// Ends each field of an entry (`name 0 email 0 phone 0`); no needle contains it.
pub(super) const FIELD_END: u8 = 0;
/// The phone is an entry's third field.
pub(super) const PHONE_FIELD: usize = 2;

/// The searchable text: per profile an entry `name 0 email 0 phone 0`, case-folded.
#[derive(Debug, Default)]
pub(super) struct Text {
    pub(super) bytes: Vec<u8>,
    /// Where each profile's current entry starts.
    pub(super) entry: Vec<u32>,
    /// The entries as built, one per profile in order, for finding whose entry a position is in.
    pub(super) built: Vec<u32>,
    pub(super) built_len: usize,
    /// Entries written since the build: (start, profile), in the order written.
    pub(super) tail: Vec<(u32, u32)>,
}

impl Text {
    pub(super) fn push(&mut self, slot: u32, record: &RecordRef<'_>) -> Result<()> {
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
    pub(super) fn seal(&mut self) {
        self.built = self.entry.clone();
        self.built_len = self.bytes.len();
    }

    pub(super) fn push_after_build(&mut self, slot: u32, record: &RecordRef<'_>) -> Result<()> {
        self.push(slot, record)?;
        self.tail.push((self.entry[slot as usize], slot));
        Ok(())
    }

    pub(super) fn kill(&mut self, slot: u32) {
        let start = self.entry[slot as usize] as usize;
        let end = self.entry_end(start);
        self.bytes[start..end].fill(DEAD);
    }

    /// Where the entry starting at `start` ends (just after its last field).
    pub(super) fn entry_end(&self, start: usize) -> usize {
        memchr::memchr_iter(FIELD_END, &self.bytes[start..])
            .nth(PHONE_FIELD)
            .map_or(self.bytes.len(), |i| start + i + 1)
    }

    /// Which profile's entry holds position `at` of the tail, and where that entry starts.
    pub(super) fn tail_entry(&self, at: usize) -> (u32, usize) {
        let i = self
            .tail
            .partition_point(|(start, _)| *start as usize <= at)
            .saturating_sub(1);
        let (start, slot) = self.tail[i];
        (slot, start as usize)
    }

    pub(super) fn tail_len(&self) -> usize {
        self.bytes.len() - self.built_len
    }
}

/// A set of profiles (by slot), as bits.
pub(super) struct Bits(pub(super) Vec<u64>);

impl Bits {
    pub(super) fn new(len: usize) -> Self {
        Self(vec![0; len.div_ceil(64)])
    }

    pub(super) fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }

    pub(super) fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }

    pub(super) fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}
