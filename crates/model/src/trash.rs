//! The Trash: deleted customers kept [`TRASH_DAYS`] days, with everything attached to them, until
//! a manager restores them or deletes them forever (or the server purges them).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;

/// How long a deleted customer stays in the Trash before the server purges them.
pub const TRASH_DAYS: i64 = 30;

/// Most rows one Trash page may carry.
pub const MAX_TRASH_PAGE: u32 = 1000;

/// Who moved a customer to the Trash, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Trashed {
    /// The email of the manager who deleted the customer.
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Trashed {
    /// When the server purges the customer.
    pub fn purge_at(&self) -> DateTime<Utc> {
        self.at + chrono::Duration::days(TRASH_DAYS)
    }
}

/// One customer as the Trash view lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct TrashRow {
    pub id: ProfileId,
    pub username: String,
    pub email: String,
    /// Who deleted them: an email, or "you" for this manager.
    pub deleted_by: String,
    /// When, in the manager's time zone.
    pub deleted: String,
    /// The day they are deleted forever, in the manager's time zone.
    pub purge_on: String,
}

/// `trash`: a page of the Trash, the latest deleted first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct TrashQuery {
    /// How many rows to skip.
    #[serde(default)]
    pub offset: u32,
    /// How many rows at most (1 to [`MAX_TRASH_PAGE`]).
    pub limit: u32,
}

/// A page of the Trash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct TrashPage {
    pub rows: Vec<TrashRow>,
    /// How many customers the Trash holds.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// The customers of the Trash that Restore or Delete forever acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum TrashSelection {
    /// The customers ticked.
    Ids { ids: Vec<ProfileId> },
    /// Everyone in the Trash.
    All,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_is_purged_thirty_days_after_the_delete() {
        let trashed = Trashed {
            by: "ada@example.com".into(),
            at: "2026-12-06T10:00:00Z".parse().unwrap(),
        };
        assert_eq!(trashed.purge_at().to_rfc3339(), "2027-01-05T10:00:00+00:00");
    }

    #[test]
    fn a_selection_reads_as_the_window_sends_it() {
        let all: TrashSelection = serde_json::from_str(r#"{"kind":"all"}"#).unwrap();
        assert_eq!(all, TrashSelection::All);
        let ids: TrashSelection = serde_json::from_str(r#"{"kind":"ids","ids":[]}"#).unwrap();
        assert_eq!(ids, TrashSelection::Ids { ids: vec![] });
    }
}
