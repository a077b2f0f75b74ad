//! 會員中心: the overview of the signed-in member's account (profile, verification state,
//! password expiry) with the email and mobile verification actions, the guard every page
//! acting for the member uses (sign-in required; an expired password opens only its change
//! page; an unverified email address only the account, its profile, the verification email
//! and deletion), and the page telling an unverified member why the rest is closed.

use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_store::Account;

use super::form::{Field, Form};
use super::home::failure_page;
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::member::require;
use super::when::When;
use crate::error::Failure;
use crate::session::{self, Limit, Open};
use tessera_app::flows::{login::password_expires_at, verify};
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "account/home.html")]
struct AccountPage {
    page: Page,
    a: Account,
    /// The account must verify its email address before anything else is open.
    email_limited: bool,
    /// The new address the account is changing to, waiting for its link (empty: none).
    pending_email: String,
    password_expires: When,
    /// The mobile-code form.
    form: Form,
    /// Bound certificates.
    certs: Vec<super::cert::account::CertRow>,
    /// The national ID as the page shows it: masked ("A*****6789"), as on every page; the
    /// whole number is on the profile form.
    national_id: Option<String>,
}

fn code_form(l: L) -> Form {
    Form::new(vec![
        Field::text("code", l.t("簡訊驗證碼", "Code from the text message"))
            .required()
            .inputmode("numeric")
            .autocomplete("one-time-code")
            .hint(l.t(
                "6 位數字，10 分鐘內有效，最多可輸入 5 次。",
                "6 digits, valid for 10 minutes, 5 tries at most.",
            )),
    ])
}

async fn overview(
    state: &AppState,
    pc: &PageCtx,
    a: Account,
    code_form: Form,
    status: StatusCode,
) -> Response {
    let l = pc.l();
    let password_expires = password_expires_at(state, &a)
        .map(|t| When::date(l.0, t))
        .unwrap_or_default();
    let certs = match super::cert::account::rows(state, &a.id, l.0).await {
        Ok(c) => c,
        Err(f) => return failure_page(pc, &f),
    };
    let pending_email = match verify::pending_email(state, &a).await {
        Ok(p) => p.unwrap_or_default(),
        Err(f) => return failure_page(pc, &f),
    };
    let national_id = a.national_id.as_deref().map(|n| {
        tessera_core::NationalId::parse(n).map_or_else(|_| n.to_string(), |id| id.masked())
    });
    let t = AccountPage {
        page: pc.page(l.t("會員中心", "My account")),
        national_id,
        email_limited: session::email_unverified(&a),
        pending_email,
        a,
        password_expires,
        form: code_form,
        certs,
    };
    render(pc, status, &t)
}

pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    overview(&state, &pc, a, code_form(pc.l()), StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "account/email_unverified.html")]
struct UnverifiedPage {
    page: Page,
    a: Account,
    /// The OpenID Connect client that asked for a sign-in ("" for a page of this site).
    client_name: String,
    /// Where to go on with that client's request once verified ("" for none).
    resume_href: String,
}

/// The page telling the signed-in member whose email address is not verified that what they
/// asked for (a page here, or signing in to `client_name`) is closed until it is, where the
/// link went, and the ways out: resend it, change the address.
pub fn unverified_page(
    pc: &PageCtx,
    status: StatusCode,
    client_name: &str,
    resume_href: &str,
) -> Response {
    let l = pc.l();
    let Some(a) = pc.session_account().cloned() else {
        return redirect("/login", &[pc.flash_cookie("login_required")]);
    };
    let t = UnverifiedPage {
        page: pc.page(l.t("電子郵件信箱尚未驗證", "Your email address is not verified")),
        a,
        client_name: client_name.to_owned(),
        resume_href: resume_href.to_owned(),
    };
    render(pc, status, &t)
}

/// `GET /account/email-unverified`: where a page refused for the unverified address sends the
/// browser (a verified account goes on to 會員中心).
pub async fn show_unverified(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (s, _) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if s.limit() != Some(Limit::EmailUnverified) {
        return redirect("/account", &[]);
    }
    unverified_page(&pc, StatusCode::OK, "", "")
}

pub async fn resend_email(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match verify::resend(&state, &a, pc.ctx.lang).await {
        Ok(verify::Resent::Sent) => redirect("/account", &[pc.flash_cookie("verification_sent")]),
        Ok(verify::Resent::NothingPending) => {
            redirect("/account", &[pc.flash_cookie("email_verified")])
        }
        Err(f) => failure_page(&pc, &f),
    }
}

pub async fn send_mobile_code(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match verify::send_mobile_code(&state, &a, pc.ctx.lang).await {
        Ok(()) => redirect("/account#mobile", &[pc.flash_cookie("code_sent")]),
        Err(f) => failure_page(&pc, &f),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

pub async fn confirm_mobile(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<CodeForm>,
) -> Response {
    let (_, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let mut form = code_form(l);
    let failure = if v.code.trim().is_empty() {
        Failure::field(tessera_core::field::FieldError::new(
            "code",
            "code_required",
        ))
    } else {
        match verify::confirm_mobile(&state, &a, &v.code, &pc.ctx).await {
            Ok(()) => return redirect("/account", &[pc.flash_cookie("mobile_verified")]),
            Err(f) => f,
        }
    };
    match failure.code {
        "code_invalid" | "code_exhausted" => form.field_error(l, "code", failure.code),
        _ => form.fail(l, &failure),
    }
    overview(&state, &pc, a, form, StatusCode::UNPROCESSABLE_ENTITY).await
}
