//! 忘記密碼: asking for a reset (email link: username + email; SMS code: username + mobile)
//! with the same neutral answer whether or not anything matched, and setting the new password
//! with the emailed link or the SMS code.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::form::opt;
use super::form::{Field, Form};
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::register::password_hint;
use tessera_app::flows::reset::{self, ResetComplete, ResetRequest};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    channel: String,
    username: String,
    email: String,
    mobile: String,
}

#[derive(Template)]
#[template(path = "reset/forgot.html")]
struct ForgotPage {
    page: Page,
    /// The email-link form, then the SMS-code form (ids prefixed `sms-`).
    forms: Vec<Form>,
}

fn username_field(l: L, value: &str) -> Field {
    Field::text("username", l.t("帳號", "Username"))
        .required()
        .autocomplete("username")
        .value(value)
}

fn email_form(l: L, v: &ForgotForm) -> Form {
    Form::new(vec![
        username_field(l, &v.username),
        Field::email(
            "email",
            l.t("註冊時的電子信箱", "Email address on the account"),
        )
        .required()
        .value(&v.email),
    ])
}

fn sms_form(l: L, v: &ForgotForm) -> Form {
    Form::new(vec![
        username_field(l, &v.username),
        Field::tel(
            "mobile",
            l.t("已驗證的救援手機", "Verified recovery mobile"),
        )
        .required()
        .autocomplete("tel")
        .hint(l.t("例如 0911123456", "e.g. 0911123456"))
        .value(&v.mobile),
    ])
    .with_prefix("sms-")
}

pub async fn forgot(pc: PageCtx) -> Response {
    let l = pc.l();
    let empty = ForgotForm::default();
    let t = ForgotPage {
        page: pc.page(l.t("忘記密碼", "Forgot password")),
        forms: vec![email_form(l, &empty), sms_form(l, &empty)],
    };
    render(&pc, StatusCode::OK, &t)
}

pub async fn request(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<ForgotForm>,
) -> Response {
    let l = pc.l();
    let sms = v.channel == "sms";
    let empty = ForgotForm::default();
    let (mut ef, mut sf) = if sms {
        (email_form(l, &empty), sms_form(l, &v))
    } else {
        (email_form(l, &v), sms_form(l, &empty))
    };
    let form = if sms { &mut sf } else { &mut ef };
    // Only blanks are refused here; whether anything matches is never told.
    if v.username.trim().is_empty() {
        form.field_error(l, "username", "username_required");
    }
    if sms && v.mobile.trim().is_empty() {
        form.field_error(l, "mobile", "mobile_required");
    }
    if !sms && v.email.trim().is_empty() {
        form.field_error(l, "email", "email_required");
    }
    if form.has_errors() {
        let t = ForgotPage {
            page: pc.page(l.t("忘記密碼", "Forgot password")),
            forms: vec![ef, sf],
        };
        return render(&pc, StatusCode::UNPROCESSABLE_ENTITY, &t);
    }
    let input = ResetRequest {
        username: v.username.clone(),
        channel: if sms { "sms" } else { "email" }.to_string(),
        email: opt(&v.email),
        mobile: opt(&v.mobile),
        ..ResetRequest::default()
    };
    if let Err(f) = reset::request(&state, &input, &pc.ctx).await {
        tracing::error!(code = f.code, "password reset request failed");
    }
    redirect(
        if sms {
            "/password/forgot/sent?channel=sms"
        } else {
            "/password/forgot/sent?channel=email"
        },
        &[],
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChannelQuery {
    channel: String,
}

#[derive(Template)]
#[template(path = "reset/forgot_sent.html")]
struct SentPage {
    page: Page,
    sms: bool,
}

pub async fn sent(pc: PageCtx, Query(q): Query<ChannelQuery>) -> Response {
    let l = pc.l();
    let t = SentPage {
        page: pc.page(l.t("已受理重設密碼申請", "Reset requested")),
        sms: q.channel == "sms",
    };
    render(&pc, StatusCode::OK, &t)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewPasswordForm {
    token: String,
    username: String,
    code: String,
    new_password: String,
    new_password_confirm: String,
}

#[derive(Template)]
#[template(path = "reset/reset.html")]
struct ResetPage {
    page: Page,
    form: Form,
    /// The emailed link's token; empty on the SMS-code page.
    token: String,
    sms: bool,
    /// The link is unusable: show the way to ask for a new one instead of the form.
    dead_link: bool,
}

fn new_password_fields(l: L, state: &AppState) -> Vec<Field> {
    vec![
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
    ]
}

fn reset_form(l: L, state: &AppState, sms: bool, v: &NewPasswordForm) -> Form {
    let mut fields = Vec::new();
    if sms {
        fields.push(username_field(l, &v.username));
        fields.push(
            Field::text("code", l.t("簡訊驗證碼", "Code from the text message"))
                .required()
                .inputmode("numeric")
                .autocomplete("one-time-code")
                .hint(l.t(
                    "6 位數字，10 分鐘內有效，最多可輸入 5 次。",
                    "6 digits, valid for 10 minutes, 5 tries at most.",
                ))
                .value(&v.code),
        );
    }
    fields.extend(new_password_fields(l, state));
    Form::new(fields)
}

fn title(l: L) -> &'static str {
    l.t("重設密碼", "Reset password")
}

pub async fn link_form(
    State(state): State<AppState>,
    pc: PageCtx,
    Query(q): Query<NewPasswordForm>,
) -> Response {
    let l = pc.l();
    let token = q.token.trim().to_string();
    let mut form = reset_form(l, &state, false, &NewPasswordForm::default());
    // The link is checked before anything is typed (read-only: a check neither uses it up
    // nor counts a try); an unusable one gets the way to ask for a new one, not the form.
    let refused = match reset::link_usable(&state, &token).await {
        Ok(true) => None,
        Ok(false) => Some(crate::error::Failure::bad_request("token_invalid")),
        Err(f) => Some(f),
    };
    let (status, dead_link) = match &refused {
        Some(f) => {
            form.fail(l, f);
            (f.status(), true)
        }
        None => (StatusCode::OK, false),
    };
    let t = ResetPage {
        page: pc.page(title(l)),
        form,
        token: if dead_link { String::new() } else { token },
        sms: false,
        dead_link,
    };
    render(&pc, status, &t)
}

pub async fn sms_form_page(State(state): State<AppState>, pc: PageCtx) -> Response {
    let l = pc.l();
    let t = ResetPage {
        page: pc.page(title(l)),
        form: reset_form(l, &state, true, &NewPasswordForm::default()),
        token: String::new(),
        sms: true,
        dead_link: false,
    };
    render(&pc, StatusCode::OK, &t)
}

async fn complete(state: AppState, pc: PageCtx, v: NewPasswordForm, sms: bool) -> Response {
    let l = pc.l();
    let mut form = reset_form(l, &state, sms, &v);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    let mut dead_link = false;
    if v.new_password != v.new_password_confirm {
        form.field_error(l, "new_password_confirm", "password_mismatch");
    } else {
        let input = ResetComplete {
            token: (!sms).then(|| v.token.trim().to_string()),
            username: sms.then(|| v.username.clone()),
            code: sms.then(|| v.code.trim().to_string()),
            new_password: v.new_password.clone(),
        };
        match reset::complete(&state, &input, &pc.ctx).await {
            Ok(()) => return redirect("/login", &[pc.flash_cookie("password_reset")]),
            Err(failure) => {
                status = failure.status();
                match failure.code {
                    "code_invalid" | "code_exhausted" if sms => {
                        form.field_error(l, "code", failure.code);
                    }
                    code => {
                        dead_link = !sms && code == "token_invalid";
                        form.fail(l, &failure);
                    }
                }
            }
        }
    }
    let t = ResetPage {
        page: pc.page(title(l)),
        form,
        token: v.token.trim().to_string(),
        sms,
        dead_link,
    };
    render(&pc, status, &t)
}

pub async fn link_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<NewPasswordForm>,
) -> Response {
    complete(state, pc, v, false).await
}

pub async fn sms_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<NewPasswordForm>,
) -> Response {
    complete(state, pc, v, true).await
}
