//! The email-verification landing page: the link's GET checks the link without using it up and
//! shows a button (or, for an unknown, used or expired link, the way to a new one); the token
//! is consumed by the POST the button sends (mail scanners prefetch links; they must not
//! verify).

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

pub async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Query(q): Query<TokenParam>,
) -> Response {
    let l = pc.l();
    let page = pc.page(l.t("電子信箱驗證", "Verify your email address"));
    let token = q.token.trim().to_string();
    // Checked without using it up (a prefetch must not verify): an unknown, used or expired
    // link says so at once instead of offering a button that can only fail.
    let (status, error) = match verify::email_link_usable(&state, &token).await {
        Ok(true) => (StatusCode::OK, ""),
        Ok(false) => (StatusCode::BAD_REQUEST, l.msg("token_invalid")),
        Err(f) => (f.status(), f.message(l.0)),
    };
    let token = if error.is_empty() {
        token
    } else {
        String::new()
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
