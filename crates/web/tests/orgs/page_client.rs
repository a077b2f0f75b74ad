//! How the organization page tests act as a browser: GET a page, post a form with the CSRF
//! token and a same-origin `Origin`, post a card step signed by the `openssl` CLI, and check
//! the answer's status, body and redirect.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::BASE;
use crate::helpers::*;

pub struct Got {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

/// A page request as the browser `b` sends it (`origin` for posts; the form body as is).
pub async fn send(
    h: &CertHarness,
    b: &mut Browser,
    method: Method,
    path: &str,
    body: Option<String>,
    origin: Option<&str>,
) -> Got {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    let req = req
        .body(Body::from(body.unwrap_or_default()))
        .expect("request");
    let resp = h.app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    for c in resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        if let Some((k, v)) = c.split(';').next().and_then(|f| f.split_once('=')) {
            if v.is_empty() || c.contains("Max-Age=0") {
                b.cookies.remove(k);
            } else {
                b.cookies.insert(k.to_string(), v.to_string());
            }
        }
    }
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Got {
        status,
        location,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

pub async fn get(h: &CertHarness, b: &mut Browser, path: &str) -> Got {
    send(h, b, Method::GET, path, None, None).await
}

/// A same-origin form post with the browser's CSRF token.
pub async fn post(h: &CertHarness, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Got {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("_csrf", &b.csrf());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    send(h, b, Method::POST, path, Some(body.finish()), Some(BASE)).await
}

/// Posts a card step signed by a card given by its files (e.g. a renewed certificate).
pub async fn signed_by(
    h: &CertHarness,
    b: &mut Browser,
    path: &str,
    purpose: &str,
    c: &crate::support::Card,
    fields: &[(&str, &str)],
) -> Got {
    let (id, sig) = crate::support::answer_with(h, b, purpose, &c.cert, &c.key).await;
    let mut all = vec![("challenge_id", id.as_str()), ("signature", sig.as_str())];
    all.extend_from_slice(fields);
    post(h, b, path, &all).await
}

/// Posts a card step: a challenge for `purpose` signed by `entity` plus `fields`.
pub async fn signed(
    h: &CertHarness,
    b: &mut Browser,
    path: &str,
    purpose: &str,
    entity: &str,
    fields: &[(&str, &str)],
) -> Got {
    let (id, sig) = card_answer(&h.app, b, purpose, entity).await;
    let mut all = vec![("challenge_id", id.as_str()), ("signature", sig.as_str())];
    all.extend_from_slice(fields);
    post(h, b, path, &all).await
}

pub fn expect(g: &Got, status: StatusCode, needle: &str, what: &str) -> R {
    ensure(
        g.status == status && g.body.contains(needle),
        format!(
            "{what}: {} (want {status} with {needle:?}) at {}\n{}",
            g.status,
            g.location,
            &g.body.chars().take(3000).collect::<String>()
        ),
    )
}

pub fn moved(g: &Got, to_end: &str, what: &str) -> R {
    ensure(
        g.status == StatusCode::SEE_OTHER && g.location.ends_with(to_end),
        format!("{what}: {} → {:?}\n{}", g.status, g.location, g.body),
    )
}
