//! Taiwanese national ID numbers (身分證字號) and resident certificate numbers (居留證統一證號),
//! both the new format (A800000014) and the old one (AB12345678), with their check digits.

use super::{fold_ascii, string_newtype};
use crate::FieldError;
use serde::Serialize;

/// A checksum-valid national ID or resident certificate number, in uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NationalId(String);
string_newtype!(NationalId);

/// Which numbering scheme a [`NationalId`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NationalIdKind {
    /// National ID number of a citizen: a letter, 1 or 2, eight digits.
    Citizen,
    /// Resident certificate number since 2021: a letter, 8 or 9, eight digits.
    ResidentNew,
    /// Resident certificate number before 2021: two letters, eight digits.
    ResidentOld,
}

impl NationalIdKind {
    /// Stable machine name: "citizen", "resident_new", "resident_old".
    pub fn as_str(self) -> &'static str {
        match self {
            NationalIdKind::Citizen => "citizen",
            NationalIdKind::ResidentNew => "resident_new",
            NationalIdKind::ResidentOld => "resident_old",
        }
    }
}

/// Numeric codes of the leading letter (area of first registration), A=10 … Z=33.
fn letter_code(b: u8) -> Option<u32> {
    const CODES: [u32; 26] = [
        10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32,
        30, 31, 33,
    ];
    b.is_ascii_uppercase().then(|| CODES[usize::from(b - b'A')])
}

fn digit(b: u8) -> u32 {
    u32::from(b - b'0')
}

/// Weighted sum of the letter code (weights 1, 9) plus eight middle values (weights 8…1)
/// plus the check digit; valid numbers sum to a multiple of ten.
fn checksum_ok(first: u32, middle: [u32; 8], check: u32) -> bool {
    let mut sum = first / 10 + (first % 10) * 9 + check;
    for (i, v) in middle.iter().enumerate() {
        sum += v * (8 - i as u32);
    }
    sum.is_multiple_of(10)
}

impl NationalId {
    /// Validates format and check digit; letters are uppercased, spaces and full-width forms
    /// folded.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s: String = fold_ascii(input).to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new("national_id", "national_id_required"));
        }
        let invalid = FieldError::new("national_id", "national_id_invalid");
        let b = s.as_bytes();
        if b.len() != 10 || !b[2..].iter().all(u8::is_ascii_digit) {
            return Err(invalid);
        }
        let first = letter_code(b[0]).ok_or(invalid)?;
        let mut middle = [0u32; 8];
        if b[1].is_ascii_digit() {
            if !matches!(b[1], b'1' | b'2' | b'8' | b'9') {
                return Err(invalid);
            }
            for (m, &d) in middle.iter_mut().zip(&b[1..9]) {
                *m = digit(d);
            }
        } else {
            // Old resident format: the second letter (A–D) counts as its code's last digit.
            if !matches!(b[1], b'A'..=b'D') {
                return Err(invalid);
            }
            middle[0] = letter_code(b[1]).ok_or(invalid)? % 10;
            for (m, &d) in middle[1..].iter_mut().zip(&b[2..9]) {
                *m = digit(d);
            }
        }
        if checksum_ok(first, middle, digit(b[9])) {
            Ok(NationalId(s))
        } else {
            Err(FieldError::new("national_id", "national_id_checksum"))
        }
    }

    /// Which scheme this number follows.
    pub fn kind(&self) -> NationalIdKind {
        match self.0.as_bytes()[1] {
            b'1' | b'2' => NationalIdKind::Citizen,
            b'8' | b'9' => NationalIdKind::ResidentNew,
            _ => NationalIdKind::ResidentOld,
        }
    }

    /// The last four characters, for masked display ("******6789").
    pub fn last4(&self) -> &str {
        &self.0[self.0.len() - 4..]
    }

    /// The number with the middle hidden, for display: "A*****6789".
    pub fn masked(&self) -> String {
        format!("{}*****{}", &self.0[..1], self.last4())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        NationalId::parse(s).err().map_or("ok", |e| e.code)
    }

    #[test]
    fn citizen_numbers() {
        assert_eq!(code("A123456789"), "ok");
        assert_eq!(code("a123456789"), "ok");
        assert_eq!(code("F131104093"), "ok");
        assert_eq!(code("A223456781"), "ok");
        let id = NationalId::parse(" a123456789 ").unwrap();
        assert_eq!(id.as_str(), "A123456789");
        assert_eq!(id.kind(), NationalIdKind::Citizen);
        assert_eq!(id.last4(), "6789");
        assert_eq!(id.masked(), "A*****6789");
    }

    #[test]
    fn citizen_bad_checksums() {
        for bad in ["A123456788", "A123456780", "B123456789", "A223456789"] {
            assert_eq!(code(bad), "national_id_checksum", "{bad}");
        }
    }

    #[test]
    fn resident_new_format() {
        assert_eq!(code("A800000014"), "ok");
        assert_eq!(code("A900000016"), "ok");
        let id = NationalId::parse("a800000014").unwrap();
        assert_eq!(id.kind(), NationalIdKind::ResidentNew);
        for bad in ["A800000015", "A800000010", "A900000014"] {
            assert_eq!(code(bad), "national_id_checksum", "{bad}");
        }
    }

    #[test]
    fn resident_old_format() {
        assert_eq!(code("AC01234567"), "ok");
        assert_eq!(code("FA12345689"), "ok");
        let id = NationalId::parse("ac01234567").unwrap();
        assert_eq!(id.kind(), NationalIdKind::ResidentOld);
        assert_eq!(id.last4(), "4567");
        for bad in ["AC01234568", "FA12345688", "AB12345678"] {
            assert_eq!(code(bad), "national_id_checksum", "{bad}");
        }
        assert_eq!(code("AE12345678"), "national_id_invalid");
    }

    #[test]
    fn malformed_numbers() {
        for bad in [
            "A12345678",
            "A1234567890",
            "1123456789",
            "A323456789",
            "A12345678X",
            "AA1234567X",
            "A-23456789",
            "王123456789",
        ] {
            assert_eq!(code(bad), "national_id_invalid", "{bad}");
        }
        assert_eq!(code(""), "national_id_required");
    }
}
