//! The member-facing pages of the provider: resuming a request after sign-in, the step-up
//! explanation, the consent screen (zh-TW first), the logout confirmation, and 會員中心 ›
//! 已授權的服務 where consents are listed and withdrawn.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use tessera_core::loa::Loa;

use super::respond::{self, allow_form_action, login_for, origin_of, resume_path};
use crate::error::Failure;
use crate::pages::i18n::L;
use crate::pages::layout::{Page, PageCtx, redirect, render};
use crate::pages::member::require;
use crate::session::{Open, clear_cookie};
use tessera_app::flows::oidc::logout::{self, LogoutOutcome};
use tessera_app::flows::oidc::{authorize, consent, params};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestQuery {
    request: String,
}

/// What a scope lets the service receive, in the page's language.
pub fn scope_text(l: L, scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => l.t("您的登入狀態（每個服務各自不同的代碼）", "That you are signed in (a code unique to this service)"),
        "profile" => l.t("姓名", "Your name"),
        "email" => l.t("電子信箱", "Your email address"),
        "phone" => l.t("行動電話", "Your mobile number"),
        "offline_access" => l.t("在您離線時持續存取上述資料", "Access to the above while you are away"),
        "tw_national_id" => l.t(
            "身分證字號（僅在您以自然人憑證或健保卡登入時提供）",
            "Your national ID number (only when you sign in with a citizen certificate or NHI card)",
        ),
        "organization" => l.t("您代表的機關及其授權項目", "The organization you act for and your permissions there"),
        _ => return None,
    })
}

fn level_text(l: L, loa: Loa) -> &'static str {
    match loa {
        Loa::Password => l.t("帳號密碼", "username and password"),
        Loa::Otp => l.t("簡訊驗證碼", "a one-time code"),
        Loa::NhiCard => l.t("健保卡", "the NHI card"),
        Loa::Certificate => l.t("自然人憑證", "the citizen certificate"),
    }
}

/// `GET /oidc/authorize/resume?request=…`: after sign-in or step-up.
pub async fn resume(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Query(q): Query<RequestQuery>,
) -> Response {
    // Any session: the flow decides what a limited one gets (see `authorize_with`).
    let s = pc.any_session();
    let o = authorize::resume(
        &state,
        &q.request,
        s,
        false,
        &crate::cookies::jar(&headers),
        &pc.ctx,
    )
    .await;
    respond::outcome(&pc, o)
}

#[derive(Template)]
#[template(path = "oidc/continue.html")]
struct ContinuePage {
    page: Page,
    href: String,
}

/// `GET /oidc/continue?request=…`: the landing page after the sign-in form, which moves on
/// to the resume step by a plain navigation.
pub async fn continue_page(pc: PageCtx, Query(q): Query<RequestQuery>) -> Response {
    let l = pc.l();
    let href = if q
        .request
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        resume_path(&q.request)
    } else {
        "/".to_string()
    };
    let t = ContinuePage {
        page: pc.page(l.t("返回服務", "Returning to the service")),
        href,
    };
    render(&pc, StatusCode::OK, &t)
}

#[derive(Template)]
#[template(path = "oidc/step_up.html")]
struct StepUpPage {
    page: Page,
    client_name: String,
    needed: &'static str,
    current: &'static str,
    login_href: String,
    resume_href: String,
}

/// `GET /oidc/step-up?request=…`: the service asks a higher level than the session's.
pub async fn step_up(
    State(state): State<AppState>,
    pc: PageCtx,
    Query(q): Query<RequestQuery>,
) -> Response {
    let l = pc.l();
    let loaded = authorize::load(&state, &q.request).await;
    let (req, p, client) = match loaded {
        Ok(Some(v)) => v,
        Ok(None) => return respond::shown(&pc, &Failure::bad_request("oidc_request_expired")),
        Err(f) => return respond::shown(&pc, &f),
    };
    let needed = p.required_loa.unwrap_or(Loa::Password);
    let current = pc.session.as_ref().map(|s| s.loa).unwrap_or(Loa::Password);
    let t = StepUpPage {
        page: pc.page(l.t("需要更高的登入等級", "A stronger sign-in is needed")),
        client_name: client.name,
        needed: level_text(l, needed),
        current: level_text(l, current),
        login_href: login_for(&req.id),
        resume_href: resume_path(&req.id),
    };
    render(&pc, StatusCode::OK, &t)
}

#[derive(Template)]
#[template(path = "oidc/consent.html")]
struct ConsentPage {
    page: Page,
    client_name: String,
    scopes: Vec<&'static str>,
    request_id: String,
}

/// `GET /oidc/consent?request=…`.
pub async fn consent(
    State(state): State<AppState>,
    pc: PageCtx,
    Query(q): Query<RequestQuery>,
) -> Response {
    let l = pc.l();
    let (req, p, client) = match authorize::load(&state, &q.request).await {
        Ok(Some(v)) => v,
        Ok(None) => return respond::shown(&pc, &Failure::bad_request("oidc_request_expired")),
        Err(f) => return respond::shown(&pc, &f),
    };
    if pc.session.is_none() {
        return redirect(&login_for(&req.id), &[]);
    }
    let scopes = p
        .scope
        .split(' ')
        .filter(|s| *s != "tw_national_id" || client.allow_national_id)
        .filter_map(|s| scope_text(l, s))
        .collect();
    let t = ConsentPage {
        page: pc.page(l.t("授權確認", "Allow access")),
        client_name: client.name,
        scopes,
        request_id: req.id,
    };
    let mut resp = render(&pc, StatusCode::OK, &t);
    if let Some(o) = origin_of(&p.redirect_uri) {
        allow_form_action(&state, &mut resp, &[o]);
    }
    resp
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    request: String,
    decision: String,
}

/// `POST /oidc/consent`.
pub async fn consent_answer(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Form(f): Form<ConsentForm>,
) -> Response {
    let allow = f.decision == "allow";
    let s = pc.session.as_ref();
    let o = consent::answer(
        &state,
        &f.request,
        s,
        allow,
        &crate::cookies::jar(&headers),
        &pc.ctx,
    )
    .await;
    respond::outcome(&pc, o)
}

#[derive(Template)]
#[template(path = "oidc/logout.html")]
struct LogoutPage {
    page: Page,
    client_name: String,
    client_id: String,
    post_logout_redirect_uri: String,
    state_param: String,
}

/// An end-session outcome as a response.
pub fn logout_outcome(
    state: &AppState,
    pc: &PageCtx,
    o: Result<LogoutOutcome, Failure>,
) -> Response {
    let l = pc.l();
    match o {
        Ok(LogoutOutcome::Done { redirect: Some(to) }) => redirect(&to, &[clear_cookie(state)]),
        Ok(LogoutOutcome::Done { redirect: None }) => {
            let heading = l.t("已登出", "Signed out");
            let mut r = respond::message(pc, StatusCode::OK, heading, l.msg("oidc_logout_done"));
            if let Ok(v) = axum::http::HeaderValue::from_str(&clear_cookie(state)) {
                r.headers_mut().append(axum::http::header::SET_COOKIE, v);
            }
            r
        }
        Ok(LogoutOutcome::Confirm {
            client_id,
            client_name,
            post_logout_redirect_uri,
            state: st,
        }) => {
            let uri = post_logout_redirect_uri.unwrap_or_default();
            let t = LogoutPage {
                page: pc.page(l.t("登出確認", "Sign out?")),
                client_name: client_name.unwrap_or_default(),
                client_id: client_id.unwrap_or_default(),
                state_param: st.unwrap_or_default(),
                post_logout_redirect_uri: uri.clone(),
            };
            let mut resp = render(pc, StatusCode::OK, &t);
            if let Some(o) = origin_of(&uri) {
                allow_form_action(state, &mut resp, &[o]);
            }
            resp
        }
        Ok(LogoutOutcome::Refused(f)) | Err(f) => respond::shown(pc, &f),
    }
}

/// `POST /oidc/logout/confirm` (same-origin form, CSRF-checked).
pub async fn logout_confirm(
    State(state): State<AppState>,
    pc: PageCtx,
    body: axum::body::Bytes,
) -> Response {
    let Ok(p) = params(&body) else {
        return respond::shown(&pc, &Failure::bad_request("oidc_request_invalid"));
    };
    let p: Vec<(String, String)> = p.into_iter().filter(|(k, _)| k != "_csrf").collect();
    let o = logout::confirm(&state, &p, pc.any_session(), &pc.ctx).await;
    logout_outcome(&state, &pc, o)
}

struct AppRow {
    client_id: String,
    name: String,
    scopes: Vec<&'static str>,
    granted_at: crate::pages::when::When,
}

#[derive(Template)]
#[template(path = "oidc/apps.html")]
struct AppsPage {
    page: Page,
    apps: Vec<AppRow>,
}

/// `GET /account/apps`: 已授權的服務.
pub async fn apps(State(state): State<AppState>, pc: PageCtx) -> Response {
    let l = pc.l();
    let (s, _) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let rows = match consent::list(&state, &s).await {
        Ok(r) => r,
        Err(f) => return respond::shown(&pc, &f),
    };
    let apps = rows
        .into_iter()
        .map(|r| AppRow {
            scopes: r
                .scope
                .split(' ')
                .filter_map(|x| scope_text(l, x))
                .collect(),
            granted_at: crate::pages::when::When::minute(l.0, r.granted_at),
            client_id: r.client_id,
            name: r.client_name,
        })
        .collect();
    let t = AppsPage {
        page: pc.page(l.t("已授權的服務", "Connected services")),
        apps,
    };
    render(&pc, StatusCode::OK, &t)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    client_id: String,
}

/// `POST /account/apps/withdraw`: withdraws a consent and revokes the client's grants.
pub async fn withdraw(
    State(state): State<AppState>,
    pc: PageCtx,
    Form(f): Form<WithdrawForm>,
) -> Response {
    let (s, _) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match consent::withdraw(&state, &s, &f.client_id, &pc.ctx).await {
        Ok(_) => redirect("/account/apps", &[]),
        Err(e) => respond::shown(&pc, &e),
    }
}
