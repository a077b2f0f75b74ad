//! Test harness for the web crate: an app on a throw-away store (SQLite or PostgreSQL) with a
//! Maildir and SMS log in a temporary directory, cheap hashing, and helpers to call it like a
//! browser or API client would (cookies, Origin, CAPTCHA solving, reading mail).

#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tessera_notify::{Mailer, SmsSender};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tessera_web::{AppState, HashParams, Settings};
use tower::ServiceExt;

pub const BASE: &str = "http://tessera.test";

pub struct Harness {
    pub app: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub db: TestDatabase,
}

pub fn test_settings() -> Settings {
    let mut s = Settings::new(BASE, "test-captcha-secret".into());
    s.hash = HashParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    s.captcha_cost = 1;
    s.captcha_max_counter = 4;
    s
}

pub fn state_on(store: Store, dir: &std::path::Path, settings: Settings) -> AppState {
    AppState::new(
        store,
        settings,
        Mailer::maildir(dir.join("mail")),
        SmsSender::file(dir.join("sms.jsonl")),
    )
    .expect("state")
}

pub fn harness_with(store: Store, db: TestDatabase, settings: Settings) -> Harness {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_on(store, dir.path(), settings);
    Harness {
        app: tessera_web::app(state.clone()),
        state,
        dir,
        db,
    }
}

pub fn harness(store: Store, db: TestDatabase) -> Harness {
    harness_with(store, db, test_settings())
}

/// A response, read whole.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn field_codes(&self) -> Vec<(String, String)> {
        self.body["error"]["fields"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        (
                            f["field"].as_str().unwrap_or("").to_string(),
                            f["code"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `name=value` of the session cookie set by this response, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("tessera_session=") && !c.contains("Max-Age=0"))
            .and_then(|c| c.split(';').next())
            .map(str::to_string)
    }
}

/// A request as a same-origin browser page would send it (Origin header, cookie).
pub async fn call(
    app: &Router,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
) -> Resp {
    call_with(app, method, path, body, cookie, &[("origin", BASE)]).await
}

pub async fn call_with(
    app: &Router,
    method: Method,
    path: &str,
    body: Option<Value>,
    cookie: Option<&str>,
    headers: &[(&str, &str)],
) -> Resp {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match body {
        Some(b) => req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
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

/// Fetches a challenge from the app and solves it like the widget does.
pub async fn solve_captcha(app: &Router) -> String {
    let r = call(app, Method::GET, "/api/v1/captcha", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "captcha challenge: {}", r.text);
    let challenge: altcha::Challenge = serde_json::from_value(r.body).expect("challenge json");
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .expect("solve")
        .expect("solution found");
    let payload = json!({ "challenge": challenge, "solution": solution });
    base64::engine::general_purpose::STANDARD.encode(payload.to_string())
}

pub const PASSWORD: &str = "Tessera2026ok";

pub async fn register(app: &Router, username: &str, email: &str) -> Resp {
    let captcha = solve_captcha(app).await;
    call(
        app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({
            "username": username, "password": PASSWORD, "name": "王小明", "email": email,
            "accept_terms": true, "captcha": captcha
        })),
        None,
    )
    .await
}

/// Registers a member for later use and verifies its address through the link mailed to it
/// (an unverified account signs in only to verify or change its address). Returns the
/// registration's answer.
pub async fn register_verified(
    app: &Router,
    dir: &std::path::Path,
    username: &str,
    email: &str,
) -> Resp {
    let known = verification_links(dir, email);
    let r = register(app, username, email).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "register {username}: {}",
        r.text
    );
    follow_new_verification_link(app, dir, email, &known).await;
    r
}

/// Follows the newest verification link mailed to `email` (through the API, as the landing
/// page does).
pub async fn verify_email(app: &Router, dir: &std::path::Path, email: &str) {
    follow_new_verification_link(app, dir, email, &[]).await;
}

/// Waits for a verification link mailed to `email` that is not among `known` and follows it.
pub async fn follow_new_verification_link(
    app: &Router,
    dir: &std::path::Path,
    email: &str,
    known: &[String],
) {
    let link = new_verification_link(dir, email, known).await;
    let r = call(
        app,
        Method::POST,
        "/api/v1/email-verifications",
        Some(json!({ "token": token_of(&link) })),
        None,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "verify {email}: {}",
        r.text
    );
}

/// Every verification link mailed to `email` so far, oldest first.
pub fn verification_links(dir: &std::path::Path, email: &str) -> Vec<String> {
    let prefix = format!("{BASE}/verify-email?token=");
    let to = email.to_ascii_lowercase();
    read_dir_sorted(&dir.join("mail").join("new"))
        .iter()
        .filter(|m| {
            let head = m
                .split_once("\r\n\r\n")
                .or_else(|| m.split_once("\n\n"))
                .map_or(m.as_str(), |(h, _)| h);
            head.lines().any(|l| {
                let l = l.to_ascii_lowercase();
                l.starts_with("to:") && l.contains(&to)
            })
        })
        .filter_map(|m| {
            let text = decode_mail(m);
            let i = text.find(&prefix)?;
            let rest = &text[i..];
            let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
            Some(rest[..end].to_string())
        })
        .collect()
}

/// Waits for a verification link mailed to `email` that is not among `known`; the newest.
pub async fn new_verification_link(dir: &std::path::Path, email: &str, known: &[String]) -> String {
    for _ in 0..150 {
        if let Some(l) = verification_links(dir, email)
            .into_iter()
            .rev()
            .find(|l| !known.contains(l))
        {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no new verification link mailed to {email}");
}

/// How many audit entries of `kind` were recorded (among the newest 1,000).
pub async fn audit_count(store: &Store, kind: &str) -> usize {
    store
        .audit_entries(None, 1000)
        .await
        .expect("audit entries")
        .iter()
        .filter(|e| e.event.kind == kind)
        .count()
}

pub async fn login(app: &Router, username: &str, password: &str, captcha: Option<String>) -> Resp {
    call(
        app,
        Method::POST,
        "/api/v1/session",
        Some(json!({ "username": username, "password": password, "captcha": captcha })),
        None,
    )
    .await
}

fn read_dir_sorted(dir: &std::path::Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = rd
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH),
                e.path(),
            )
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|(_, p)| std::fs::read_to_string(p).ok())
        .collect()
}

/// Waits until a mail whose decoded text contains `needle` arrives; returns the first URL
/// in it starting with `prefix`.
pub async fn link_in_mail(dir: &std::path::Path, prefix: &str) -> String {
    for _ in 0..100 {
        for m in read_dir_sorted(&dir.join("mail").join("new")).iter().rev() {
            let text = decode_mail(m);
            if let Some(i) = text.find(prefix) {
                let rest = &text[i..];
                let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
                return rest[..end].to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no mail with a link starting {prefix}");
}

/// Decodes a text/plain body in base64 or quoted-printable, enough for tests.
pub fn decode_mail(raw: &str) -> String {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let lower = head.to_ascii_lowercase();
    if lower.contains("content-transfer-encoding: base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(clean)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).to_string()
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let mut out = Vec::new();
        let b = joined.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'='
                && i + 2 < b.len()
                && let Ok(hex) = std::str::from_utf8(&b[i + 1..i + 3])
                && let Ok(v) = u8::from_str_radix(hex, 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).to_string()
    } else {
        body.to_string()
    }
}

/// The token query parameter of a link.
pub fn token_of(link: &str) -> String {
    link.split("token=").nth(1).unwrap_or("").to_string()
}

/// The SMS messages sent so far.
pub async fn sms(dir: &std::path::Path) -> Vec<Value> {
    for _ in 0..50 {
        let v: Vec<Value> = std::fs::read_to_string(dir.join("sms.jsonl"))
            .map(|text| {
                text.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect()
            })
            .unwrap_or_default();
        if !v.is_empty() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Vec::new()
}

/// The 6-digit code in the newest SMS.
pub async fn last_code(dir: &std::path::Path, count_at_least: usize) -> String {
    for _ in 0..100 {
        let all = sms(dir).await;
        if all.len() >= count_at_least {
            let text = all
                .last()
                .and_then(|m| m["text"].as_str())
                .unwrap_or("")
                .to_string();
            let digits: Vec<&str> = text
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| s.len() == 6)
                .collect();
            if let Some(d) = digits.first() {
                return d.to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no SMS code arrived");
}

/// Waits (up to 2 s) for a delivered mail whose decoded text contains every needle.
pub async fn mail_with(dir: &std::path::Path, needles: &[&str]) -> Option<String> {
    for _ in 0..100 {
        let found = read_dir_sorted(&dir.join("mail").join("new"))
            .iter()
            .map(|m| decode_mail(m))
            .find(|text| needles.iter().all(|n| text.contains(n)));
        if found.is_some() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    None
}
