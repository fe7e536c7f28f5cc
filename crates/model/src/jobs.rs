//! Delayed bulk jobs: Active and Archive on a selection, taking effect after the delay.

use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;
use crate::profile::ProfileStatus;
use crate::query::ProfileFilter;

crate::uuid_id!(
    /// A bulk job's id.
    JobId = "string & { readonly __brand: 'JobId' }"
);

/// What a job does to its profiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum JobAction {
    Activate,
    Archive,
}

impl JobAction {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Activate => "activate",
            Self::Archive => "archive",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Activate, Self::Archive]
            .into_iter()
            .find(|a| a.as_str() == s)
    }

    /// The status the job gives its profiles.
    pub fn status(&self) -> ProfileStatus {
        match self {
            Self::Activate => ProfileStatus::Active,
            Self::Archive => ProfileStatus::Archived,
        }
    }
}

/// Where a job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum JobState {
    /// Waiting for its time; it can still be cancelled.
    Pending,
    /// Fired: its profiles are being changed, chunk by chunk.
    Running,
    Done,
    Cancelled,
}

impl JobState {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Running, Self::Done, Self::Cancelled]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// The profiles a bulk action applies to: picked one by one, or every profile matching the
/// table's filter ("select all N matching"), kept as the filter rather than a list of ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Selection {
    Ids { ids: Vec<ProfileId> },
    Filter { filter: ProfileFilter },
}

/// A job as the jobs panel lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct JobView {
    pub id: JobId,
    pub action: JobAction,
    pub state: JobState,
    /// How many profiles the selection held when the job was scheduled.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
    /// How many profiles the job has changed so far.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub applied: u64,
    /// When it fires, in the manager's time zone.
    pub run_at: String,
    /// When it fires, in milliseconds since 1970 (UTC), for the countdown.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub run_at_ms: i64,
    /// When it completed, in the manager's time zone.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<String>,
}

impl JobView {
    /// What the notification says once the job has completed, such as "Archived 1,204 profiles".
    pub fn summary(&self) -> String {
        let verb = match self.action {
            JobAction::Activate => "Activated",
            JobAction::Archive => "Archived",
        };
        let noun = if self.applied == 1 {
            "profile"
        } else {
            "profiles"
        };
        format!("{verb} {} {noun}", thousands(self.applied))
    }
}

/// A count as the window writes it: 1204 as "1,204".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_action_and_the_count() {
        let mut job = JobView {
            id: JobId::new(),
            action: JobAction::Archive,
            state: JobState::Done,
            total: 1204,
            applied: 1204,
            run_at: String::new(),
            run_at_ms: 0,
            completed: None,
        };
        assert_eq!(job.summary(), "Archived 1,204 profiles");
        job.action = JobAction::Activate;
        job.applied = 1;
        assert_eq!(job.summary(), "Activated 1 profile");
        job.applied = 1_000_000;
        assert_eq!(job.summary(), "Activated 1,000,000 profiles");
    }
}
