//! Segments: named groups of profiles, hand-picked or described by rules.

use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;
use crate::profile::ProfileStatus;
use crate::properties::PropertyId;
use crate::query::LastSeenWindow;
use crate::sessions::GoalId;
use crate::text::{check_label, check_long_text};

crate::uuid_id!(
    /// A segment's id.
    SegmentId = "string & { readonly __brand: 'SegmentId' }"
);

/// Most rules one segment may combine.
pub const MAX_RULES: usize = 50;

/// How a property rule compares a profile's value with the rule's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum RuleOperator {
    Equals,
    NotEquals,
    Contains,
    GreaterThan,
    LessThan,
    IsSet,
    IsNotSet,
}

/// One condition a profile must meet to belong to a rule-based segment; all rules must hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "rule", rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum SegmentRule {
    /// The profile has (or has not) completed the goal.
    Goal { goal_id: GoalId, completed: bool },
    /// The profile's value of a property compares to `value` by `operator`.
    Property {
        property_id: PropertyId,
        operator: RuleOperator,
        #[serde(default)]
        value: String,
    },
    /// The profile is active or archived.
    Status { status: ProfileStatus },
    /// The profile was last seen within the window.
    LastSeen { window: LastSeenWindow },
}

/// A segment's name, description and rules; hand-picked members travel separately.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub rules: Vec<SegmentRule>,
}

impl Segment {
    /// Checks the name, the description and the number of rules.
    pub fn validate(&self) -> Result<(), String> {
        check_label(&self.name).map_err(|e| format!("name {e}"))?;
        check_long_text(&self.description).map_err(|e| format!("description {e}"))?;
        if self.rules.len() > MAX_RULES {
            return Err(format!("a segment has at most {MAX_RULES} rules"));
        }
        for rule in &self.rules {
            if let SegmentRule::Property { value, .. } = rule {
                check_long_text(value).map_err(|e| format!("rule value {e}"))?;
            }
        }
        Ok(())
    }
}

/// A hand-picked member of a segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentMember {
    pub segment_id: SegmentId,
    pub profile_id: ProfileId,
}

/// What a manager types to create a segment, or to rename it and change its rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SegmentDraft {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Every rule must hold; no rules makes a segment of hand-picked members only.
    #[serde(default)]
    pub rules: Vec<SegmentRule>,
}

impl SegmentDraft {
    /// The segment this draft describes, under `id`, with its text trimmed.
    pub fn into_segment(self, id: SegmentId) -> Segment {
        Segment {
            id,
            name: self.name.trim().to_string(),
            description: self.description.trim().to_string(),
            rules: self.rules,
        }
    }
}

/// A segment as the Segments tab lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SegmentView {
    pub id: SegmentId,
    pub name: String,
    pub description: String,
    pub rules: Vec<SegmentRule>,
    /// How many profiles belong to it: hand-picked, or meeting every rule.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub members: u64,
    /// Created or changed here and not yet confirmed by the server.
    pub pending: bool,
}

/// A segment a customer belongs to, as the Details window lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct SegmentRef {
    pub id: SegmentId,
    pub name: String,
    /// The customer Details shows was added to it by hand (and can be taken out there); only in
    /// Details' list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub handpicked: Option<bool>,
}
