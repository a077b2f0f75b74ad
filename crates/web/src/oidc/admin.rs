//! Back office › 服務(OIDC 用戶端)管理: list, register and remove relying parties.
//!
//! Operator guard: until back-office staff accounts exist (issue 6), the page is open only to
//! HTTP Basic credentials `operator` / the configured operator token (`[oidc]
//! operator_token` or `TESSERA_OPERATOR_TOKEN`), compared in constant time; without a token
//! the page does not exist (404). Forms carry the CSRF token like every page. The handlers
//! are small so they can move behind the staff guard at merge.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use tessera_store::oidc::OidcClient;

use super::respond;
use crate::flows::oidc::clients::{self, NewClient};
use crate::pages::layout::{Page, PageCtx, redirect, render};
use crate::secrets::same;
use crate::state::AppState;

const OPERATOR: &str = "operator";

/// `None` when the request carries the operator credentials; otherwise the refusal.
fn guard(state: &AppState, pc: &PageCtx, headers: &HeaderMap) -> Option<Response> {
    let l = pc.l();
    let Some(token) = &state.settings.oidc.operator_token else {
        return Some(respond::message(
            pc,
            StatusCode::NOT_FOUND,
            l.t("找不到網頁", "Page not found"),
            l.msg("not_found"),
        ));
    };
    let presented = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let expected = format!("{OPERATOR}:{}", token.0);
    if presented.is_some_and(|p| same(&p, &expected)) {
        return None;
    }
    let mut r = respond::message(
        pc,
        StatusCode::UNAUTHORIZED,
        l.t("需要管理者身分", "Operators only"),
        l.msg("oidc_operator_required"),
    );
    r.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"Tessera operator\", charset=\"UTF-8\""),
    );
    Some(r)
}

struct Created {
    client_id: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "oidc_admin.html")]
struct AdminPage {
    page: Page,
    clients: Vec<OidcClient>,
    created: Option<Created>,
    error: &'static str,
}

async fn page(
    state: &AppState,
    pc: &PageCtx,
    created: Option<Created>,
    error: &'static str,
) -> Response {
    let l = pc.l();
    let clients = match clients::list(state).await {
        Ok(c) => c,
        Err(f) => return respond::shown(pc, &f),
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let t = AdminPage {
        page: pc.page(l.t("服務（OIDC 用戶端）管理", "Services (OIDC clients)")),
        clients,
        created,
        error,
    };
    render(pc, status, &t)
}

/// `GET /admin/oidc/clients`.
pub async fn show(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    if let Some(r) = guard(&state, &pc, &headers) {
        return r;
    }
    page(&state, &pc, None, "").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AddForm {
    name: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    public: Option<String>,
    no_consent: Option<String>,
    allow_national_id: Option<String>,
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /admin/oidc/clients`: registers a client; the secret is shown once.
pub async fn add(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Form(f): Form<AddForm>,
) -> Response {
    if let Some(r) = guard(&state, &pc, &headers) {
        return r;
    }
    let input = NewClient {
        name: f.name,
        redirect_uris: lines(&f.redirect_uris),
        post_logout_redirect_uris: lines(&f.post_logout_redirect_uris),
        public: f.public.is_some(),
        no_consent: f.no_consent.is_some(),
        allow_national_id: f.allow_national_id.is_some(),
        ..NewClient::default()
    };
    match clients::register(&state, &input, &pc.ctx, OPERATOR).await {
        Ok(r) => {
            let created = Created {
                client_id: r.client.id,
                secret: r.secret.unwrap_or_default(),
            };
            page(&state, &pc, Some(created), "").await
        }
        Err(e) => {
            let code = e.fields.first().map(|x| x.code).unwrap_or(e.code);
            page(&state, &pc, None, pc.l().msg(code)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    client_id: String,
}

/// `POST /admin/oidc/clients/remove`.
pub async fn remove(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Form(f): Form<RemoveForm>,
) -> Response {
    if let Some(r) = guard(&state, &pc, &headers) {
        return r;
    }
    match clients::remove(&state, &f.client_id, &pc.ctx, OPERATOR).await {
        Ok(_) => redirect("/admin/oidc/clients", &[]),
        Err(e) => respond::shown(&pc, &e),
    }
}
