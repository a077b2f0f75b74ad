//! The email-verification landing page: the link's GET only shows a button, and the token is
//! consumed by the POST it sends (mail scanners prefetch links; they must not verify).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::layout::{Page, PageCtx, redirect, render};
use tessera_app::flows::verify;
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TokenParam {
    token: String,
}

#[derive(Template)]
#[template(path = "register/verify_email.html")]
struct VerifyPage {
    page: Page,
    token: String,
    /// The catalog message of a refused token ("" when none).
    error: &'static str,
}

pub async fn show(pc: PageCtx, Query(q): Query<TokenParam>) -> Response {
    let l = pc.l();
    let page = pc.page(l.t("電子信箱驗證", "Verify your email address"));
    let token = q.token.trim().to_string();
    let (status, error) = if token.is_empty() {
        (StatusCode::BAD_REQUEST, l.msg("token_invalid"))
    } else {
        (StatusCode::OK, "")
    };
    render(&pc, status, &VerifyPage { page, token, error })
}

pub async fn confirm(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<TokenParam>,
) -> Response {
    let l = pc.l();
    match verify::confirm_email(&state, &v.token, &pc.ctx).await {
        Ok(()) => {
            let to = if pc.any_session().is_some() {
                "/account"
            } else {
                "/login"
            };
            redirect(to, &[pc.flash_cookie("email_verified")])
        }
        Err(failure) => {
            let page = pc.page(l.t("電子信箱驗證", "Verify your email address"));
            let t = VerifyPage {
                page,
                token: String::new(),
                error: failure.message(l.0),
            };
            render(&pc, failure.status(), &t)
        }
    }
}
