//! Helpers for the certificate API tests: one test PKI per test binary (tessera-pki's
//! builder), an app whose verifier trusts it with revocation from its CRLs, a cookie jar, and
//! card signatures made by the `openssl` CLI — an independent producer of CMS SignedData.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use axum::Router;
use axum::http::{Method, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tessera_pki::testpki::{self, Manifest};
use tessera_pki::{PkiSettings, RevocationMode};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tessera_web::{AppState, Settings};

use crate::common::{
    BASE, PASSWORD, Resp, call_with, follow_new_verification_link, new_verification_link,
    solve_captcha, state_on, test_settings, verification_links,
};

/// The test PKI, built once per test binary.
pub fn pki() -> &'static (PathBuf, Manifest) {
    static PKI: OnceLock<(PathBuf, Manifest)> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("tessera-cert-api-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .expect("temp dir")
            .keep();
        let manifest = testpki::init_test(&dir).expect("test PKI");
        (dir, manifest)
    })
}

/// Paths of an end entity's certificate and key.
pub fn entity_files(id: &str) -> (PathBuf, PathBuf) {
    let (dir, m) = pki();
    let e = m.entity(id).unwrap_or_else(|| panic!("no entity {id}"));
    (dir.join(&e.cert), dir.join(&e.key))
}

/// The full national ID of an end entity.
pub fn national_id(id: &str) -> String {
    let (_, m) = pki();
    m.entity(id)
        .and_then(|e| e.national_id.clone())
        .unwrap_or_else(|| panic!("{id} has no national ID"))
}

/// An app on `store` whose verifier trusts the test PKI (CRL mode, no network).
pub struct CertHarness {
    pub app: Router,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub db: TestDatabase,
}

pub fn cert_harness_with(store: Store, db: TestDatabase, settings: Settings) -> CertHarness {
    let (pki_dir, _) = pki();
    let pki_settings = PkiSettings {
        trust_dir: Some(pki_dir.join("trust")),
        revocation: RevocationMode::Crl,
        ..PkiSettings::default()
    };
    let verifier = pki_settings.build().expect("verifier");
    let dir = tempfile::tempdir().expect("tempdir");
    let state = state_on(store, dir.path(), settings).with_pki(verifier);
    CertHarness {
        app: tessera_web::app(state.clone()),
        state,
        dir,
        db,
    }
}

pub fn cert_harness(store: Store, db: TestDatabase) -> CertHarness {
    cert_harness_with(store, db, test_settings())
}

/// A browser: keeps the cookies the app sets and sends them back with same-origin requests.
#[derive(Default, Clone)]
pub struct Browser {
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    pub async fn call(
        &mut self,
        app: &Router,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let cookie = self.cookie_header();
        let r = call_with(
            app,
            method,
            path,
            body,
            cookie.as_deref(),
            &[("origin", BASE)],
        )
        .await;
        for c in r
            .headers
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
        r
    }

    /// The browser's CSRF cookie (after its first request).
    pub fn csrf(&self) -> String {
        self.cookies
            .get("tessera_csrf")
            .cloned()
            .unwrap_or_default()
    }
}

/// Signs `content` with the entity's key: `openssl cms -sign -binary -nodetach -outform DER`.
pub fn sign(entity: &str, content: &[u8]) -> String {
    let (cert, key) = entity_files(entity);
    sign_with(&cert, &key, content)
}

/// Asks for a challenge for `purpose` and has `entity`'s card sign it.
pub async fn card_answer(
    app: &Router,
    b: &mut Browser,
    purpose: &str,
    entity: &str,
) -> (String, String) {
    let r = b
        .call(
            app,
            Method::POST,
            "/api/v1/cert/challenges",
            Some(json!({ "purpose": purpose })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "challenge: {}", r.text);
    let id = r.body["challenge_id"].as_str().unwrap_or("").to_string();
    let tbs = STANDARD
        .decode(r.body["tbs"].as_str().unwrap_or(""))
        .expect("tbs is base64");
    assert_eq!(tbs.len(), 32);
    (id, sign(entity, &tbs))
}

/// Issues a renewed certificate for `entity` (same subject, key and extensions, new serial)
/// with the test MOICA CA through the `openssl` CLI; returns the new certificate's path.
pub fn renew(entity: &str, serial_hex: &str, out_dir: &Path) -> PathBuf {
    let (dir, m) = pki();
    let (cert, key) = entity_files(entity);
    let ca = m.ca("moica-test").expect("moica CA");
    let req = out_dir.join("renew.csr");
    let new = out_dir.join("renewed.pem");
    let ok = Command::new("openssl")
        .args(["x509", "-x509toreq", "-copy_extensions", "copyall", "-in"])
        .arg(&cert)
        .arg("-signkey")
        .arg(&key)
        .arg("-out")
        .arg(&req)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "x509toreq failed");
    let ok = Command::new("openssl")
        .args([
            "x509",
            "-req",
            "-copy_extensions",
            "copyall",
            "-days",
            "30",
            "-in",
        ])
        .arg(&req)
        .arg("-CA")
        .arg(dir.join(&ca.cert))
        .arg("-CAkey")
        .arg(dir.join(&ca.key))
        .arg("-set_serial")
        .arg(format!("0x{serial_hex}"))
        .arg("-out")
        .arg(&new)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "renewal issue failed");
    new
}

/// Signs `content` with an explicit certificate and key.
pub fn sign_with(cert: &Path, key: &Path, content: &[u8]) -> String {
    let work = tempfile::tempdir().expect("tempdir");
    let tbs = work.path().join("tbs");
    let out = work.path().join("sig.der");
    std::fs::write(&tbs, content).expect("write tbs");
    let ok = Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-binary",
            "-nodetach",
            "-outform",
            "DER",
            "-md",
            "sha256",
        ])
        .arg("-signer")
        .arg(cert)
        .arg("-inkey")
        .arg(key)
        .arg("-in")
        .arg(&tbs)
        .arg("-out")
        .arg(&out)
        .status()
        .expect("openssl")
        .success();
    assert!(ok, "openssl cms -sign failed");
    STANDARD.encode(std::fs::read(&out).expect("signature"))
}

// Shared test steps and assertions.

pub type R = Result<(), String>;

pub fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

pub fn refused(r: &Resp, status: StatusCode, code: &str) -> R {
    ensure(
        r.status == status && r.code() == code,
        format!("expected {status} {code}, got {} {}", r.status, r.text),
    )
}

pub const WANG: &str = "citizen-wang";

pub const CHEN: &str = "citizen-chen";

/// Registers `entity`'s card with `typed_id`; returns the response. A registered account's
/// email address is verified through the mailed link, as its owner would, so that the account
/// can be used afterwards.
pub async fn register_card(h: &CertHarness, b: &mut Browser, entity: &str, typed_id: &str) -> Resp {
    let r = register_card_unverified(h, b, entity, typed_id).await;
    if r.status == StatusCode::CREATED {
        follow_new_verification_link(&h.app, h.dir.path(), CARD_EMAIL, &[]).await;
    }
    r
}

/// The address the card registrations give.
pub const CARD_EMAIL: &str = "wang@example.tw";

/// Registers `entity`'s card with `typed_id` and leaves the address unverified.
pub async fn register_card_unverified(
    h: &CertHarness,
    b: &mut Browser,
    entity: &str,
    typed_id: &str,
) -> Resp {
    let known = verification_links(h.dir.path(), CARD_EMAIL);
    let (challenge_id, signature) = card_answer(&h.app, b, "register", entity).await;
    let captcha = solve_captcha(&h.app).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/registrations",
            Some(json!({
                "challenge_id": challenge_id, "signature": signature, "national_id": typed_id,
                "email": CARD_EMAIL, "mobile": "0912345678", "password": PASSWORD,
                "accept_terms": true, "captcha": captcha
            })),
        )
        .await;
    if r.status == StatusCode::CREATED {
        // Wait for this registration's own link, so that a later one is not mistaken for it.
        new_verification_link(h.dir.path(), CARD_EMAIL, &known).await;
    }
    r
}

/// Signs in with `entity`'s card, typing `id` when given.
pub async fn card_session(
    h: &CertHarness,
    b: &mut Browser,
    entity: &str,
    id: Option<&str>,
) -> Resp {
    let (challenge_id, signature) = card_answer(&h.app, b, "login", entity).await;
    b.call(
        &h.app,
        Method::POST,
        "/api/v1/cert/session",
        Some(json!({ "challenge_id": challenge_id, "signature": signature, "national_id": id })),
    )
    .await
}

/// `GET /api/v1/me` as this browser.
pub async fn me(h: &CertHarness, b: &mut Browser) -> Value {
    b.call(&h.app, Method::GET, "/api/v1/me", None).await.body
}

pub async fn password_login(
    h: &CertHarness,
    b: &mut Browser,
    username: &str,
    password: &str,
) -> Resp {
    b.call(
        &h.app,
        Method::POST,
        "/api/v1/session",
        Some(json!({ "username": username, "password": password })),
    )
    .await
}
