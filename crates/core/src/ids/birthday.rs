//! Dates of birth as calendar dates (`YYYY-MM-DD`), with the forms people use in passwords
//! (including Republic of China years) for the password policy's personal-data check.

use super::fold_ascii;
use crate::FieldError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A valid calendar date between 1900-01-01 and 2199-12-31. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Birthday {
    year: u16,
    month: u8,
    day: u8,
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl Birthday {
    /// Parses `YYYY-MM-DD` (also `YYYY/MM/DD`); rejects impossible dates such as 2023-02-29.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        if s.is_empty() {
            return Err(FieldError::new("birthday", "birthday_required"));
        }
        let invalid = FieldError::new("birthday", "birthday_invalid");
        let parts: Vec<&str> = s.split(['-', '/']).collect();
        let [y, m, d] = parts[..] else {
            return Err(invalid);
        };
        let num = |p: &str, len: usize| {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse::<u16>().ok())
                .flatten()
        };
        let (Some(year), Some(month), Some(day)) = (num(y, 4), num(m, 2), num(d, 2)) else {
            return Err(invalid);
        };
        let (month, day) = (month as u8, day as u8);
        if !(1900..=2199).contains(&year) || day == 0 || day > days_in_month(year, month) {
            return Err(invalid);
        }
        Ok(Birthday { year, month, day })
    }

    /// Builds a date from parts, if it is valid.
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Option<Self> {
        Self::parse(&format!("{year:04}-{month:02}-{day:02}")).ok()
    }

    /// Gregorian year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// Month, 1–12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Day of month, 1–31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Year of the Republic of China calendar (民國), `None` before 1912.
    pub fn roc_year(&self) -> Option<u16> {
        self.year.checked_sub(1911).filter(|&y| y > 0)
    }

    /// `YYYY-MM-DD`.
    pub fn as_string(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Strings that, found in a password, give the birthday away: 19900101, 1990-01-01,
    /// 1990/01/01, 01011990, 900101, 0101, and ROC forms 0790101, 790101, 79/01/01.
    pub fn password_forms(&self) -> Vec<String> {
        let (y, m, d) = (self.year, self.month, self.day);
        let mut forms = vec![
            format!("{y:04}{m:02}{d:02}"),
            format!("{y:04}-{m:02}-{d:02}"),
            format!("{y:04}/{m:02}/{d:02}"),
            format!("{y:04}.{m:02}.{d:02}"),
            format!("{m:02}{d:02}{y:04}"),
            format!("{d:02}{m:02}{y:04}"),
            format!("{:02}{m:02}{d:02}", y % 100),
            format!("{m:02}{d:02}"),
        ];
        if let Some(r) = self.roc_year() {
            forms.push(format!("{r:03}{m:02}{d:02}"));
            forms.push(format!("{r}{m:02}{d:02}"));
            forms.push(format!("{r}/{m:02}/{d:02}"));
            forms.push(format!("{r}-{m:02}-{d:02}"));
            forms.push(format!("{r}.{m:02}.{d:02}"));
        }
        forms.sort();
        forms.dedup();
        forms
    }
}

impl std::fmt::Display for Birthday {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Birthday {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::parse(s)
    }
}

impl Serialize for Birthday {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Birthday {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> &'static str {
        Birthday::parse(s).err().map_or("ok", |e| e.code)
    }

    #[test]
    fn parses_and_orders_dates() {
        let b = Birthday::parse("1990-01-31").unwrap();
        assert_eq!((b.year(), b.month(), b.day()), (1990, 1, 31));
        assert_eq!(b.to_string(), "1990-01-31");
        assert_eq!(Birthday::parse("1990/01/31").unwrap(), b);
        assert_eq!(b.roc_year(), Some(79));
        assert!(Birthday::parse("2000-02-29").unwrap() > b);
        assert_eq!(Birthday::from_ymd(1990, 1, 31), Some(b));
    }

    #[test]
    fn rejects_impossible_or_malformed_dates() {
        for bad in [
            "1990-02-30",
            "2023-02-29",
            "1900-02-29",
            "1990-13-01",
            "1990-00-10",
            "1990-1-1",
            "90-01-01",
            "1899-12-31",
            "19900101",
            "1990-01-01-01",
            "abcd-ef-gh",
        ] {
            assert_eq!(code(bad), "birthday_invalid", "{bad}");
        }
        assert_eq!(code(""), "birthday_required");
    }

    #[test]
    fn password_forms_include_roc_years() {
        let forms = Birthday::parse("1990-01-01").unwrap().password_forms();
        for f in [
            "19900101", "900101", "0101", "0790101", "790101", "79/01/01", "01011990",
        ] {
            assert!(forms.iter().any(|x| x == f), "{f} missing");
        }
        let young = Birthday::parse("2012-03-04").unwrap().password_forms();
        assert!(young.iter().any(|x| x == "1010304"));
        let old = Birthday::parse("1905-03-04").unwrap();
        assert_eq!(old.roc_year(), None);
    }
}
