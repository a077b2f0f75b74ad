//! The form fields of an application page as the templates render them, one kind each: text
//! inputs, text areas, selects (county included), a date range as two inputs `ID.start` and
//! `ID.end`, a weekly schedule as a 7 × 3 grid of checkboxes labelled 「週一上午」…, the files
//! of an attachments field; each with what was typed (after a refusal) or saved, and its
//! error. Also the values as people read them, for the case page.

use tessera_app::apply::view::{AttachmentView, FieldView, PageView};
use tessera_core::Lang;
use tessera_core::apply::FormError;
use tessera_core::apply::county::County;
use tessera_core::apply::date;
use tessera_core::apply::schedule::{Period, Slot};
use time::Weekday;

use crate::pages::i18n::L;

/// One choice of a select or of a set of checkboxes.
pub struct ChoiceInput {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

/// One checkbox of the schedule grid.
pub struct SlotCell {
    /// `mon-am`, …
    pub token: String,
    /// 「週一上午」, for the screen reader's label.
    pub label: String,
    pub checked: bool,
}

/// One weekday's row of the schedule grid.
pub struct DayRow {
    pub name: &'static str,
    pub cells: Vec<SlotCell>,
}

/// A stored file of an attachments field.
pub struct FileRow {
    pub id: String,
    pub name: String,
    /// The size as people read it (「120 KB」).
    pub size: String,
}

/// One field of a form page, ready for `apply/field.html`.
pub struct FieldInput {
    /// The field's id (the form's input name).
    pub id: String,
    /// `text`, `long_text`, `date_range`, `schedule`, …
    pub kind: String,
    pub label: String,
    /// The type's help text, or the page's hint for dates ("" when none).
    pub hint: String,
    pub required: bool,
    /// The message saying what to fix ("" when none).
    pub error: String,
    /// A one-value field's value.
    pub value: String,
    /// A date range's ends.
    pub start: String,
    pub end: String,
    /// The most characters a text takes (0: no limit given).
    pub max_length: u32,
    pub choices: Vec<ChoiceInput>,
    pub days: Vec<DayRow>,
    pub files: Vec<FileRow>,
}

impl FieldInput {
    /// Ids of the hint and error paragraphs, for `aria-describedby`.
    pub fn describedby(&self) -> String {
        let mut ids = Vec::new();
        if !self.error.is_empty() {
            ids.push(format!("f-{}-error", self.id));
        }
        if !self.hint.is_empty() {
            ids.push(format!("f-{}-hint", self.id));
        }
        ids.join(" ")
    }

    /// The `type` of a one-line input.
    pub fn input_type(&self) -> &'static str {
        match self.kind.as_str() {
            "email" => "email",
            "phone" => "tel",
            _ => "text",
        }
    }

    /// The `autocomplete` of a one-line input.
    pub fn autocomplete(&self) -> &'static str {
        match self.kind.as_str() {
            "name" => "name",
            "email" => "email",
            "phone" => "tel",
            _ => "off",
        }
    }
}

/// The id of the element the error summary links to for field `id` of `kind`.
pub fn anchor(id: &str, kind: &str) -> String {
    match kind {
        "date_range" => format!("f-{id}-start"),
        _ => format!("f-{id}"),
    }
}

/// One line of the error summary: the field's label and message, linking to the field.
pub struct ErrorLine {
    pub href: String,
    pub label: String,
    pub message: String,
}

/// A date as a form shows it for typing again: ROC on zh-TW pages (`1150301`), ISO otherwise.
fn typed_date(iso: &str, lang: Lang) -> String {
    match (lang, date::parse_date(iso)) {
        (Lang::ZhTw, Ok(d)) => date::roc_compact(d),
        _ => iso.to_owned(),
    }
}

/// Every value typed for `name`.
fn typed_all<'a>(typed: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    typed
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The first value typed for `name` ("" when none).
fn typed_one(typed: &[(String, String)], name: &str) -> String {
    typed_all(typed, name)
        .first()
        .map(|v| (*v).to_owned())
        .unwrap_or_default()
}

/// Monday first, as schedules are shown.
const WEEK: [(Weekday, &str, &str); 7] = [
    (Weekday::Monday, "週一", "Mon"),
    (Weekday::Tuesday, "週二", "Tue"),
    (Weekday::Wednesday, "週三", "Wed"),
    (Weekday::Thursday, "週四", "Thu"),
    (Weekday::Friday, "週五", "Fri"),
    (Weekday::Saturday, "週六", "Sat"),
    (Weekday::Sunday, "週日", "Sun"),
];

/// The periods' column headings.
pub fn period_names(l: L) -> Vec<&'static str> {
    Period::ALL
        .iter()
        .map(|p| match l.0 {
            Lang::ZhTw => p.name_zh(),
            Lang::En => p.name_en(),
        })
        .collect()
}

fn schedule_grid(l: L, chosen: &[String]) -> Vec<DayRow> {
    WEEK.iter()
        .map(|(weekday, zh, en)| DayRow {
            name: l.t(zh, en),
            cells: Period::ALL
                .iter()
                .map(|&period| {
                    let slot = Slot {
                        weekday: *weekday,
                        period,
                    };
                    let token = slot.token();
                    DayRow::cell(
                        slot,
                        l.0,
                        chosen.iter().any(|c| c.eq_ignore_ascii_case(&token)),
                    )
                })
                .collect(),
        })
        .collect()
}

impl DayRow {
    fn cell(slot: Slot, lang: Lang, checked: bool) -> SlotCell {
        SlotCell {
            token: slot.token(),
            label: slot.label(lang),
            checked,
        }
    }
}

/// A size in bytes as people read it.
pub fn size_text(bytes: i64) -> String {
    const KIB: i64 = 1024;
    if bytes >= KIB * KIB {
        format!("{:.1} MB", bytes as f64 / (KIB * KIB) as f64)
    } else {
        format!("{} KB", (bytes + KIB - 1) / KIB)
    }
}

/// The files of field `field` among a case's attachments.
pub fn files_of(attachments: &[AttachmentView], field: &str) -> Vec<FileRow> {
    attachments
        .iter()
        .filter(|a| a.field == field)
        .map(|a| FileRow {
            id: a.id.clone(),
            name: a.name.clone(),
            size: size_text(a.size),
        })
        .collect()
}

/// The inputs of `page`: the saved values, or what was typed (`typed`, after a refusal); each
/// field's error from `errors`.
pub fn inputs(
    l: L,
    page: &PageView,
    typed: Option<&[(String, String)]>,
    errors: &[FormError],
    attachments: &[AttachmentView],
) -> Vec<FieldInput> {
    page.fields
        .iter()
        .map(|f| input(l, f, typed, errors, attachments))
        .collect()
}

fn input(
    l: L,
    f: &FieldView,
    typed: Option<&[(String, String)]>,
    errors: &[FormError],
    attachments: &[AttachmentView],
) -> FieldInput {
    let lang = l.0;
    let saved = |i: usize| f.input.get(i).cloned().unwrap_or_default();
    // What the form shows: what was typed when the page comes back refused, else the saved
    // value (attachments are kept on their own, never typed).
    let typed = typed.filter(|_| f.kind != "attachments");
    let (value, start, end, list): (String, String, String, Vec<String>) = match typed {
        Some(t) => (
            typed_one(t, &f.id),
            typed_one(t, &format!("{}.start", f.id)),
            typed_one(t, &format!("{}.end", f.id)),
            typed_all(t, &f.id).into_iter().map(str::to_owned).collect(),
        ),
        None => {
            let (value, start, end) = match f.kind.as_str() {
                "date" => (typed_date(&saved(0), lang), String::new(), String::new()),
                "date_range" => (
                    String::new(),
                    typed_date(&saved(0), lang),
                    typed_date(&saved(1), lang),
                ),
                _ => (saved(0), String::new(), String::new()),
            };
            (value, start, end, f.input.clone())
        }
    };
    let hint = match (&f.help, f.kind.as_str()) {
        (Some(h), _) => h.clone(),
        (None, "date" | "date_range") => l
            .t(
                "日期可輸入民國年，例如 1150301 或 115/3/1。",
                "Type dates as ROC (1150301, 115/3/1) or ISO (2026-03-01).",
            )
            .to_owned(),
        (None, "attachments") => l
            .t(
                "每個檔案最大 10 MB，接受 PDF、JPEG 或 PNG。",
                "Up to 10 MB per file: PDF, JPEG or PNG.",
            )
            .to_owned(),
        _ => String::new(),
    };
    let choices = match f.kind.as_str() {
        "county" => County::ALL
            .iter()
            .map(|c| ChoiceInput {
                value: c.name_zh().to_owned(),
                name: c.name(lang).to_owned(),
                selected: County::parse(&value).is_ok_and(|v| v == *c),
            })
            .collect(),
        "multi_select" => f
            .choices
            .iter()
            .map(|c| ChoiceInput {
                value: c.value.clone(),
                name: c.name.clone(),
                selected: list.contains(&c.value),
            })
            .collect(),
        _ => f
            .choices
            .iter()
            .map(|c| ChoiceInput {
                value: c.value.clone(),
                name: c.name.clone(),
                selected: c.value == value,
            })
            .collect(),
    };
    FieldInput {
        id: f.id.clone(),
        kind: f.kind.clone(),
        label: f.label.clone(),
        hint,
        required: f.required,
        error: errors
            .iter()
            .find(|e| e.field == f.id)
            .map(|e| e.message(lang))
            .unwrap_or_default(),
        days: if f.kind == "schedule" {
            schedule_grid(l, &list)
        } else {
            Vec::new()
        },
        files: files_of(attachments, &f.id),
        value: if f.kind == "checkbox" && value == "false" {
            String::new()
        } else {
            value
        },
        start,
        end,
        max_length: f.max_length.unwrap_or(0),
        choices,
    }
}

/// The error summary's lines for `errors`: each field's label and message, linking to the
/// field on `href_of`'s page (`None`: the field is on no page the viewer can open).
pub fn error_lines(
    pages: &[PageView],
    errors: &[FormError],
    lang: Lang,
    href_of: impl Fn(&PageView, &FieldView) -> Option<String>,
) -> Vec<ErrorLine> {
    errors
        .iter()
        .map(|e| {
            let found = pages
                .iter()
                .find_map(|p| p.fields.iter().find(|f| f.id == e.field).map(|f| (p, f)));
            match found {
                Some((p, f)) => ErrorLine {
                    href: href_of(p, f).unwrap_or_default(),
                    label: f.label.clone(),
                    message: e.message(lang),
                },
                None => ErrorLine {
                    href: String::new(),
                    label: String::new(),
                    message: e.message(lang),
                },
            }
        })
        .collect()
}

/// A field's value on the case page.
pub struct Shown {
    pub label: String,
    /// The value as people read it ("" when not filled in).
    pub text: String,
    /// The files of an attachments field.
    pub files: Vec<FileRow>,
    pub is_files: bool,
}

/// One form page's values on the case page.
pub struct ShownPage {
    pub id: String,
    pub title: String,
    pub fields: Vec<Shown>,
}

/// The values of `pages` as people read them.
pub fn shown(pages: &[PageView], attachments: &[AttachmentView]) -> Vec<ShownPage> {
    pages
        .iter()
        .map(|p| ShownPage {
            id: p.id.clone(),
            title: p.title.clone(),
            fields: p
                .fields
                .iter()
                .map(|f| Shown {
                    label: f.label.clone(),
                    text: f.shown.clone(),
                    files: files_of(attachments, &f.id),
                    is_files: f.kind == "attachments",
                })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_app::apply::view::ChoiceView;

    fn field(id: &str, kind: &str, input: &[&str]) -> FieldView {
        FieldView {
            id: id.into(),
            kind: kind.into(),
            label: id.into(),
            help: None,
            required: true,
            shown: String::new(),
            input: input.iter().map(|s| (*s).to_owned()).collect(),
            choices: vec![ChoiceView {
                value: "a".into(),
                name: "甲".into(),
            }],
            max_length: None,
        }
    }

    #[test]
    fn saved_dates_come_back_as_roc_on_zh_tw_pages_and_typed_values_win() {
        let l = L(Lang::ZhTw);
        let page = PageView {
            id: "p".into(),
            title: "頁".into(),
            fields: vec![
                field("period", "date_range", &["2026-03-01", "2026-03-31"]),
                field("schedule", "schedule", &["mon-am", "wed-night"]),
                field("kind", "select", &["a"]),
            ],
        };
        let got = inputs(l, &page, None, &[], &[]);
        assert_eq!(
            (got[0].start.as_str(), got[0].end.as_str()),
            ("1150301", "1150331")
        );
        assert!(got[0].hint.contains("1150301"));
        assert_eq!(got[1].days.len(), 7);
        assert_eq!(got[1].days[0].cells[0].label, "週一上午");
        assert!(got[1].days[0].cells[0].checked);
        assert!(got[1].days[2].cells[2].checked);
        assert!(!got[1].days[2].cells[1].checked);
        assert!(got[2].choices[0].selected);

        let typed = vec![
            ("period.start".to_owned(), "115/13/1".to_owned()),
            ("period.end".to_owned(), "1150331".to_owned()),
            ("schedule".to_owned(), "tue-pm".to_owned()),
        ];
        let errors = [FormError::new("period", "apply_date_impossible")];
        let got = inputs(l, &page, Some(&typed), &errors, &[]);
        assert_eq!(got[0].start, "115/13/1");
        assert!(got[0].error.contains("日期不存在"));
        assert_eq!(anchor(&got[0].id, &got[0].kind), "f-period-start");
        assert!(got[1].days[1].cells[1].checked && !got[1].days[0].cells[0].checked);
        assert!(!got[2].choices[0].selected);
    }

    #[test]
    fn sizes_read_as_people_read_them() {
        assert_eq!(size_text(1), "1 KB");
        assert_eq!(size_text(2048), "2 KB");
        assert_eq!(size_text(3 * 1024 * 1024 / 2), "1.5 MB");
    }
}
