//! Case numbers people can read aloud at a counter: the type's prefix, the ROC year the case
//! was opened in and a six-digit sequence per prefix and year (報備-115-000123).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The ROC year is the Gregorian year minus 1911.
const ROC_OFFSET: i32 = 1911;

/// A case number: `PREFIX-YYY-NNNNNN`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CaseNumber {
    prefix: String,
    roc_year: u16,
    seq: u32,
}

/// A string that is not a case number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("apply_case_number_invalid")]
pub struct BadCaseNumber;

impl CaseNumber {
    /// The largest sequence a year holds.
    pub const MAX_SEQ: u32 = 999_999;

    /// The number `seq` of `prefix` for a case opened on `date` (a date in Asia/Taipei).
    /// `None` when the sequence is out of range or the date is before ROC year 1.
    pub fn new(prefix: &str, date: time::Date, seq: u32) -> Option<Self> {
        let roc_year = u16::try_from(date.year() - ROC_OFFSET).ok()?;
        (roc_year >= 1 && (1..=Self::MAX_SEQ).contains(&seq) && valid_prefix(prefix)).then(|| {
            CaseNumber {
                prefix: prefix.to_owned(),
                roc_year,
                seq,
            }
        })
    }

    /// Reads `報備-115-000123`; the sequence must have six digits and the year two or three.
    pub fn parse(input: &str) -> Result<Self, BadCaseNumber> {
        let s = input.trim();
        let mut parts = s.rsplitn(3, '-');
        let (Some(seq), Some(year), Some(prefix)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(BadCaseNumber);
        };
        let digits = |p: &str, lens: std::ops::RangeInclusive<usize>| {
            lens.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(seq, 6..=6) || !digits(year, 2..=3) || !valid_prefix(prefix) {
            return Err(BadCaseNumber);
        }
        let seq: u32 = seq.parse().map_err(|_| BadCaseNumber)?;
        let roc_year: u16 = year.parse().map_err(|_| BadCaseNumber)?;
        if seq == 0 || roc_year == 0 {
            return Err(BadCaseNumber);
        }
        Ok(CaseNumber {
            prefix: prefix.to_owned(),
            roc_year,
            seq,
        })
    }

    /// The type's prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The ROC year the case was opened in.
    pub fn roc_year(&self) -> u16 {
        self.roc_year
    }

    /// The sequence within prefix and year.
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

fn valid_prefix(p: &str) -> bool {
    let n = p.chars().count();
    (1..=8).contains(&n)
        && !p
            .chars()
            .any(|c| c == '-' || c.is_whitespace() || c.is_control())
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:03}-{:06}", self.prefix, self.roc_year, self.seq)
    }
}

impl Serialize for CaseNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CaseNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CaseNumber::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn numbers_read_like_the_counter_says_them() {
        let n = CaseNumber::new("報備", date!(2026 - 12 - 07), 123).unwrap();
        assert_eq!(n.to_string(), "報備-115-000123");
        assert_eq!(CaseNumber::parse("報備-115-000123").unwrap(), n);
        assert_eq!(CaseNumber::parse(" 報備-115-000123 ").unwrap(), n);
        // Before ROC year 100 the year has three digits too, as on ROC forms.
        let old = CaseNumber::new("保障", date!(2005 - 01 - 01), 1).unwrap();
        assert_eq!(old.to_string(), "保障-094-000001");
        assert_eq!(CaseNumber::parse("保障-94-000001").unwrap(), old);
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for bad in [
            "",
            "報備",
            "報備-115",
            "報備-115-123",
            "報備-115-0001234",
            "報備-115-000000",
            "報備-1150-000001",
            "-115-000001",
            "報 備-115-000001",
            "報備-11a-000001",
            "報備-115-00012３",
        ] {
            assert_eq!(CaseNumber::parse(bad), Err(BadCaseNumber), "{bad}");
        }
        assert!(CaseNumber::new("報備", date!(2026 - 01 - 01), 0).is_none());
        assert!(CaseNumber::new("報備", date!(2026 - 01 - 01), 1_000_000).is_none());
        assert!(CaseNumber::new("a-b", date!(2026 - 01 - 01), 1).is_none());
    }

    #[test]
    fn numbers_sort_by_prefix_year_then_sequence() {
        let a = CaseNumber::parse("報備-114-999999").unwrap();
        let b = CaseNumber::parse("報備-115-000001").unwrap();
        assert!(a < b);
        let json = serde_json_roundtrip(&b);
        assert_eq!(json, b);
    }

    fn serde_json_roundtrip(n: &CaseNumber) -> CaseNumber {
        let s = serde_json::to_string(n).unwrap();
        assert_eq!(s, "\"報備-115-000001\"");
        serde_json::from_str(&s).unwrap()
    }
}
