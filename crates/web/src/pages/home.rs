//! The pages that need no form: home, terms of use and privacy policy, the goodbye page after
//! deletion, the language switch, and the HTML "not found" page.

use crate::error::FailureExt;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cookie::SameSite;
use serde::Deserialize;
use tessera_core::lang::Lang;

use super::layout::{Page, PageCtx, is_local_path, redirect, render};
use crate::context::LANG_COOKIE;
use crate::cookies;
use crate::error::Failure;
use tessera_app::state::AppState;

/// The language cookie lives a year.
const LANG_MAX_AGE: i64 = 365 * 86_400;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
}

pub async fn home(pc: PageCtx) -> Response {
    let page = pc.page(pc.l().t("首頁", "Home"));
    render(&pc, StatusCode::OK, &HomePage { page })
}

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage {
    page: Page,
    version: String,
}

pub async fn terms(State(state): State<AppState>, pc: PageCtx) -> Response {
    let page = pc.page(
        pc.l()
            .t("服務條款及隱私權政策", "Terms of use and privacy policy"),
    );
    let version = state.settings.terms_version.clone();
    render(&pc, StatusCode::OK, &TermsPage { page, version })
}

#[derive(Template)]
#[template(path = "goodbye.html")]
struct GoodbyePage {
    page: Page,
}

pub async fn goodbye(pc: PageCtx) -> Response {
    let page = pc.page(pc.l().t("帳號已刪除", "Account deleted"));
    render(&pc, StatusCode::OK, &GoodbyePage { page })
}

#[derive(Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    set: String,
    #[serde(default)]
    next: String,
}

/// `GET /lang?set=en|zh-TW&next=/path`: remembers the language and goes back, only ever to a
/// path on this site.
pub async fn switch(State(state): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    let to = if is_local_path(&q.next) {
        q.next.as_str()
    } else {
        "/"
    };
    let Some(lang) = Lang::from_tag(&q.set) else {
        return redirect(to, &[]);
    };
    let c = cookies::build(
        LANG_COOKIE,
        lang.as_str(),
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(LANG_MAX_AGE),
    );
    redirect(to, &[c])
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub page: Page,
    pub heading: &'static str,
    pub text: &'static str,
}

/// Unknown paths: an HTML page for people, the JSON error for API clients.
pub async fn not_found(uri: Uri, pc: PageCtx) -> Response {
    let l = pc.l();
    if uri.path().starts_with("/api/") {
        return Failure::new(crate::error::FailureKind::NotFound, "not_found")
            .in_lang(l.0)
            .into_response();
    }
    let page = pc.page(l.t("找不到網頁", "Page not found"));
    let text = l.msg("not_found");
    let heading = page.title;
    render(
        &pc,
        StatusCode::NOT_FOUND,
        &MessagePage {
            page,
            heading,
            text,
        },
    )
}

/// A page telling that something failed on our side (or another non-form failure).
pub fn failure_page(pc: &PageCtx, failure: &Failure) -> Response {
    let l = pc.l();
    let page = pc.page(l.t("無法完成", "Something went wrong"));
    let heading = page.title;
    render(
        pc,
        failure.status(),
        &MessagePage {
            page,
            heading,
            text: failure.message(l.0),
        },
    )
}
