//! `/sign` and `/pkcs11info` (HiPKI's direct routes) and their CORS preflight. A site that is
//! not approved gets `ret_code` 0x76000031 and no CORS headers; the popup page may act for
//! the site whose postMessage it received, and only for an approved one.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::guard::{self, Caller};
use crate::error::SignerError;
use crate::ops;
use crate::protocol::{Func, MAX_BODY, Request};

fn json(value: serde_json::Value, cors_origin: Option<&str>) -> Response {
    let mut resp = axum::Json(value).into_response();
    if let Some(o) = cors_origin {
        guard::cors(resp.headers_mut(), o);
    }
    resp
}

/// Which site a request acts for, or why it may not act at all.
fn site_for(state: &AppState, headers: &HeaderMap) -> Result<(String, Option<String>), String> {
    match guard::caller(state, headers) {
        Caller::Approved(o) => Ok((o.clone(), Some(o))),
        Caller::OwnPage if guard::own_page_with_token(state, headers) => {
            match guard::popup_site(headers) {
                Some(site) if state.origins.is_approved(&site) => Ok((site, None)),
                Some(site) => Err(site),
                None => Err("popup without site".into()),
            }
        }
        Caller::OwnPage => Err("signer page without token".into()),
        Caller::NoOrigin => Err("no Origin header".into()),
        Caller::Refused(o) => Err(o),
    }
}

/// `POST /sign`: form field `tbsPackage` (HiPKI) or a JSON body; see [`Request::from_body`].
pub async fn sign(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    if body.len() > MAX_BODY {
        return json(
            ops::failure(None, &SignerError::BadParam("body too large".into())),
            None,
        );
    }
    // A HiPKI page may post `tbsPackage=…` with any type or none (a string given to fetch is
    // sent as text/plain); a JSON body never starts like that.
    let is_form = body.starts_with(b"tbsPackage=")
        || headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let parsed = Request::from_body(&body, is_form);
    drop(body);
    let (site, cors) = match site_for(&state, &headers) {
        Ok(s) => s,
        Err(who) => {
            tracing::warn!(site = %who, "refused: site not approved");
            let func = parsed.as_ref().ok().map(|r| r.func);
            return json(ops::failure(func, &SignerError::SiteNotAllowed(who)), None);
        }
    };
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return json(ops::failure(None, &e), cors.as_deref()),
    };
    tracing::info!(%site, func = ?req.func, "request");
    let backend = state.backend.clone();
    let func = req.func;
    let answer = tokio::task::spawn_blocking(move || ops::handle(backend.as_ref(), &req)).await;
    match answer {
        Ok(v) => json(v, cors.as_deref()),
        Err(e) => json(
            ops::failure(
                Some(func),
                &SignerError::Sign {
                    msg: e.to_string(),
                    ckr: 0,
                },
            ),
            cors.as_deref(),
        ),
    }
}

#[derive(Deserialize, Default)]
pub struct InfoQuery {
    withcert: Option<String>,
}

/// `GET /pkcs11info[?withcert=true]` (HiPKI's IE path POSTs it; the body is ignored).
pub async fn pkcs11info(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<InfoQuery>,
) -> Response {
    let with_certs = q
        .withcert
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let func = if with_certs {
        Func::GetUserCert
    } else {
        Func::CheckEnvir
    };
    let cors = match guard::caller(&state, &headers) {
        // A navigation (no Origin) only shows the answer to the user, never to a site.
        Caller::NoOrigin | Caller::OwnPage => None,
        Caller::Approved(o) => Some(o),
        Caller::Refused(o) => {
            tracing::warn!(site = %o, "refused pkcs11info: site not approved");
            return json(
                ops::failure(Some(func), &SignerError::SiteNotAllowed(o)),
                None,
            );
        }
    };
    let backend = state.backend.clone();
    let answer = tokio::task::spawn_blocking(move || ops::info(backend.as_ref(), with_certs)).await;
    match answer.ok().and_then(|r| serde_json::to_value(r).ok()) {
        Some(v) => json(v, cors.as_deref()),
        None => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// CORS preflight: allowed only for approved origins.
pub async fn preflight(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Caller::Approved(origin) = guard::caller(&state, &headers) else {
        return StatusCode::FORBIDDEN.into_response();
    };
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    guard::cors(h, &origin);
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("content-type"),
    );
    h.insert(
        "access-control-allow-private-network",
        HeaderValue::from_static("true"),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    resp
}
