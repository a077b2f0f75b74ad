//! Member usernames: 5–15 ASCII letters and digits, starting with a letter, unique without
//! regard to case.

use super::{fold_ascii, string_newtype};
use crate::FieldError;

/// A member username as the member typed it (case preserved for display).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);
string_newtype!(Username);

impl Username {
    /// Shortest allowed username.
    pub const MIN_LEN: usize = 5;
    /// Longest allowed username.
    pub const MAX_LEN: usize = 15;

    /// Validates a username: 5–15 of `[A-Za-z0-9]`, first a letter.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        if s.is_empty() {
            return Err(FieldError::new("username", "username_required"));
        }
        let ok = (Self::MIN_LEN..=Self::MAX_LEN).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric())
            && s.as_bytes()[0].is_ascii_alphabetic();
        if ok {
            Ok(Username(s))
        } else {
            Err(FieldError::new("username", "username_invalid"))
        }
    }

    /// The lowercase form used for case-insensitive uniqueness and lookups.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        Username::parse(s).err().map_or("ok", |e| e.code)
    }

    #[test]
    fn length_boundaries() {
        assert_eq!(code("abcd"), "username_invalid");
        assert_eq!(code("abcde"), "ok");
        assert_eq!(code("a23456789012345"), "ok");
        assert_eq!(code("a234567890123456"), "username_invalid");
    }

    #[test]
    fn first_character_must_be_a_letter() {
        assert_eq!(code("1abcde"), "username_invalid");
        assert_eq!(code("Zabc1"), "ok");
    }

    #[test]
    fn only_ascii_letters_and_digits() {
        for bad in [
            "abc_de",
            "abc.de",
            "abc de",
            "abcdé",
            "王小明abcde",
            "abcd-1",
        ] {
            assert_eq!(code(bad), "username_invalid", "{bad}");
        }
        assert_eq!(code(""), "username_required");
        assert_eq!(code("   "), "username_required");
    }

    #[test]
    fn keeps_case_but_compares_canonically() {
        let u = Username::parse(" ＡliceChen ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u.as_str(), "AliceChen");
        assert_eq!(u.canonical(), "alicechen");
        assert_eq!(u.to_string(), "AliceChen");
    }
}
