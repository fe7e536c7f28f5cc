use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::trash::Trashed;

use crate::ids::ProfileId;

/// Whether a profile is in use or archived (deactivated).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ProfileStatus {
    Active,
    Archived,
}

impl ProfileStatus {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// Whether the customer identified themselves to a bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum ProfileType {
    Registered,
    Anonymous,
}

impl ProfileType {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Anonymous => "anonymous",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "registered" => Some(Self::Registered),
            "anonymous" => Some(Self::Anonymous),
            _ => None,
        }
    }
}

/// The channel through which the customer reaches the platform's bots.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Platform {
    Desktop,
    MobileWeb,
    WhatsApp,
    Messenger,
    Telegram,
}

impl Platform {
    /// Every platform, in the order the Platform filter lists them.
    pub const ALL: [Platform; 5] = [
        Self::Desktop,
        Self::MobileWeb,
        Self::WhatsApp,
        Self::Messenger,
        Self::Telegram,
    ];

    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Desktop => "desktop",
            Self::MobileWeb => "mobile_web",
            Self::WhatsApp => "whats_app",
            Self::Messenger => "messenger",
            Self::Telegram => "telegram",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A customer of the chatbot platform, as the store keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct Profile {
    pub id: ProfileId,
    /// Empty when unknown; otherwise a valid address.
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Empty when unknown; otherwise E.164, such as `+14155550123`.
    pub phone: String,
    pub location: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Every browser or service used with a bot, the most recent first, such as
    /// "WhatsApp, Firefox 89.0". This and the next two follow from the bot sessions.
    pub device: String,
    /// How many bot sessions the customer had.
    pub sessions: u32,
    /// Whether an agent took over any of the bot sessions.
    pub live_chat_takeover: bool,
    pub status: ProfileStatus,
    pub kind: ProfileType,
    pub platform: Platform,
    /// Set while the customer is in the Trash: who deleted them, and when.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trashed: Option<Trashed>,
}

impl Profile {
    /// What the Username column shows: the full name, else the email, else "Anonymous <short id>".
    pub fn username(&self) -> String {
        username(&self.id, &self.first_name, &self.last_name, &self.email)
    }
}

/// The Username rule of the All users table, shared by every place that derives it.
pub fn username(id: &ProfileId, first_name: &str, last_name: &str, email: &str) -> String {
    let full = match (first_name.trim(), last_name.trim()) {
        ("", "") => String::new(),
        (first, "") => first.to_string(),
        ("", last) => last.to_string(),
        (first, last) => format!("{first} {last}"),
    };
    if !full.is_empty() {
        full
    } else if !email.trim().is_empty() {
        email.trim().to_string()
    } else {
        format!("Anonymous {}", id.short())
    }
}

/// Largest stored picture, in bytes of PNG (a 256×256 photograph takes about half of it).
pub const MAX_PICTURE_PNG_BYTES: usize = 300 * 1024;

/// A customer's picture as the store and the wire keep it: a 256×256 PNG, base64-encoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Picture {
    pub profile_id: ProfileId,
    /// The PNG file, base64 (standard alphabet, padded).
    pub png: String,
    pub updated_at: DateTime<Utc>,
}

impl Picture {
    /// The PNG's side in pixels.
    pub const SIDE: u32 = 256;

    /// Checks that `png` is the base64 of a 256×256 PNG no larger than
    /// [`MAX_PICTURE_PNG_BYTES`]: what the app makes of any picked image, and all a server keeps.
    pub fn check(png: &str) -> Result<(), String> {
        use base64::Engine as _;
        if png.len() > MAX_PICTURE_PNG_BYTES.div_ceil(3) * 4 {
            return Err(format!(
                "a picture is at most {} KB of PNG",
                MAX_PICTURE_PNG_BYTES / 1024
            ));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png)
            .map_err(|_| "a picture must be base64-encoded PNG".to_string())?;
        if bytes.len() > MAX_PICTURE_PNG_BYTES {
            return Err(format!(
                "a picture is at most {} KB of PNG",
                MAX_PICTURE_PNG_BYTES / 1024
            ));
        }
        // The signature, then the IHDR chunk: its length (13), its type, width and height.
        const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
        let header = bytes.get(..24).unwrap_or_default();
        if !header.starts_with(SIGNATURE) || header.get(12..16) != Some(b"IHDR".as_slice()) {
            return Err("a picture must be a PNG file".to_string());
        }
        let side = |at: usize| {
            header
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes)
        };
        match (side(16), side(20)) {
            (Some(Self::SIDE), Some(Self::SIDE)) => Ok(()),
            (Some(w), Some(h)) => Err(format!(
                "a picture must be {0}×{0} pixels, not {w}×{h}",
                Self::SIDE
            )),
            _ => Err("a picture must be a PNG file".to_string()),
        }
    }

    /// The picture as an image address the window can show.
    pub fn data_url(&self) -> String {
        format!("data:image/png;base64,{}", self.png)
    }
}

/// A customer's picture as the window shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PictureView {
    pub profile_id: ProfileId,
    /// A `data:image/png;base64,…` address.
    pub data_url: String,
    /// Set here and not yet confirmed by the server.
    pub pending: bool,
}

/// One row of the All users table, with its times already formatted in the manager's time zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfileRow {
    pub id: ProfileId,
    pub username: String,
    pub email: String,
    pub phone: String,
    pub location: String,
    pub created: String,
    pub last_seen: String,
    pub sessions: u32,
    pub status: ProfileStatus,
    /// A scheduled Active or Archive job that will change this profile when it fires.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending_job: Option<crate::jobs::JobAction>,
}

/// Everything the Details window shows of one profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfileDetails {
    pub profile: Profile,
    pub username: String,
    /// CREATED in the manager's time zone.
    pub created: String,
    /// LAST SEEN in the manager's time zone.
    pub last_seen: String,
    /// The IANA name of the zone the times above are shown in.
    pub time_zone: String,
    /// The customer's picture, if one was added.
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub picture: Option<PictureView>,
}

/// A change to the editable user-details fields; `None` leaves a field as it is, an empty string
/// clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfilePatch {
    #[cfg_attr(feature = "ts", ts(optional))]
    pub email: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_name: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub phone: Option<String>,
    #[cfg_attr(feature = "ts", ts(optional))]
    pub location: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ProfileId {
        "01890a5d-ac96-774b-bcce-b302099a8057".parse().unwrap()
    }

    #[test]
    fn username_is_the_full_name_when_there_is_one() {
        assert_eq!(
            username(&id(), "Ada", "Lovelace", "ada@example.com"),
            "Ada Lovelace"
        );
        assert_eq!(username(&id(), "Ada", "", "ada@example.com"), "Ada");
        assert_eq!(username(&id(), " ", "Lovelace", ""), "Lovelace");
    }

    #[test]
    fn username_falls_back_to_the_email_then_to_anonymous() {
        assert_eq!(
            username(&id(), "", "", "ada@example.com"),
            "ada@example.com"
        );
        assert_eq!(username(&id(), "  ", "", ""), "Anonymous 099a8057");
    }

    #[test]
    fn platform_round_trips_through_its_stored_name() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()), Some(p));
        }
        assert_eq!(Platform::parse("fax"), None);
    }
}
