//! A person's name as written on their documents: any Unicode, including CJK Extension B
//! characters such as 𡘙 that Big5 systems turn into `?`, kept exactly as typed.

use super::string_newtype;
use crate::FieldError;

/// A trimmed name of 1–50 Unicode scalar values without control or bidi-override characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);
string_newtype!(PersonName);

impl PersonName {
    /// Longest name in characters (Unicode scalar values, not bytes).
    pub const MAX_CHARS: usize = 50;

    /// Validates a name. Only surrounding whitespace is removed; the characters themselves
    /// are never altered or normalised.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(FieldError::new("name", "name_required"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("name", "name_too_long"));
        }
        let forbidden = |c: char| {
            c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FFFD}')
        };
        if s.chars().any(forbidden) {
            return Err(FieldError::new("name", "name_invalid"));
        }
        Ok(PersonName(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        PersonName::parse(s).err().map_or("ok", |e| e.code)
    }

    #[test]
    fn extension_b_characters_survive_untouched() {
        let n = PersonName::parse(" 王𡘙明 ").unwrap();
        assert_eq!(n.as_str(), "王𡘙明");
        assert_eq!(n.as_str().chars().nth(1), Some('\u{21619}'));
        let n = PersonName::parse("堦涂 Ｌｉｎ").unwrap();
        assert_eq!(n.as_str(), "堦涂 Ｌｉｎ");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        let fifty = "𡘙".repeat(50);
        assert_eq!(fifty.len(), 200);
        assert_eq!(code(&fifty), "ok");
        assert_eq!(code(&"𡘙".repeat(51)), "name_too_long");
        assert_eq!(code("王"), "ok");
        assert_eq!(code(&"a".repeat(51)), "name_too_long");
    }

    #[test]
    fn rejects_blank_and_control_characters() {
        assert_eq!(code(""), "name_required");
        assert_eq!(code(" \t "), "name_required");
        assert_eq!(code("王\n小明"), "name_invalid");
        assert_eq!(code("王\u{0}小明"), "name_invalid");
        assert_eq!(code("abc\u{202E}def"), "name_invalid");
        assert_eq!(code("Mary Ann O'Neil-Smith"), "ok");
    }
}
