//! 忘記密碼 › 使用自然人憑證重設密碼/解鎖 (004 四 Q5): the username, the new password (twice)
//! and the card's signature; the certificate's ID must match the account's; the new password
//! is set at once, the account unlocked and signed out everywhere.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::form::{Field, Form};
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::register::password_hint;
use super::{SignBox, Signed};
use crate::error::Failure;
use tessera_app::flows::cert::{self, reset};
use tessera_app::flows::reset::ResetRequest;
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CertResetForm {
    username: String,
    new_password: String,
    new_password_confirm: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

#[derive(Template)]
#[template(path = "cert/reset.html")]
struct ResetPage {
    page: Page,
    form: Form,
    sign: SignBox,
}

fn form(l: L, state: &AppState, username: &str) -> Form {
    Form::new(vec![
        Field::text("username", l.t("帳號", "Username"))
            .required()
            .autocomplete("username")
            .value(username),
        Field::password("new_password", l.t("新密碼", "New password"))
            .required()
            .autocomplete("new-password")
            .hint(password_hint(l, &state.settings.password_policy)),
        Field::password(
            "new_password_confirm",
            l.t("確認新密碼", "Confirm new password"),
        )
        .required()
        .autocomplete("new-password")
        .hint(l.t("請再輸入一次新密碼。", "Type the new password again.")),
    ])
}

fn title(l: L) -> &'static str {
    l.t(
        "使用自然人憑證重設密碼或解鎖",
        "Reset the password or unlock with a citizen certificate",
    )
}

fn page(state: &AppState, pc: &PageCtx, username: &str, failure: Option<&Failure>) -> Response {
    let l = pc.l();
    let mut f = form(l, state, username);
    let status = match failure {
        Some(x) => {
            if x.code == "password_mismatch" {
                f.field_error(l, "new_password_confirm", x.code);
            } else {
                f.fail(l, x);
            }
            x.status()
        }
        None => StatusCode::OK,
    };
    let t = ResetPage {
        page: pc.page(title(l)),
        form: f,
        sign: SignBox::new(state, "reset"),
    };
    render(pc, status, &t)
}

/// `GET /password/reset-certificate`.
pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    page(&state, &pc, "", None)
}

/// `POST /password/reset-certificate`.
pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<CertResetForm>,
) -> Response {
    if v.new_password != v.new_password_confirm {
        let f = Failure::new(crate::error::FailureKind::Validation, "password_mismatch");
        return page(&state, &pc, &v.username, Some(&f));
    }
    let signed = Signed {
        challenge_id: v.challenge_id,
        signature: v.signature,
        cert: v.cert,
    };
    let answer = match signed.answer() {
        Ok(a) => a,
        Err(f) => return page(&state, &pc, &v.username, Some(&f)),
    };
    let input = ResetRequest {
        username: v.username.clone(),
        channel: "certificate".to_owned(),
        challenge_id: Some(answer.challenge_id),
        signature: Some(answer.signature),
        cert: answer.cert,
        new_password: Some(v.new_password),
        ..ResetRequest::default()
    };
    let browser = cert::browser_binding(&pc.csrf);
    match reset::reset(&state, &input, &browser, &pc.ctx).await {
        Ok(()) => redirect("/login", &[pc.flash_cookie("password_reset")]),
        Err(f) => page(&state, &pc, &v.username, Some(&f)),
    }
}
