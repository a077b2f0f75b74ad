//! Dates as people in Taiwan write them on forms: Republic of China (民國) years in every
//! common spelling (「66年2月3日」, 「066/02/03」, 「0660203」, 「民國66年2月3日」) as well as
//! Gregorian dates (「1977-02-03」), the forms they are shown in, and inclusive date ranges
//! (e.g. a 支援期間) with their overlap.
//!
//! The year decides the calendar: 1–3 digits is an ROC year (plus 1911), 4 digits is a
//! Gregorian year. A compact date of 7 digits is ROC (`yyymmdd`) and one of 8 digits is
//! Gregorian (`yyyymmdd`); 6 digits (`660203`) is refused as ambiguous.

use crate::ids::fold_ascii;
use time::{Date, Month};

/// The ROC year is the Gregorian year minus 1911 (民國元年 = 1912).
const ROC_OFFSET: i32 = 1911;

/// First Gregorian year [`parse_date`] accepts (民國元年).
pub const FIRST_YEAR: i32 = 1912;

/// Last Gregorian year [`parse_date`] accepts (民國289年).
pub const LAST_YEAR: i32 = 2200;

const REQUIRED: &str = "apply_date_required";
const INVALID: &str = "apply_date_invalid";
const IMPOSSIBLE: &str = "apply_date_impossible";
const OUT_OF_RANGE: &str = "apply_date_out_of_range";
const REVERSED: &str = "apply_date_range_reversed";

/// Reads a date typed in any of the accepted forms (full-width digits and the ideographic
/// space are folded first):
///
/// * ROC, separated: `66/2/3`, `66-2-3`, `66.2.3`, `066/02/03`, `115/12/31`;
/// * ROC, Chinese: `66年2月3日`, `066年02月03日`, `民國66年2月3日`, with optional spaces
///   (the final 日 may be left out);
/// * ROC, compact: `0660203`, `1150203` (exactly 7 digits);
/// * Gregorian: `1977-02-03`, `1977/2/3`, `1977年2月3日`, `19770203` (exactly 8 digits).
///
/// A leading 「民國」 or 「中華民國」 marks the year as ROC, so a 4-digit year after it is refused.
///
/// Errors: `apply_date_required` (blank), `apply_date_invalid` (not a date in any accepted
/// form), `apply_date_out_of_range` (outside [`FIRST_YEAR`]..=[`LAST_YEAR`], including ROC
/// year 0), `apply_date_impossible` (no such day, such as 2月30日 or 115/02/29).
pub fn parse_date(input: &str) -> Result<Date, &'static str> {
    let folded = fold_ascii(input);
    if folded.is_empty() {
        return Err(REQUIRED);
    }
    let (roc_marked, rest) = strip_era(&folded);
    let (year, month, day) = split_parts(rest).ok_or(INVALID)?;
    let digits = |p: &str, max_len: usize| {
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u16>().ok())
            .flatten()
    };
    let (Some(y), Some(m), Some(d)) = (digits(year, 4), digits(month, 2), digits(day, 2)) else {
        return Err(INVALID);
    };
    let year = match year.len() {
        1..=3 => i32::from(y) + ROC_OFFSET,
        4 if !roc_marked => i32::from(y),
        _ => return Err(INVALID),
    };
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return Err(OUT_OF_RANGE);
    }
    let month = u8::try_from(m)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or(IMPOSSIBLE)?;
    let day = u8::try_from(d).map_err(|_| IMPOSSIBLE)?;
    Date::from_calendar_date(year, month, day).map_err(|_| IMPOSSIBLE)
}

/// Strips a leading 「中華民國」/「民國」 (or the simplified 民国); says whether there was one.
fn strip_era(s: &str) -> (bool, &str) {
    for era in ["中華民國", "中华民国", "民國", "民国"] {
        if let Some(rest) = s.strip_prefix(era) {
            return (true, rest.trim_start());
        }
    }
    (false, s)
}

/// Splits a date into its year, month and day digits (not yet checked to be digits).
fn split_parts(s: &str) -> Option<(&str, &str, &str)> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return match s.len() {
            7 => Some((s.get(..3)?, s.get(3..5)?, s.get(5..)?)),
            8 => Some((s.get(..4)?, s.get(4..6)?, s.get(6..)?)),
            _ => None,
        };
    }
    if s.contains('年') {
        let (y, rest) = s.split_once('年')?;
        let (m, rest) = rest.split_once('月')?;
        let rest = rest.trim();
        let d = rest
            .strip_suffix('日')
            .or_else(|| rest.strip_suffix('號'))
            .unwrap_or(rest);
        return Some((y.trim(), m.trim(), d.trim()));
    }
    // One separator, used twice: 66/2/3, 66-2-3, 66.2.3 (not 66/2-3).
    let sep = s.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = s.split(sep).map(str::trim);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d), None) => Some((y, m, d)),
        _ => None,
    }
}

fn roc_year(d: Date) -> i32 {
    d.year() - ROC_OFFSET
}

/// The date in ROC form as shown on pages and documents: 「66年02月03日」, 「115年12月31日」.
/// Dates before 1912 are written 「民國前1年12月31日」 (1911-12-31).
pub fn roc(d: Date) -> String {
    let (month, day) = (u8::from(d.month()), d.day());
    match roc_year(d) {
        year if year >= 1 => format!("{year}年{month:02}月{day:02}日"),
        year => format!("民國前{}年{month:02}月{day:02}日", 1 - year),
    }
}

/// The 7-digit compact ROC form used by government systems: `0660203`, `1150203`. ROC years
/// outside 1–999 (dates before 1912 or after 2910) have no such form and are written as
/// [`iso`] instead, so that they are never read back as a different date.
pub fn roc_compact(d: Date) -> String {
    match roc_year(d) {
        year @ 1..=999 => format!("{year:03}{:02}{:02}", u8::from(d.month()), d.day()),
        _ => iso(d),
    }
}

/// The ISO 8601 form used in English pages and data: `1977-02-03`.
pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A period of whole days, both ends included (`start <= end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// First day.
    pub start: Date,
    /// Last day (included).
    pub end: Date,
}

impl DateRange {
    /// The days from `start` to `end`, both included; `apply_date_range_reversed` when `end`
    /// is before `start`. A single day (`start == end`) is a valid range.
    pub fn new(start: Date, end: Date) -> Result<Self, &'static str> {
        if end < start {
            return Err(REVERSED);
        }
        Ok(DateRange { start, end })
    }

    /// Number of days, both ends included (a single day is 1).
    pub fn days(&self) -> i64 {
        (self.end - self.start).whole_days() + 1
    }

    /// The days in both ranges, if any.
    pub fn overlap(&self, other: &DateRange) -> Option<DateRange> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start <= end).then_some(DateRange { start, end })
    }

    /// Is `d` one of the range's days?
    pub fn contains(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn code(s: &str) -> &'static str {
        parse_date(s).err().unwrap_or("ok")
    }

    #[test]
    fn reads_every_common_spelling_of_the_same_day() {
        for s in [
            "0660203",
            "66/2/3",
            "66-2-3",
            "66.2.3",
            "066/02/03",
            " 66 / 02 / 03 ",
            "066年02月03日",
            "66年2月3日",
            "66年2月3",
            "民國66年2月3日",
            "民國 66 年 2 月 3 日",
            "中華民國66年2月3日",
            "民國066/02/03",
            "民國0660203",
            "1977-02-03",
            "1977/2/3",
            "1977.02.03",
            "1977年2月3日",
            "19770203",
            // Typed with a Chinese input method: full-width digits, slash, ideographic space.
            "０６６／０２／０３",
            "６６年２月３日",
            "民國　６６年２月３日",
            "　１９７７－０２－０３　",
        ] {
            assert_eq!(parse_date(s), Ok(date!(1977 - 02 - 03)), "{s}");
        }
        assert_eq!(parse_date("1150203"), Ok(date!(2026 - 02 - 03)));
        assert_eq!(parse_date("115/12/31"), Ok(date!(2026 - 12 - 31)));
        assert_eq!(parse_date("1/1/1"), Ok(date!(1912 - 01 - 01)));
        assert_eq!(parse_date("289/12/31"), Ok(date!(2200 - 12 - 31)));
        // 2024 (民國113年) is a leap year.
        assert_eq!(parse_date("113/02/29"), Ok(date!(2024 - 02 - 29)));
    }

    #[test]
    fn tells_blank_unreadable_impossible_and_out_of_range_apart() {
        for blank in ["", "   ", "　", "\t"] {
            assert_eq!(code(blank), "apply_date_required", "{blank:?}");
        }
        for unreadable in [
            "660203",    // 6 digits: 66/02/03 or 1966-02-03?
            "019770203", // 9 digits
            "12345",
            "66/2",
            "66/2/3/4",
            "66/2-3",
            "66//3",
            "66年2月",
            "2月3日",
            "66年二月三日",
            "民國1977年2月3日",
            "民國19770203",
            "66/002/03",
            "12345/1/1",
            "+66/1/1",
            "-66-1-1",
            "66/2/3日",
            "abc",
            "66 2 3",
            "yesterday",
        ] {
            assert_eq!(code(unreadable), "apply_date_invalid", "{unreadable}");
        }
        for impossible in [
            "115/02/29", // 2026 is not a leap year
            "66年2月30日",
            "66/4/31",
            "1977-13-01",
            "0661301",
            "66/0/3",
            "66/2/0",
            "1900-02-29",
        ] {
            let want = if impossible.starts_with("1900") {
                "apply_date_out_of_range"
            } else {
                "apply_date_impossible"
            };
            assert_eq!(code(impossible), want, "{impossible}");
        }
        for far in [
            "0/1/1",
            "000/01/01",
            "民國0年1月1日",
            "1911-12-31",
            "2201-01-01",
            "290/1/1",
            "0001-01-01",
            "9999/12/31",
        ] {
            assert_eq!(code(far), "apply_date_out_of_range", "{far}");
        }
    }

    #[test]
    fn shows_dates_in_roc_compact_and_iso_forms() {
        let d = date!(1977 - 02 - 03);
        assert_eq!(roc(d), "66年02月03日");
        assert_eq!(roc_compact(d), "0660203");
        assert_eq!(iso(d), "1977-02-03");
        let d = date!(2026 - 12 - 31);
        assert_eq!(roc(d), "115年12月31日");
        assert_eq!(roc_compact(d), "1151231");
        assert_eq!(roc_compact(date!(1912 - 01 - 01)), "0010101");
        // Before the Republic: 民國前, and no compact ROC form.
        assert_eq!(roc(date!(1911 - 12 - 31)), "民國前1年12月31日");
        assert_eq!(roc(date!(1900 - 01 - 01)), "民國前12年01月01日");
        assert_eq!(roc_compact(date!(1911 - 12 - 31)), "1911-12-31");
    }

    #[test]
    fn ranges_count_both_ends_and_find_the_common_days() {
        let feb = DateRange::new(date!(2024 - 02 - 01), date!(2024 - 02 - 29)).unwrap();
        assert_eq!(feb.days(), 29);
        let one = DateRange::new(date!(2024 - 02 - 29), date!(2024 - 02 - 29)).unwrap();
        assert_eq!(one.days(), 1);
        assert_eq!(
            DateRange::new(date!(2024 - 03 - 01), date!(2024 - 02 - 29)),
            Err("apply_date_range_reversed")
        );

        assert!(feb.contains(date!(2024 - 02 - 01)));
        assert!(feb.contains(date!(2024 - 02 - 29)));
        assert!(!feb.contains(date!(2024 - 03 - 01)));
        assert!(!feb.contains(date!(2024 - 01 - 31)));

        let late_feb_to_march =
            DateRange::new(date!(2024 - 02 - 20), date!(2024 - 03 - 10)).unwrap();
        let common = DateRange::new(date!(2024 - 02 - 20), date!(2024 - 02 - 29)).unwrap();
        assert_eq!(feb.overlap(&late_feb_to_march), Some(common));
        assert_eq!(late_feb_to_march.overlap(&feb), Some(common));
        // Ranges that only touch share that one day.
        assert_eq!(feb.overlap(&one), Some(one));
        let march = DateRange::new(date!(2024 - 03 - 01), date!(2024 - 03 - 31)).unwrap();
        assert_eq!(feb.overlap(&march), None);
        assert_eq!(march.overlap(&feb), None);
    }

    fn any_date() -> impl Strategy<Value = Date> {
        let first = date!(1912 - 01 - 01).to_julian_day();
        let last = date!(2200 - 12 - 31).to_julian_day();
        (first..=last).prop_filter_map("in range", |j| Date::from_julian_day(j).ok())
    }

    /// Strings made of the characters dates are written with, so that most inputs get past
    /// the first checks.
    fn date_like() -> impl Strategy<Value = String> {
        let palette: Vec<char> = "0123456789/-. 年月日號民國中華前０１９／　\u{0}é𡘙"
            .chars()
            .collect();
        proptest::collection::vec(proptest::sample::select(palette), 0..16)
            .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in any::<String>(), t in date_like()) {
            let _ = parse_date(&s);
            if let Ok(d) = parse_date(&t) {
                prop_assert!((FIRST_YEAR..=LAST_YEAR).contains(&d.year()));
            }
        }

        #[test]
        fn every_shown_form_reads_back_as_the_same_day(d in any_date()) {
            prop_assert_eq!(parse_date(&roc(d)), Ok(d));
            prop_assert_eq!(parse_date(&roc_compact(d)), Ok(d));
            prop_assert_eq!(parse_date(&iso(d)), Ok(d));
            prop_assert_eq!(roc_compact(d).len(), 7);
        }
    }
}
