//! Rules a type file cannot say in data, implemented here and named by the file: two fields
//! must differ, the same person's pending or approved slots must not overlap, and 報備支援's
//! rule on prior and after-the-fact reports. A type file names a rule with its parameters; the
//! rule checks at start that the type has the fields it needs.

use super::date::{self, DateRange};
use super::form::{FieldKind, FormError, Value, Values};
use super::kind::ApplicationType;
use super::schedule::{self, Slot, WeeklySchedule};
use crate::Lang;
use serde::{Deserialize, Serialize};

/// A rule as a type file names it (`[[rules]] name = "…"`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleSpec {
    /// The listed fields must all hold different values (home ≠ host institution).
    Differ {
        /// Two or more field ids.
        fields: Vec<String>,
    },
    /// The same person's cases in a `blocks_overlap` status must not share a date and slot.
    NoOverlap {
        /// The field naming the person (a national ID).
        person: String,
        /// The date-range field.
        period: String,
        /// The weekly-schedule field.
        schedule: String,
    },
    /// 報備支援: a prior report starts today or later; an after-the-fact one has started, gives
    /// a justification and is filed within `after_the_fact_days` of its start.
    MedicalSupport {
        /// The select field with the choices `prior` and `after`.
        timing: String,
        /// The date-range field.
        period: String,
        /// How many days after the start an after-the-fact report may still be filed.
        after_the_fact_days: u16,
    },
}

impl RuleSpec {
    /// The rule's name as the file writes it.
    pub fn name(&self) -> &'static str {
        match self {
            RuleSpec::Differ { .. } => "differ",
            RuleSpec::NoOverlap { .. } => "no_overlap",
            RuleSpec::MedicalSupport { .. } => "medical_support",
        }
    }

    /// Checks that `kind` has the fields this rule needs, with the right kinds.
    pub(crate) fn check(&self, kind: &ApplicationType) -> Result<(), String> {
        let need = |id: &str, want: &[FieldKind]| -> Result<(), String> {
            match kind.field(id) {
                Some(f) if want.contains(&f.kind) => Ok(()),
                Some(f) => Err(format!(
                    "rule `{}`: field `{id}` is `{:?}`, expected one of {want:?}",
                    self.name(),
                    f.kind
                )),
                None => Err(format!("rule `{}`: unknown field `{id}`", self.name())),
            }
        };
        match self {
            RuleSpec::Differ { fields } => {
                if fields.len() < 2 {
                    return Err("rule `differ` needs at least two fields".into());
                }
                for f in fields {
                    if kind.field(f).is_none() {
                        return Err(format!("rule `differ`: unknown field `{f}`"));
                    }
                }
                Ok(())
            }
            RuleSpec::NoOverlap {
                person,
                period,
                schedule,
            } => {
                need(person, &[FieldKind::NationalId, FieldKind::Text])?;
                need(period, &[FieldKind::DateRange])?;
                need(schedule, &[FieldKind::Schedule])?;
                if !kind.statuses.iter().any(|s| s.blocks_overlap) {
                    return Err(
                        "rule `no_overlap`: mark the pending and approved statuses `blocks_overlap = true`"
                            .into(),
                    );
                }
                Ok(())
            }
            RuleSpec::MedicalSupport {
                timing,
                period,
                after_the_fact_days,
            } => {
                need(timing, &[FieldKind::Select])?;
                need(period, &[FieldKind::DateRange])?;
                let choices = kind.field(timing).and_then(|f| f.options.as_ref());
                if !choices.is_some_and(|o| o.contains("prior") && o.contains("after")) {
                    return Err(format!(
                        "rule `medical_support`: field `{timing}` needs the choices `prior` and `after`"
                    ));
                }
                if *after_the_fact_days == 0 {
                    return Err(
                        "rule `medical_support`: after_the_fact_days must be at least 1".into(),
                    );
                }
                Ok(())
            }
        }
    }
}

/// Another case of the same person that holds slots: its number, period and schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booked {
    /// The other case's number.
    pub case_number: String,
    /// Its period.
    pub period: DateRange,
    /// Its weekly schedule.
    pub schedule: WeeklySchedule,
}

/// Where a new filing clashes with a booked case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clash {
    /// The other case's number.
    pub case_number: String,
    /// The first date both cover.
    #[serde(serialize_with = "iso")]
    pub date: time::Date,
    /// The slot both cover that day.
    #[serde(serialize_with = "slot_token")]
    pub slot: Slot,
}

fn iso<S: serde::Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&date::iso(*d))
}

fn slot_token<S: serde::Serializer>(slot: &Slot, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&slot.token())
}

impl Clash {
    /// 「與案件 報備-115-000123 重疊：115年03月02日 週一上午」 in `lang`.
    pub fn describe(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhTw => format!(
                "{}（{} {}）",
                self.case_number,
                date::roc(self.date),
                self.slot.label(lang)
            ),
            Lang::En => format!(
                "{} ({} {})",
                self.case_number,
                date::iso(self.date),
                self.slot.label(lang)
            ),
        }
    }
}

/// What the rules need besides the form: today (in Asia/Taipei) and the person's booked slots.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    /// Today's date in Asia/Taipei.
    pub today: time::Date,
    /// The same person's other cases in a `blocks_overlap` status (this case's own versions
    /// left out by the caller).
    pub booked: &'a [Booked],
}

/// The person whose booked slots the overlap rule needs, if the type has that rule and the
/// values name one.
pub fn overlap_person<'v>(kind: &ApplicationType, values: &'v Values) -> Option<&'v str> {
    kind.rules.iter().find_map(|r| match r.get_ref() {
        RuleSpec::NoOverlap { person, .. } => values.get(person).and_then(Value::as_text),
        _ => None,
    })
}

/// The period and schedule the overlap rule reads from `values`, for recording what a case
/// books.
pub fn booking(kind: &ApplicationType, values: &Values) -> Option<(DateRange, WeeklySchedule)> {
    kind.rules.iter().find_map(|r| match r.get_ref() {
        RuleSpec::NoOverlap {
            period, schedule, ..
        } => Some((
            values.get(period)?.as_range()?,
            *values.get(schedule)?.as_schedule()?,
        )),
        _ => None,
    })
}

/// Runs every rule of `kind` on complete `values`; each failure names a field.
pub fn run(kind: &ApplicationType, values: &Values, ctx: RuleContext<'_>) -> Vec<FormError> {
    let mut errors = Vec::new();
    for rule in &kind.rules {
        match rule.get_ref() {
            RuleSpec::Differ { fields } => {
                for (i, a) in fields.iter().enumerate() {
                    for b in fields.iter().skip(i + 1) {
                        if let (Some(x), Some(y)) = (values.get(a), values.get(b))
                            && x == y
                        {
                            errors.push(FormError::new(b, "apply_fields_same"));
                        }
                    }
                }
            }
            RuleSpec::NoOverlap {
                period, schedule, ..
            } => {
                let (Some(range), Some(slots)) = (
                    values.get(period).and_then(Value::as_range),
                    values.get(schedule).and_then(Value::as_schedule),
                ) else {
                    continue;
                };
                let clash = ctx
                    .booked
                    .iter()
                    .filter_map(|b| {
                        schedule::first_clash((&range, slots), (&b.period, &b.schedule)).map(
                            |(date, slot)| Clash {
                                case_number: b.case_number.clone(),
                                date,
                                slot,
                            },
                        )
                    })
                    .min_by_key(|c| (c.date, c.slot.weekday.number_from_monday()));
                if let Some(clash) = clash {
                    errors.push(FormError::clash(schedule, clash));
                }
            }
            RuleSpec::MedicalSupport {
                timing,
                period,
                after_the_fact_days,
            } => {
                let (Some(when), Some(range)) = (
                    values.get(timing).and_then(Value::as_text),
                    values.get(period).and_then(Value::as_range),
                ) else {
                    continue;
                };
                match when {
                    "prior" if range.start < ctx.today => {
                        errors.push(FormError::new(period, "apply_ms_prior_started"));
                    }
                    "after" if range.start >= ctx.today => {
                        errors.push(FormError::new(period, "apply_ms_after_not_started"));
                    }
                    "after"
                        if (ctx.today - range.start).whole_days()
                            > i64::from(*after_the_fact_days) =>
                    {
                        errors.push(FormError::with_limit(
                            period,
                            "apply_ms_after_too_late",
                            u32::from(*after_the_fact_days),
                        ));
                    }
                    _ => {}
                }
            }
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::form::{FormInput, check_page};
    use time::macros::date;

    const SHIPPED: &str = include_str!("../../../app/content/applications/medical-support.toml");

    fn kind() -> ApplicationType {
        ApplicationType::parse("medical-support.toml", SHIPPED).unwrap()
    }

    fn values(kind: &ApplicationType, changes: &[(&str, &str)]) -> Values {
        let base: &[(&str, &str)] = &[
            ("national_id", "A123456789"),
            ("home_institution", "0101090517"),
            ("host_institution", "0601160016"),
            ("timing", "prior"),
            ("period.start", "1160105"),
            ("period.end", "1160630"),
            ("schedule", "mon-am"),
            ("schedule", "thu-night"),
        ];
        let pairs: Vec<(&str, &str)> = base
            .iter()
            .copied()
            .filter(|(f, _)| !changes.iter().any(|(c, _)| c == f))
            .chain(changes.iter().copied())
            .collect();
        let input = FormInput::from_pairs(pairs);
        let mut v = Values::new();
        for page in &kind.pages {
            // Required-ness is not the point here: keep whatever parsed.
            for field in &page.fields {
                if let Ok(got) = check_page(std::slice::from_ref(field), &input, &v) {
                    v.extend(got);
                }
            }
        }
        v
    }

    fn ctx(today: time::Date, booked: &[Booked]) -> RuleContext<'_> {
        RuleContext { today, booked }
    }

    fn codes(errors: &[FormError]) -> Vec<(&str, &str)> {
        errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    const TODAY: time::Date = date!(2026 - 12 - 07);

    #[test]
    fn a_clean_prior_report_passes() {
        let k = kind();
        let v = values(&k, &[]);
        assert!(run(&k, &v, ctx(TODAY, &[])).is_empty());
        assert_eq!(overlap_person(&k, &v), Some("A123456789"));
        let (range, schedule) = booking(&k, &v).unwrap();
        assert_eq!(range.start, date!(2027 - 01 - 05));
        assert_eq!(schedule.len(), 2);
    }

    #[test]
    fn the_host_must_differ_from_the_home_institution() {
        let k = kind();
        let v = values(&k, &[("host_institution", "0101090517")]);
        assert_eq!(
            codes(&run(&k, &v, ctx(TODAY, &[]))),
            [("host_institution", "apply_fields_same")]
        );
    }

    #[test]
    fn an_overlap_names_the_other_case_and_the_first_shared_slot() {
        let k = kind();
        let v = values(&k, &[]);
        let other = |number: &str, start, end, slots: &[&str]| Booked {
            case_number: number.into(),
            period: DateRange::new(start, end).unwrap(),
            schedule: WeeklySchedule::parse(slots.iter().copied()).unwrap(),
        };
        // Thursday nights in March 2027 are booked by another case.
        let booked = [
            other(
                "報備-115-000007",
                date!(2027 - 03 - 01),
                date!(2027 - 03 - 31),
                &["thu-night"],
            ),
            other(
                "報備-115-000009",
                date!(2027 - 01 - 01),
                date!(2027 - 12 - 31),
                &["tue-pm"],
            ),
        ];
        let errors = run(&k, &v, ctx(TODAY, &booked));
        assert_eq!(codes(&errors), [("schedule", "apply_overlap")]);
        let zh = errors[0].message(Lang::ZhTw);
        assert!(zh.contains("報備-115-000007"), "{zh}");
        // 2027-03-04 is the first Thursday of March: ROC 116年03月04日.
        assert!(zh.contains("116年03月04日"), "{zh}");
        assert!(zh.contains("週四夜間"), "{zh}");
        let en = errors[0].message(Lang::En);
        assert!(en.contains("2027-03-04"), "{en}");
        // Same days, other slots; or the same slot in another period: no clash.
        let apart = [
            other(
                "報備-115-000008",
                date!(2027 - 01 - 01),
                date!(2027 - 12 - 31),
                &["mon-pm", "thu-am"],
            ),
            other(
                "報備-115-000010",
                date!(2027 - 07 - 01),
                date!(2027 - 12 - 31),
                &["mon-am"],
            ),
        ];
        assert!(run(&k, &v, ctx(TODAY, &apart)).is_empty());
    }

    #[test]
    fn prior_and_after_the_fact_reports_keep_to_their_windows() {
        let k = kind();
        // A prior report that has already started.
        let v = values(&k, &[("period.start", "1151201")]);
        assert_eq!(
            codes(&run(&k, &v, ctx(TODAY, &[]))),
            [("period", "apply_ms_prior_started")]
        );
        // After the fact, started 10 days ago: fine.
        let v = values(&k, &[("timing", "after"), ("period.start", "1151127")]);
        assert!(run(&k, &v, ctx(TODAY, &[])).is_empty());
        // After the fact but in the future.
        let v = values(&k, &[("timing", "after")]);
        assert_eq!(
            codes(&run(&k, &v, ctx(TODAY, &[]))),
            [("period", "apply_ms_after_not_started")]
        );
        // After the fact, 31 days late.
        let v = values(&k, &[("timing", "after"), ("period.start", "1151106")]);
        let errors = run(&k, &v, ctx(TODAY, &[]));
        assert_eq!(codes(&errors), [("period", "apply_ms_after_too_late")]);
        assert!(errors[0].message(Lang::ZhTw).contains("30"));
        // Exactly 30 days is still in time.
        let v = values(&k, &[("timing", "after"), ("period.start", "1151107")]);
        assert!(run(&k, &v, ctx(TODAY, &[])).is_empty());
    }
}
