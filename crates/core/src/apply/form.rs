//! An application form's fields: the kinds a type file may use, how each is checked on the
//! server, and the typed values a case keeps. Every failure names its field and a stable code
//! whose zh-TW and English texts live in the message catalog; a page's check reports every
//! field at once so people fix them in one go.

use super::county::County;
use super::date::{self, DateRange};
use super::kind::Text;
use super::rules::Clash;
use super::schedule::WeeklySchedule;
use crate::ids::{Email, Landline, Mobile, NationalId, PersonName};
use crate::{Lang, messages};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use toml::Spanned;

/// The built-in kinds of field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// 身分證字號 or 居留證號 (checked with its check digit).
    NationalId,
    /// A person's name as written (any Unicode, CJK Extension B included).
    Name,
    /// A mobile or landline number.
    Phone,
    /// An email address.
    Email,
    /// A date, typed as ROC (`0660203`, `66/2/3`, `066年02月03日`) or ISO; shown as ROC.
    Date,
    /// A start and an end date (`ID.start`, `ID.end`).
    DateRange,
    /// Weekday × 上午 / 下午 / 夜間 (tokens such as `mon-am`).
    Schedule,
    /// One of the 22 縣市.
    County,
    /// An organization from the registry, by its code.
    Organization,
    /// One of the listed choices.
    Select,
    /// Any of the listed choices.
    MultiSelect,
    /// A yes / no box.
    Checkbox,
    /// Uploaded files (PDF, JPEG, PNG), referenced by upload id.
    Attachments,
}

/// One choice of a select field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The stored value (ASCII).
    pub value: String,
    /// The text shown.
    pub name: Text,
}

/// The choices of a select field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OptionList(pub Vec<Choice>);

impl OptionList {
    /// Is `value` one of the choices?
    pub fn contains(&self, value: &str) -> bool {
        self.0.iter().any(|c| c.value == value)
    }

    /// The text of choice `value`.
    pub fn name(&self, value: &str, lang: Lang) -> Option<&str> {
        self.0
            .iter()
            .find(|c| c.value == value)
            .map(|c| c.name.get(lang))
    }
}

/// A field becomes required when an earlier field has a given value.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredIf {
    /// The earlier field.
    pub field: Spanned<String>,
    /// The value (a choice, or `true` for a checkbox) that makes this field required.
    pub equals: String,
}

/// Lists shipped with Tessera that a select field may name instead of listing choices.
pub const SHIPPED_LISTS: &[&str] = &["medical_professions"];

/// One field of a form, as declared in a type file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// Stable ASCII id, unique in the type.
    pub id: Spanned<String>,
    /// The kind of value.
    pub kind: FieldKind,
    /// The label.
    pub label: Text,
    /// A hint under the field.
    #[serde(default)]
    pub help: Option<Text>,
    /// Must be filled in.
    #[serde(default)]
    pub required: bool,
    /// Must be filled in when an earlier field has a value.
    #[serde(default)]
    pub required_if: Option<RequiredIf>,
    /// Longest text in characters (text: 200, long text: 2000 by default).
    #[serde(default)]
    pub max_length: Option<u32>,
    /// Choices of a select field.
    #[serde(default)]
    pub options: Option<OptionList>,
    /// A shipped list of choices instead (see [`SHIPPED_LISTS`]).
    #[serde(default)]
    pub options_from: Option<String>,
    /// Longest date range in days (inclusive).
    #[serde(default)]
    pub max_days: Option<u32>,
    /// Most files an attachments field takes.
    #[serde(default)]
    pub max_files: Option<u16>,
    /// The registry kind an organization field accepts (`medical`, `agency`, …).
    #[serde(default)]
    pub org_kind: Option<String>,
}

/// The registry's kinds of organization an organization field may be limited to.
pub const ORG_KINDS: &[&str] = &[
    "agency",
    "school",
    "organization",
    "business",
    "medical",
    "other",
];

const TEXT_MAX: u32 = 200;
const LONG_TEXT_MAX: u32 = 2000;
const FILES_MAX: u16 = 5;

impl FieldSpec {
    /// The stable id.
    pub fn id(&self) -> &str {
        self.id.get_ref()
    }

    /// The most characters a text field takes.
    pub fn max_chars(&self) -> u32 {
        self.max_length.unwrap_or(match self.kind {
            FieldKind::LongText => LONG_TEXT_MAX,
            _ => TEXT_MAX,
        })
    }

    /// The most files an attachments field takes.
    pub fn max_file_count(&self) -> u16 {
        self.max_files.unwrap_or(FILES_MAX)
    }

    /// Replaces `options_from` with the shipped list's choices.
    pub(crate) fn resolve_options(&mut self) -> Result<(), String> {
        let Some(list) = &self.options_from else {
            return Ok(());
        };
        if self.options.is_some() {
            return Err("give either `options` or `options_from`, not both".into());
        }
        match list.as_str() {
            "medical_professions" => {
                let choices = super::professions::all()
                    .iter()
                    .map(|p| Choice {
                        value: p.code.clone(),
                        name: Text {
                            zh: p.zh.clone(),
                            en: Some(p.en.clone()),
                        },
                    })
                    .collect();
                self.options = Some(OptionList(choices));
                Ok(())
            }
            other => Err(format!(
                "unknown list `{other}`; shipped lists: {}",
                SHIPPED_LISTS.join(", ")
            )),
        }
    }

    /// Checks the declaration itself (not a value).
    pub(crate) fn check(&self) -> Result<(), String> {
        let select = matches!(self.kind, FieldKind::Select | FieldKind::MultiSelect);
        match &self.options {
            Some(_) if !select => {
                return Err(format!(
                    "`options` only apply to select fields, not `{}`",
                    self.id()
                ));
            }
            Some(o) if o.0.is_empty() => return Err("`options` is empty".into()),
            None if select => {
                return Err("a select field needs `options` or `options_from`".into());
            }
            Some(o) => {
                let mut seen = std::collections::HashSet::new();
                if let Some(dup) = o.0.iter().find(|c| !seen.insert(c.value.as_str())) {
                    return Err(format!("choice `{}` is listed twice", dup.value));
                }
            }
            None => {}
        }
        if self.max_length.is_some() && !matches!(self.kind, FieldKind::Text | FieldKind::LongText)
        {
            return Err("`max_length` only applies to text fields".into());
        }
        if self.max_length == Some(0) || self.max_days == Some(0) || self.max_files == Some(0) {
            return Err("limits must be at least 1".into());
        }
        if self.max_days.is_some() && self.kind != FieldKind::DateRange {
            return Err("`max_days` only applies to date_range fields".into());
        }
        if self.max_files.is_some() && self.kind != FieldKind::Attachments {
            return Err("`max_files` only applies to attachments fields".into());
        }
        if let Some(kind) = &self.org_kind {
            if self.kind != FieldKind::Organization {
                return Err("`org_kind` only applies to organization fields".into());
            }
            if !ORG_KINDS.contains(&kind.as_str()) {
                return Err(format!(
                    "unknown org_kind `{kind}`; one of {}",
                    ORG_KINDS.join(", ")
                ));
            }
        }
        if self.required && self.required_if.is_some() {
            return Err("give either `required` or `required_if`, not both".into());
        }
        Ok(())
    }
}

/// A checked value, as a case keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// Text, a name, an ID number, a phone, an email, a choice, an organization code.
    Text(String),
    /// A date (ISO in storage).
    Date(#[serde(with = "iso_date")] time::Date),
    /// A date range.
    Range {
        /// First day.
        #[serde(with = "iso_date")]
        start: time::Date,
        /// Last day.
        #[serde(with = "iso_date")]
        end: time::Date,
    },
    /// A weekly schedule.
    Schedule(WeeklySchedule),
    /// A county.
    County(County),
    /// Several choices, or attachment ids.
    List(Vec<String>),
    /// A checkbox.
    Bool(bool),
}

impl Value {
    /// The value as text, when it is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a date range.
    pub fn as_range(&self) -> Option<DateRange> {
        match self {
            Value::Range { start, end } => Some(DateRange {
                start: *start,
                end: *end,
            }),
            _ => None,
        }
    }

    /// The value as a schedule.
    pub fn as_schedule(&self) -> Option<&WeeklySchedule> {
        match self {
            Value::Schedule(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a date.
    pub fn as_date(&self) -> Option<time::Date> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }

    /// Whether this value counts as "given" for a required field.
    fn given(&self) -> bool {
        match self {
            Value::Text(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Schedule(s) => !s.is_empty(),
            Value::Bool(b) => *b,
            _ => true,
        }
    }

    /// Whether this value equals a `required_if` condition's value.
    fn equals(&self, expected: &str) -> bool {
        match self {
            Value::Text(s) => s == expected,
            Value::List(l) => l.iter().any(|v| v == expected),
            Value::Bool(b) => (expected == "true") == *b,
            _ => false,
        }
    }
}

mod iso_date {
    //! Dates stored as ISO `YYYY-MM-DD` strings.
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(d: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::date::iso(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<time::Date, D::Error> {
        let s = String::deserialize(d)?;
        super::date::parse_date(&s).map_err(D::Error::custom)
    }
}

/// A case's values by field id.
pub type Values = BTreeMap<String, Value>;

/// What was typed on one page: every value of every input name (a schedule or a multi-select
/// sends several; a date range sends `ID.start` and `ID.end`).
#[derive(Debug, Clone, Default)]
pub struct FormInput(BTreeMap<String, Vec<String>>);

impl FormInput {
    /// Builds the input from form pairs as they arrived.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            map.entry(k.to_owned()).or_default().push(v.to_owned());
        }
        FormInput(map)
    }

    fn one(&self, name: &str) -> &str {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map_or("", String::as_str)
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .get(name)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A field that failed its check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {code}")]
pub struct FormError {
    /// The field's id.
    pub field: String,
    /// The stable code.
    pub code: &'static str,
    /// The limit that was passed, for messages that name it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// The other case a filing clashes with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clash: Option<Clash>,
}

impl FormError {
    /// A failure of `field` with `code`.
    pub fn new(field: &str, code: &'static str) -> Self {
        FormError {
            field: field.to_owned(),
            code,
            limit: None,
            clash: None,
        }
    }

    /// A failure whose message names a limit (`{max}`).
    pub fn with_limit(field: &str, code: &'static str, limit: u32) -> Self {
        FormError {
            limit: Some(limit),
            ..FormError::new(field, code)
        }
    }

    /// An overlap with another case (`{clash}`).
    pub fn clash(field: &str, clash: Clash) -> Self {
        FormError {
            clash: Some(clash),
            ..FormError::new(field, "apply_overlap")
        }
    }

    /// The text saying what to fix, in `lang`, with the limit or the clash filled in.
    pub fn message(&self, lang: Lang) -> String {
        let mut text = messages::message(self.code, lang).to_owned();
        if let Some(n) = self.limit {
            text = text.replace("{max}", &n.to_string());
        }
        if let Some(c) = &self.clash {
            text = text.replace("{clash}", &c.describe(lang));
        }
        text
    }
}

fn clean_text(field: &FieldSpec, raw: &str) -> Result<String, FormError> {
    let multiline = field.kind == FieldKind::LongText;
    let text = if multiline {
        raw.replace("\r\n", "\n").trim().to_owned()
    } else {
        raw.trim().to_owned()
    };
    let bad = |c: char| {
        (c.is_control() && !(multiline && (c == '\n' || c == '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if text.chars().any(bad) {
        return Err(FormError::new(field.id(), "apply_text_invalid"));
    }
    let max = field.max_chars();
    if text.chars().count() > max as usize {
        return Err(FormError::with_limit(
            field.id(),
            "apply_text_too_long",
            max,
        ));
    }
    Ok(text)
}

/// Checks one field's raw input. `Ok(None)` is a blank field (required-ness is checked after).
fn parse_field(field: &FieldSpec, input: &FormInput) -> Result<Option<Value>, FormError> {
    let id = field.id();
    let raw = input.one(id).trim();
    let err = |code: &'static str| FormError::new(id, code);
    let text = |v: String| Ok(Some(Value::Text(v)));
    match field.kind {
        FieldKind::Text | FieldKind::LongText => {
            let t = clean_text(field, input.one(id))?;
            if t.is_empty() { Ok(None) } else { text(t) }
        }
        FieldKind::Checkbox => Ok(Some(Value::Bool(matches!(
            raw,
            "on" | "true" | "1" | "yes"
        )))),
        FieldKind::DateRange => {
            let (s, e) = (
                input.one(&format!("{id}.start")).trim(),
                input.one(&format!("{id}.end")).trim(),
            );
            if s.is_empty() && e.is_empty() {
                return Ok(None);
            }
            let start = date::parse_date(s).map_err(err)?;
            let end = date::parse_date(e).map_err(err)?;
            let range = DateRange::new(start, end).map_err(err)?;
            if let Some(max) = field.max_days
                && range.days() > i64::from(max)
            {
                return Err(FormError::with_limit(id, "apply_date_range_too_long", max));
            }
            Ok(Some(Value::Range { start, end }))
        }
        FieldKind::Schedule => {
            let tokens = input.all(id);
            let s = WeeklySchedule::parse(tokens).map_err(err)?;
            Ok((!s.is_empty()).then_some(Value::Schedule(s)))
        }
        FieldKind::MultiSelect | FieldKind::Attachments => {
            let values: Vec<String> = input.all(id).into_iter().map(str::to_owned).collect();
            if values.is_empty() {
                return Ok(None);
            }
            if field.kind == FieldKind::Attachments {
                let max = field.max_file_count();
                if values.len() > usize::from(max) {
                    return Err(FormError::with_limit(
                        id,
                        "apply_attachment_too_many",
                        u32::from(max),
                    ));
                }
                if values.iter().any(|v| !upload_ref(v)) {
                    return Err(err("apply_attachment_missing"));
                }
            } else {
                let options = field.options.clone().unwrap_or_default();
                if values.iter().any(|v| !options.contains(v)) {
                    return Err(err("apply_choice_invalid"));
                }
            }
            let mut values = values;
            values.sort();
            values.dedup();
            Ok(Some(Value::List(values)))
        }
        _ if raw.is_empty() => Ok(None),
        FieldKind::NationalId => NationalId::parse(raw)
            .map(|n| Some(Value::Text(n.as_str().to_owned())))
            .map_err(|e| err(e.code)),
        FieldKind::Name => PersonName::parse(raw)
            .map(|n| Some(Value::Text(n.as_str().to_owned())))
            .map_err(|e| err(e.code)),
        FieldKind::Email => Email::parse(raw)
            .map(|n| Some(Value::Text(n.as_str().to_owned())))
            .map_err(|e| err(e.code)),
        FieldKind::Phone => match Mobile::parse(raw) {
            Ok(m) => text(m.as_str().to_owned()),
            Err(_) => Landline::parse(raw)
                .map(|l| Some(Value::Text(l.as_str().to_owned())))
                .map_err(|_| err("apply_phone_invalid")),
        },
        FieldKind::Date => date::parse_date(raw)
            .map(|d| Some(Value::Date(d)))
            .map_err(err),
        FieldKind::County => County::parse(raw)
            .map(|c| Some(Value::County(c)))
            .map_err(err),
        FieldKind::Organization => {
            let code: String = crate::ids::fold_ascii(raw).to_ascii_uppercase();
            let ok =
                (4..=20).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric());
            if ok {
                text(code)
            } else {
                Err(err("apply_org_code_invalid"))
            }
        }
        FieldKind::Select => {
            let ok = field.options.as_ref().is_some_and(|o| o.contains(raw));
            if ok {
                text(raw.to_owned())
            } else {
                Err(err("apply_choice_invalid"))
            }
        }
    }
}

/// An upload reference: the id the upload step returned (32 lowercase hex digits).
fn upload_ref(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether `field` must be filled in, given the values known so far.
fn is_required(field: &FieldSpec, values: &Values) -> bool {
    field.required
        || field.required_if.as_ref().is_some_and(|cond| {
            values
                .get(cond.field.get_ref())
                .is_some_and(|v| v.equals(&cond.equals))
        })
}

/// Checks one page's input against its fields. `earlier` holds the values of the other pages
/// (for `required_if`); the result is this page's values, or every field's failure at once.
pub fn check_page(
    fields: &[FieldSpec],
    input: &FormInput,
    earlier: &Values,
) -> Result<Values, Vec<FormError>> {
    let mut values = Values::new();
    let mut errors = Vec::new();
    for field in fields {
        match parse_field(field, input) {
            Ok(Some(v)) => {
                values.insert(field.id().to_owned(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    let mut known = earlier.clone();
    known.extend(values.clone());
    for field in fields {
        let given = known.get(field.id()).is_some_and(Value::given);
        if !given && is_required(field, &known) && !errors.iter().any(|e| e.field == field.id()) {
            errors.push(FormError::new(field.id(), "apply_required"));
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// Every required field of `fields` that `values` leaves empty — the check before a case is
/// sent, whatever order the pages were filled in.
pub fn missing(fields: &[&FieldSpec], values: &Values) -> Vec<FormError> {
    fields
        .iter()
        .filter(|f| is_required(f, values) && !values.get(f.id()).is_some_and(Value::given))
        .map(|f| FormError::new(f.id(), "apply_required"))
        .collect()
}

/// A value as people read it: ROC dates on zh-TW pages, choices by name.
pub fn display(field: &FieldSpec, value: &Value, lang: Lang) -> String {
    match value {
        Value::Text(s) => match &field.options {
            Some(o) => o.name(s, lang).unwrap_or(s).to_owned(),
            None if field.kind == FieldKind::NationalId => s.clone(),
            None => s.clone(),
        },
        Value::Date(d) => show_date(*d, lang),
        Value::Range { start, end } => {
            format!("{} – {}", show_date(*start, lang), show_date(*end, lang))
        }
        Value::Schedule(s) => s.label(lang),
        Value::County(c) => c.name(lang).to_owned(),
        Value::List(l) => {
            let sep = if lang == Lang::ZhTw { "、" } else { ", " };
            l.iter()
                .map(|v| {
                    field
                        .options
                        .as_ref()
                        .and_then(|o| o.name(v, lang))
                        .unwrap_or(v)
                        .to_owned()
                })
                .collect::<Vec<_>>()
                .join(sep)
        }
        Value::Bool(b) => match (lang, b) {
            (Lang::ZhTw, true) => "是".into(),
            (Lang::ZhTw, false) => "否".into(),
            (Lang::En, true) => "Yes".into(),
            (Lang::En, false) => "No".into(),
        },
    }
}

fn show_date(d: time::Date, lang: Lang) -> String {
    match lang {
        Lang::ZhTw => date::roc(d),
        Lang::En => date::iso(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::ApplicationType;

    const SHIPPED: &str = include_str!("../../../app/content/applications/medical-support.toml");

    fn kind() -> ApplicationType {
        ApplicationType::parse("medical-support.toml", SHIPPED).unwrap()
    }

    fn page(kind: &ApplicationType, i: usize) -> &[FieldSpec] {
        &kind.pages[i].fields
    }

    fn input(pairs: &[(&str, &str)]) -> FormInput {
        FormInput::from_pairs(pairs.iter().copied())
    }

    fn codes(r: Result<Values, Vec<FormError>>) -> Vec<(String, &'static str)> {
        r.err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.field, e.code))
            .collect()
    }

    const PERSON: &[(&str, &str)] = &[
        ("national_id", "a123456789"),
        ("name", "林𡘙生"),
        ("profession", "physician"),
        ("certificate_number", "醫字第012345號"),
        ("phone", "0912-345-678"),
        ("email", "doctor@example.tw"),
    ];

    #[test]
    fn a_blank_page_names_every_required_field_at_once() {
        let k = kind();
        let got = codes(check_page(page(&k, 0), &input(&[]), &Values::new()));
        assert_eq!(
            got,
            [
                ("national_id".to_string(), "apply_required"),
                ("name".into(), "apply_required"),
                ("profession".into(), "apply_required"),
                ("certificate_number".into(), "apply_required"),
            ]
        );
    }

    #[test]
    fn good_values_are_kept_as_typed_and_normalised_where_safe() {
        let k = kind();
        let v = check_page(page(&k, 0), &input(PERSON), &Values::new()).unwrap();
        assert_eq!(v["national_id"], Value::Text("A123456789".into()));
        // A CJK Extension B character survives unchanged.
        assert_eq!(v["name"], Value::Text("林𡘙生".into()));
        assert_eq!(v["phone"], Value::Text("0912345678".into()));
        assert_eq!(
            display(k.field("profession").unwrap(), &v["profession"], Lang::ZhTw),
            "醫師"
        );
    }

    #[test]
    fn each_kind_refuses_bad_values_with_its_own_message() {
        let k = kind();
        let bad = |field: &str, value: &str| {
            let mut pairs: Vec<(&str, &str)> = PERSON
                .iter()
                .copied()
                .filter(|(f, _)| *f != field)
                .collect();
            pairs.push((field, value));
            codes(check_page(page(&k, 0), &input(&pairs), &Values::new()))
        };
        assert_eq!(
            bad("national_id", "A123456788"),
            [("national_id".to_string(), "national_id_checksum")]
        );
        assert_eq!(
            bad("national_id", "12345"),
            [("national_id".to_string(), "national_id_invalid")]
        );
        assert_eq!(
            bad("phone", "123"),
            [("phone".to_string(), "apply_phone_invalid")]
        );
        assert_eq!(
            bad("email", "doctor@"),
            [("email".to_string(), "email_invalid")]
        );
        assert_eq!(
            bad("profession", "wizard"),
            [("profession".to_string(), "apply_choice_invalid")]
        );
        assert_eq!(
            bad("name", "a\u{202E}b"),
            [("name".to_string(), "name_invalid")]
        );
        let long = "字".repeat(31);
        let only_long = input(&[("certificate_number", long.as_str())]);
        let errs = check_page(page(&k, 0), &only_long, &Values::new()).unwrap_err();
        let too_long = errs
            .iter()
            .find(|e| e.field == "certificate_number")
            .unwrap();
        assert_eq!(too_long.code, "apply_text_too_long");
        assert!(too_long.message(Lang::ZhTw).contains("30"));
        assert!(too_long.message(Lang::En).contains("30"));
    }

    const SUPPORT: &[(&str, &str)] = &[
        ("home_institution", "0101090517"),
        ("host_institution", "0601160016"),
        ("department", "家醫科"),
        ("reason", "outpatient"),
        ("timing", "prior"),
        ("period.start", "1160105"),
        ("period.end", "116/6/30"),
        ("schedule", "mon-am"),
        ("schedule", "thu-night"),
    ];

    fn support(changes: &[(&str, &str)]) -> Result<Values, Vec<FormError>> {
        let k = kind();
        let mut pairs: Vec<(&str, &str)> = SUPPORT
            .iter()
            .copied()
            .filter(|(f, _)| !changes.iter().any(|(c, _)| c == f))
            .collect();
        pairs.extend(changes.iter().copied().filter(|(_, v)| !v.is_empty()));
        check_page(page(&k, 1), &input(&pairs), &Values::new())
    }

    #[test]
    fn roc_dates_and_schedules_are_read_and_shown_back_in_roc() {
        let k = kind();
        let v = support(&[]).unwrap();
        let period = k.field("period").unwrap();
        assert_eq!(
            display(period, &v["period"], Lang::ZhTw),
            "116年01月05日 – 116年06月30日"
        );
        assert_eq!(
            display(period, &v["period"], Lang::En),
            "2027-01-05 – 2027-06-30"
        );
        let schedule = k.field("schedule").unwrap();
        assert_eq!(
            display(schedule, &v["schedule"], Lang::ZhTw),
            "週一上午、週四夜間"
        );
        assert_eq!(
            display(k.field("reason").unwrap(), &v["reason"], Lang::En),
            "Outpatient clinic"
        );
        // Stored values read back the same.
        let json = serde_json::to_string(&v).unwrap();
        assert!(json.contains("\"2027-01-05\""), "{json}");
        let back: Values = serde_json::from_str(&json).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn dates_ranges_and_schedules_refuse_what_they_cannot_use() {
        let code = |changes: &[(&str, &str)]| codes(support(changes));
        assert_eq!(
            code(&[("period.end", "116/2/30")]),
            [("period".to_string(), "apply_date_impossible")]
        );
        assert_eq!(
            code(&[("period.end", "soon")]),
            [("period".to_string(), "apply_date_invalid")]
        );
        assert_eq!(
            code(&[("period.end", "1151231")]),
            [("period".to_string(), "apply_date_range_reversed")]
        );
        let e = support(&[("period.end", "1170201")]).unwrap_err();
        assert_eq!(e[0].code, "apply_date_range_too_long");
        assert!(e[0].message(Lang::ZhTw).contains("366"));
        assert_eq!(
            code(&[("schedule", "mon-lunch")]),
            [("schedule".to_string(), "apply_schedule_invalid")]
        );
        assert_eq!(
            code(&[("host_institution", "../../etc")]),
            [("host_institution".to_string(), "apply_org_code_invalid")]
        );
        assert_eq!(
            code(&[("department", "a\u{0}b")]),
            [("department".to_string(), "apply_text_invalid")]
        );
        assert_eq!(
            code(&[("attachments", "../secret")]),
            [("attachments".to_string(), "apply_attachment_missing")]
        );
        let six: Vec<String> = (0..6).map(|i| format!("{i:032x}")).collect();
        let many: Vec<(&str, &str)> = six.iter().map(|s| ("attachments", s.as_str())).collect();
        let e = support(&many).unwrap_err();
        assert_eq!(e[0].code, "apply_attachment_too_many");
        assert!(e[0].message(Lang::En).contains('5'));
    }

    #[test]
    fn conditional_fields_become_required_by_the_choice_that_needs_them() {
        assert_eq!(
            codes(support(&[("reason", "other")])),
            [("reason_other".to_string(), "apply_required")]
        );
        assert!(support(&[("reason", "other"), ("reason_other", "義診")]).is_ok());
        assert_eq!(
            codes(support(&[("timing", "after")])),
            [("justification".to_string(), "apply_required")]
        );
        // Multi-line text keeps its lines.
        let v = support(&[
            ("timing", "after"),
            ("justification", "夜間急診\r\n人力不足"),
        ])
        .unwrap();
        assert_eq!(v["justification"], Value::Text("夜間急診\n人力不足".into()));
    }

    #[test]
    fn before_sending_every_page_is_checked_again() {
        let k = kind();
        let all: Vec<&FieldSpec> = k.fields().collect();
        let mut values = check_page(page(&k, 0), &input(PERSON), &Values::new()).unwrap();
        let missing_support: Vec<String> = missing(&all, &values)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            missing_support,
            [
                "home_institution",
                "host_institution",
                "department",
                "reason",
                "timing",
                "period",
                "schedule"
            ]
        );
        values.extend(support(&[]).unwrap());
        assert!(missing(&all, &values).is_empty());
    }
}
