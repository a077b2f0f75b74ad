//! `GET` and `POST /apply/cases/{id}/pages/{page}` — one page of a case's form, with the
//! progress of the whole filing. The post saves the page (`cases::save_page`, the raw form
//! pairs so that repeated names such as a schedule's survive) and goes to the next page, or
//! to the case page (the confirmation) after the last; a refused page comes back (422) with
//! each field's message next to it, a summary at the top and what was typed.

use askama::Template;
use axum::extract::{Path, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tessera_app::apply::view::{self, CaseView};
use tessera_app::apply::{Who, cases};
use tessera_app::state::AppState;

use super::fields::{self, ErrorLine, FieldInput};
use super::{case_path, failed, who};
use crate::error::{Failure, FailureExt, FailureKind};
use crate::pages::i18n::L;
use crate::pages::layout::{Page, PageCtx, redirect, render};
use crate::pages::progress::ProgressView;

#[derive(Template)]
#[template(path = "apply/page.html")]
struct FormPage {
    page: Page,
    case_id: String,
    type_name: String,
    number: Option<String>,
    page_id: String,
    title: String,
    progress: Option<ProgressView>,
    fields: Vec<FieldInput>,
    periods: Vec<&'static str>,
    /// The summary's lead ("" when the page was not refused).
    summary: &'static str,
    lines: Vec<ErrorLine>,
    /// The previous page's path ("" on the first).
    prev: String,
    last: bool,
}

/// The form page `page_id` of the case `cv`, as saved or — after a refusal — as typed.
pub fn form_page(
    state: &AppState,
    pc: &PageCtx,
    cv: &CaseView,
    page_id: &str,
    typed: Option<&[(String, String)]>,
    failure: Option<&Failure>,
) -> Response {
    let l: L = pc.l();
    let Some(index) = cv.pages.iter().position(|p| p.id == page_id) else {
        return failed(
            pc,
            &Failure::new(FailureKind::NotFound, "apply_page_not_found"),
        );
    };
    let Some(kind) = state.applications.get(&cv.type_id) else {
        return failed(pc, &tessera_app::apply::cases::not_found());
    };
    let page = &cv.pages[index];
    let errors = failure.map(|f| f.form.as_slice()).unwrap_or(&[]);
    let inputs = fields::inputs(l, page, typed, errors, &cv.attachments);
    let (summary, lines) = match failure {
        None => ("", Vec::new()),
        Some(f) if !f.form.is_empty() => (
            l.msg("validation_failed"),
            fields::error_lines(&cv.pages, errors, l.0, |p, f| {
                let anchor = fields::anchor(&f.id, &f.kind);
                Some(if p.id == page_id {
                    format!("#{anchor}")
                } else {
                    format!("/apply/cases/{}/pages/{}#{anchor}", cv.id, p.id)
                })
            }),
        ),
        Some(f) => (f.message(l.0), Vec::new()),
    };
    let t = FormPage {
        page: pc
            .page(l.t("線上申辦", "Online applications"))
            .with_detail(format!("{}－{}", page.title, cv.type_name)),
        case_id: cv.id.clone(),
        type_name: cv.type_name.clone(),
        number: cv.number.clone(),
        page_id: page.id.clone(),
        title: page.title.clone(),
        progress: Some(ProgressView::application(kind, index, l.0)),
        fields: inputs,
        periods: fields::period_names(l),
        summary,
        lines,
        prev: index
            .checked_sub(1)
            .and_then(|i| cv.pages.get(i))
            .map(|p| format!("/apply/cases/{}/pages/{}", cv.id, p.id))
            .unwrap_or_default(),
        last: index + 1 == cv.pages.len(),
    };
    render(pc, failure.map_or(StatusCode::OK, |f| f.status()), &t)
}

/// The case as `who` sees it, or the page saying it is not there for them.
pub async fn case_view(
    state: &AppState,
    pc: &PageCtx,
    who: &Who,
    id: &str,
) -> Result<CaseView, Response> {
    view::case(state, who, id, pc.ctx.lang)
        .await
        .map_err(|f| failed(pc, &f))
}

/// `GET /apply/cases/{id}/pages/{page}`; a case that cannot be edited now shows its page.
pub async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, page_id)): Path<(String, String)>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let cv = match case_view(&state, &pc, &who, &id).await {
        Ok(cv) => cv,
        Err(r) => return r,
    };
    if !cv.editable {
        return redirect(&case_path(&cv.id), &[]);
    }
    form_page(&state, &pc, &cv, &page_id, None, None)
}

/// `POST /apply/cases/{id}/pages/{page}`: saves the page and goes on.
pub async fn save(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path((id, page_id)): Path<(String, String)>,
    RawForm(body): RawForm,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body)
        .into_owned()
        .filter(|(k, _)| k != crate::csrf::CSRF_FIELD)
        .collect();
    match cases::save_page(&state, &who, &id, &page_id, &pairs, &pc.ctx).await {
        Ok(case) => {
            let next = state.applications.get(&case.type_id).and_then(|k| {
                let i = k.pages.iter().position(|p| p.id.get_ref() == &page_id)?;
                k.pages.get(i + 1)
            });
            match next {
                Some(p) => redirect(
                    &format!("/apply/cases/{}/pages/{}", case.id, p.id.get_ref()),
                    &[],
                ),
                None => redirect(&case_path(&case.id), &[]),
            }
        }
        Err(f) if matches!(f.kind, FailureKind::Validation | FailureKind::Conflict) => {
            let cv = match case_view(&state, &pc, &who, &id).await {
                Ok(cv) => cv,
                Err(r) => return r,
            };
            form_page(&state, &pc, &cv, &page_id, Some(&pairs), Some(&f))
        }
        Err(f) => failed(&pc, &f),
    }
}
