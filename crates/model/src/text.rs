//! Bounds on the free text that names, descriptions and notes carry.

use crate::validation::check_text;

/// Longest note body or description, in characters.
pub const MAX_LONG_TEXT_LEN: usize = 10_000;

/// A name shown in a list (property, segment, choice): not blank, bounded, no NUL.
pub fn check_label(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("must not be empty".to_string());
    }
    check_text(raw)
}

/// A description or a note: bounded, no NUL (which PostgreSQL cannot store).
pub fn check_long_text(raw: &str) -> Result<String, String> {
    if raw.chars().count() > MAX_LONG_TEXT_LEN {
        return Err(format!("is longer than {MAX_LONG_TEXT_LEN} characters"));
    }
    if raw.contains('\0') {
        return Err("contains a NUL character".to_string());
    }
    Ok(raw.to_string())
}
