//! Weekly schedules: which weekday mornings (上午), afternoons (下午) and nights (夜間) someone
//! works somewhere, as the 時段 of a 報備支援 application, and whether two schedules over two
//! date ranges ever meet (a clash).
//!
//! On forms and in stored data a slot is a token such as `mon-am`, `wed-pm` or `sun-night`;
//! a schedule is the set of its slots.

use super::date::DateRange;
use crate::Lang;
use crate::ids::fold_ascii;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Weekday};

const INVALID: &str = "apply_schedule_invalid";

/// A part of the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// 上午.
    Morning,
    /// 下午.
    Afternoon,
    /// 夜間.
    Night,
}

impl Period {
    /// Every period, in the order of the day.
    pub const ALL: [Period; 3] = [Period::Morning, Period::Afternoon, Period::Night];

    /// The token used in slot tokens: "am", "pm", "night".
    pub fn token(self) -> &'static str {
        match self {
            Period::Morning => "am",
            Period::Afternoon => "pm",
            Period::Night => "night",
        }
    }

    /// 上午, 下午, 夜間.
    pub fn name_zh(self) -> &'static str {
        match self {
            Period::Morning => "上午",
            Period::Afternoon => "下午",
            Period::Night => "夜間",
        }
    }

    /// morning, afternoon, night.
    pub fn name_en(self) -> &'static str {
        match self {
            Period::Morning => "morning",
            Period::Afternoon => "afternoon",
            Period::Night => "night",
        }
    }

    fn index(self) -> u8 {
        match self {
            Period::Morning => 0,
            Period::Afternoon => 1,
            Period::Night => 2,
        }
    }
}

/// Monday first, as schedules are shown.
const WEEK: [Weekday; 7] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
    Weekday::Saturday,
    Weekday::Sunday,
];

/// (token, Chinese, English) of a weekday.
fn weekday_names(w: Weekday) -> (&'static str, &'static str, &'static str) {
    match w {
        Weekday::Monday => ("mon", "週一", "Mon"),
        Weekday::Tuesday => ("tue", "週二", "Tue"),
        Weekday::Wednesday => ("wed", "週三", "Wed"),
        Weekday::Thursday => ("thu", "週四", "Thu"),
        Weekday::Friday => ("fri", "週五", "Fri"),
        Weekday::Saturday => ("sat", "週六", "Sat"),
        Weekday::Sunday => ("sun", "週日", "Sun"),
    }
}

/// One period of one weekday. Ordered through the week: Monday morning first, Sunday night
/// last.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The day of the week.
    pub weekday: Weekday,
    /// The part of that day.
    pub period: Period,
}

impl Slot {
    /// Position in the week, 0 (Monday morning) to 20 (Sunday night).
    fn index(self) -> u8 {
        self.weekday.number_days_from_monday() * 3 + self.period.index()
    }

    /// The token used on forms and in stored data: "mon-am", "wed-pm", "sun-night".
    pub fn token(self) -> String {
        format!("{}-{}", weekday_names(self.weekday).0, self.period.token())
    }

    /// Reads a token such as "mon-am" (any letter case, full-width forms folded);
    /// `apply_schedule_invalid` for anything else.
    pub fn parse(token: &str) -> Result<Slot, &'static str> {
        let token = fold_ascii(token).to_ascii_lowercase();
        let (day, period) = token.split_once('-').ok_or(INVALID)?;
        let weekday = WEEK
            .into_iter()
            .find(|&w| weekday_names(w).0 == day)
            .ok_or(INVALID)?;
        let period = Period::ALL
            .into_iter()
            .find(|p| p.token() == period)
            .ok_or(INVALID)?;
        Ok(Slot { weekday, period })
    }

    /// 「週一上午」 or "Mon morning".
    pub fn label(self, lang: Lang) -> String {
        let (_, zh, en) = weekday_names(self.weekday);
        match lang {
            Lang::ZhTw => format!("{zh}{}", self.period.name_zh()),
            Lang::En => format!("{en} {}", self.period.name_en()),
        }
    }
}

impl PartialOrd for Slot {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Slot {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index().cmp(&other.index())
    }
}

/// A set of weekly slots (at most 21). Serialized as the list of its tokens in week order,
/// e.g. `["mon-am", "wed-night"]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct WeeklySchedule(u32);

impl WeeklySchedule {
    /// Reads slot tokens (see [`Slot::parse`]); repeats are ignored. No tokens is the empty
    /// schedule: whether one is required is the caller's decision. Any unknown token (a blank
    /// one included) is `apply_schedule_invalid`.
    pub fn parse<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Result<Self, &'static str> {
        let mut schedule = WeeklySchedule::default();
        for token in tokens {
            schedule.insert(Slot::parse(token)?);
        }
        Ok(schedule)
    }

    fn bit(slot: Slot) -> u32 {
        1 << slot.index()
    }

    /// Is `slot` in the schedule?
    pub fn contains(&self, slot: Slot) -> bool {
        self.0 & Self::bit(slot) != 0
    }

    /// Adds `slot`; `true` if it was not there yet.
    pub fn insert(&mut self, slot: Slot) -> bool {
        let new = !self.contains(slot);
        self.0 |= Self::bit(slot);
        new
    }

    /// Removes `slot`; `true` if it was there.
    pub fn remove(&mut self, slot: Slot) -> bool {
        let had = self.contains(slot);
        self.0 &= !Self::bit(slot);
        had
    }

    /// Every slot, in week order: Monday morning, afternoon, night, then Tuesday, ….
    pub fn slots(&self) -> Vec<Slot> {
        WEEK.into_iter()
            .flat_map(|weekday| Period::ALL.map(|period| Slot { weekday, period }))
            .filter(|&s| self.contains(s))
            .collect()
    }

    /// No slot at all?
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// The slots in both schedules.
    pub fn intersection(&self, other: &WeeklySchedule) -> WeeklySchedule {
        WeeklySchedule(self.0 & other.0)
    }

    /// The slots in either schedule.
    pub fn union(&self, other: &WeeklySchedule) -> WeeklySchedule {
        WeeklySchedule(self.0 | other.0)
    }

    /// The slots' tokens in week order: `["mon-am", "wed-night"]`.
    pub fn tokens(&self) -> Vec<String> {
        self.slots().into_iter().map(Slot::token).collect()
    }

    /// The slots' labels in week order: 「週一上午、週三夜間」 or "Mon morning, Wed night";
    /// empty for the empty schedule.
    pub fn label(&self, lang: Lang) -> String {
        let sep = match lang {
            Lang::ZhTw => "、",
            Lang::En => ", ",
        };
        self.slots()
            .into_iter()
            .map(|s| s.label(lang))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

impl FromIterator<Slot> for WeeklySchedule {
    fn from_iter<I: IntoIterator<Item = Slot>>(iter: I) -> Self {
        let mut schedule = WeeklySchedule::default();
        for slot in iter {
            schedule.insert(slot);
        }
        schedule
    }
}

impl Serialize for WeeklySchedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.tokens())
    }
}

impl<'de> Deserialize<'de> for WeeklySchedule {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tokens = Vec::<String>::deserialize(d)?;
        WeeklySchedule::parse(tokens.iter().map(String::as_str)).map_err(serde::de::Error::custom)
    }
}

/// The first time two weekly schedules, each kept over its own date range, fall on the same
/// slot of the same day: the earliest date in both ranges whose weekday has a slot in both
/// schedules, with the earliest such slot of that day. `None` when the ranges do not overlap
/// or no weekday of the overlap has a common slot.
///
/// Only the first seven days of the overlap need looking at (every weekday occurs among
/// them), so this takes constant time however long the ranges are.
pub fn first_clash(
    a: (&DateRange, &WeeklySchedule),
    b: (&DateRange, &WeeklySchedule),
) -> Option<(Date, Slot)> {
    let overlap = a.0.overlap(b.0)?;
    let common = a.1.intersection(b.1);
    if common.is_empty() {
        return None;
    }
    let mut day = overlap.start;
    for _ in 0..overlap.days().min(7) {
        let clash = Period::ALL
            .into_iter()
            .map(|period| Slot {
                weekday: day.weekday(),
                period,
            })
            .find(|&s| common.contains(s));
        if let Some(slot) = clash {
            return Some((day, slot));
        }
        day = day.next_day()?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn sched(tokens: &[&str]) -> WeeklySchedule {
        WeeklySchedule::parse(tokens.iter().copied()).unwrap()
    }

    fn range(start: Date, end: Date) -> DateRange {
        DateRange::new(start, end).unwrap()
    }

    #[test]
    fn every_slot_has_a_token_that_reads_back() {
        let all: WeeklySchedule = WEEK
            .into_iter()
            .flat_map(|weekday| Period::ALL.map(|period| Slot { weekday, period }))
            .collect();
        assert_eq!(all.len(), 21);
        let tokens = all.tokens();
        assert_eq!(tokens.first().map(String::as_str), Some("mon-am"));
        assert_eq!(tokens.get(1).map(String::as_str), Some("mon-pm"));
        assert_eq!(tokens.get(2).map(String::as_str), Some("mon-night"));
        assert_eq!(tokens.last().map(String::as_str), Some("sun-night"));
        for slot in all.slots() {
            assert_eq!(Slot::parse(&slot.token()), Ok(slot));
        }
        assert_eq!(
            WeeklySchedule::parse(tokens.iter().map(String::as_str)),
            Ok(all)
        );
    }

    #[test]
    fn parses_what_forms_send() {
        let s = sched(&["wed-night", "MON-AM", "ｆｒｉ－ｐｍ", " tue-pm ", "mon-am"]);
        assert_eq!(s.tokens(), ["mon-am", "tue-pm", "wed-night", "fri-pm"]);
        assert_eq!(s.len(), 4);
        assert!(s.contains(Slot {
            weekday: Weekday::Friday,
            period: Period::Afternoon
        }));
        assert!(!s.contains(Slot {
            weekday: Weekday::Friday,
            period: Period::Morning
        }));
        assert_eq!(WeeklySchedule::parse([]), Ok(WeeklySchedule::default()));
        assert!(WeeklySchedule::default().is_empty());
        for bad in [
            "mon-noon",
            "monday-am",
            "mon am",
            "mon-",
            "-am",
            "",
            "mon-am-pm",
            "週一上午",
        ] {
            assert_eq!(
                WeeklySchedule::parse(["mon-am", bad]),
                Err("apply_schedule_invalid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn labels_in_both_languages() {
        let s = sched(&["wed-night", "mon-am", "sun-pm"]);
        assert_eq!(s.label(Lang::ZhTw), "週一上午、週三夜間、週日下午");
        assert_eq!(s.label(Lang::En), "Mon morning, Wed night, Sun afternoon");
        assert_eq!(WeeklySchedule::default().label(Lang::ZhTw), "");
        assert_eq!(Period::Night.name_zh(), "夜間");
        assert_eq!(Period::Afternoon.name_en(), "afternoon");
    }

    #[test]
    fn insert_remove_and_set_operations() {
        let mut s = WeeklySchedule::default();
        let mon_am = Slot {
            weekday: Weekday::Monday,
            period: Period::Morning,
        };
        assert!(s.insert(mon_am));
        assert!(!s.insert(mon_am));
        assert_eq!(s.len(), 1);
        assert!(s.remove(mon_am));
        assert!(!s.remove(mon_am));
        assert!(s.is_empty());

        let a = sched(&["mon-am", "mon-pm", "tue-night"]);
        let b = sched(&["mon-pm", "tue-am", "tue-night"]);
        assert_eq!(a.intersection(&b).tokens(), ["mon-pm", "tue-night"]);
        assert_eq!(a.union(&b).len(), 4);
        assert!(
            Slot {
                weekday: Weekday::Monday,
                period: Period::Night
            } < Slot {
                weekday: Weekday::Tuesday,
                period: Period::Morning
            }
        );
    }

    #[test]
    fn serializes_as_tokens() {
        let s = sched(&["sat-night", "mon-am"]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, r#"["mon-am","sat-night"]"#);
        assert_eq!(serde_json::from_str::<WeeklySchedule>(&json).unwrap(), s);
        assert!(serde_json::from_str::<WeeklySchedule>(r#"["mon-dusk"]"#).is_err());
    }

    #[test]
    fn first_clash_finds_the_earliest_shared_slot() {
        // 2024-01-01 is a Monday.
        let jan = range(date!(2024 - 01 - 01), date!(2024 - 01 - 31));
        let from_wed = range(date!(2024 - 01 - 03), date!(2024 - 12 - 31));
        let mon_am = sched(&["mon-am", "tue-pm"]);
        let mon_pm = sched(&["mon-pm", "tue-am"]);
        // Same weekdays, different periods: no clash.
        assert_eq!(first_clash((&jan, &mon_am), (&jan, &mon_pm)), None);

        let a = sched(&["mon-am", "thu-night", "thu-am"]);
        let b = sched(&["mon-am", "thu-am", "thu-night"]);
        // The overlap starts on Wednesday the 3rd: the first common slot is Thursday morning.
        let want = Some((
            date!(2024 - 01 - 04),
            Slot {
                weekday: Weekday::Thursday,
                period: Period::Morning,
            },
        ));
        assert_eq!(first_clash((&jan, &a), (&from_wed, &b)), want);
        assert_eq!(first_clash((&from_wed, &b), (&jan, &a)), want);

        // Ranges that do not overlap never clash.
        let feb = range(date!(2024 - 02 - 01), date!(2024 - 02 - 29));
        assert_eq!(first_clash((&jan, &a), (&feb, &a)), None);
        // An overlap too short to reach the common weekday: Wed 3rd to Wed 3rd.
        let one_wed = range(date!(2024 - 01 - 03), date!(2024 - 01 - 03));
        assert_eq!(first_clash((&one_wed, &a), (&jan, &b)), None);
        // Long ranges are answered without walking them.
        let forever = range(date!(1912 - 01 - 01), date!(2200 - 12 - 31));
        let sun = sched(&["sun-night"]);
        assert_eq!(
            first_clash((&forever, &sun), (&forever, &sun)),
            Some((
                date!(1912 - 01 - 07),
                Slot {
                    weekday: Weekday::Sunday,
                    period: Period::Night
                }
            ))
        );
    }

    fn any_range() -> impl Strategy<Value = DateRange> {
        let base = date!(2024 - 01 - 01).to_julian_day();
        (0..90i32, 0..60i32).prop_filter_map("valid range", move |(offset, len)| {
            let start = Date::from_julian_day(base + offset).ok()?;
            let end = Date::from_julian_day(base + offset + len).ok()?;
            DateRange::new(start, end).ok()
        })
    }

    fn any_schedule() -> impl Strategy<Value = WeeklySchedule> {
        // Sparse schedules make "no clash" common enough to test too.
        proptest::collection::vec(0u8..21, 0..5)
            .prop_map(|bits| WeeklySchedule(bits.into_iter().fold(0, |acc, b| acc | (1 << b))))
    }

    /// Walks every day of the overlap.
    fn brute_force(
        a: (&DateRange, &WeeklySchedule),
        b: (&DateRange, &WeeklySchedule),
    ) -> Option<(Date, Slot)> {
        let overlap = a.0.overlap(b.0)?;
        let mut day = overlap.start;
        while day <= overlap.end {
            for period in Period::ALL {
                let s = Slot {
                    weekday: day.weekday(),
                    period,
                };
                if a.1.contains(s) && b.1.contains(s) {
                    return Some((day, s));
                }
            }
            day = day.next_day()?;
        }
        None
    }

    proptest! {
        #[test]
        fn first_clash_agrees_with_walking_every_day(
            ra in any_range(),
            rb in any_range(),
            sa in any_schedule(),
            sb in any_schedule(),
        ) {
            let got = first_clash((&ra, &sa), (&rb, &sb));
            prop_assert_eq!(got, first_clash((&rb, &sb), (&ra, &sa)));
            if let Some((d, s)) = got {
                prop_assert!(ra.contains(d) && rb.contains(d));
                prop_assert_eq!(s.weekday, d.weekday());
                prop_assert!(sa.contains(s) && sb.contains(s));
            }
            prop_assert_eq!(got, brute_force((&ra, &sa), (&rb, &sb)));
        }

        #[test]
        fn tokens_read_back(bits in 0u32..(1 << 21)) {
            let s = WeeklySchedule(bits);
            let tokens = s.tokens();
            prop_assert_eq!(tokens.len(), s.len());
            prop_assert_eq!(WeeklySchedule::parse(tokens.iter().map(String::as_str)), Ok(s));
        }
    }
}
