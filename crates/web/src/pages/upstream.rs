//! 「使用 X 登入」 pages (004 二 Q6): the start link (to the provider), the provider's redirect
//! back, and 綁定 E 政府帳號 — the page where a verified but unlinked external identity is bound
//! to an existing account with its username and password, or sent to registration. Failures
//! are told in a page of their own, always with the way back; nothing from the provider's
//! answer is ever shown or followed as a redirect.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::auth::form as login_form;
use super::form::Form;
use super::form::opt;
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use crate::cookies;
use crate::error::Failure;
use tessera_app::flows::login::LoginInput;
use tessera_app::flows::upstream::callback::{self, CallbackParams, Outcome};
use tessera_app::flows::upstream::link;
use tessera_app::flows::upstream::start::{self, Purpose};
use tessera_app::flows::upstream::{cookie, flow_cookie_name, pending_cookie_name};
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "upstream/failed.html")]
pub struct FailedPage {
    pub page: Page,
    pub text: &'static str,
    pub back_href: &'static str,
    pub back_label: &'static str,
}

/// The page telling why an external sign-in (or link, `linking`) did not complete.
pub fn failed(pc: &PageCtx, failure: &Failure, linking: bool) -> Response {
    let l = pc.l();
    let (back_href, back_label) = if linking {
        (
            "/account/external",
            l.t("回到管理外部帳號", "Back to external accounts"),
        )
    } else {
        ("/login", l.t("回到會員登入", "Back to sign-in"))
    };
    let t = FailedPage {
        page: pc.page(l.t("外部帳號登入未完成", "External sign-in not completed")),
        text: failure.message(l.0),
        back_href,
        back_label,
    };
    render(pc, failure.status(), &t)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

/// `GET /upstream/{id}/start`: to the provider's sign-in.
pub async fn start_login(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let browser = cookies::get(&headers, flow_cookie_name(&state));
    let next = opt(&q.next);
    match start::start(
        &state,
        &id,
        Purpose::Login,
        None,
        next.as_deref(),
        browser.as_deref(),
        &pc.ctx,
    )
    .await
    {
        Ok(s) => redirect(&s.location, &[s.set_cookie]),
        Err(f) => failed(&pc, &f, false),
    }
}

/// `GET /upstream/{id}/callback`: the provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    mut pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Query<CallbackParams>,
) -> Response {
    // The language switch must not carry the provider's answer (code, state, texts).
    pc.here = "/login".to_owned();
    let browser = cookies::get(&headers, flow_cookie_name(&state));
    let result = callback::callback(
        &state,
        &id,
        &params,
        browser.as_deref(),
        pc.session.as_ref(),
        &pc.ctx,
    )
    .await;
    match result {
        Ok(Outcome::SignedIn {
            set_cookie, next, ..
        }) => {
            let to = next.unwrap_or_else(|| "/account".to_owned());
            redirect(&to, &[set_cookie, pc.flash_cookie("signed_in")])
        }
        Ok(Outcome::Linked { .. }) => {
            redirect("/account/external", &[pc.flash_cookie("upstream_linked")])
        }
        Ok(Outcome::BindingRequired { set_cookie }) => redirect("/upstream/bind", &[set_cookie]),
        Err(f) => failed(
            &pc,
            &f,
            pc.session.is_some() && f.code != "upstream_state_invalid",
        ),
    }
}

#[derive(Template)]
#[template(path = "upstream/bind.html")]
struct BindPage {
    page: Page,
    form: Form,
    /// 「您已通過 Google 驗證…」
    verified: String,
    locked: bool,
}

fn verified_text(l: L, provider: &str, email: Option<&str>) -> String {
    match (l.is_en(), email) {
        (false, Some(e)) => format!(
            "您已通過 {provider} 驗證（{e}），但這個 {provider} 帳號尚未與本平台的帳號建立關聯。"
        ),
        (false, None) => {
            format!("您已通過 {provider} 驗證，但這個 {provider} 帳號尚未與本平台的帳號建立關聯。")
        }
        (true, Some(e)) => format!(
            "{provider} confirmed who you are ({e}), but this {provider} account is not linked to an account here yet."
        ),
        (true, None) => format!(
            "{provider} confirmed who you are, but this {provider} account is not linked to an account here yet."
        ),
    }
}

async fn bind_page(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
    mut form: Form,
    status: StatusCode,
    locked: bool,
) -> Response {
    let l = pc.l();
    let p = match link::pending(state, &crate::cookies::jar(headers)).await {
        Ok(Some(p)) => p,
        Ok(None) => {
            return failed(
                pc,
                &Failure::new(
                    crate::error::FailureKind::Invalid,
                    "upstream_pending_missing",
                ),
                false,
            );
        }
        Err(f) => return failed(pc, &f, false),
    };
    let provider = state.upstream.display_name(&p.provider, l.0);
    let mut page = pc.page(l.t("綁定帳號", "Link your account"));
    if form.field_mut("captcha").is_some() {
        page = page.with_captcha();
    }
    let t = BindPage {
        page,
        form,
        verified: verified_text(l, &provider, p.email.as_deref()),
        locked,
    };
    render(pc, status, &t)
}

/// `GET /upstream/bind`.
pub async fn bind_show(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    let form = login_form(pc.l(), "", false);
    bind_page(&state, &pc, &headers, form, StatusCode::OK, false).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BindForm {
    username: String,
    password: String,
    captcha: String,
}

/// `POST /upstream/bind`: bind with the account's password, then signed in.
pub async fn bind_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    PostForm(v): PostForm<BindForm>,
) -> Response {
    let l = pc.l();
    let input = LoginInput {
        username: v.username.clone(),
        password: v.password.clone(),
        captcha: opt(&v.captcha),
    };
    match link::bind(&state, &crate::cookies::jar(&headers), &input, &pc.ctx).await {
        Ok(b) => {
            let to = b.next.unwrap_or_else(|| "/account".to_owned());
            let clear = cookie(&state, pending_cookie_name(&state), None);
            redirect(
                &to,
                &[
                    b.set_cookie,
                    clear,
                    pc.flash_cookie("upstream_linked_signed_in"),
                ],
            )
        }
        Err(f) if f.code == "upstream_pending_missing" => failed(&pc, &f, false),
        Err(f) => {
            // As on the sign-in page: after any failure the CAPTCHA widget is shown.
            let mut form = login_form(l, &v.username, true);
            form.fail(l, &f);
            let locked = f.code == "account_locked";
            bind_page(&state, &pc, &headers, form, f.status(), locked).await
        }
    }
}
