//! 會員中心's certificates: the bound certificates with serial and validity (on the overview),
//! 憑證綁定 (004 六 Q4 method 2: signed in, the account's password and the card's signature;
//! a new card of the same identity replaces the bound one — 展期/換卡, the old serial stays in
//! the history) and 解除憑證綁定 (004 二 Q4).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_store::Account;

use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::member::require;
use super::super::when::When;
use super::{SignBox, Signed};
use crate::error::Failure;
use crate::session::{Open, clear_cookie};
use tessera_app::flows::cert::binding::{self, BindInput};
use tessera_app::flows::cert::{self};
use tessera_app::state::AppState;
use tessera_core::lang::Lang;

/// A bound certificate as the pages show it.
#[derive(Debug, Clone)]
pub struct CertRow {
    pub serial: String,
    pub subject: String,
    pub not_before: When,
    pub not_after: When,
    pub bound_at: When,
}

/// The account's live certificates.
pub async fn rows(state: &AppState, account_id: &str, lang: Lang) -> Result<Vec<CertRow>, Failure> {
    Ok(state
        .store
        .account_certificates(account_id, false)
        .await?
        .iter()
        .map(|c| CertRow {
            serial: c.serial.clone(),
            subject: c.subject.clone(),
            not_before: When::date(lang, c.not_before),
            not_after: When::date(lang, c.not_after),
            bound_at: When::date(lang, c.bound_at),
        })
        .collect())
}

#[derive(Template)]
#[template(path = "cert/bind.html")]
struct BindPage {
    page: Page,
    a: Account,
    certs: Vec<CertRow>,
    form: Form,
    sign: SignBox,
}

fn form(l: L) -> Form {
    Form::new(vec![
        Field::password("password", l.t("密碼", "Password"))
            .required()
            .autocomplete("current-password")
            .hint(l.t(
                "請輸入目前帳號的密碼；綁定前會核對帳號的身分證字號與憑證是否相符。",
                "Type this account's password; the account's national ID is checked against the certificate.",
            )),
    ])
}

async fn page(state: &AppState, pc: &PageCtx, a: Account, failure: Option<&Failure>) -> Response {
    let l = pc.l();
    let certs = match rows(state, &a.id, l.0).await {
        Ok(c) => c,
        Err(f) => return failure_page(pc, &f),
    };
    let mut form = form(l);
    let status = match failure {
        Some(f) => {
            form.fail(l, f);
            f.status()
        }
        None => StatusCode::OK,
    };
    let t = BindPage {
        page: pc.page(l.t("憑證綁定", "Bind a certificate")),
        a,
        certs,
        form,
        sign: SignBox::new(state, "bind"),
    };
    render(pc, status, &t)
}

/// `GET /account/certificate`.
pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    match require(&state, &pc, Open::Full).await {
        Ok((_, a)) => page(&state, &pc, a, None).await,
        Err(r) => r,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BindForm {
    password: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

/// `POST /account/certificate`: bind (or renew) with the password and the card.
pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<BindForm>,
) -> Response {
    let (s, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let signed = Signed {
        challenge_id: v.challenge_id,
        signature: v.signature,
        cert: v.cert,
    };
    let answer = match signed.answer() {
        Ok(x) => x,
        Err(f) => return page(&state, &pc, a, Some(&f)).await,
    };
    let input = BindInput {
        challenge_id: answer.challenge_id,
        signature: answer.signature,
        cert: answer.cert,
        username: None,
        password: v.password,
        not_mine: Vec::new(),
    };
    let browser = cert::browser_binding(&pc.csrf);
    match binding::bind(&state, &input, Some(&s), &browser, &pc.ctx).await {
        Ok(b) => {
            let flash = if b.replaced.is_empty() {
                "cert_bound"
            } else {
                "cert_renewed"
            };
            redirect("/account", &[pc.flash_cookie(flash)])
        }
        Err(f) => page(&state, &pc, a, Some(&f)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UnbindForm {
    serial: String,
}

/// `POST /account/certificate/unbind` (解除憑證綁定).
pub async fn unbind(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<UnbindForm>,
) -> Response {
    let (_, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match binding::unbind(&state, &a, &v.serial, &pc.ctx).await {
        // 004 二 Q4: unbinding signs the member out of the platform.
        Ok(()) => redirect(
            "/login",
            &[clear_cookie(&state), pc.flash_cookie("cert_unbound")],
        ),
        Err(f) => failure_page(&pc, &f),
    }
}
