//! Printing a case as PDF: the application form page by page, or a decision notice, with the
//! case number and the operator's name on every page, ROC dates, and the history. The font
//! (Noto CJK from `fonts-noto-cjk`) is loaded once per process; rendering runs off the async
//! threads.

use std::sync::{Arc, OnceLock};

use tessera_core::Lang;
use tessera_core::apply::form::{self, FieldKind, Value};
use tessera_core::apply::kind::placeholders;
use tessera_core::org::roc;
use tessera_print::{Block, Document, Fonts};

use super::Who;
use super::cases;
use crate::clock::now;
use crate::error::{Failure, FailureKind};
use crate::state::AppState;

/// A printed document.
#[derive(Debug, Clone)]
pub struct Printed {
    /// A file name for the download (ASCII).
    pub file_name: String,
    /// The PDF.
    pub pdf: Vec<u8>,
}

fn fonts() -> Result<Arc<Fonts>, Failure> {
    static FONTS: OnceLock<Result<Arc<Fonts>, String>> = OnceLock::new();
    FONTS
        .get_or_init(|| Fonts::system().map(Arc::new).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| {
            tracing::error!(error = %e, "printing unavailable");
            Failure::new(FailureKind::Unavailable, "apply_print_unavailable")
        })
}

fn date(t: i64, lang: Lang) -> String {
    match lang {
        Lang::ZhTw => roc::roc_date(t),
        Lang::En => roc::taipei_date(t),
    }
    .unwrap_or_default()
}

/// Prints `print_id` of case `case_id` for `who`, in `lang`.
pub async fn print(
    state: &AppState,
    who: &Who,
    case_id: &str,
    print_id: &str,
    lang: Lang,
) -> Result<Printed, Failure> {
    let (case, kind, _) = cases::open(state, who, case_id).await?;
    let print = kind
        .print(print_id, &case.status)
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "apply_print_not_found"))?;
    // A decision speaks of the version in force; the form of the one being filled or reviewed.
    let version = if print.body.is_some() {
        case.in_force_version.unwrap_or(case.current_version)
    } else {
        case.current_version
    };
    let values = cases::values_of(state, &case, version).await?;
    // Organizations are printed with their registry name.
    let mut names = std::collections::HashMap::new();
    for f in kind.fields().filter(|f| f.kind == FieldKind::Organization) {
        if let Some(code) = values.get(f.id()).and_then(Value::as_text)
            && let Some(org) = state.store.organization_by_institution_code(code).await?
        {
            names.insert(f.id().to_owned(), format!("{}（{code}）", org.name));
        }
    }
    let shown = |f: &tessera_core::apply::FieldSpec, v: &Value| {
        names
            .get(f.id())
            .cloned()
            .unwrap_or_else(|| form::display(f, v, lang))
    };
    let status = kind
        .status(&case.status)
        .map(|s| s.name.get(lang).to_owned())
        .unwrap_or_default();
    let number = case.number.clone().unwrap_or_default();
    let mut blocks = Vec::new();
    if let Some(body) = &print.body {
        let mut text = body.get(lang).to_owned();
        for name in placeholders(body.get(lang))
            .map(str::to_owned)
            .collect::<Vec<_>>()
        {
            let value = match name.as_str() {
                "case_number" => number.clone(),
                "status" => status.clone(),
                "type" => kind.name.get(lang).to_owned(),
                "decided_on" => case.decided_at.map(|t| date(t, lang)).unwrap_or_default(),
                other => other
                    .strip_prefix("field:")
                    .and_then(|id| Some(shown(kind.field(id)?, values.get(id)?)))
                    .unwrap_or_default(),
            };
            text = text.replace(&format!("{{{name}}}"), &value);
        }
        blocks.push(Block::Paragraph(text));
    }
    if print.fields {
        for page in &kind.pages {
            blocks.push(Block::Heading(page.title.get(lang).to_owned()));
            let rows = page
                .fields
                .iter()
                .filter_map(|f| {
                    let v = values.get(f.id())?;
                    Some((f.label.get(lang).to_owned(), shown(f, v)))
                })
                .collect::<Vec<_>>();
            blocks.push(Block::Fields(rows));
        }
    }
    let events = state.store.case_events(&case.id).await?;
    if !events.is_empty() {
        let header = match lang {
            Lang::ZhTw => ["時間", "處理", "處理者", "說明"],
            Lang::En => ["Time", "Action", "By", "Note"],
        }
        .map(str::to_owned);
        let rows = events
            .iter()
            .map(|e| {
                let action = kind
                    .transitions
                    .iter()
                    .find(|t| t.action.get_ref() == &e.action)
                    .map(|t| t.name.get(lang).to_owned())
                    .unwrap_or_else(|| e.action.clone());
                let by = match (e.actor_role.as_str(), lang, e.on_behalf) {
                    (_, Lang::ZhTw, true) => "臨櫃代辦",
                    (_, Lang::En, true) => "At the counter",
                    ("filer", Lang::ZhTw, _) => "申請人",
                    ("reviewer", Lang::ZhTw, _) => "審查人員",
                    ("system", Lang::ZhTw, _) => "系統",
                    ("filer", Lang::En, _) => "Applicant",
                    ("reviewer", Lang::En, _) => "Reviewer",
                    _ => "System",
                };
                [
                    match lang {
                        Lang::ZhTw => roc::roc_minute(e.at),
                        Lang::En => crate::text::rfc3339(e.at),
                    }
                    .unwrap_or_default(),
                    action,
                    by.to_owned(),
                    e.comment.clone().unwrap_or_default(),
                ]
            })
            .collect();
        blocks.push(Block::Heading(match lang {
            Lang::ZhTw => "處理紀錄".to_owned(),
            Lang::En => "History".to_owned(),
        }));
        blocks.push(Block::History { header, rows });
    }
    let settings = &state.settings;
    let doc = Document {
        title: print.title.get(lang).to_owned(),
        operator: settings.operator.agency.get(lang).to_owned(),
        case_number: number.clone(),
        printed_on: match lang {
            Lang::ZhTw => format!("列印日期：{}", date(now(), lang)),
            Lang::En => format!("Printed on {}", date(now(), lang)),
        },
        test_banner: settings
            .environment
            .is_test()
            .then(|| crate::operator::test_banner(lang).to_owned()),
        blocks,
    };
    let fonts = fonts()?;
    let pdf = tokio::task::spawn_blocking(move || tessera_print::render(&doc, &fonts))
        .await
        .map_err(|_| Failure::internal())?
        .map_err(|e| {
            tracing::error!(error = %e, "printing failed");
            Failure::internal()
        })?;
    let ascii: String = number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(Printed {
        file_name: format!("{}-{}{}.pdf", kind.id(), print_id, ascii),
        pdf,
    })
}
