//! Custom properties: definitions a workspace adds to its profiles, and their values.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::ProfileId;
use crate::text::{check_label, check_long_text};

crate::uuid_id!(
    /// A property definition's id.
    PropertyId = "string & { readonly __brand: 'PropertyId' }"
);

/// Most choices one `choice` property may offer.
pub const MAX_CHOICES: usize = 100;

/// What a property's values look like; a value is validated against it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum PropertyFormat {
    Text,
    Number,
    Date,
    Boolean,
    Choice,
}

/// The longest number a property holds, in characters.
pub const MAX_NUMBER_LEN: usize = 64;

impl PropertyFormat {
    /// The value stored in the database.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Date => "date",
            Self::Boolean => "boolean",
            Self::Choice => "choice",
        }
    }

    /// Reads the value stored in the database.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Text,
            Self::Number,
            Self::Date,
            Self::Boolean,
            Self::Choice,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }

    /// Checks `raw` against this format and returns it in its canonical spelling.
    pub fn normalize(&self, raw: &str, choices: &[String]) -> Result<String, String> {
        match self {
            Self::Text => check_long_text(raw),
            Self::Number => {
                let trimmed = raw.trim();
                // "0.000…1" with a million zeros parses: a number is bounded like any value.
                if trimmed.chars().count() > MAX_NUMBER_LEN {
                    return Err(format!(
                        "is longer than a number ({MAX_NUMBER_LEN} characters)"
                    ));
                }
                match trimmed.parse::<f64>() {
                    Ok(n) if n.is_finite() && !trimmed.is_empty() => Ok(trimmed.to_string()),
                    _ => Err("is not a number".to_string()),
                }
            }
            Self::Date => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map(|d| d.format("%Y-%m-%d").to_string())
                .map_err(|_| "is not a date such as 2024-05-31".to_string()),
            Self::Boolean => match raw.trim() {
                "true" => Ok("true".to_string()),
                "false" => Ok("false".to_string()),
                _ => Err("must be true or false".to_string()),
            },
            Self::Choice => choices
                .iter()
                .find(|c| c.as_str() == raw)
                .cloned()
                .ok_or_else(|| "is not one of the property's choices".to_string()),
        }
    }
}

/// A property that profiles of a workspace can carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub id: PropertyId,
    pub name: String,
    pub description: String,
    pub format: PropertyFormat,
    /// The allowed values of a `choice` property; empty for the other formats.
    #[serde(default)]
    pub choices: Vec<String>,
}

impl PropertyDefinition {
    /// Checks the name, description and choices of a definition.
    pub fn validate(&self) -> Result<(), String> {
        check_label(&self.name).map_err(|e| format!("name {e}"))?;
        check_long_text(&self.description).map_err(|e| format!("description {e}"))?;
        match self.format {
            PropertyFormat::Choice if self.choices.is_empty() => {
                Err("a choice property needs at least one choice".to_string())
            }
            PropertyFormat::Choice if self.choices.len() > MAX_CHOICES => {
                Err(format!("a property offers at most {MAX_CHOICES} choices"))
            }
            PropertyFormat::Choice => self
                .choices
                .iter()
                .try_for_each(|c| check_label(c).map(|_| ()))
                .map_err(|e| format!("choice {e}")),
            _ if !self.choices.is_empty() => Err("only a choice property has choices".to_string()),
            _ => Ok(()),
        }
    }
}

/// What a manager types to create a property, or to rename and describe one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PropertyDraft {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub format: PropertyFormat,
    /// The allowed values of a `choice` property, in the order the menu offers them.
    #[serde(default)]
    pub choices: Vec<String>,
}

impl PropertyDraft {
    /// The definition this draft describes, under `id`, with its text trimmed and its blank
    /// choices dropped.
    pub fn into_definition(self, id: PropertyId) -> PropertyDefinition {
        PropertyDefinition {
            id,
            name: self.name.trim().to_string(),
            description: self.description.trim().to_string(),
            format: self.format,
            choices: self
                .choices
                .into_iter()
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty())
                .collect(),
        }
    }
}

/// A property definition as the Properties tab lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct PropertyView {
    pub id: PropertyId,
    pub name: String,
    pub description: String,
    pub format: PropertyFormat,
    pub choices: Vec<String>,
    /// Created or changed here and not yet confirmed by the server.
    pub pending: bool,
}

/// A column the Properties tab sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum PropertySort {
    #[default]
    Name,
    Format,
}

/// One property of a customer, as the User Details list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub struct ProfilePropertyView {
    pub property_id: PropertyId,
    pub name: String,
    pub format: PropertyFormat,
    pub choices: Vec<String>,
    /// The value in the format's canonical spelling (dates as `YYYY-MM-DD`).
    pub value: String,
    /// Set here and not yet confirmed by the server.
    pub pending: bool,
}

/// One profile's value of one property, in the format's canonical spelling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyValue {
    pub profile_id: ProfileId,
    pub property_id: PropertyId,
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_bounded_in_length_like_any_value() {
        let n = PropertyFormat::Number;
        assert_eq!(n.normalize(" 12.5 ", &[]), Ok("12.5".to_string()));
        let longest = format!("0.{}", "1".repeat(MAX_NUMBER_LEN - 2));
        assert_eq!(n.normalize(&longest, &[]), Ok(longest.clone()));
        let zeros = format!("0.{}1", "0".repeat(1_000_000));
        let refused = n.normalize(&zeros, &[]).unwrap_err();
        assert!(refused.contains("64 characters"), "{refused}");
    }

    #[test]
    fn values_are_checked_against_their_format() {
        let choices = vec!["gold".to_string(), "silver".to_string()];
        assert_eq!(
            PropertyFormat::Number.normalize(" 4.5 ", &[]).unwrap(),
            "4.5"
        );
        assert!(PropertyFormat::Number.normalize("NaN", &[]).is_err());
        assert!(PropertyFormat::Number.normalize("four", &[]).is_err());
        assert_eq!(
            PropertyFormat::Date.normalize("2024-02-29", &[]).unwrap(),
            "2024-02-29"
        );
        assert!(PropertyFormat::Date.normalize("2023-02-29", &[]).is_err());
        assert!(PropertyFormat::Boolean.normalize("yes", &[]).is_err());
        assert_eq!(
            PropertyFormat::Choice.normalize("gold", &choices).unwrap(),
            "gold"
        );
        assert!(PropertyFormat::Choice
            .normalize("bronze", &choices)
            .is_err());
    }

    #[test]
    fn a_choice_property_needs_choices_and_others_have_none() {
        let mut definition = PropertyDefinition {
            id: PropertyId::new(),
            name: "Tier".into(),
            description: String::new(),
            format: PropertyFormat::Choice,
            choices: Vec::new(),
        };
        assert!(definition.validate().is_err());
        definition.choices = vec!["gold".into()];
        assert!(definition.validate().is_ok());
        definition.format = PropertyFormat::Text;
        assert!(definition.validate().is_err());
    }
}
