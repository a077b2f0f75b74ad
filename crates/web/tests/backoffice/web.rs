//! Page requests as a browser sends them, for the back-office page tests: GET with the
//! browser's cookies, form posts with or without the CSRF token and from any origin, and the
//! answer's status, `Location` and HTML.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::common::BASE;
use crate::helpers::{Browser, CertHarness};

/// A page answer: status, `Location` ("" when none) and body.
pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub html: String,
}

impl Page {
    pub fn has(&self, text: &str) -> bool {
        self.html.contains(text)
    }
}

async fn send(h: &CertHarness, b: &mut Browser, req: Request<Body>) -> Page {
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
    Page {
        status,
        location,
        html: String::from_utf8_lossy(&bytes).to_string(),
    }
}

/// `GET path` as the browser (a plain navigation: no Origin header).
pub async fn get(h: &CertHarness, b: &mut Browser, path: &str) -> Page {
    let mut req = Request::builder().method(Method::GET).uri(path);
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    send(h, b, req.body(Body::empty()).expect("request")).await
}

/// A same-origin form post with the browser's CSRF token.
pub async fn post(h: &CertHarness, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let csrf = b.csrf();
    post_as(h, b, path, fields, Some(&csrf), None).await
}

/// A form post with the given CSRF field (none when `None`) and Origin header.
pub async fn post_as(
    h: &CertHarness,
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
    csrf: Option<&str>,
    origin: Option<&str>,
) -> Page {
    let mut body = form_urlencoded::Serializer::new(String::new());
    if let Some(t) = csrf {
        body.append_pair("_csrf", t);
    }
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    send(h, b, req.body(Body::from(body.finish())).expect("request")).await
}

/// The site's own origin.
pub fn same_origin() -> Option<&'static str> {
    Some(BASE)
}
