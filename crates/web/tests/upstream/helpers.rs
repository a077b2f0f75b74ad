//! Helpers for the upstream brokering tests: an app whose provider `fake` is the in-process
//! fake issuer, a browser with a cookie jar (pages and API), the whole round trip through the
//! provider, and a look at the audit log.

#![allow(dead_code)]

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tessera_app::flows::upstream::Upstreams;
use tessera_app::flows::upstream::config::{ClientSecret, TokenAuth, UpstreamConfig};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tessera_web::{AppState, Settings};
use tower::ServiceExt;

use super::fake::{CLIENT_ID, CLIENT_SECRET, Fake, query};
use crate::common::{BASE, Resp, state_on, test_settings};

pub type R = Result<(), String>;

pub fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

pub struct UpHarness {
    pub app: Router,
    pub state: AppState,
    pub fake: Fake,
    pub dir: tempfile::TempDir,
    pub db: TestDatabase,
}

/// The `[[upstream]]` entry of the fake issuer.
pub fn fake_config(fake: &Fake) -> UpstreamConfig {
    UpstreamConfig {
        id: "fake".into(),
        name_zh: "測試 Google".into(),
        name_en: "Test Google".into(),
        issuer: fake.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: Some(ClientSecret(CLIENT_SECRET.into())),
        client_secret_env: None,
        scopes: vec!["openid".into(), "email".into(), "profile".into()],
        token_auth: TokenAuth::ClientSecretBasic,
        id_token_algs: vec!["RS256".into(), "ES256".into()],
        authorization_endpoint: None,
        token_endpoint: None,
        jwks_uri: None,
        userinfo_endpoint: None,
    }
}

pub async fn up_harness_with(store: Store, db: TestDatabase, settings: Settings) -> UpHarness {
    let fake = Fake::start().await;
    let checked = fake_config(&fake).check(BASE, |_| None).expect("config");
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_on(store, dir.path(), settings)
        .with_upstream(Upstreams::new(vec![checked]).expect("upstreams"));
    UpHarness {
        app: tessera_web::app(state.clone()),
        state,
        fake,
        dir,
        db,
    }
}

pub async fn up_harness(store: Store, db: TestDatabase) -> UpHarness {
    up_harness_with(store, db, test_settings()).await
}

/// A browser: a cookie jar, same-origin requests.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub async fn send(
        &mut self,
        app: &Router,
        method: Method,
        path: &str,
        form: Option<&[(&str, &str)]>,
        json: Option<Value>,
    ) -> Resp {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("origin", BASE);
        if !self.cookies.is_empty() {
            let c: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            req = req.header(header::COOKIE, c.join("; "));
        }
        let req = if let Some(pairs) = form {
            let body: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs.iter())
                .finish();
            req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
        } else if let Some(j) = json {
            req.header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(j.to_string()))
        } else {
            req.body(Body::empty())
        }
        .expect("request");
        let resp = app.clone().oneshot(req).await.expect("response");
        let (status, headers) = (resp.status(), resp.headers().clone());
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        for c in headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            let first = c.split(';').next().unwrap_or("");
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        Resp {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            text: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    pub async fn get(&mut self, app: &Router, path: &str) -> Resp {
        self.send(app, Method::GET, path, None, None).await
    }

    pub async fn post(&mut self, app: &Router, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(app, Method::POST, path, Some(form), None).await
    }

    pub fn has(&self, cookie: &str) -> bool {
        self.cookies.contains_key(cookie)
    }
}

/// The `Location` of a redirect.
pub fn location(r: &Resp) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// Starts a sign-in at the fake (`start_path`, e.g. `/upstream/fake/start`) and returns the
/// authorization request URL Tessera sent the browser to.
pub async fn start(h: &UpHarness, b: &mut Browser, start_path: &str) -> Result<String, String> {
    let r = b.get(&h.app, start_path).await;
    let to = location(&r);
    ensure(
        r.status == StatusCode::SEE_OTHER
            && to.starts_with(&format!("{}/authorize?", h.fake.issuer)),
        format!("start: {} {to} {}", r.status, r.text),
    )?;
    Ok(to)
}

/// The callback URL for an authorization request and a code, `extra` query appended.
pub fn callback_url(authorize: &str, code: &str, extra: &str) -> String {
    let q = query(authorize);
    let state = q.get("state").cloned().unwrap_or_default();
    let s: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("code", code)
        .append_pair("state", &state)
        .finish();
    format!("/upstream/fake/callback?{s}{extra}")
}

/// The whole round trip: start, the person `subject` signs in at the fake, the callback.
pub async fn round_trip(h: &UpHarness, b: &mut Browser, subject: &str) -> Result<Resp, String> {
    let authorize = start(h, b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, subject);
    Ok(b.get(&h.app, &callback_url(&authorize, &code, "")).await)
}

/// Outcomes of the newest audit entries of `kind`, newest first.
pub async fn audit_outcomes(store: &Store, kind: &str) -> Vec<String> {
    store
        .audit_entries(None, 500)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.event.kind == kind)
        .map(|e| e.event.outcome)
        .collect()
}

/// The newest outcome recorded for `kind`, or "".
pub async fn last_outcome(store: &Store, kind: &str) -> String {
    audit_outcomes(store, kind)
        .await
        .into_iter()
        .next()
        .unwrap_or_default()
}
