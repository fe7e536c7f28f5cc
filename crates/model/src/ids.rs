use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A customer profile's id: a UUIDv7 minted by whoever creates the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
#[serde(transparent)]
#[cfg_attr(
    feature = "ts",
    ts(export, type = "string & { readonly __brand: 'ProfileId' }")
)]
pub struct ProfileId(Uuid);

impl ProfileId {
    /// A new id, ordered by creation time.
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Wraps an existing UUID.
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// The last eight hex digits: the random tail of a UUIDv7, so two profiles created in the same
    /// millisecond still get different short ids.
    pub fn short(&self) -> String {
        let simple = self.0.simple().to_string();
        simple[simple.len() - 8..].to_string()
    }
}

impl Default for ProfileId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for ProfileId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_version_7_and_increase() {
        let a = ProfileId::new();
        let b = ProfileId::new();
        assert_eq!(a.as_uuid().get_version_num(), 7);
        assert!(a < b);
    }

    #[test]
    fn short_id_is_the_random_tail() {
        let id: ProfileId = "01890a5d-ac96-774b-bcce-b302099a8057".parse().unwrap();
        assert_eq!(id.short(), "099a8057");
    }

    /// Ids arrive from the window as JSON strings: a malformed one is refused while the
    /// command's arguments are read, before the core sees it, and the error says which.
    #[test]
    fn a_malformed_id_is_refused_when_read() {
        for hostile in ["\"../etc/passwd\"", "\"not an id\"", "\"\"", "42", "null"] {
            let error = serde_json::from_str::<ProfileId>(hostile).unwrap_err();
            assert!(!error.to_string().is_empty(), "{hostile}");
        }
        let note: Result<crate::NoteId, _> = serde_json::from_str("\"nope\"");
        assert!(note.is_err());
        let id = ProfileId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<ProfileId>(&json).unwrap(), id);
    }
}
