//! 會員中心 › 管理外部帳號 (004 二 Q7): the external accounts linked to the member's account
//! (provider, email seen, when linked, when last used), each with 移除; and links to connect
//! a configured provider not linked yet (the request carries the page's CSRF token, so no
//! other site can start one in the member's name).

use super::when::When;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::auth::Button;
use super::home::failure_page;
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::member::require;
use super::upstream::failed;
use crate::cookies;
use crate::csrf;
use crate::session::Open;
use tessera_app::flows::upstream::flow_cookie_name;
use tessera_app::flows::upstream::link::{self, LinkView};
use tessera_app::flows::upstream::start::{self, Purpose};
use tessera_app::state::AppState;

/// One link as the page shows it.
struct Row {
    id: String,
    provider: String,
    email: String,
    linked: When,
    /// `None`: not used yet.
    used: Option<When>,
}

#[derive(Template)]
#[template(path = "upstream/links.html")]
struct LinksPage {
    page: Page,
    rows: Vec<Row>,
    available: Vec<Button>,
}

fn rows(l: L, links: Vec<LinkView>) -> Vec<Row> {
    links
        .into_iter()
        .map(|x| Row {
            email: x
                .email
                .unwrap_or_else(|| l.t("未提供", "not given").to_owned()),
            linked: When::minute(l.0, x.linked_at_unix),
            used: x.last_used_unix.map(|t| When::minute(l.0, t)),
            id: x.id,
            provider: x.provider_name,
        })
        .collect()
}

/// `GET /account/external`.
pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let links = match link::links(&state, &a, l.0).await {
        Ok(v) => v,
        Err(f) => return failure_page(&pc, &f),
    };
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(csrf::CSRF_FIELD, &pc.csrf)
        .finish();
    let available = state
        .upstream
        .all()
        .iter()
        .filter(|p| !links.iter().any(|x| x.provider == p.config.id))
        .map(|p| Button {
            href: format!("/upstream/{}/link?{q}", p.config.id),
            label: if l.is_en() {
                format!("Link a {} account", p.config.name(l.0))
            } else {
                format!("連結 {} 帳號", p.config.name(l.0))
            },
        })
        .collect();
    let t = LinksPage {
        page: pc.page(l.t("管理外部帳號", "External accounts")),
        rows: rows(l, links),
        available,
    };
    render(&pc, StatusCode::OK, &t)
}

/// `POST /account/external/{id}/remove` (CSRF-checked by the middleware).
pub async fn remove(
    State(state): State<AppState>,
    pc: PageCtx,
    Path(id): Path<String>,
) -> Response {
    let (_, a) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match link::unlink(&state, &a, &id, &pc.ctx).await {
        Ok(()) => redirect("/account/external", &[pc.flash_cookie("upstream_unlinked")]),
        Err(f) => failed(&pc, &f, true),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LinkQuery {
    #[serde(rename = "_csrf")]
    csrf: String,
}

/// `GET /upstream/{id}/link?_csrf=…`: to the provider, to link the identity to this account.
pub async fn start_link(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LinkQuery>,
) -> Response {
    let (s, _) = match require(&state, &pc, Open::Full).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // The page's token proves the request came from 管理外部帳號 itself.
    if pc.csrf.is_empty() || !tessera_app::secrets::same(&q.csrf, &pc.csrf) {
        let f = crate::error::Failure::new(crate::error::FailureKind::Forbidden, "csrf_failed");
        return failed(&pc, &f, true);
    }
    let browser = cookies::get(&headers, flow_cookie_name(&state));
    let started = start::start(
        &state,
        &id,
        Purpose::Link,
        Some(&s.account_id),
        None,
        browser.as_deref(),
        &pc.ctx,
    )
    .await;
    match started {
        Ok(s) => redirect(&s.location, &[s.set_cookie]),
        Err(f) => failed(&pc, &f, true),
    }
}
