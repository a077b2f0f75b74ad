//! `GET /apply/cases/{id}` — one case as its viewer sees it: the number once sent, the status,
//! the values page by page (with the version in force while a change is reviewed), the
//! history, the attachments and printouts, and the moves the viewer may take, each a small
//! form posting to `/apply/cases/{id}/act/{action}`; for a draft it is the confirmation step
//! before sending. `POST …/change` opens a change (變更) of an approved case. A refused move
//! shows the page again with what to fix (422, 403 or 409 as the refusal says).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tessera_app::apply::cases::{self, TakeInput};
use tessera_app::apply::view::{CaseView, PrintView};
use tessera_app::state::AppState;
use tessera_core::apply::{FormError, date};

use super::fields::{self, ErrorLine, FileRow, ShownPage};
use super::fill::case_view;
use super::index::first_page;
use super::{case_path, failed, moved_flash, who};
use crate::error::{Failure, FailureExt};
use crate::pages::i18n::L;
use crate::pages::layout::{Page, PageCtx, redirect, render};
use crate::pages::progress::ProgressView;
use crate::pages::when::When;

/// One entry of the history.
pub struct HistoryRow {
    pub at: When,
    pub action: String,
    pub status: String,
    /// 申請人, 審查人員 or 系統.
    pub by: &'static str,
    /// Taken by staff for the person (臨櫃代辦).
    pub on_behalf: bool,
    pub comment: String,
    /// The deadline the move set (補正期限).
    pub deadline: When,
}

/// A move the viewer may take, as its form.
pub struct ActionForm {
    pub action: String,
    pub name: String,
    /// `none`, `optional` or `required`.
    pub comment: String,
    pub comment_value: String,
    pub comment_error: String,
    /// The deadline field is shown (the move sets one).
    pub has_deadline: bool,
    pub deadline_value: String,
    pub deadline_error: String,
    pub effective_date: bool,
    pub effective_value: String,
    pub effective_error: String,
    /// The button's class: the way forward, or a move that ends or sends something back.
    pub style: &'static str,
}

impl ActionForm {
    /// The prefix of its inputs' ids.
    pub fn prefix(&self) -> String {
        format!("act-{}", self.action)
    }
}

#[derive(Template)]
#[template(path = "apply/case.html")]
struct CasePage {
    page: Page,
    id: String,
    number: Option<String>,
    type_name: String,
    status_name: String,
    /// `filer`, `reviewer` or `reader`.
    relation: String,
    subject_name: String,
    county: String,
    created: When,
    submitted: When,
    deadline: When,
    /// What the deadline is: 補正期限 while the filer corrects, else when the case moves on.
    deadline_label: &'static str,
    effective: String,
    progress: Option<ProgressView>,
    editable: bool,
    changing: bool,
    can_change: bool,
    values: Vec<ShownPage>,
    in_force: Option<Vec<ShownPage>>,
    history: Vec<HistoryRow>,
    files: Vec<FileRow>,
    prints: Vec<PrintView>,
    actions: Vec<ActionForm>,
    /// The summary's lead after a refused move ("" when none).
    summary: &'static str,
    lines: Vec<ErrorLine>,
    back_href: String,
    back_text: &'static str,
}

/// What an action's form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActInput {
    comment: String,
    deadline_days: String,
    effective_date: String,
}

/// The fields of an action's own form (the rest of a refusal concerns the application form).
const ACTION_FIELDS: [&str; 3] = ["comment", "deadline_days", "effective_date"];

fn by_label(l: L, by: &str) -> &'static str {
    match by {
        "filer" => l.t("申請人", "Applicant"),
        "reviewer" => l.t("審查人員", "Reviewer"),
        _ => l.t("系統", "System"),
    }
}

fn style_of(action: &str) -> &'static str {
    match action {
        "reject" | "withdraw" | "cancel" | "reject_change" => "button button-danger",
        "return" => "button button-secondary",
        _ => "button",
    }
}

/// The last day before a deadline at `t`: a deadline at midnight (the end of a support
/// period) falls on the day that just ended, not on the next.
fn last_day(lang: tessera_core::Lang, t: i64) -> When {
    When::date(lang, t - 1)
}

/// An ISO date of a view as the page shows it: ROC on zh-TW pages.
fn shown_date(iso: &str, l: L) -> String {
    match date::parse_date(iso) {
        Ok(d) if !l.is_en() => date::roc(d),
        _ => iso.to_owned(),
    }
}

/// The case page for `cv`; after a refused `action` with what its form carried.
fn case_page(
    state: &AppState,
    pc: &PageCtx,
    cv: CaseView,
    refused: Option<(&str, &ActInput, &Failure)>,
) -> Response {
    let l = pc.l();
    let lang = l.0;
    let errors: &[FormError] = refused.map(|(_, _, f)| f.form.as_slice()).unwrap_or(&[]);
    let error_of = |action: &str, field: &str| -> String {
        match refused {
            Some((a, _, _)) if a == action => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message(lang))
                .unwrap_or_default(),
            _ => String::new(),
        }
    };
    let typed = |action: &str| refused.filter(|(a, _, _)| *a == action).map(|(_, i, _)| i);
    let actions = cv
        .actions
        .iter()
        .map(|a| ActionForm {
            action: a.action.clone(),
            name: a.name.clone(),
            comment: a.comment.clone(),
            comment_value: typed(&a.action)
                .map(|i| i.comment.clone())
                .unwrap_or_default(),
            comment_error: error_of(&a.action, "comment"),
            has_deadline: a.deadline_days.is_some(),
            deadline_value: typed(&a.action)
                .map(|i| i.deadline_days.clone())
                .or_else(|| a.deadline_days.map(|d| d.to_string()))
                .unwrap_or_default(),
            deadline_error: error_of(&a.action, "deadline_days"),
            effective_date: a.effective_date,
            effective_value: typed(&a.action)
                .map(|i| i.effective_date.clone())
                .unwrap_or_default(),
            effective_error: error_of(&a.action, "effective_date"),
            style: style_of(&a.action),
        })
        .collect();
    let form_errors: Vec<FormError> = errors
        .iter()
        .filter(|e| !ACTION_FIELDS.contains(&e.field.as_str()))
        .cloned()
        .collect();
    let (summary, mut lines) = match refused {
        None => ("", Vec::new()),
        Some((_, _, f)) if !f.form.is_empty() => (
            l.msg("validation_failed"),
            fields::error_lines(&cv.pages, &form_errors, lang, |p, f| {
                cv.editable.then(|| {
                    let anchor = fields::anchor(&f.id, &f.kind);
                    format!("/apply/cases/{}/pages/{}#{anchor}", cv.id, p.id)
                })
            }),
        ),
        Some((_, _, f)) => (f.message(lang), Vec::new()),
    };
    if let Some((action, _, _)) = refused {
        for e in errors
            .iter()
            .filter(|e| ACTION_FIELDS.contains(&e.field.as_str()))
        {
            lines.push(ErrorLine {
                href: format!("#act-{action}-{}", e.field),
                label: match e.field.as_str() {
                    "comment" => l.t("說明", "Note"),
                    "deadline_days" => l.t("補正期限（天）", "Deadline (days)"),
                    _ => l.t("生效日期", "Effective from"),
                }
                .to_owned(),
                message: e.message(lang),
            });
        }
    }
    let kind = state.applications.get(&cv.type_id);
    let drafting = cv.number.is_none() && cv.editable;
    let progress = kind
        .filter(|_| drafting)
        .map(|k| ProgressView::application(k, k.pages.len(), lang));
    let staff_view = cv.relation != "filer";
    let history = cv
        .history
        .iter()
        .map(|e| HistoryRow {
            at: When::minute(lang, e.at),
            action: e.action_name.clone(),
            status: e.to_name.clone(),
            by: by_label(l, &e.by),
            on_behalf: e.on_behalf,
            comment: e.comment.clone().unwrap_or_default(),
            deadline: e.deadline_at.map(|t| last_day(lang, t)).unwrap_or_default(),
        })
        .collect();
    let title = match &cv.number {
        Some(n) => format!("{n}－{}", cv.type_name),
        None => cv.type_name.clone(),
    };
    let t = CasePage {
        page: pc.page(l.t("申辦案件", "Application")).with_detail(title),
        id: cv.id.clone(),
        number: cv.number.clone(),
        type_name: cv.type_name.clone(),
        status_name: cv.status_name.clone(),
        relation: cv.relation.clone(),
        subject_name: cv.subject_name.clone().unwrap_or_default(),
        county: cv.county.clone().unwrap_or_default(),
        created: When::date(lang, cv.created_at),
        submitted: cv
            .submitted_at
            .map(|t| When::date(lang, t))
            .unwrap_or_default(),
        deadline: cv
            .deadline_at
            .map(|t| last_day(lang, t))
            .unwrap_or_default(),
        deadline_label: if cv.editable && cv.number.is_some() {
            l.t("補正期限", "Correct by")
        } else {
            l.t("期限", "Until")
        },
        effective: cv
            .effective_from
            .as_deref()
            .map(|d| shown_date(d, l))
            .unwrap_or_default(),
        progress,
        editable: cv.editable,
        changing: cv.changing,
        can_change: cv.can_change,
        values: fields::shown(&cv.pages, &cv.attachments),
        in_force: cv
            .in_force
            .as_ref()
            .map(|p| fields::shown(p, &cv.attachments)),
        history,
        files: cv
            .attachments
            .iter()
            .map(|a| FileRow {
                id: a.id.clone(),
                name: a.name.clone(),
                size: fields::size_text(a.size),
            })
            .collect(),
        prints: cv.prints.clone(),
        actions,
        summary,
        lines,
        back_href: if staff_view {
            format!("/admin/apply/{}", cv.type_id)
        } else {
            "/apply".to_owned()
        },
        back_text: if staff_view {
            l.t("回審查案件", "Back to the review queue")
        } else {
            l.t("回我的申辦案件", "Back to my applications")
        },
    };
    let status = refused.map_or(StatusCode::OK, |(_, _, f)| f.status());
    render(pc, status, &t)
}

/// `GET /apply/cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match case_view(&state, &pc, &who, &id).await {
        Ok(cv) => case_page(&state, &pc, cv, None),
        Err(r) => r,
    }
}

/// `POST /apply/cases/{id}/act/{action}`: takes the move, then shows the case with a message.
pub async fn act(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, action)): Path<(String, String)>,
    Form(input): Form<ActInput>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let deadline_days = match input.deadline_days.trim() {
        "" => Ok(None),
        d => d
            .parse::<u16>()
            .ok()
            .filter(|d| (1..=90).contains(d))
            .map(Some)
            .ok_or(()),
    };
    let taken = match deadline_days {
        Ok(deadline_days) => {
            let take = TakeInput {
                comment: Some(input.comment.clone()),
                deadline_days,
                effective_date: Some(input.effective_date.clone()),
            };
            cases::take(&state, &who, &id, &action, &take, &pc.ctx).await
        }
        Err(()) => Err(Failure::form(vec![FormError::new(
            "deadline_days",
            "apply_deadline_days_invalid",
        )])),
    };
    match taken {
        Ok(case) => redirect(
            &case_path(&case.id),
            &[pc.flash_cookie(moved_flash(&action))],
        ),
        Err(f) if f.status() == StatusCode::NOT_FOUND && f.code == "apply_case_not_found" => {
            failed(&pc, &f)
        }
        Err(f) => match case_view(&state, &pc, &who, &id).await {
            Ok(cv) => case_page(&state, &pc, cv, Some((&action, &input, &f))),
            Err(r) => r,
        },
    }
}

/// `POST /apply/cases/{id}/change`: opens a change and its first page.
pub async fn change(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match cases::start_change(&state, &who, &id, &pc.ctx).await {
        Ok(case) => redirect(
            &first_page(&state, &case.type_id, &case.id),
            &[pc.flash_cookie("apply_change_started")],
        ),
        Err(f) if f.status() == StatusCode::NOT_FOUND => failed(&pc, &f),
        Err(f) => match case_view(&state, &pc, &who, &id).await {
            Ok(cv) => case_page(&state, &pc, cv, Some(("change", &ActInput::default(), &f))),
            Err(r) => r,
        },
    }
}
