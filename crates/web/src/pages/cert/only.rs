//! The certificate-only session's page (`/certificate`, 004 六 〔暫不綁定〕): who the holder is
//! (name, ID, serial, until when) and its sign-out.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, redirect, render};
use tessera_app::flows::cert::only;
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "cert/only.html")]
struct OnlyPage {
    page: Page,
    name: String,
    national_id: String,
    serial: String,
    expires: super::super::when::When,
}

/// `GET /certificate`: who the certificate-only session is.
pub async fn only_page(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    let s = match only::load(&state, &crate::cookies::jar(&headers)).await {
        Ok(Some(s)) => s,
        Ok(None) => return redirect("/login", &[pc.flash_cookie("cert_pending_expired")]),
        Err(f) => return failure_page(&pc, &f),
    };
    let l = pc.l();
    let t = OnlyPage {
        page: pc.page(l.t("自然人憑證登入", "Signed in with a citizen certificate")),
        name: s.name,
        national_id: s.national_id,
        serial: s.serial,
        expires: super::super::when::When::minute(pc.l().0, s.expires_at),
    };
    render(&pc, StatusCode::OK, &t)
}

/// `POST /certificate/logout`.
pub async fn only_logout(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
) -> Response {
    match only::end(&state, &crate::cookies::jar(&headers)).await {
        Ok(clear) => redirect("/", &[clear, pc.flash_cookie("signed_out")]),
        Err(f) => failure_page(&pc, &f),
    }
}
