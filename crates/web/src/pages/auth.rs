//! 會員登入 and 登出: the sign-in form (with the CAPTCHA widget after any failed attempt, and
//! the lockout message when the account is disabled), the 憑證登入 form beside it (the card
//! signs through `cert-sign.js`; handled in `cert/login.rs`) and sign-out.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::cert::SignBox;
use super::form::opt;
use super::form::{Field, Form};
use super::i18n::L;
use super::layout::{Page, PageCtx, is_local_path, redirect, render};
use crate::session::clear_cookie;
use tessera_app::flows::login::{self, LoginInput};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    captcha: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// A 「使用 X 登入」 link.
pub struct Button {
    pub href: String,
    pub label: String,
}

/// The sign-in buttons of every configured provider; `next` rides along when local.
pub fn buttons(state: &AppState, l: L, next: &str) -> Vec<Button> {
    state
        .upstream
        .all()
        .iter()
        .map(|p| {
            let name = p.config.name(l.0);
            let mut href = format!("/upstream/{}/start", p.config.id);
            if !next.is_empty() {
                let q: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", next)
                    .finish();
                href = format!("{href}?{q}");
            }
            let label = if l.is_en() {
                format!("Sign in with {name}")
            } else {
                format!("使用 {name} 登入")
            };
            Button { href, label }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    page: Page,
    form: Form,
    next: String,
    locked: bool,
    /// 「使用 X 登入」 (upstream providers).
    upstream: Vec<Button>,
    /// The certificate sign-in form.
    sign: SignBox,
    /// Why the last certificate sign-in was refused ("" when none).
    cert_error: &'static str,
}

/// The username + password form (with the CAPTCHA widget when `captcha`); binding an
/// external account uses it too.
pub(super) fn form(l: L, username: &str, captcha: bool) -> Form {
    let mut fields = vec![
        Field::text("username", l.t("帳號", "Username"))
            .required()
            .autocomplete("username")
            .value(username),
        Field::password("password", l.t("密碼", "Password"))
            .required()
            .autocomplete("current-password")
            .hint(l.t(
                "密碼有區分大小寫。連續輸入錯誤 3 次後需完成人機驗證，錯誤 5 次帳號將停用。",
                "Passwords are case-sensitive. After 3 wrong attempts a CAPTCHA is required; after 5 the account is disabled.",
            )),
    ];
    if captcha {
        fields.push(Field::captcha(l));
    }
    Form::new(fields)
}

pub fn local_next(next: &str) -> String {
    if is_local_path(next) && !next.starts_with("/login") {
        next.to_string()
    } else {
        String::new()
    }
}

pub async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    Query(q): Query<NextQuery>,
) -> Response {
    let l = pc.l();
    let page = pc.page(l.t("會員登入", "Sign in"));
    let next = local_next(&q.next);
    let t = LoginPage {
        page,
        form: form(l, "", false),
        upstream: buttons(&state, l, &next),
        next,
        locked: false,
        sign: SignBox::new(&state, "login"),
        cert_error: "",
    };
    render(&pc, StatusCode::OK, &t)
}

/// The sign-in page after a refused certificate sign-in, saying why.
pub fn cert_failed(state: &AppState, pc: &PageCtx, failure: &crate::error::Failure) -> Response {
    let l = pc.l();
    let t = LoginPage {
        page: pc.page(l.t("會員登入", "Sign in")),
        form: form(l, "", false),
        upstream: buttons(state, l, ""),
        next: String::new(),
        locked: failure.code == "account_locked",
        sign: SignBox::new(state, "login"),
        cert_error: super::cert::message(l, Some(failure)),
    };
    render(pc, failure.status(), &t)
}

pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<LoginForm>,
) -> Response {
    let l = pc.l();
    let input = LoginInput {
        username: v.username.clone(),
        password: v.password.clone(),
        captcha: opt(&v.captcha),
    };
    let next = local_next(&v.next);
    match login::login(&state, &input, &pc.ctx).await {
        Ok(ok) => {
            let to = if ok.password_expired {
                "/account/password"
            } else if next.is_empty() {
                "/account"
            } else {
                next.as_str()
            };
            redirect(to, &[ok.set_cookie, pc.flash_cookie("signed_in")])
        }
        Err(failure) => {
            // After any failed attempt the widget is shown: from the 3rd on it is required.
            let mut f = form(l, &v.username, true);
            f.fail(l, &failure);
            let page = pc.page(l.t("會員登入", "Sign in")).with_captcha();
            let t = LoginPage {
                page,
                form: f,
                upstream: buttons(&state, l, &next),
                next,
                locked: failure.code == "account_locked",
                sign: SignBox::new(&state, "login"),
                cert_error: "",
            };
            render(&pc, failure.status(), &t)
        }
    }
}

pub async fn logout(State(state): State<AppState>, pc: PageCtx) -> Response {
    if let Some(s) = pc.any_session()
        && let Err(f) = login::logout(&state, s, &pc.ctx).await
    {
        tracing::error!(code = f.code, "sign-out could not delete the session");
    }
    redirect("/", &[clear_cookie(&state), pc.flash_cookie("signed_out")])
}
