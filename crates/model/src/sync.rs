//! The sync protocol's wire types: push a client's mutations, pull the workspace's changes.
//!
//! The envelope speaks snake_case as the protocol is written; the records it carries keep the
//! camelCase of the model's other types, so the UI reads one shape of `Profile` everywhere.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ErrorCode;
use crate::ids::ProfileId;
use crate::notes::{Note, NoteId};
use crate::profile::{Picture, Profile, ProfilePatch, ProfileStatus};
use crate::properties::{PropertyDefinition, PropertyId, PropertyValue};
use crate::requests::{DataRequest, RequestId};
use crate::segments::{Segment, SegmentId, SegmentMember};
use crate::sessions::{
    BotSession, Goal, GoalCompletion, GoalCompletionId, GoalId, Message, MessageId, SessionId,
};
use crate::validation::{Field, FieldError};

crate::uuid_id!(
    /// One installation of the app: it numbers its mutations 1, 2, 3… without gaps.
    ClientId = "string & { readonly __brand: 'ClientId' }"
);

crate::uuid_id!(
    /// One [`Overwrite`] notice.
    OverwriteId = "string & { readonly __brand: 'OverwriteId' }"
);

/// Most mutations one push may carry.
pub const MAX_PUSH_MUTATIONS: usize = 1000;
/// Most changes one pull page may carry.
pub const MAX_PULL_LIMIT: u32 = 5000;
/// The page size of a pull that names none.
pub const DEFAULT_PULL_LIMIT: u32 = 1000;
/// Most profiles one `segment.add_members`, `segment.remove_members`, `profile.trash` or
/// `profile.restore` may name.
pub const MAX_MEMBERS_PER_MUTATION: usize = 10_000;

/// `POST /v1/push`: a client's pending mutations, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// One mutation as it travels: its number, its name and its arguments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Mutation {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub args: serde_json::Value,
}

impl Mutation {
    /// The SHA-256 of the mutation's name and arguments, in hex: what tells one edit from
    /// another pushed under the same id.
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hash = Sha256::new();
        hash.update(self.name.as_bytes());
        hash.update([0]);
        hash.update(self.args.to_string().as_bytes());
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// The answer to a push, sent once every mutation it counts has been committed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The client's last mutation the server has processed (applied or rejected).
    pub last_mutation_id: u64,
    /// Mutations applied by this push.
    pub applied: u32,
    /// Mutations already processed by an earlier push, and skipped.
    pub skipped: u32,
    /// The refused mutations among this push's, including those refused by an earlier push.
    pub rejections: Vec<Rejection>,
    /// The first mutation whose id the server had already processed with other content: the
    /// client lost its numbering (its store was put back from a backup, or lost its last
    /// commits). It and the ones after it were not processed: the client numbers them after
    /// `last_mutation_id` and pushes them again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reused: Option<u64>,
}

/// A mutation the server refused for good (invalid, not found, forbidden); it is not retried.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Rejection {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub mutation_id: u64,
    pub name: String,
    pub code: ErrorCode,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<FieldError>,
    /// The customer the edit was of, when the app knows it (an edit a colleague replaced):
    /// the notice opens their History.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<ProfileId>,
}

/// `GET /v1/me`: who a bearer token signs in, so the app can check it before keeping it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// The workspace the token is scoped to.
    pub workspace: String,
    /// The manager's email.
    pub manager: String,
    /// `admin` or `agent`.
    pub role: String,
    /// The manager's IANA time zone on the platform.
    pub time_zone: String,
    /// The workspace's id on the server: what a store holds the customers of, whatever address
    /// the server is reached at. Absent from servers older than it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
}

impl Me {
    /// What a store that syncs this workspace holds, as its `sync.workspace` setting: the
    /// workspace's id (the server at `base` and the workspace's name, for an older server).
    pub fn workspace_identity(&self, base: &str) -> String {
        match &self.workspace_id {
            Some(id) => format!("workspace {id} ({})", self.workspace),
            None => format!("{base} {}", self.workspace),
        }
    }
}

/// `POST /v1/pull`: the changes after `cookie`, at most `limit` of them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullRequest {
    pub client_id: ClientId,
    /// The cookie of the previous page; `None` to start from nothing.
    #[serde(default)]
    pub cookie: Option<String>,
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of changes, in the workspace's version order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    /// Where the next pull starts.
    pub cookie: String,
    /// Whether more changes follow this page.
    pub has_more: bool,
    /// The client's last mutation processed within the versions this page (and those before
    /// it) cover. A record such a mutation changed may have changed again since and come in a
    /// later page, so only the last page (`has_more: false`) brings every effect it confirms.
    pub last_mutation_id: u64,
    /// The cookie was too old (or unknown to this server): drop the local copy, then apply this
    /// page, which starts from nothing.
    #[serde(default)]
    pub reset: bool,
    /// On the first page of a sync from nothing (no cookie, or a reset): how many changes the
    /// whole sync brings, so the app can show how far it has got.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    pub patch: Vec<PatchOp>,
}

/// One change of a pull page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PatchOp {
    /// The record as it now is.
    Put(Entity),
    /// The record is gone.
    Delete(Tombstone),
}

/// A record of any kind the workspace syncs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Entity {
    Profile(Profile),
    Property(PropertyDefinition),
    PropertyValue(PropertyValue),
    Note(Note),
    Segment(Segment),
    SegmentMember(SegmentMember),
    Goal(Goal),
    GoalCompletion(GoalCompletion),
    Session(BotSession),
    Message(Message),
    Request(DataRequest),
    Overwrite(Overwrite),
    Picture(Picture),
}

/// The key of a deleted record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "key", rename_all = "snake_case")]
pub enum Tombstone {
    Profile(ProfileId),
    Property(PropertyId),
    PropertyValue(PropertyValueKey),
    Note(NoteId),
    Segment(SegmentId),
    SegmentMember(SegmentMember),
    Goal(GoalId),
    GoalCompletion(GoalCompletionId),
    Session(SessionId),
    Message(MessageId),
    Request(RequestId),
    Overwrite(OverwriteId),
    /// The customer's picture.
    Picture(ProfileId),
}

/// A manager's edit of a customer's field that a colleague's concurrent edit replaced: the
/// colleague edited the field without having seen it (their edit names the older value as its
/// base) and came later in the server's order, so theirs stands. Every client receives it; the
/// one that made the replaced edit tells its manager.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overwrite {
    pub id: OverwriteId,
    /// The client whose edit was replaced, and that edit's mutation.
    pub client_id: ClientId,
    pub mutation_id: u64,
    pub profile_id: ProfileId,
    pub field: Field,
    /// The value the replaced edit set.
    pub replaced: String,
    /// The value that stands now.
    pub value: String,
    /// The email of the manager whose edit replaced it.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Which property value of which profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyValueKey {
    pub profile_id: ProfileId,
    pub property_id: PropertyId,
}

/// A mutation with typed arguments. Each sets absolute values, never toggles, so replaying one
/// is harmless.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", content = "args")]
pub enum Op {
    /// Sets the given user-details fields; the others are left as they are.
    #[serde(rename = "profile.patch")]
    ProfilePatch {
        profile_id: ProfileId,
        patch: ProfilePatch,
        /// The values the patched fields had on the client when the manager edited them: the
        /// server tells the manager whose edit this one replaces unseen.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        base: Option<ProfilePatch>,
    },
    /// Activates or archives a profile.
    #[serde(rename = "profile.set_status")]
    ProfileSetStatus {
        profile_id: ProfileId,
        status: ProfileStatus,
    },
    /// Sets the profile's picture (a 256×256 PNG, base64), or removes it with `None`.
    #[serde(rename = "profile.set_picture")]
    ProfileSetPicture {
        profile_id: ProfileId,
        png: Option<String>,
    },
    /// Moves profiles to the Trash, with everything attached to them; the server purges them
    /// [`crate::TRASH_DAYS`] days later.
    #[serde(rename = "profile.trash")]
    ProfileTrash { profile_ids: Vec<ProfileId> },
    /// Takes profiles out of the Trash, as they now are.
    #[serde(rename = "profile.restore")]
    ProfileRestore { profile_ids: Vec<ProfileId> },
    /// Deletes a profile forever, with everything attached to it.
    #[serde(rename = "profile.delete")]
    ProfileDelete { profile_id: ProfileId },
    /// Creates a property definition, or renames and describes an existing one.
    #[serde(rename = "property.define")]
    PropertyDefine { property: PropertyDefinition },
    /// Deletes a property definition and every value of it.
    #[serde(rename = "property.delete")]
    PropertyDelete { property_id: PropertyId },
    /// Sets a profile's value of a property; `None` clears it.
    #[serde(rename = "property.set")]
    PropertySet {
        profile_id: ProfileId,
        property_id: PropertyId,
        value: Option<String>,
    },
    /// Adds a note to a profile.
    #[serde(rename = "note.create")]
    NoteCreate {
        note_id: NoteId,
        profile_id: ProfileId,
        body: String,
    },
    /// Replaces a note's text.
    #[serde(rename = "note.update")]
    NoteUpdate { note_id: NoteId, body: String },
    /// Deletes a note.
    #[serde(rename = "note.delete")]
    NoteDelete { note_id: NoteId },
    /// Creates a segment with its rules and hand-picked members.
    #[serde(rename = "segment.create")]
    SegmentCreate {
        segment: Segment,
        #[serde(default)]
        members: Vec<ProfileId>,
    },
    /// Sets a segment's name, description and rules.
    #[serde(rename = "segment.update")]
    SegmentUpdate { segment: Segment },
    /// Deletes a segment (the profiles stay).
    #[serde(rename = "segment.delete")]
    SegmentDelete { segment_id: SegmentId },
    /// Makes the profiles hand-picked members of the segment.
    #[serde(rename = "segment.add_members")]
    SegmentAddMembers {
        segment_id: SegmentId,
        profile_ids: Vec<ProfileId>,
    },
    /// Takes the profiles out of the segment's hand-picked members.
    #[serde(rename = "segment.remove_members")]
    SegmentRemoveMembers {
        segment_id: SegmentId,
        profile_ids: Vec<ProfileId>,
    },
    /// Asks the data-protection contact to export the profile's data.
    #[serde(rename = "request.export")]
    RequestExport {
        request_id: RequestId,
        profile_id: ProfileId,
    },
    /// Asks the data-protection contact to delete the profile's data.
    #[serde(rename = "request.delete")]
    RequestDelete {
        request_id: RequestId,
        profile_id: ProfileId,
    },
}

/// Why a [`Mutation`] could not be read as an [`Op`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("unknown mutation {0:?}")]
    Unknown(String),
    #[error("invalid arguments for {name}: {reason}")]
    InvalidArgs { name: String, reason: String },
}

impl Op {
    /// The name of every mutation the protocol knows.
    pub const NAMES: [&'static str; 19] = [
        "profile.patch",
        "profile.set_status",
        "profile.set_picture",
        "profile.trash",
        "profile.restore",
        "profile.delete",
        "property.define",
        "property.delete",
        "property.set",
        "note.create",
        "note.update",
        "note.delete",
        "segment.create",
        "segment.update",
        "segment.delete",
        "segment.add_members",
        "segment.remove_members",
        "request.export",
        "request.delete",
    ];

    /// Reads a mutation's name and arguments.
    pub fn from_mutation(mutation: &Mutation) -> Result<Op, OpError> {
        if !Self::NAMES.contains(&mutation.name.as_str()) {
            return Err(OpError::Unknown(mutation.name.clone()));
        }
        let tagged = serde_json::json!({ "name": mutation.name, "args": mutation.args });
        serde_json::from_value(tagged).map_err(|e| OpError::InvalidArgs {
            name: mutation.name.clone(),
            reason: e.to_string(),
        })
    }

    /// The mutation's name on the wire.
    pub fn name(&self) -> &'static str {
        match self {
            Self::ProfilePatch { .. } => "profile.patch",
            Self::ProfileSetStatus { .. } => "profile.set_status",
            Self::ProfileSetPicture { .. } => "profile.set_picture",
            Self::ProfileTrash { .. } => "profile.trash",
            Self::ProfileRestore { .. } => "profile.restore",
            Self::ProfileDelete { .. } => "profile.delete",
            Self::PropertyDefine { .. } => "property.define",
            Self::PropertyDelete { .. } => "property.delete",
            Self::PropertySet { .. } => "property.set",
            Self::NoteCreate { .. } => "note.create",
            Self::NoteUpdate { .. } => "note.update",
            Self::NoteDelete { .. } => "note.delete",
            Self::SegmentCreate { .. } => "segment.create",
            Self::SegmentUpdate { .. } => "segment.update",
            Self::SegmentDelete { .. } => "segment.delete",
            Self::SegmentAddMembers { .. } => "segment.add_members",
            Self::SegmentRemoveMembers { .. } => "segment.remove_members",
            Self::RequestExport { .. } => "request.export",
            Self::RequestDelete { .. } => "request.delete",
        }
    }

    /// The mutation numbered `id` that carries this op.
    pub fn to_mutation(&self, id: u64) -> Mutation {
        let args = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => {
                tagged.remove("args").unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        };
        Mutation {
            id,
            name: self.name().to_string(),
            args,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Platform, ProfileType};
    use chrono::{TimeZone, Utc};

    #[test]
    fn every_op_survives_the_wire_under_its_own_name() {
        let op = Op::ProfileSetStatus {
            profile_id: ProfileId::new(),
            status: ProfileStatus::Archived,
        };
        let mutation = op.to_mutation(7);
        assert_eq!(mutation.name, "profile.set_status");
        assert_eq!(mutation.args["status"], "archived");
        assert_eq!(Op::from_mutation(&mutation).unwrap(), op);
    }

    #[test]
    fn an_unknown_name_and_wrong_arguments_are_told_apart() {
        let unknown = Mutation {
            id: 1,
            name: "profile.explode".into(),
            args: serde_json::json!({}),
        };
        assert!(matches!(
            Op::from_mutation(&unknown),
            Err(OpError::Unknown(_))
        ));
        let wrong = Mutation {
            id: 1,
            name: "note.delete".into(),
            args: serde_json::json!({ "note_id": 5 }),
        };
        assert!(matches!(
            Op::from_mutation(&wrong),
            Err(OpError::InvalidArgs { .. })
        ));
    }

    #[test]
    fn the_names_list_matches_every_op() {
        let op = Op::NoteDelete {
            note_id: NoteId::new(),
        };
        assert!(Op::NAMES.contains(&op.name()));
        let unique: std::collections::HashSet<_> = Op::NAMES.iter().collect();
        assert_eq!(unique.len(), Op::NAMES.len());
    }

    #[test]
    fn patch_ops_read_back_as_written() {
        let at = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
        let profile = Profile {
            id: ProfileId::new(),
            email: "ada@example.com".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            phone: String::new(),
            location: "London".into(),
            created_at: at,
            last_seen_at: at,
            device: "Firefox 89.0".into(),
            sessions: 2,
            live_chat_takeover: false,
            status: ProfileStatus::Active,
            kind: ProfileType::Registered,
            platform: Platform::Desktop,
            trashed: None,
        };
        let member = SegmentMember {
            segment_id: SegmentId::new(),
            profile_id: profile.id,
        };
        let patch = vec![
            PatchOp::Put(Entity::Profile(profile.clone())),
            PatchOp::Delete(Tombstone::SegmentMember(member)),
        ];
        let json = serde_json::to_value(&patch).unwrap();
        assert_eq!(json[0]["op"], "put");
        assert_eq!(json[0]["kind"], "profile");
        assert_eq!(json[0]["value"]["firstName"], "Ada");
        assert_eq!(json[1]["op"], "delete");
        assert_eq!(json[1]["kind"], "segment_member");
        let back: Vec<PatchOp> = serde_json::from_value(json).unwrap();
        assert_eq!(back, patch);
    }
}
