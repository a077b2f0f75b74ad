//! `GET /apply` — 線上申辦: the application types offered, each with its description and a
//! 「開始申辦」 button, and 「我的申辦案件」 for whoever is signed in; without a session the
//! types are still listed, with the way to sign in. `POST /apply/{type}/start` starts a draft
//! and opens its first page.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tessera_app::apply::{Who, cases, view};
use tessera_app::state::AppState;

use super::{failed, staff_who, who};
use crate::error::{Failure, FailureExt};
use crate::pages::layout::{Page, PageCtx, redirect, render};
use crate::pages::when::When;

/// One type offered.
pub struct TypeCard {
    pub id: String,
    pub name: String,
    pub description: String,
}

/// One line of 「我的申辦案件」.
pub struct CaseRow {
    pub id: String,
    /// The case number, or "" for a draft.
    pub number: String,
    pub type_name: String,
    pub status_name: String,
    pub updated: When,
}

#[derive(Template)]
#[template(path = "apply/index.html")]
struct IndexPage {
    page: Page,
    types: Vec<TypeCard>,
    /// Someone is signed in who may be listed cases (a member, or staff filing at the counter).
    signed_in: bool,
    staff: bool,
    cases: Vec<CaseRow>,
    /// Why starting a case was refused ("" when it was not).
    error: &'static str,
    login_href: String,
}

/// Who is looking, without sending anyone to sign in: a member's full session, else a staff
/// session, else nobody.
async fn viewer(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
) -> Result<Option<Who>, Response> {
    if pc.session.is_some() {
        return who(state, pc, headers).await.map(Some);
    }
    if pc.any_session().is_some() {
        return Ok(None);
    }
    staff_who(state, pc, headers).await
}

async fn index_page(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
    refused: Option<&Failure>,
) -> Response {
    let l = pc.l();
    let lang = l.0;
    let viewer = match viewer(state, pc, headers).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let cases = match &viewer {
        Some(w) => match view::mine(state, w, lang).await {
            Ok(lines) => lines
                .into_iter()
                .map(|c| CaseRow {
                    id: c.id,
                    number: c.number.unwrap_or_default(),
                    type_name: c.type_name,
                    status_name: c.status_name,
                    updated: When::date(lang, c.updated_at),
                })
                .collect(),
            Err(f) => return failed(pc, &f),
        },
        None => Vec::new(),
    };
    let types = state
        .applications
        .all()
        .map(|k| TypeCard {
            id: k.id().to_owned(),
            name: k.name.get(lang).to_owned(),
            description: k
                .description
                .as_ref()
                .map(|d| d.get(lang).to_owned())
                .unwrap_or_default(),
        })
        .collect();
    let next: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", "/apply")
        .finish();
    let t = IndexPage {
        page: pc.page(l.t("線上申辦", "Online applications")),
        types,
        signed_in: viewer.is_some(),
        staff: matches!(viewer, Some(Who::Staff { .. })),
        cases,
        error: refused.map(|f| f.message(lang)).unwrap_or(""),
        login_href: format!("/login?{next}"),
    };
    let status = refused.map_or(StatusCode::OK, |f| f.status());
    render(pc, status, &t)
}

/// `GET /apply`.
pub async fn show(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    index_page(&state, &pc, &headers, None).await
}

/// `POST /apply/{type}/start`: a new draft, then its first page.
pub async fn start(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(type_id): Path<String>,
) -> Response {
    let who = match who(&state, &pc, &headers).await {
        Ok(w) => w,
        Err(r) => return r,
    };
    match cases::start(&state, &who, &type_id, &pc.ctx).await {
        Ok(case) => redirect(
            &first_page(&state, &case.type_id, &case.id),
            &[pc.flash_cookie("apply_draft_started")],
        ),
        Err(f) if f.status() == StatusCode::NOT_FOUND => failed(&pc, &f),
        Err(f) => index_page(&state, &pc, &headers, Some(&f)).await,
    }
}

/// The first form page of case `case_id` of type `type_id` (the case page for a type of no
/// pages).
pub fn first_page(state: &AppState, type_id: &str, case_id: &str) -> String {
    match state
        .applications
        .get(type_id)
        .and_then(|k| k.pages.first())
    {
        Some(p) => format!("/apply/cases/{case_id}/pages/{}", p.id.get_ref()),
        None => super::case_path(case_id),
    }
}
