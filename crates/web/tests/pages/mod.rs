//! Tests of the pages through the whole application (`tessera_web::app`), driven like a browser:
//! a cookie jar, same-origin form posts carrying `_csrf`, redirects followed by hand.

mod apply;
mod help;
mod journey;
mod lockout;
mod mobile;
mod operator;
mod render;
mod security;
mod signer;
mod unverified;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use base64::Engine;
use tessera_notify::{Mailer, SmsSender};
use tessera_store::Store;
use tower::ServiceExt;

use tessera_web::{AppState, HashParams, Settings};

pub const BASE: &str = "http://pages.test";
pub const PASSWORD: &str = "Tessera2026ok";

/// A test app on a store, with mail and SMS in a temporary directory.
pub struct Site {
    pub app: Router,
    pub dir: tempfile::TempDir,
}

pub fn settings() -> Settings {
    let mut s = Settings::new(BASE, "pages-test-secret".into());
    s.hash = HashParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    };
    s.captcha_cost = 1;
    s.captcha_max_counter = 4;
    s
}

pub fn site_on(store: Store, settings: Settings) -> Site {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = AppState::new(
        store,
        settings,
        Mailer::maildir(dir.path().join("mail")),
        SmsSender::file(dir.path().join("sms.jsonl")),
    )
    .expect("state");
    Site {
        app: tessera_web::app(state),
        dir,
    }
}

/// A SQLite-backed site; the database guard must outlive the test.
pub async fn sqlite_site() -> (Site, tessera_store::testing::TestDatabase) {
    let (store, db) = tessera_store::testing::sqlite_store()
        .await
        .expect("sqlite store");
    (site_on(store, settings()), db)
}

/// One answer, read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn has(&self, needle: &str) -> bool {
        self.text.contains(needle)
    }
}

/// A browser: keeps cookies, sends same-origin form posts with the CSRF token.
pub struct Browser {
    app: Router,
    pub jar: BTreeMap<String, String>,
    pub lang: Option<&'static str>,
}

impl Browser {
    pub fn new(site: &Site) -> Self {
        Self {
            app: site.app.clone(),
            jar: BTreeMap::new(),
            lang: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, headers: &HeaderMap) {
        for v in headers.get_all(header::SET_COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            let first = s.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            if s.contains("Max-Age=0") || value.is_empty() {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
    }

    pub async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Answer {
        let mut req = req;
        if !self.jar.is_empty() {
            req = req.header(header::COOKIE, self.cookie_header());
        }
        if let Some(l) = self.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        self.keep_cookies(&headers);
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::builder().uri(path), Body::empty()).await
    }

    /// Follows redirects from `first` (GETs), as a browser does after a form post.
    pub async fn follow(&mut self, first: Answer) -> Answer {
        let mut a = first;
        for _ in 0..5 {
            if !a.status.is_redirection() {
                break;
            }
            let to = a.location().to_string();
            a = self.get(&to).await;
        }
        a
    }

    /// Posts a form from this site's page, with `_csrf` from the cookie and a same-origin
    /// `Origin` header (a GET first ensures the CSRF cookie exists).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        if !self.jar.contains_key("tessera_csrf") {
            self.get("/").await;
        }
        let csrf = self.jar.get("tessera_csrf").cloned().unwrap_or_default();
        let body = form_body(&csrf, fields);
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::ORIGIN, BASE)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(body)).await
    }
}

pub fn form_body(csrf: &str, fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("_csrf", csrf);
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Solves a challenge from the app the way the ALTCHA widget does; returns the payload.
pub async fn captcha(b: &mut Browser) -> String {
    let a = b.get("/api/v1/captcha").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let challenge: altcha::Challenge = serde_json::from_str(&a.text).expect("challenge");
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .expect("solve")
        .expect("solution");
    let payload = serde_json::json!({ "challenge": challenge, "solution": solution });
    base64::engine::general_purpose::STANDARD.encode(payload.to_string())
}

/// Every link starting with `prefix` in the mail delivered so far (bodies decoded).
pub fn mail_links(dir: &Path, prefix: &str) -> Vec<String> {
    let files: Vec<_> = std::fs::read_dir(dir.join("mail").join("new"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut links = Vec::new();
    for f in files {
        let text = decode_body(&std::fs::read_to_string(f).unwrap_or_default());
        if let Some(i) = text.find(prefix) {
            let rest = &text[i..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            links.push(rest[..end].to_string());
        }
    }
    links
}

/// The decoded bodies of the mail delivered so far.
pub fn mail_bodies(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("mail").join("new"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| decode_body(&std::fs::read_to_string(e.path()).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default()
}

/// Waits for a mailed link starting with `prefix` that is not among `known`.
pub async fn new_link(dir: &Path, prefix: &str, known: &[String]) -> String {
    for _ in 0..200 {
        if let Some(l) = mail_links(dir, prefix)
            .into_iter()
            .find(|l| !known.contains(l))
        {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no new mail with a link starting {prefix}");
}

/// The link starting with `prefix` of the one mail expected to carry one.
pub async fn mailed_link(dir: &Path, prefix: &str) -> String {
    new_link(dir, prefix, &[]).await
}

fn decode_body(raw: &str) -> String {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let clean: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(clean)
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).to_string()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\r\n", "").replace("=\n", "");
        let b = joined.as_bytes();
        let (mut out, mut i) = (Vec::new(), 0);
        while i < b.len() {
            if b[i] == b'='
                && i + 2 < b.len()
                && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
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

/// The path and query of an absolute link on the test site.
pub fn local(link: &str) -> &str {
    link.strip_prefix(BASE).unwrap_or(link)
}

/// Registers `username` through the form and verifies its email through the landing page
/// (an unverified account signs in only to verify or change its address).
pub async fn register_and_verify(site: &Site, b: &mut Browser, username: &str, name: &str) {
    let known = mail_links(site.dir.path(), &format!("{BASE}/verify-email?token="));
    register_unverified(b, username, name).await;
    let link = new_link(
        site.dir.path(),
        &format!("{BASE}/verify-email?token="),
        &known,
    )
    .await;
    let token = local(&link)
        .trim_start_matches("/verify-email?token=")
        .to_string();
    let a = b.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "verify: {}", a.text);
}

/// Registers `username` through the form and leaves its email unverified; returns the
/// address (`username` in lower case at example.tw).
pub async fn register_unverified(b: &mut Browser, username: &str, name: &str) -> String {
    let a = b.get("/register").await;
    assert_eq!(a.status, StatusCode::OK);
    let payload = captcha(b).await;
    let email = format!("{}@example.tw", username.to_lowercase());
    let a = b
        .post(
            "/register",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", name),
                ("email", &email),
                ("mobile", ""),
                ("national_id", ""),
                ("birthday", ""),
                ("landline", ""),
                ("accept_terms", "on"),
                ("captcha", &payload),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "register: {}", a.text);
    assert_eq!(a.location(), "/register/done");
    email
}

/// Signs in through the form; returns the answer (a redirect on success).
pub async fn sign_in(b: &mut Browser, username: &str, password: &str, captcha: &str) -> Answer {
    b.post(
        "/login",
        &[
            ("username", username),
            ("password", password),
            ("captcha", captcha),
        ],
    )
    .await
}
