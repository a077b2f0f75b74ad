//! 憑證註冊 (000 當事人 Q1–Q5): registration with the citizen certificate. The page asks for the
//! full national ID (it becomes the username and must match the certificate's last four
//! digits), email, optional recovery mobile, password, the terms and the CAPTCHA; the button
//! has the card sign (PIN in the signer's window) and sends everything at once. Then the usual
//! "open the verification email" page; afterwards ID + password or the card sign in.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::form::opt;
use super::super::form::{Field, Form, Group};
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::register::{mobile_field, password_hint};
use super::{SignBox, Signed};
use crate::error::Failure;
use tessera_app::flows::cert::register::{self, CertRegisterInput};
use tessera_app::flows::cert::{self};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CertRegisterForm {
    national_id: String,
    email: String,
    mobile: String,
    password: String,
    password_confirm: String,
    accept_terms: String,
    captcha: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

#[derive(Template)]
#[template(path = "cert/register.html")]
struct RegisterPage {
    page: Page,
    form: Form,
    sign: SignBox,
}

fn form(l: L, state: &AppState, v: &CertRegisterForm) -> Form {
    Form::grouped(vec![
        Group {
            legend: l.t("步驟一：身分證字號（即為帳號）", "Step 1: national ID (your username)"),
            fields: vec![
                Field::text("national_id", l.t("身分證字號", "National ID number"))
                    .required()
                    .autocomplete("off")
                    .hint(l.t(
                        "請輸入完整的身分證字號，例如 A123456789。註冊後帳號即為身分證字號，須與憑證內的資料相符。",
                        "Your full national ID, e.g. A123456789. It becomes your username and must match the certificate.",
                    ))
                    .value(&v.national_id),
            ],
        },
        Group {
            legend: l.t("步驟二：聯絡資料與密碼", "Step 2: contact details and password"),
            fields: vec![
                Field::email("email", l.t("電子信箱", "Email"))
                    .required()
                    .hint(l.t(
                        "請填寫有效的電子信箱，系統將寄發帳號通知信及驗證信至此信箱。",
                        "Use a working address: account notices and the verification email go there.",
                    ))
                    .value(&v.email),
                mobile_field(l, &v.mobile),
                Field::password("password", l.t("密碼", "Password"))
                    .required()
                    .autocomplete("new-password")
                    .hint(password_hint(l, &state.settings.password_policy)),
                Field::password("password_confirm", l.t("確認密碼", "Confirm password"))
                    .required()
                    .autocomplete("new-password")
                    .hint(l.t("請再輸入一次密碼。", "Type the password again.")),
            ],
        },
        Group {
            legend: l.t("步驟三：您同意嗎？", "Step 3: do you agree?"),
            fields: vec![
                Field::checkbox(
                    "accept_terms",
                    l.t(
                        "我已經詳細閱讀並同意服務條款和隱私權政策",
                        "I have read and accept the terms of use and the privacy policy",
                    ),
                )
                .required()
                .value(if v.accept_terms.is_empty() { "" } else { "on" })
                .hint(l.t("請先閱讀全文：", "Read them first:"))
                .link(
                    "/terms",
                    l.t(
                        "服務條款和隱私權政策（另開新視窗）",
                        "terms of use and privacy policy (opens a new window)",
                    ),
                ),
                Field::captcha(l),
            ],
        },
    ])
}

fn title(l: L) -> &'static str {
    l.t("自然人憑證註冊", "Register with a citizen certificate")
}

fn page(
    state: &AppState,
    pc: &PageCtx,
    v: &CertRegisterForm,
    failure: Option<&Failure>,
) -> Response {
    let l = pc.l();
    let mut f = form(l, state, v);
    let status = match failure {
        Some(x) if x.code == "password_mismatch" => {
            f.field_error(l, "password_confirm", x.code);
            x.status()
        }
        Some(x) => {
            f.fail(l, x);
            x.status()
        }
        None => StatusCode::OK,
    };
    let t = RegisterPage {
        page: pc.page(title(l)).with_captcha(),
        form: f,
        sign: SignBox::new(state, "register"),
    };
    render(pc, status, &t)
}

/// `GET /register/certificate`.
pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    page(&state, &pc, &CertRegisterForm::default(), None)
}

/// `POST /register/certificate`.
pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<CertRegisterForm>,
) -> Response {
    if v.password != v.password_confirm {
        let f = Failure::new(crate::error::FailureKind::Validation, "password_mismatch");
        return page(&state, &pc, &v, Some(&f));
    }
    let signed = Signed {
        challenge_id: v.challenge_id.clone(),
        signature: v.signature.clone(),
        cert: v.cert.clone(),
    };
    let answer = match signed.answer() {
        Ok(a) => a,
        Err(f) => return page(&state, &pc, &v, Some(&f)),
    };
    let input = CertRegisterInput {
        challenge_id: answer.challenge_id,
        signature: answer.signature,
        cert: answer.cert,
        national_id: v.national_id.clone(),
        email: v.email.clone(),
        mobile: opt(&v.mobile),
        password: v.password.clone(),
        accept_terms: !v.accept_terms.is_empty(),
        captcha: opt(&v.captcha),
    };
    let browser = cert::browser_binding(&pc.csrf);
    match register::register(&state, &input, &browser, &pc.ctx).await {
        Ok(_) => redirect("/register/done", &[]),
        Err(f) => page(&state, &pc, &v, Some(&f)),
    }
}
