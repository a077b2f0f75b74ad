//! What an https deployment adds and what `/metrics` shows to whom: HSTS on every answer of an
//! https site (and none on http), the CSRF cookie `__Host-` prefixed on https and still
//! accepted by the CSRF guard (a cookie without the prefix is not), and `/metrics` only behind
//! its bearer token or on a listener of its own.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use tessera_store::testing::sqlite_store;
use tessera_web::Settings;
use tessera_web::metrics::MetricsToken;
use tower::ServiceExt;

use common::{Harness, Resp, harness_with, test_settings};

const HTTPS_BASE: &str = "https://tessera.test";
const HSTS: &str = "max-age=31536000; includeSubDomains";

async fn app_with(settings: Settings) -> Harness {
    let (store, db) = sqlite_store().await.expect("store");
    harness_with(store, db, settings)
}

fn https_settings() -> Settings {
    let mut s = test_settings();
    s.base_url = HTTPS_BASE.to_string();
    s
}

/// A raw request; `form` is sent as `application/x-www-form-urlencoded`.
async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    form: Option<&str>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    Resp {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or_default(),
        headers,
        text,
    }
}

/// Pages, the API, the relying parties' endpoints, health and errors.
const SAMPLES: [(&str, &str); 5] = [
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/api/v1/me"),
    ("GET", "/no-such-page"),
    ("POST", "/oidc/token"),
];

#[tokio::test]
async fn hsts_on_every_answer_of_an_https_site_and_never_on_http() {
    let https = app_with(https_settings()).await;
    for (method, path) in SAMPLES {
        let r = send(&https.app, method.parse().unwrap(), path, &[], None).await;
        assert_eq!(
            r.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .and_then(|v| v.to_str().ok()),
            Some(HSTS),
            "{method} {path} ({})",
            r.status
        );
    }
    let http = app_with(test_settings()).await;
    for (method, path) in SAMPLES {
        let r = send(&http.app, method.parse().unwrap(), path, &[], None).await;
        assert!(
            r.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "{method} {path}: HSTS on plain http"
        );
    }
}

/// The `Set-Cookie` values of a response that set `name`.
fn set_cookies<'a>(r: &'a Resp, name: &str) -> Vec<&'a str> {
    r.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|c| c.starts_with(&format!("{name}=")))
        .collect()
}

#[tokio::test]
async fn the_csrf_cookie_is_host_prefixed_on_https_and_its_forms_still_pass() {
    let h = app_with(https_settings()).await;
    let page = send(&h.app, Method::GET, "/login", &[], None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        set_cookies(&page, "tessera_csrf").is_empty(),
        "unprefixed CSRF cookie on https"
    );
    let cookies = set_cookies(&page, "__Host-tessera_csrf");
    let [cookie] = cookies[..] else {
        panic!("one __Host-tessera_csrf cookie expected: {cookies:?}");
    };
    let attrs: Vec<&str> = cookie.split(';').map(str::trim).collect();
    for needed in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(attrs.contains(&needed), "{needed} missing: {cookie}");
    }
    assert!(
        !cookie.to_ascii_lowercase().contains("domain="),
        "a __Host- cookie has no Domain: {cookie}"
    );
    let token = attrs[0]
        .strip_prefix("__Host-tessera_csrf=")
        .expect("value")
        .to_string();
    // The forms carry the same token (cert-sign.js and org-handler.js read it from there).
    assert!(
        page.text
            .contains(&format!("name=\"_csrf\" value=\"{token}\"")),
        "the sign-in form carries the cookie's token"
    );
    // A form post with the cookie and the field passes the guard (no Origin header: the
    // token alone decides).
    let jar = format!("__Host-tessera_csrf={token}");
    let ok = send(
        &h.app,
        Method::POST,
        "/logout",
        &[("cookie", &jar)],
        Some(&format!("_csrf={token}")),
    )
    .await;
    assert!(ok.status.is_redirection(), "{} {}", ok.status, ok.text);
    // The same token in a cookie without the prefix — one a sibling subdomain could have
    // planted — is not the CSRF cookie of an https site.
    let planted = format!("tessera_csrf={token}");
    let r = send(
        &h.app,
        Method::POST,
        "/logout",
        &[("cookie", &planted)],
        Some(&format!("_csrf={token}")),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert!(r.text.contains("csrf_failed"), "{}", r.text);
    // And a field that does not match the cookie fails as before.
    let r = send(
        &h.app,
        Method::POST,
        "/logout",
        &[("cookie", &jar)],
        Some("_csrf=not-the-token"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // On http the cookie keeps its plain name, without Secure.
    let http = app_with(test_settings()).await;
    let page = send(&http.app, Method::GET, "/login", &[], None).await;
    let cookies = set_cookies(&page, "tessera_csrf");
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(!cookies[0].contains("Secure"), "{}", cookies[0]);
}

const TOKEN: &str = "metrics-token-0123456789";

#[tokio::test]
async fn metrics_are_not_public_on_the_main_listener() {
    // Neither a token nor a listener of their own: not found.
    let h = app_with(test_settings()).await;
    let r = send(&h.app, Method::GET, "/metrics", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.text.contains("tessera_http_requests"), "{}", r.text);
}

#[tokio::test]
async fn metrics_on_the_main_listener_need_the_exact_bearer_token() {
    let mut s = test_settings();
    s.metrics_token = Some(MetricsToken(TOKEN.into()));
    let h = app_with(s).await;
    let wrong = [
        None,
        Some("Bearer wrong-token-0123456789".to_string()),
        Some(format!("Bearer {}", &TOKEN[..TOKEN.len() - 1])),
        Some(format!("Bearer {TOKEN}0")),
        Some(format!("Basic {TOKEN}")),
        Some(TOKEN.to_string()),
    ];
    for auth in wrong {
        let headers: Vec<(&str, &str)> =
            auth.iter().map(|a| ("authorization", a.as_str())).collect();
        let r = send(&h.app, Method::GET, "/metrics", &headers, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(!r.text.contains("tessera_http_requests"), "{}", r.text);
        assert!(
            r.headers
                .get(header::WWW_AUTHENTICATE)
                .is_some_and(|v| v.as_bytes().starts_with(b"Bearer")),
            "{auth:?}"
        );
    }
    let auth = format!("Bearer {TOKEN}");
    let r = send(
        &h.app,
        Method::GET,
        "/metrics",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("tessera_http_requests_total"), "{}", r.text);
}

#[tokio::test]
async fn metrics_on_a_listener_of_their_own_leave_the_main_one() {
    let mut s = test_settings();
    s.metrics_separate = true;
    s.metrics_token = Some(MetricsToken(TOKEN.into()));
    let h = app_with(s).await;
    let auth = format!("Bearer {TOKEN}");
    let r = send(
        &h.app,
        Method::GET,
        "/metrics",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not on the main listener");
    // The metrics listener's app asks for the token too when one is configured.
    let metrics = tessera_web::metrics_app(h.state.clone());
    let r = send(&metrics, Method::GET, "/metrics", &[], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &metrics,
        Method::GET,
        "/metrics",
        &[("authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("tessera_"), "{}", r.text);
    let r = send(&metrics, Method::GET, "/healthz", &[], None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nothing else there");
}
