//! Cross-site request forgery protection for every state-changing request: a same-origin
//! `Origin` header, or a token from the `tessera_csrf` cookie (`__Host-tessera_csrf` on https)
//! echoed in the `X-CSRF-Token` header or the form field `_csrf`. Requests carrying no cookie at all have no ambient
//! authority to abuse and pass (API clients with bearer-less JSON calls).

use crate::error::FailureExt;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, ORIGIN, SET_COOKIE};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::SameSite;
use subtle::ConstantTimeEq;

use crate::context::{BrowserCookie, lang_of};
use crate::cookies;
use crate::error::Failure;
use tessera_app::state::AppState;

pub const CSRF_COOKIE: &str = "tessera_csrf";
/// The cookie's name on https: `__Host-` makes browsers refuse it unless it is Secure, has
/// `Path=/` and no `Domain`, so a sibling subdomain cannot plant a token of its choosing.
pub const CSRF_COOKIE_SECURE: &str = "__Host-tessera_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "_csrf";
const FORM_LIMIT: usize = 256 * 1024;

/// The request's CSRF token, for pages to embed in their forms.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The name of the CSRF cookie on this site.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        CSRF_COOKIE_SECURE
    } else {
        CSRF_COOKIE
    }
}

/// The middleware.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookies::get(req.headers(), cookie_name(&state));
    let token = existing.clone().unwrap_or_else(|| {
        let bytes: [u8; 24] = rand::random();
        URL_SAFE_NO_PAD.encode(bytes)
    });
    let mut req = if is_safe(req.method()) {
        req
    } else {
        match check(&state, req, existing.as_deref()).await {
            Ok(req) => req,
            Err(resp) => return resp,
        }
    };
    if let Some(sent) = existing.as_ref().filter(|v| !v.is_empty()) {
        req.extensions_mut().insert(BrowserCookie(sent.clone()));
    }
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if existing.is_none() {
        let c = cookies::build(
            cookie_name(&state),
            &token,
            SameSite::Strict,
            state.settings.secure_cookies(),
            None,
        );
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

async fn check(state: &AppState, req: Request, token: Option<&str>) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let refuse = || {
        tracing::warn!(path = %parts.uri.path(), "request refused by CSRF protection");
        Failure::new(crate::error::FailureKind::Forbidden, "csrf_failed")
            .in_lang(lang_of(&parts))
            .into_response()
    };
    // `Origin: null` (sent by browsers for form posts under `Referrer-Policy: no-referrer`,
    // from sandboxed frames, or by privacy tools)
    // says nothing about the origin: fall through to the token check.
    let origin = parts
        .headers
        .get(ORIGIN)
        .filter(|o| o.as_bytes() != b"null");
    if let Some(origin) = origin {
        return if origin.as_bytes() == state.settings.origin().as_bytes() {
            Ok(Request::from_parts(parts, body))
        } else {
            Err(refuse())
        };
    }
    let cross_site = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site");
    if cross_site {
        return Err(refuse());
    }
    if !cookies::any(&parts.headers) {
        return Ok(Request::from_parts(parts, body));
    }
    let Some(token) = token else {
        return Err(refuse());
    };
    let header_ok = parts
        .headers
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| same(v, token));
    if header_ok {
        return Ok(Request::from_parts(parts, body));
    }
    let is_form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refuse());
    }
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return Err(refuse());
    };
    let field_ok = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .is_some_and(|(_, v)| same(&v, token));
    if field_ok {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        Err(refuse())
    }
}
