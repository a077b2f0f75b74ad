//! Refuses text the database cannot store before any handler sees the request.
//!
//! PostgreSQL refuses a NUL character in `text`, so a NUL that reached a query turned an
//! ordinary refusal (wrong password, unknown client) into a storage error and a 500, and
//! left no audit record. Rust strings are always valid UTF-8 and JSON lone surrogates
//! (`\ud800`) are refused by the JSON parser, so NUL is the one character to keep out. It can
//! only arrive percent-encoded (`%00`) in the path, the query or a form body, as a `\u0000`
//! escape in a JSON body, or raw in a body; this middleware looks for exactly those, on every
//! route (pages, API, OpenID Connect endpoints), before the extractors decode anything. A
//! refused request is answered in its endpoint's format — the API's
//! `400 malformed_request`, OAuth's `invalid_request`, or a page — and audited as
//! `input_refused` with the username or client id it carried (NUL shown as U+FFFD).
//! Values decoded later from other places (HTTP Basic credentials, a client assertion's
//! claims) are checked where they are decoded (`flows::oidc::client_auth`).

use crate::error::FailureExt;
use askama::Template;
use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tessera_core::audit::AuditKind;

use crate::context::ReqCtx;
use crate::error::Failure;
use crate::pages::layout::{Page, PageCtx, render};
use tessera_app::audit::{self, Subject};
use tessera_app::flows::oidc::OAuthError;
use tessera_app::state::AppState;

/// The audit outcome of a refusal.
pub const OUTCOME: &str = "nul_in_text";

/// Where a refused NUL was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Path,
    Query,
    Body,
}

impl Place {
    fn as_str(self) -> &'static str {
        match self {
            Place::Path => "path",
            Place::Query => "query",
            Place::Body => "body",
        }
    }
}

/// Whether `%00` (a percent-encoded NUL) occurs in URL-encoded text.
pub fn percent_nul(raw: &[u8]) -> bool {
    raw.windows(3).any(|w| w == b"%00")
}

/// Whether a JSON text holds a NUL once decoded: a `\u0000` escape (preceded by an odd
/// number of backslashes, so `\\u0000` — an escaped backslash, then `u0000` — is not one),
/// or a raw NUL byte (which no JSON parser accepts either).
pub fn json_nul(raw: &[u8]) -> bool {
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            0 => return true,
            b'\\' => {
                // An escape: `\` and the character it escapes.
                if raw[i + 1..].starts_with(b"u0000") {
                    return true;
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    false
}

fn is_json(headers: &HeaderMap) -> bool {
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether a body holds a NUL once decoded. JSON bodies are read as JSON; any other body
/// (forms, and bodies some endpoints read as forms whatever their type) as URL-encoded text.
fn body_nul(headers: &HeaderMap, raw: &[u8]) -> bool {
    if is_binary(headers) {
        // Files (attachments) are bytes, not text: a NUL is part of them. Their names and
        // fields are checked where they are decoded.
        false
    } else if is_json(headers) {
        json_nul(raw)
    } else {
        raw.contains(&0) || percent_nul(raw)
    }
}

/// Whether the body is a file or a multipart upload rather than text.
fn is_binary(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| {
            v.starts_with("multipart/form-data")
                || v.starts_with("application/octet-stream")
                || v.starts_with("application/pdf")
                || v.starts_with("image/")
        })
}

pub use tessera_app::text::shown;

/// The value of `name` in a URL-encoded text.
fn form_field(raw: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(raw)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The identity fields a refused request carried (`username`, `client_id`), from the query
/// and the body, for the audit record.
fn identity(parts: &Parts, body: &[u8], name: &str) -> Option<String> {
    let from_query = parts
        .uri
        .query()
        .and_then(|q| form_field(q.as_bytes(), name));
    let from_body = || {
        if is_json(&parts.headers) {
            serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get(name).and_then(Value::as_str).map(str::to_owned))
        } else {
            form_field(body, name)
        }
    };
    from_query.or_else(from_body).map(|v| shown(&v))
}

fn uri_place(uri: &Uri) -> Option<Place> {
    if percent_nul(uri.path().as_bytes()) {
        Some(Place::Path)
    } else if uri.query().is_some_and(|q| percent_nul(q.as_bytes())) {
        Some(Place::Query)
    } else {
        None
    }
}

/// The OAuth endpoints relying parties call directly: they answer OAuth JSON errors.
fn is_oauth_endpoint(path: &str) -> bool {
    matches!(
        path,
        "/oidc/token" | "/oidc/revoke" | "/oidc/introspect" | "/oidc/userinfo"
    )
}

/// The browser-facing OpenID Connect endpoints: an error is shown, never sent to a
/// redirect URI that came with the refused request.
fn is_oidc_navigation(path: &str) -> bool {
    matches!(path, "/oidc/authorize" | "/oidc/logout")
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Page,
    heading: &'static str,
    text: &'static str,
}

/// The middleware.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(place) = uri_place(&parts.uri) {
        return refuse(&state, parts, &[], place).await;
    }
    // Most requests (GET, HEAD) have no body: nothing to buffer.
    if body.size_hint().exact() == Some(0) {
        return next.run(Request::from_parts(parts, body)).await;
    }
    // Bounded by the application's body limit and read deadline (outer layers); every
    // handler buffers its body anyway.
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) => {
            // Past the body limit; past the deadline the deadline's layer answers 408 instead;
            // a client that went away reads no answer.
            tracing::debug!(error = %e, "request body could not be read");
            return (StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
        }
    };
    if body_nul(&parts.headers, &bytes) {
        return refuse(&state, parts, &bytes, Place::Body).await;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Audits the refused request and answers it in its endpoint's format.
async fn refuse(state: &AppState, mut parts: Parts, body: &[u8], place: Place) -> Response {
    let ctx = ReqCtx::from_parts(&parts);
    let path = parts.uri.path().to_string();
    tracing::warn!(%path, place = place.as_str(), "request with a NUL character refused");
    let username = identity(&parts, body, "username");
    let mut detail = json!({
        "method": parts.method.as_str(),
        "path": path.chars().take(200).collect::<String>(),
        "in": place.as_str(),
    });
    if let Some(client) = identity(&parts, body, "client_id") {
        detail["client_id"] = Value::String(client);
    }
    let who = Subject {
        account_id: None,
        username: username.as_deref(),
    };
    audit::record(
        state,
        AuditKind::InputRefused,
        who,
        &ctx,
        OUTCOME,
        Some(detail),
    )
    .await;

    if path.starts_with("/api/") {
        return Failure::bad_request("malformed_request")
            .in_lang(ctx.lang)
            .into_response();
    }
    if is_oauth_endpoint(&path) {
        return crate::oidc::oauth_error(OAuthError::request(
            "a parameter contains a NUL character",
        ));
    }
    let pc = match PageCtx::from_request_parts(&mut parts, state).await {
        Ok(pc) => pc,
        Err(resp) => return resp,
    };
    let l = pc.l();
    let (heading, code) = if is_oidc_navigation(&path) {
        (
            l.t("無法完成登入", "Sign-in cannot continue"),
            "oidc_request_invalid",
        )
    } else {
        (
            l.t("無法處理這個要求", "This request cannot be handled"),
            "malformed_request",
        )
    };
    let t = MessagePage {
        page: pc.page(heading),
        heading,
        text: l.msg(code),
    };
    render(&pc, StatusCode::BAD_REQUEST, &t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_of_nul_are_found_and_lookalikes_are_not() {
        assert!(json_nul(br#"{"u":"a\u0000b"}"#));
        assert!(json_nul(br#"{"u\u0000":"a"}"#));
        // `\\\u0000`: an escaped backslash, then a NUL escape.
        assert!(json_nul(br#"{"u":"\\\u0000"}"#));
        assert!(json_nul(b"{\"u\":\"a\0\"}"));
        // `\\u0000`: an escaped backslash, then the text `u0000`.
        assert!(!json_nul(br#"{"u":"a\\u0000b"}"#));
        assert!(!json_nul(br#"{"u":"\u0001","v":"\"u0000"}"#));
        // A trailing backslash does not read past the end.
        assert!(!json_nul(b"\\"));
    }

    #[test]
    fn percent_encoded_nul_is_found_in_forms_and_urls() {
        assert!(percent_nul(b"username=a%00b"));
        assert!(!percent_nul(b"username=a%2500b"));
        assert!(!percent_nul(b"username=a%0"));
        let mut h = HeaderMap::new();
        h.insert(
            CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        assert!(body_nul(&h, b"a=%00"));
        assert!(body_nul(&h, b"a=\0"));
        assert!(!body_nul(&h, br#"a=\u0000"#));
        h.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(body_nul(&h, br#"{"a":"\u0000"}"#));
        // In JSON, `%00` is three ordinary characters.
        assert!(!body_nul(&h, br#"{"a":"%00"}"#));
        h.insert(
            CONTENT_TYPE,
            "application/merge-patch+json".parse().unwrap(),
        );
        assert!(is_json(&h));
        h.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json(&h));
    }

    #[test]
    fn audited_text_has_no_nul() {
        assert_eq!(shown("Eve\u{0}2026"), "Eve\u{FFFD}2026");
        assert_eq!(shown(&"x".repeat(100)).len(), 64);
    }
}
