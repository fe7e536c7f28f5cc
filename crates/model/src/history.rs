//! A customer's History in Details: every change to them, with who, when, which field, before
//! and after; the server's record merged with the manager's own edits still waiting to sync.

use serde::{Deserialize, Serialize};

use crate::validation::Field;

/// What "Put back" restores: a value a change replaced, set again by a new edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum PutBack {
    /// A user-details field.
    Field { field: Field, value: String },
    /// The Active option.
    Active { active: bool },
}

/// One field a change set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct HistoryChange {
    /// As Details names it: "EMAIL", "STATUS", "Tier", "Segment VIP".
    pub field: String,
    /// The value before ("" when there was none) and after.
    pub before: String,
    pub after: String,
    /// Putting the value before back, when Details can (user-details fields and the status).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub put_back: Option<PutBack>,
}

/// One change of the customer: an edit, a status change (a bulk job's too), a move to the Trash
/// or out of it, a property, a segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct HistoryRow {
    /// What was done: "Edited", "Archived", "Moved to the Trash"…
    pub action: String,
    /// Who: a manager's email, or "you".
    pub who: String,
    /// When, in the manager's time zone; empty for an edit waiting to sync.
    pub when: String,
    /// Whether it is this manager's edit, still waiting to sync.
    pub pending: bool,
    pub changes: Vec<HistoryChange>,
}

/// `profile_history`: the customer's changes, the latest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct HistoryView {
    pub rows: Vec<HistoryRow>,
    /// Said above the list when it is not the server's latest: offline, or not signed in.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
