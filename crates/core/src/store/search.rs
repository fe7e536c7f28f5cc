//! Turning what the manager typed in the search box into a query on name, email and phone.

/// A phone-like term also matches phones by its digits when it has at least this many.
pub const PHONE_DIGITS_MIN: usize = 3;

/// How one search term is matched in SQL, where the in-memory index is not ready to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPlan {
    /// Nothing typed: everyone matches.
    Everyone,
    /// Regular expressions for SQLite's `REGEXP`, each matching its text literally: `term` in
    /// any case (Unicode's) in the full name, the email or the phone, or for a term that looks
    /// like a phone number `phone_digits` in the phone.
    Matching {
        term: String,
        phone_digits: Option<String>,
    },
}

/// Plans the search for `raw`, matched as a case-insensitive substring of the full name, the
/// email or the phone. A query that looks like a phone number also matches phones by its digits,
/// so "7946 0958" finds "+442079460958".
pub fn plan(raw: &str) -> SearchPlan {
    let term = raw.trim();
    if term.is_empty() {
        return SearchPlan::Everyone;
    }
    SearchPlan::Matching {
        term: format!("(?i){}", regex::escape(term)),
        phone_digits: phone_digits(term)
            .filter(|d| d.len() >= PHONE_DIGITS_MIN && d != term)
            .map(|d| regex::escape(&d)),
    }
}

/// What the in-memory index looks for: the term case-folded, and for a term that looks like a
/// phone number its digits, matched in the phone alone. The same terms as [`plan`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needles {
    pub text: Vec<u8>,
    pub phone_digits: Option<Vec<u8>>,
}

/// The needles for `raw`, or `None` when nothing was typed.
pub fn needles(raw: &str) -> Option<Needles> {
    let term = raw.trim();
    if term.is_empty() {
        return None;
    }
    let phone_digits = phone_digits(term)
        .filter(|d| d.len() >= PHONE_DIGITS_MIN && d != term)
        .map(String::into_bytes);
    Some(Needles {
        text: fold(term).into_bytes(),
        phone_digits,
    })
}

/// Case folding for substring search, one character at a time, so that folding a substring
/// gives a substring of the folded whole.
pub fn fold(text: &str) -> String {
    let mut folded = Vec::with_capacity(text.len());
    fold_into(text, &mut folded);
    String::from_utf8(folded).unwrap_or_default()
}

/// Appends `text` folded as [`fold`] does to `out` (UTF-8).
pub fn fold_into(text: &str, out: &mut Vec<u8>) {
    if text.is_ascii() {
        out.extend(text.bytes().map(|b| b.to_ascii_lowercase()));
        return;
    }
    let mut buffer = [0; 4];
    for c in text.chars().flat_map(char::to_lowercase) {
        out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
    }
}

/// The digits of a term made only of digits and the punctuation people put in phone numbers.
fn phone_digits(term: &str) -> Option<String> {
    let is_phone_like = term
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/'));
    let digits: String = term.chars().filter(char::is_ascii_digit).collect();
    (is_phone_like && !digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_search_matches_everyone() {
        assert_eq!(plan("   "), SearchPlan::Everyone);
    }

    #[test]
    fn a_term_is_matched_literally_in_any_case() {
        let matching = |term: &str| SearchPlan::Matching {
            term: term.into(),
            phone_digits: None,
        };
        assert_eq!(plan(" a.b "), matching("(?i)a\\.b"));
        assert_eq!(plan("(?-i)x|y*"), matching("(?i)\\(\\?\\-i\\)x\\|y\\*"));
        assert_eq!(plan("%_\\"), matching("(?i)%_\\\\"));
    }

    #[test]
    fn folding_keeps_substrings_substrings() {
        // Whole-string lowercasing would turn the final sigma of "ΑΣ" into ς but not the one
        // inside "ΑΣΑ"; folding each character alone keeps the substring.
        assert!(fold("ΑΣΑ").contains(&fold("ΑΣ")));
        assert_eq!(fold("SOFÍA İ"), "sofía i\u{307}");
    }

    #[test]
    fn needles_carry_phone_digits_only_for_phone_like_terms() {
        let n = needles(" 7946 0958 ").unwrap();
        assert_eq!(n.text, b"7946 0958");
        assert_eq!(n.phone_digits.as_deref(), Some(&b"79460958"[..]));
        assert_eq!(needles("0958").unwrap().phone_digits, None);
        assert_eq!(needles("Ana 12").unwrap().phone_digits, None);
        assert_eq!(needles("  "), None);
    }

    #[test]
    fn a_phone_like_term_also_matches_phone_digits() {
        assert_eq!(
            plan("+1 (555) 0958"),
            SearchPlan::Matching {
                term: "(?i)\\+1 \\(555\\) 0958".into(),
                phone_digits: Some("15550958".into()),
            }
        );
        assert_eq!(
            plan("0958"),
            SearchPlan::Matching {
                term: "(?i)0958".into(),
                phone_digits: None,
            }
        );
    }
}
