//! Undo: the manager's last actions, taken back one at a time by new edits that restore the
//! values each replaced (they sync like any edit; nothing is rewritten).

use serde::{Deserialize, Serialize};

/// What Undo would take back next, named as the window shows it: "Changed EMAIL of Ada
/// Lovelace", "Archived Ada Lovelace".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct UndoView {
    pub label: String,
}

/// A value Undo left as it is: it changed again after the action (a colleague's edit that
/// synced since, or the manager's own later one), so putting the old value back would replace it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct UndoKept {
    /// What it is, as the window names it: "EMAIL of Ada Lovelace".
    pub what: String,
    /// The value it has now, and keeps.
    pub value: String,
    /// Why it was left as it is, when that is not a value changed since: "cancelled already",
    /// "no longer in the Trash".
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What one Undo did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct UndoReport {
    /// The action taken back.
    pub label: String,
    /// How many values were put back.
    pub restored: u32,
    /// The values left as they are, and why.
    pub kept: Vec<UndoKept>,
    /// What the next Undo would take back, if anything.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<UndoView>,
}
