//! Back office › 服務(OIDC 用戶端)管理: list, register and remove relying parties.
//!
//! Behind the back-office staff guard with the `operator` role (`pages::backoffice`'s
//! [`StaffPage`]): no staff session → the staff sign-in page; a reviewer → 403. The HTTP
//! Basic operator token that guarded this page before staff accounts existed is gone (see
//! docs/oidc.md). Forms carry the CSRF token like every page; the acting staff member's
//! username is recorded in the audit.

use askama::Template;
use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_store::oidc::OidcClient;

use super::respond;
use crate::pages::backoffice::{Nav, StaffPage};
use crate::pages::layout::{Page, redirect, render};
use tessera_app::flows::oidc::clients::{self, NewClient};
use tessera_app::flows::orgs::staff::Operator;

type OperatorPage = StaffPage<Operator>;

struct Created {
    client_id: String,
    secret: String,
}

#[derive(Template)]
#[template(path = "oidc/admin.html")]
struct AdminPage {
    page: Page,
    staff: Option<Nav>,
    clients: Vec<OidcClient>,
    created: Option<Created>,
    error: &'static str,
}

async fn page(p: &OperatorPage, created: Option<Created>, error: &'static str) -> Response {
    let pc = &p.pc;
    let l = pc.l();
    let clients = match clients::list(&p.state).await {
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
        staff: p.nav(),
        clients,
        created,
        error,
    };
    render(pc, status, &t)
}

/// `GET /admin/oidc/clients`.
pub async fn show(p: OperatorPage) -> Response {
    page(&p, None, "").await
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
pub async fn add(p: OperatorPage, Form(f): Form<AddForm>) -> Response {
    let input = NewClient {
        name: f.name,
        redirect_uris: lines(&f.redirect_uris),
        post_logout_redirect_uris: lines(&f.post_logout_redirect_uris),
        public: f.public.is_some(),
        no_consent: f.no_consent.is_some(),
        allow_national_id: f.allow_national_id.is_some(),
        ..NewClient::default()
    };
    let actor = p.staff.account.username.clone();
    match clients::register(&p.state, &input, &p.pc.ctx, &actor).await {
        Ok(r) => {
            let created = Created {
                client_id: r.client.id,
                secret: r.secret.unwrap_or_default(),
            };
            page(&p, Some(created), "").await
        }
        Err(e) => {
            let code = e.fields.first().map(|x| x.code).unwrap_or(e.code);
            page(&p, None, p.pc.l().msg(code)).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RemoveForm {
    client_id: String,
}

/// `POST /admin/oidc/clients/remove`.
pub async fn remove(p: OperatorPage, Form(f): Form<RemoveForm>) -> Response {
    let actor = p.staff.account.username.clone();
    match clients::remove(&p.state, &f.client_id, &p.pc.ctx, &actor).await {
        Ok(_) => redirect("/admin/oidc/clients", &[]),
        Err(e) => respond::shown(&p.pc, &e),
    }
}
