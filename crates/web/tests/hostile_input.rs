//! Text PostgreSQL cannot store (a NUL character) sent to the unauthenticated endpoints, on
//! SQLite and PostgreSQL: every attempt is refused with a 4xx in the endpoint's own format
//! (API error, page, OAuth error) before anything reaches the database, and is audited
//! (`input_refused`, with the username or client given, the NUL replaced). Lone surrogates
//! cannot arrive through JSON escapes, text that merely looks like an escape is not refused,
//! and an undecodable path segment is answered as the API's JSON error.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tower::ServiceExt;

use common::{BASE, Harness, Resp, harness};

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

/// A request with a raw body of `content_type`, as a same-origin browser or an API client
/// would send it.
async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: &str,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("origin", BASE)
        .header("user-agent", "hostile-input-test");
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(Body::from(body.to_string())).expect("request");
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
        text,
    }
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const JSON: Option<&str> = Some("application/json");

async fn json_post(h: &Harness, path: &str, body: Value) -> Resp {
    send(&h.app, Method::POST, path, JSON, &body.to_string(), &[]).await
}

async fn form_post(h: &Harness, path: &str, body: &str) -> Resp {
    send(&h.app, Method::POST, path, FORM, body, &[]).await
}

/// The newest audit entries of kind `input_refused`.
async fn refusals(h: &Harness) -> Result<Vec<tessera_store::AuditEntry>, String> {
    let entries = h
        .state
        .store
        .audit_entries(None, 50)
        .await
        .map_err(|e| format!("audit read: {e}"))?;
    Ok(entries
        .into_iter()
        .filter(|e| e.event.kind == "input_refused")
        .collect())
}

/// The answer is a 4xx and exactly one refusal naming `username` (NUL shown as U+FFFD) was
/// audited with the request's path and user agent.
async fn refused_and_audited(h: &Harness, r: &Resp, path: &str, username: Option<&str>) -> R {
    ensure(
        r.status.is_client_error(),
        format!("{path}: expected a 4xx, got {} {}", r.status, r.text),
    )?;
    let found = refusals(h).await?;
    ensure(
        found.len() == 1,
        format!("{path}: {} input_refused entries", found.len()),
    )?;
    let e = &found[0].event;
    ensure(
        e.outcome == "nul_in_text"
            && e.username.as_deref() == username
            && e.user_agent.as_deref() == Some("hostile-input-test"),
        format!("{path}: audit entry {e:?}"),
    )?;
    let detail: Value = serde_json::from_str(e.detail.as_deref().unwrap_or("null"))
        .map_err(|err| format!("detail: {err}"))?;
    ensure(
        detail["path"] == path,
        format!("{path}: audit detail {detail}"),
    )?;
    // The chain is intact: the refusal was written like any other event.
    let v = h
        .state
        .store
        .verify_audit_chain()
        .await
        .map_err(|e| e.to_string())?;
    ensure(v.first_bad_seq.is_none(), "audit chain broken")
}

fn api_refusal(r: &Resp) -> R {
    ensure(
        r.status == StatusCode::BAD_REQUEST && r.code() == "malformed_request",
        format!("API answer: {} {}", r.status, r.text),
    )
}

fn page_refusal(r: &Resp) -> R {
    let html = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    ensure(
        r.status == StatusCode::BAD_REQUEST && html,
        format!("page answer: {} {}", r.status, r.text),
    )
}

fn oauth_refusal(r: &Resp) -> R {
    ensure(
        r.status == StatusCode::BAD_REQUEST && r.body["error"] == "invalid_request",
        format!("OAuth answer: {} {}", r.status, r.text),
    )
}

const SHOWN: Option<&str> = Some("Eve\u{FFFD}2026");

async fn login_api(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = json_post(
        &h,
        "/api/v1/session",
        json!({"username": "Eve\u{0}2026", "password": "Wrong12345"}),
    )
    .await;
    api_refusal(&r)?;
    refused_and_audited(&h, &r, "/api/v1/session", SHOWN).await
}

async fn login_page(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(&h, "/login", "username=Eve%002026&password=Wrong12345").await;
    page_refusal(&r)?;
    refused_and_audited(&h, &r, "/login", SHOWN).await
}

async fn reset_request_api(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = json_post(
        &h,
        "/api/v1/password-resets",
        json!({"username": "Eve\u{0}2026", "channel": "email", "email": "eve@example.tw"}),
    )
    .await;
    api_refusal(&r)?;
    refused_and_audited(&h, &r, "/api/v1/password-resets", SHOWN).await
}

async fn reset_request_page(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(
        &h,
        "/password/forgot",
        "username=Eve%002026&channel=email&email=eve%40example.tw",
    )
    .await;
    page_refusal(&r)?;
    refused_and_audited(&h, &r, "/password/forgot", SHOWN).await
}

async fn reset_complete_api(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = json_post(
        &h,
        "/api/v1/password-resets/complete",
        json!({"username": "Eve\u{0}2026", "code": "123456", "new_password": "Brand9New9Pass"}),
    )
    .await;
    api_refusal(&r)?;
    refused_and_audited(&h, &r, "/api/v1/password-resets/complete", SHOWN).await
}

async fn reset_complete_page(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(
        &h,
        "/password/reset-sms",
        "username=Eve%002026&code=123456&new_password=Brand9New9Pass&confirm=Brand9New9Pass",
    )
    .await;
    page_refusal(&r)?;
    refused_and_audited(&h, &r, "/password/reset-sms", SHOWN).await
}

async fn backoffice_login_page(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(
        &h,
        "/admin/login",
        "username=Eve%002026&password=Wrong12345",
    )
    .await;
    page_refusal(&r)?;
    refused_and_audited(&h, &r, "/admin/login", SHOWN).await
}

async fn backoffice_login_api(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = json_post(
        &h,
        "/api/v1/backoffice/session",
        json!({"username": "Eve\u{0}2026", "password": "Wrong12345"}),
    )
    .await;
    api_refusal(&r)?;
    refused_and_audited(&h, &r, "/api/v1/backoffice/session", SHOWN).await
}

/// The client id an OAuth refusal's audit entry names.
fn audited_client(detail: &Value) -> &str {
    detail["client_id"].as_str().unwrap_or("")
}

async fn oidc_detail(h: &Harness) -> Result<Value, String> {
    let found = refusals(h).await?;
    let d = found
        .first()
        .and_then(|e| e.event.detail.as_deref())
        .unwrap_or("null");
    serde_json::from_str(d).map_err(|e| e.to_string())
}

async fn oidc_authorize(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let path = "/oidc/authorize";
    let uri = format!(
        "{path}?response_type=code&client_id=rp%00x&redirect_uri=https%3A%2F%2Frp.example.tw%2Fcb\
         &scope=openid&state=s&code_challenge=abc&code_challenge_method=S256"
    );
    let r = send(&h.app, Method::GET, &uri, None, "", &[]).await;
    // Never sent back to a redirect URI it could not trust: the error is shown here.
    page_refusal(&r)?;
    ensure(r.headers.get(header::LOCATION).is_none(), "redirected")?;
    refused_and_audited(&h, &r, path, None).await?;
    let d = oidc_detail(&h).await?;
    ensure(audited_client(&d) == "rp\u{FFFD}x", d.to_string())
}

async fn oidc_token(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(
        &h,
        "/oidc/token",
        "grant_type=authorization_code&code=abc&client_id=rp%00x&client_secret=s",
    )
    .await;
    oauth_refusal(&r)?;
    refused_and_audited(&h, &r, "/oidc/token", None).await?;
    let d = oidc_detail(&h).await?;
    ensure(audited_client(&d) == "rp\u{FFFD}x", d.to_string())
}

async fn oidc_introspect(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = form_post(
        &h,
        "/oidc/introspect",
        "token=abc&client_id=rp%00x&client_secret=s",
    )
    .await;
    oauth_refusal(&r)?;
    refused_and_audited(&h, &r, "/oidc/introspect", None).await?;
    let d = oidc_detail(&h).await?;
    ensure(audited_client(&d) == "rp\u{FFFD}x", d.to_string())
}

/// A NUL inside HTTP Basic credentials (decoded by the endpoint, not by the request parser)
/// is an unknown client: 401 `invalid_client`, audited as a failed client authentication.
async fn oidc_basic_credentials(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("rp\u{0}x:secret")
    );
    let r = send(
        &h.app,
        Method::POST,
        "/oidc/token",
        FORM,
        "grant_type=authorization_code&code=abc",
        &[("authorization", &basic)],
    )
    .await;
    ensure(
        r.status == StatusCode::UNAUTHORIZED && r.body["error"] == "invalid_client",
        format!("{} {}", r.status, r.text),
    )?;
    let entries = h
        .state
        .store
        .audit_entries(None, 5)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        entries.iter().any(|e| {
            e.event.kind == "oidc_client_auth_failed" && e.event.outcome == "unknown_client"
        }),
        format!("audit: {entries:?}"),
    )
}

/// A NUL in a path segment or a query parameter is refused like one in a body.
async fn path_and_query(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = send(
        &h.app,
        Method::GET,
        "/api/v1/orgs/A%00B/handlers",
        None,
        "",
        &[],
    )
    .await;
    api_refusal(&r)?;
    refused_and_audited(&h, &r, "/api/v1/orgs/A%00B/handlers", None).await?;
    let r = send(
        &h.app,
        Method::GET,
        "/verify-email?token=a%00b",
        None,
        "",
        &[],
    )
    .await;
    page_refusal(&r)?;
    ensure(refusals(&h).await?.len() == 2, "second refusal audited")
}

/// A path segment that is not UTF-8 once decoded is refused in the API's JSON error format
/// (as the document declares), not axum's plain text.
async fn undecodable_path_segment(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = send(
        &h.app,
        Method::GET,
        "/api/v1/org-flows/%FF%FE",
        None,
        "",
        &[],
    )
    .await;
    api_refusal(&r)
}

/// `\ud800` without its pair, or a lone trailing surrogate, is not text: the JSON parser
/// refuses it, and nothing is stored.
async fn lone_surrogates(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    for username in [r#""Eve\ud8002026""#, r#""Eve\udc002026""#] {
        let body = format!(r#"{{"username": {username}, "password": "Wrong12345"}}"#);
        let r = send(&h.app, Method::POST, "/api/v1/session", JSON, &body, &[]).await;
        api_refusal(&r)?;
    }
    Ok(())
}

/// What only looks like a NUL (an escaped backslash followed by `u0000`, `%2500` in a form)
/// is ordinary text and goes on to the endpoint.
async fn lookalikes_pass(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = send(
        &h.app,
        Method::POST,
        "/api/v1/session",
        JSON,
        r#"{"username": "Eve\\u00002026", "password": "Wrong12345"}"#,
        &[],
    )
    .await;
    ensure(
        r.status == StatusCode::UNAUTHORIZED && r.code() == "invalid_credentials",
        format!("escaped backslash: {} {}", r.status, r.text),
    )?;
    let r = form_post(&h, "/login", "username=Eve%25002026&password=Wrong12345").await;
    ensure(
        r.status == StatusCode::UNAUTHORIZED,
        format!("%2500: {} {}", r.status, r.text),
    )?;
    ensure(refusals(&h).await?.is_empty(), "nothing refused")
}

tessera_store::both_backends!(
    login_api,
    login_page,
    reset_request_api,
    reset_request_page,
    reset_complete_api,
    reset_complete_page,
    backoffice_login_page,
    backoffice_login_api,
    oidc_authorize,
    oidc_token,
    oidc_introspect,
    oidc_basic_credentials,
    path_and_query,
    undecodable_path_segment,
    lone_surrogates,
    lookalikes_pass,
);
