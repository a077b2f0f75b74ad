//! Telephone numbers: Taiwanese mobiles (`09` + 8 digits) and landlines with an optional
//! extension, stored canonically as `0212345678` or `0212345678#123`.

use super::{fold_ascii, string_newtype};
use crate::FieldError;

/// A Taiwanese mobile number, canonically ten digits starting with `09`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);
string_newtype!(Mobile);

/// A Taiwanese landline: area code and number as digits, then `#` and the extension if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Landline(String);
string_newtype!(Landline);

/// Removes the separators people type inside numbers and turns the +886 country code into
/// the domestic trunk prefix 0. Returns `None` if anything but digits remains.
fn digits_only(s: &str) -> Option<String> {
    let mut out: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.' | '\u{2010}'..='\u{2015}'))
        .collect();
    if let Some(rest) = out
        .strip_prefix("+886")
        .or_else(|| out.strip_prefix("00886"))
    {
        out = format!("0{}", rest.strip_prefix('0').unwrap_or(rest));
    }
    (!out.is_empty() && out.bytes().all(|b| b.is_ascii_digit())).then_some(out)
}

impl Mobile {
    /// Validates a mobile number, accepting `0912-345-678`, `0912 345 678` and `+886 912…`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        if s.is_empty() {
            return Err(FieldError::new("mobile", "mobile_required"));
        }
        match digits_only(&s) {
            Some(d) if d.len() == 10 && d.starts_with("09") => Ok(Mobile(d)),
            _ => Err(FieldError::new("mobile", "mobile_invalid")),
        }
    }

    /// The number with the middle hidden, for display: "0912***678".
    pub fn masked(&self) -> String {
        format!("{}***{}", &self.0[..4], &self.0[7..])
    }
}

/// Markers that introduce an extension, longest first so "ext." wins over "x".
const EXTENSION_MARKERS: [&str; 7] = ["分機", "ext.", "ext", "轉", "#", "x", ","];

impl Landline {
    /// Longest extension accepted.
    pub const MAX_EXTENSION: usize = 6;

    /// Validates a landline. Accepts the seed's `0212345678`, `02-1234-5678`,
    /// `(02)1234-5678 #123`, `02 12345678 分機 123`, `+886-2-1234-5678 ext. 9`.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input).to_ascii_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("landline", "landline_required"));
        }
        let invalid = FieldError::new("landline", "landline_invalid");
        let split = EXTENSION_MARKERS
            .iter()
            .filter_map(|m| s.find(m).map(|at| (at, m.len())))
            .min_by_key(|&(at, len)| (at, usize::MAX - len));
        let (main, ext) = match split {
            Some((at, len)) => (&s[..at], Some(&s[at + len..])),
            None => (s.as_str(), None),
        };
        let number = digits_only(main).ok_or(invalid)?;
        let b = number.as_bytes();
        let len_ok = match number.get(..2) {
            Some("02") => b.len() == 10,
            _ => b.len() == 9 || b.len() == 10,
        };
        if !len_ok || b[0] != b'0' || !(b'2'..=b'8').contains(&b[1]) {
            return Err(invalid);
        }
        match ext {
            None => Ok(Landline(number)),
            Some(ext) => {
                let ext = digits_only(ext).ok_or(invalid)?;
                if ext.len() > Self::MAX_EXTENSION {
                    return Err(invalid);
                }
                Ok(Landline(format!("{number}#{ext}")))
            }
        }
    }

    /// The area code and number, without the extension.
    pub fn number(&self) -> &str {
        self.0.split('#').next().unwrap_or(&self.0)
    }

    /// The extension, if any.
    pub fn extension(&self) -> Option<&str> {
        self.0.split_once('#').map(|(_, ext)| ext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mobile(s: &str) -> Result<String, &'static str> {
        Mobile::parse(s).map(String::from).map_err(|e| e.code)
    }

    fn landline(s: &str) -> Result<String, &'static str> {
        Landline::parse(s).map(String::from).map_err(|e| e.code)
    }

    #[test]
    fn mobiles_in_common_forms() {
        for ok in [
            "0911123456",
            "0911-123-456",
            "0911 123 456",
            "+886 911 123 456",
            "+886-0911123456",
            "０９１１１２３４５６",
        ] {
            assert_eq!(mobile(ok), Ok("0911123456".into()), "{ok}");
        }
        assert_eq!(Mobile::parse("0911123456").unwrap().masked(), "0911***456");
    }

    #[test]
    fn mobiles_rejected() {
        for bad in [
            "091112345",
            "09111234567",
            "0211123456",
            "0911a23456",
            "911123456",
        ] {
            assert_eq!(mobile(bad), Err("mobile_invalid"), "{bad}");
        }
        assert_eq!(mobile(" "), Err("mobile_required"));
    }

    #[test]
    fn landlines_normalised() {
        let cases = [
            ("0212345678", "0212345678"),
            ("02-1234-5678", "0212345678"),
            ("(02)1234-5678 #123", "0212345678#123"),
            ("(02) 2192-7111 分機 12345", "0221927111#12345"),
            ("0212345678 分機 12345", "0212345678#12345"),
            ("+886-2-1234-5678 ext. 9", "0212345678#9"),
            ("07-123-4567 x 88", "071234567#88"),
            ("049-2123456", "0492123456"),
            ("0836-22345", "083622345"),
            ("(02)3393-0708", "0233930708"),
        ];
        for (input, want) in cases {
            assert_eq!(landline(input), Ok(want.into()), "{input}");
        }
        let l = Landline::parse("(02)1234-5678#123").unwrap();
        assert_eq!(l.number(), "0212345678");
        assert_eq!(l.extension(), Some("123"));
        assert_eq!(Landline::parse("0212345678").unwrap().extension(), None);
    }

    #[test]
    fn landlines_rejected() {
        for bad in [
            "021234567",
            "02123456789",
            "0912345678",
            "1212345678",
            "0212345678#",
            "0212345678#1234567",
            "0212345678 分機 abc",
            "02-1234-567a",
            "02#123",
        ] {
            assert_eq!(landline(bad), Err("landline_invalid"), "{bad}");
        }
        assert_eq!(landline(""), Err("landline_required"));
    }
}
