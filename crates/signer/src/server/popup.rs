//! The popup page HiPKI pages open with `window.open(".../popupForm")`, and the routes only
//! that page may call (same origin plus this run's token): is a site approved, approve it
//! (the first-use confirmation), and cancel/deny answers in HiPKI's shape.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::guard;
use crate::error::SignerError;
use crate::ops;
use crate::protocol::{Func, VERSION};

const FORM_HTML: &str = include_str!("popup.html");
const POPUP_JS: &str = include_str!("popup.js");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn with_csp(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    resp
}

/// `GET /`: says the signer runs and which version.
pub async fn index() -> Response {
    with_csp(
        Html(format!(
            "<!doctype html><html lang=\"zh-Hant-TW\"><meta charset=\"utf-8\">\
             <title>Tessera 簽章元件</title><p>Tessera 簽章元件 tessera-signer {VERSION} 執行中。</p></html>"
        ))
        .into_response(),
    )
}

/// `GET /popupForm`.
pub async fn form(State(state): State<Arc<AppState>>) -> Response {
    with_csp(Html(FORM_HTML.replace("{{TOKEN}}", &state.popup_token)).into_response())
}

/// `GET /popup.js`.
pub async fn script() -> Response {
    with_csp(
        (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            POPUP_JS,
        )
            .into_response(),
    )
}

#[derive(Deserialize)]
pub struct SiteBody {
    site: String,
    #[serde(default)]
    func: Option<String>,
    /// `deny` when the user refused to approve the site; otherwise a plain cancel.
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /popup/status`: `{approved}` for a site.
pub async fn status(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<SiteBody>,
) -> Response {
    if !guard::own_page_with_token(&state, &headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    Json(serde_json::json!({ "approved": state.origins.is_approved(&body.site) })).into_response()
}

/// `POST /popup/approve`: the user approved a site on the first-use page.
pub async fn approve(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<SiteBody>,
) -> Response {
    if !guard::own_page_with_token(&state, &headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    match state.origins.approve(&body.site) {
        Ok(()) => {
            tracing::info!(site = %body.site, "site approved by the user");
            Json(serde_json::json!({ "approved": true })).into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "approval not stored");
            (
                StatusCode::BAD_REQUEST,
                Json(serde_json::json!({ "approved": false })),
            )
                .into_response()
        }
    }
}

/// `POST /popup/cancel`: the answer for a cancelled request (0x76000999) or a refused site
/// (`reason: "deny"`, 0x76000031), shaped for `func`.
pub async fn cancel(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(body): Json<SiteBody>,
) -> Response {
    if !guard::own_page_with_token(&state, &headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let func = match body.func.as_deref() {
        Some("GetUserCert") => Some(Func::GetUserCert),
        Some("CheckEnvir") => Some(Func::CheckEnvir),
        _ => Some(Func::MakeSignature),
    };
    let e = if body.reason.as_deref() == Some("deny") {
        SignerError::SiteNotAllowed(body.site.clone())
    } else {
        SignerError::Cancelled
    };
    tracing::info!(site = %body.site, reason = %e, "popup answered without signing");
    Json(ops::failure(func, &e)).into_response()
}
