use std::fmt;

use email_address::{EmailAddress, Options};
use phonenumber::Mode;
use serde::{Deserialize, Serialize};

use crate::profile::ProfilePatch;

/// Longest email address a mailbox can have (RFC 5321 path limit).
pub const MAX_EMAIL_LEN: usize = 254;
/// Longest name or location, in characters.
pub const MAX_TEXT_LEN: usize = 500;
/// Longest phone number as typed, in characters, before it is normalised.
pub const MAX_PHONE_INPUT_LEN: usize = 64;

/// An editable field of the user details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", ts(export))]
pub enum Field {
    Email,
    FirstName,
    LastName,
    Phone,
    Location,
}

impl Field {
    /// Every editable field, in the order the Details window shows them.
    pub const ALL: [Field; 5] = [
        Self::Email,
        Self::FirstName,
        Self::LastName,
        Self::Phone,
        Self::Location,
    ];

    /// The field's name as the wire spells it.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::FirstName => "firstName",
            Self::LastName => "lastName",
            Self::Phone => "phone",
            Self::Location => "location",
        }
    }

    /// The field named `name` as the wire spells it.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The field's value in a patch, if the patch sets it.
    pub fn of(self, patch: &ProfilePatch) -> Option<&str> {
        match self {
            Self::Email => patch.email.as_deref(),
            Self::FirstName => patch.first_name.as_deref(),
            Self::LastName => patch.last_name.as_deref(),
            Self::Phone => patch.phone.as_deref(),
            Self::Location => patch.location.as_deref(),
        }
    }

    /// Sets this field of `patch` to `value`.
    pub fn set(self, patch: &mut ProfilePatch, value: String) {
        let slot = match self {
            Self::Email => &mut patch.email,
            Self::FirstName => &mut patch.first_name,
            Self::LastName => &mut patch.last_name,
            Self::Phone => &mut patch.phone,
            Self::Location => &mut patch.location,
        };
        *slot = Some(value);
    }

    /// The field's value in a profile.
    pub fn in_profile(self, profile: &crate::Profile) -> &str {
        match self {
            Self::Email => &profile.email,
            Self::FirstName => &profile.first_name,
            Self::LastName => &profile.last_name,
            Self::Phone => &profile.phone,
            Self::Location => &profile.location,
        }
    }

    /// The label the Details window shows for the field.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::FirstName => "first name",
            Self::LastName => "last name",
            Self::Phone => "phone",
            Self::Location => "location",
        }
    }
}

/// Why one field's value was refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "ts", ts(export))]
pub struct FieldError {
    pub field: Field,
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.reason)
    }
}

/// Every field of a change that was refused, each with its reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

/// A patch whose every value passed validation; the phone is in E.164.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidPatch {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub location: Option<String>,
}

impl ProfilePatch {
    /// Checks every field, normalising the email (trimmed) and the phone (E.164); all the refused
    /// fields are reported together.
    pub fn validate(self) -> Result<ValidPatch, ValidationErrors> {
        let mut errors = Vec::new();
        let mut check =
            |field: Field, value: Option<String>, rule: fn(&str) -> Result<String, String>| {
                value.and_then(|v| match rule(&v) {
                    Ok(ok) => Some(ok),
                    Err(reason) => {
                        errors.push(FieldError { field, reason });
                        None
                    }
                })
            };
        let patch = ValidPatch {
            email: check(Field::Email, self.email, normalize_email),
            first_name: check(Field::FirstName, self.first_name, check_text),
            last_name: check(Field::LastName, self.last_name, check_text),
            phone: check(Field::Phone, self.phone, normalize_phone),
            location: check(Field::Location, self.location, check_text),
        };
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(ValidationErrors(errors))
        }
    }
}

/// An email address, trimmed; empty clears the field.
pub fn normalize_email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    if email.len() > MAX_EMAIL_LEN {
        return Err(format!("is longer than {MAX_EMAIL_LEN} characters"));
    }
    let options = Options::default()
        .with_required_tld()
        .without_domain_literal()
        .without_display_text();
    EmailAddress::parse_with_options(email, options)
        .map(|_| email.to_string())
        .map_err(|e| format!("is not a valid email address ({e})"))
}

/// A phone number with its country code, normalised to E.164; empty clears the field.
pub fn normalize_phone(raw: &str) -> Result<String, String> {
    let phone = raw.trim();
    if phone.is_empty() {
        return Ok(String::new());
    }
    if phone.chars().count() > MAX_PHONE_INPUT_LEN {
        return Err(format!("is longer than {MAX_PHONE_INPUT_LEN} characters"));
    }
    let number = phonenumber::parse(None, phone)
        .map_err(|_| "must include its country code, such as +44 20 7946 0958".to_string())?;
    if !number.is_valid() {
        return Err("is not a valid number for its country".to_string());
    }
    Ok(number.format().mode(Mode::E164).to_string())
}

/// Free text (names, location): kept byte for byte, bounded in length.
pub fn check_text(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_TEXT_LEN {
        return Err(format!("is longer than {MAX_TEXT_LEN} characters"));
    }
    if raw.contains('\0') {
        return Err("contains a NUL character".to_string());
    }
    Ok(raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_name_is_spelt_as_the_wire_spells_it() {
        for field in Field::ALL {
            assert_eq!(serde_json::to_value(field).unwrap(), field.as_str());
            assert_eq!(Field::parse(field.as_str()), Some(field));
        }
        assert_eq!(Field::parse("first_name"), None);
        let patch = ProfilePatch {
            location: Some("Quito".into()),
            ..Default::default()
        };
        assert_eq!(Field::Location.of(&patch), Some("Quito"));
        assert_eq!(Field::Email.of(&patch), None);
    }

    fn phone_patch(phone: &str) -> ProfilePatch {
        ProfilePatch {
            phone: Some(phone.to_string()),
            ..Default::default()
        }
    }

    #[test]
    fn a_phone_is_normalised_to_e164() {
        let ok = phone_patch(" +44 20 7946 0958 ").validate().unwrap();
        assert_eq!(ok.phone.as_deref(), Some("+442079460958"));
        let ok = phone_patch("+1 (415) 555-2671").validate().unwrap();
        assert_eq!(ok.phone.as_deref(), Some("+14155552671"));
    }

    #[test]
    fn a_phone_without_country_code_names_the_field_and_the_reason() {
        let err = phone_patch("12345").validate().unwrap_err();
        assert_eq!(err.0.len(), 1);
        assert_eq!(err.0[0].field, Field::Phone);
        assert!(err.0[0].reason.contains("country code"), "{}", err);
    }

    #[test]
    fn a_phone_that_is_not_a_number_of_its_country_is_refused() {
        let err = phone_patch("+44 12").validate().unwrap_err();
        assert_eq!(err.0[0].field, Field::Phone);
    }

    #[test]
    fn an_empty_value_clears_the_field() {
        let ok = ProfilePatch {
            email: Some(String::new()),
            phone: Some("  ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.email.as_deref(), Some(""));
        assert_eq!(ok.phone.as_deref(), Some(""));
    }

    #[test]
    fn emails_are_checked_and_trimmed() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@localhost",
            "Ada <ada@example.com>",
            "a b@example.com",
        ] {
            let err = ProfilePatch {
                email: Some(bad.into()),
                ..Default::default()
            }
            .validate()
            .unwrap_err();
            assert_eq!(err.0[0].field, Field::Email, "{bad}");
        }
        let ok = ProfilePatch {
            email: Some(" ada@example.com ".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.email.as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn every_refused_field_is_reported_at_once() {
        let err = ProfilePatch {
            email: Some("nope".into()),
            first_name: Some("x".repeat(MAX_TEXT_LEN + 1)),
            phone: Some("nope".into()),
            location: Some("Berlin".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let fields: Vec<Field> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec![Field::Email, Field::FirstName, Field::Phone]);
        assert!(err
            .to_string()
            .starts_with("email: is not a valid email address"));
    }

    #[test]
    fn names_are_kept_byte_for_byte() {
        let name = "  Zoë \u{202e}Ñ  ";
        let ok = ProfilePatch {
            first_name: Some(name.into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(ok.first_name.as_deref(), Some(name));
    }
}
