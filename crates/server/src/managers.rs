//! Managers of a workspace, their roles, and the bearer tokens they sign in with.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{ManagerId, WorkspaceId};

/// What a manager may do: admins also delete profiles, properties and segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

/// Who is calling: the manager a valid token belongs to, and the only workspace they may touch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    pub workspace_id: WorkspaceId,
    pub manager_id: ManagerId,
    pub email: String,
    pub role: Role,
    /// The workspace's name, shown to the manager once signed in.
    pub workspace_name: String,
    /// The manager's IANA time zone.
    pub time_zone: String,
}

/// A token as `token list` shows it: never the token, only the first digits of its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    /// The first hex digits of the token's SHA-256: what `token revoke` takes.
    pub id: String,
    pub workspace: String,
    pub manager: String,
    pub role: Role,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// To the hour: a busy token's use is written once an hour.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub manager_disabled: bool,
}

impl TokenInfo {
    /// Whether the token signs its manager in at `now`.
    pub fn valid_at(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        self.revoked_at.is_none()
            && !self.manager_disabled
            && self.expires_at.is_none_or(|at| at > now)
    }
}

/// The prefix of every token, so a leaked one is recognisable in logs and scanners.
pub const TOKEN_PREFIX: &str = "udt_";

/// A new random bearer token: 256 bits from the operating system's generator.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", hex::encode(bytes)))
}

/// The SHA-256 of a token, in hex: all the database keeps of it.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX));
        let hash = hash_token(&a);
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains(&a[TOKEN_PREFIX.len()..]));
        assert_eq!(hash, hash_token(&a));
    }
}
