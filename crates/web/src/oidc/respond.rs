//! Turning the flows' outcomes into HTTP: OAuth JSON errors, authorization outcomes as
//! redirects (sign-in, step-up, consent, back to the client) or shown pages (errors, the
//! unverified email address), and the
//! Content-Security-Policy that lets a form here end at a client's redirect URI.

use crate::error::FailureExt;
use askama::Template;
use axum::Json;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, PRAGMA, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Failure;
use crate::pages::layout::{Page, PageCtx, redirect, render};
use tessera_app::flows::oidc::OAuthError;
use tessera_app::flows::oidc::authorize::Outcome;
use tessera_app::state::AppState;

/// An OAuth error as JSON (RFC 6749 §5.2), never cached.
pub fn oauth_error(e: OAuthError) -> Response {
    let mut resp = (
        crate::error::status(e.kind),
        Json(json!({ "error": e.error, "error_description": e.description })),
    )
        .into_response();
    let h = resp.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    if e.basic_challenge {
        h.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"tessera\""),
        );
    }
    if e.error == "invalid_token" {
        h.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    resp
}

/// A JSON answer of the token endpoints, never cached.
pub fn no_store_json(v: serde_json::Value) -> Response {
    let mut resp = Json(v).into_response();
    let h = resp.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    page: Page,
    heading: &'static str,
    text: &'static str,
}

/// A page telling the user why the request cannot go on (never a redirect).
pub fn shown(pc: &PageCtx, f: &Failure) -> Response {
    let l = pc.l();
    let heading = l.t("無法完成登入", "Sign-in cannot continue");
    let t = MessagePage {
        page: pc.page(heading),
        heading,
        text: f.message(pc.ctx.lang),
    };
    let status = if f.status().is_client_error() {
        f.status()
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    render(pc, status, &t)
}

/// A page saying `text` under `heading`.
pub fn message(
    pc: &PageCtx,
    status: StatusCode,
    heading: &'static str,
    text: &'static str,
) -> Response {
    render(
        pc,
        status,
        &MessagePage {
            page: pc.page(heading),
            heading,
            text,
        },
    )
}

/// Where the browser resumes a kept request.
pub fn resume_path(request_id: &str) -> String {
    format!("/oidc/authorize/resume?request={request_id}")
}

fn login_path(request_id: &str) -> String {
    // Through a rendered page: a form post's redirect chain may not end at another site
    // (CSP form-action), so the way back to the client starts from a plain navigation.
    let next = format!("/oidc/continue?request={request_id}");
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("next", &next)
        .finish();
    format!("/login?{q}")
}

/// An authorization outcome as a response.
pub fn outcome(pc: &PageCtx, o: Result<Outcome, Failure>) -> Response {
    match o {
        Ok(Outcome::Redirect(to)) => redirect(&to, &[]),
        Ok(Outcome::SignIn { request_id }) => redirect(&login_path(&request_id), &[]),
        Ok(Outcome::StepUp { request_id, .. }) => {
            redirect(&format!("/oidc/step-up?request={request_id}"), &[])
        }
        Ok(Outcome::Consent { request_id }) => {
            redirect(&format!("/oidc/consent?request={request_id}"), &[])
        }
        Ok(Outcome::EmailUnverified {
            request_id,
            client_name,
        }) => crate::pages::account::unverified_page(
            pc,
            StatusCode::FORBIDDEN,
            &client_name,
            &resume_path(&request_id),
        ),
        Ok(Outcome::Refused(f)) | Err(f) => shown(pc, &f),
    }
}

/// The sign-in page for a kept request (used by the step-up page's password link).
pub fn login_for(request_id: &str) -> String {
    login_path(request_id)
}

/// `scheme://host[:port]` of an absolute URI.
pub fn origin_of(uri: &str) -> Option<&str> {
    let after = uri.find("://")? + 3;
    let end = uri[after..]
        .find(['/', '?', '#'])
        .map_or(uri.len(), |i| after + i);
    Some(&uri[..end])
}

/// Sets a CSP on `resp` whose `form-action` also allows `origins` (a form here is answered
/// by a redirect to the client).
pub fn allow_form_action(state: &AppState, resp: &mut Response, origins: &[&str]) {
    let base = crate::csp_for(&state.settings);
    let extra: String = origins
        .iter()
        .filter(|o| !o.contains([' ', ';', ',', '\'']))
        .map(|o| format!(" {o}"))
        .collect();
    let csp = base.replace("form-action 'self'", &format!("form-action 'self'{extra}"));
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert(CONTENT_SECURITY_POLICY, v);
    }
}
