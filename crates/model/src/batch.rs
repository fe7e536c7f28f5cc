//! Records of one workspace written together: demo data, imports, a server's seed.

use crate::{
    BotSession, Goal, GoalCompletion, Message, Note, Profile, PropertyDefinition, PropertyValue,
    Segment, SegmentMember,
};

/// A batch of platform records, definitions first, written at once under one version.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlatformBatch {
    pub properties: Vec<PropertyDefinition>,
    pub goals: Vec<Goal>,
    pub segments: Vec<Segment>,
    pub profiles: Vec<Profile>,
    pub property_values: Vec<PropertyValue>,
    pub sessions: Vec<BotSession>,
    pub messages: Vec<Message>,
    pub goal_completions: Vec<GoalCompletion>,
    pub notes: Vec<Note>,
    pub segment_members: Vec<SegmentMember>,
}
