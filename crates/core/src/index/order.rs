//! The order of every sort column exactly as the store's SQL sorts it: the schema's
//! collations, empty values last, ties broken by id.

use std::cmp::Ordering;

use userdesk_model::SortColumn;

/// One profile's sort values, owned (a profile read back from SQLite while catching up).
#[derive(Clone, Debug)]
pub(super) struct SortKeys {
    pub(super) id: u128,
    pub(super) username: Vec<u8>,
    pub(super) email: Vec<u8>,
    pub(super) phone: Vec<u8>,
    pub(super) location: Vec<u8>,
    pub(super) created: i64,
    pub(super) last_seen: i64,
    pub(super) sessions: i64,
    pub(super) archived: bool,
}

impl SortKeys {
    pub(super) fn as_ref(&self) -> KeyRef<'_> {
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
pub(super) struct KeyRef<'a> {
    pub(super) id: u128,
    pub(super) username: &'a [u8],
    pub(super) email: &'a [u8],
    pub(super) phone: &'a [u8],
    pub(super) location: &'a [u8],
    pub(super) created: i64,
    pub(super) last_seen: i64,
    pub(super) sessions: i64,
    pub(super) archived: bool,
}

/// How SQLite compares two texts of a column.
pub(super) type Collation = fn(&[u8], &[u8]) -> Ordering;

/// SQLite's NOCASE collation: ASCII letters folded, other bytes compared as they are, a NUL
/// ending the comparison, then the shorter string first.
pub(super) fn nocase(a: &[u8], b: &[u8]) -> Ordering {
    for (&x, &y) in a.iter().zip(b) {
        let (lx, ly) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x == 0 || lx != ly {
            return lx.cmp(&ly).then(a.len().cmp(&b.len()));
        }
    }
    a.len().cmp(&b.len())
}

/// Empty values after every other value (ascending), then `by`.
pub(super) fn blank_last(a: &[u8], b: &[u8], by: Collation) -> Ordering {
    a.is_empty().cmp(&b.is_empty()).then_with(|| by(a, b))
}

pub(super) fn binary(a: &[u8], b: &[u8]) -> Ordering {
    a.cmp(b)
}

/// The ascending order of `column` exactly as the store's SQL sorts it (the collations of the
/// schema, empty values last, ties broken by id).
pub(super) fn compare(column: SortColumn, a: &KeyRef<'_>, b: &KeyRef<'_>) -> Ordering {
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
