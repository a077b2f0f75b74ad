//! A fake upstream OpenID provider for the brokering tests, run in-process on a free loopback
//! port: discovery, JWKS (with key rotation), a token endpoint that checks client
//! authentication (HTTP Basic), the redirect URI and the PKCE verifier (S256) before it
//! signs an ID token with josekit, and userinfo. A test decides what the next ID token looks
//! like (`Tamper`) to exercise every check Tessera must make.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use josekit::jwk::Jwk;
use josekit::jws::{self, JwsHeader};
use josekit::jwt::{self, JwtPayload};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "tessera-test-client";
pub const CLIENT_SECRET: &str = "fake-secret-7b";

/// How the next ID token departs from a correct one.
#[derive(Debug, Clone, PartialEq)]
pub enum Tamper {
    None,
    Issuer(String),
    Audience(Value),
    Azp(String),
    Nonce(String),
    /// Expired this many seconds ago.
    Expired(i64),
    /// Issued this many seconds in the future.
    IssuedAhead(i64),
    /// `alg: none`, no signature.
    AlgNone,
    /// Signed, then one byte of the signature changed.
    BadSignature,
    /// Signed by a key not in the JWKS (same `kid`).
    ForeignKey,
    /// Signed with PS256 (not on the default allow-list).
    Ps256,
    /// Signed with a `kid` the JWKS never lists.
    UnknownKid,
    /// No `sub`.
    NoSubject,
    /// An `at_hash` that is not the access token's.
    AtHash,
}

/// One authorization the fake "granted": what its code stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    pub subject: String,
    pub nonce: String,
    pub challenge: String,
    pub redirect_uri: String,
}

pub struct Control {
    pub tamper: Tamper,
    pub grants: HashMap<String, Grant>,
    pub key: Jwk,
    /// Advertise RFC 9207 `authorization_response_iss_parameter_supported`.
    pub iss_param: bool,
    /// `sub` the userinfo endpoint answers with (the token's person when `None`).
    pub userinfo_sub: Option<String>,
    /// Access tokens issued, and whose they are.
    pub access_tokens: HashMap<String, String>,
    pub token_calls: usize,
    pub jwks_calls: usize,
}

#[derive(Clone)]
pub struct Fake {
    pub issuer: String,
    pub ctl: Arc<Mutex<Control>>,
}

fn rsa_key(kid: &str) -> Jwk {
    let mut k = Jwk::generate_rsa_key(2048).expect("RSA key");
    k.set_key_id(kid);
    k.set_algorithm("RS256");
    k.set_key_use("sig");
    k
}

impl Fake {
    /// Starts the provider on 127.0.0.1 with a free port.
    pub async fn start() -> Fake {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let fake = Fake {
            issuer,
            ctl: Arc::new(Mutex::new(Control {
                tamper: Tamper::None,
                grants: HashMap::new(),
                key: rsa_key("k1"),
                iss_param: false,
                userinfo_sub: None,
                access_tokens: HashMap::new(),
                token_calls: 0,
                jwks_calls: 0,
            })),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .route("/userinfo", get(userinfo))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    pub fn set(&self, f: impl FnOnce(&mut Control)) {
        f(&mut self.ctl.lock().expect("lock"));
    }

    pub fn get<T>(&self, f: impl FnOnce(&Control) -> T) -> T {
        f(&self.ctl.lock().expect("lock"))
    }

    /// Replaces the signing key (a new `kid`), as a provider rotating keys does.
    pub fn rotate(&self, kid: &str) {
        self.set(|c| c.key = rsa_key(kid));
    }

    /// "Signs the person in" for an authorization request URL: returns a code for `subject`.
    pub fn authorize(&self, authorize_url: &str, subject: &str) -> String {
        let q = query(authorize_url);
        assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
        assert_eq!(q.get("client_id").map(String::as_str), Some(CLIENT_ID));
        assert_eq!(
            q.get("code_challenge_method").map(String::as_str),
            Some("S256")
        );
        let code = format!("code-{}", rand_hex());
        let grant = Grant {
            subject: subject.to_owned(),
            nonce: q.get("nonce").cloned().unwrap_or_default(),
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
            redirect_uri: q.get("redirect_uri").cloned().unwrap_or_default(),
        };
        self.set(|c| {
            c.grants.insert(code.clone(), grant);
        });
        code
    }
}

fn rand_hex() -> String {
    hex::encode(rand::random::<[u8; 12]>())
}

/// The query parameters of a URL.
pub fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

async fn discovery(State(f): State<Fake>) -> Json<Value> {
    let iss = &f.issuer;
    let iss_param = f.get(|c| c.iss_param);
    Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "jwks_uri": format!("{iss}/jwks"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "response_types_supported": ["code"],
        "authorization_response_iss_parameter_supported": iss_param,
    }))
}

async fn jwks(State(f): State<Fake>) -> Json<Value> {
    let key = f.get(|c| c.key.clone());
    let mut public = key.to_public_key().expect("public key");
    // `to_public_key` keeps only the key material and `use`.
    public.set_key_id(key.key_id().unwrap_or("k1"));
    public.set_algorithm("RS256");
    f.set(|c| c.jwks_calls += 1);
    Json(json!({ "keys": [Value::Object(public.as_ref().clone())] }))
}

fn error(code: &str) -> (StatusCode, Json<Value>) {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": code })))
}

async fn token(
    State(f): State<Fake>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    f.set(|c| c.token_calls += 1);
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
    if auth != Some(basic.as_str()) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        );
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return error("unsupported_grant_type");
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(grant) = f.set_take(&code) else {
        return error("invalid_grant");
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != grant.challenge || form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return error("invalid_grant");
    }
    let access_token = format!("at-{}", rand_hex());
    f.set(|c| {
        c.access_tokens
            .insert(access_token.clone(), grant.subject.clone());
    });
    let id_token = f.id_token(&grant, &access_token);
    (
        StatusCode::OK,
        Json(
            json!({ "access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token }),
        ),
    )
}

impl Fake {
    fn set_take(&self, code: &str) -> Option<Grant> {
        self.ctl.lock().expect("lock").grants.remove(code)
    }

    /// The ID token for `grant`, as `Tamper` says.
    fn id_token(&self, grant: &Grant, access_token: &str) -> String {
        let (tamper, key) = self.get(|c| (c.tamper.clone(), c.key.clone()));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let half = &Sha256::digest(access_token.as_bytes())[..16];
        let mut c = json!({
            "iss": self.issuer, "sub": grant.subject, "aud": CLIENT_ID, "azp": CLIENT_ID,
            "exp": now + 300, "iat": now, "nonce": grant.nonce, "at_hash": URL_SAFE_NO_PAD.encode(half),
        });
        match &tamper {
            Tamper::Issuer(v) => c["iss"] = json!(v),
            Tamper::Audience(v) => c["aud"] = v.clone(),
            Tamper::Azp(v) => c["azp"] = json!(v),
            Tamper::Nonce(v) => c["nonce"] = json!(v),
            Tamper::Expired(s) => {
                c["exp"] = json!(now - s);
                c["iat"] = json!(now - s - 300);
            }
            Tamper::IssuedAhead(s) => c["iat"] = json!(now + s),
            Tamper::NoSubject => {
                c.as_object_mut().map(|m| m.remove("sub"));
            }
            Tamper::AtHash => c["at_hash"] = json!("AAAAAAAAAAAAAAAAAAAAAA"),
            _ => {}
        }
        let mut payload = JwtPayload::new();
        for (k, v) in c.as_object().cloned().unwrap_or_default() {
            payload.set_claim(&k, Some(v)).expect("claim");
        }
        let mut header = JwsHeader::new();
        header.set_token_type("JWT");
        header.set_key_id(key.key_id().unwrap_or("k1"));
        match tamper {
            Tamper::AlgNone => {
                let mut h = JwsHeader::new();
                h.set_key_id(key.key_id().unwrap_or("k1"));
                jwt::encode_unsecured(&payload, &h).expect("unsecured")
            }
            Tamper::ForeignKey => {
                let foreign = rsa_key(key.key_id().unwrap_or("k1"));
                let signer = jws::RS256.signer_from_jwk(&foreign).expect("signer");
                jwt::encode_with_signer(&payload, &header, &signer).expect("sign")
            }
            Tamper::Ps256 => {
                let mut k = key.clone();
                k.set_algorithm("PS256");
                let signer = jws::PS256.signer_from_jwk(&k).expect("signer");
                jwt::encode_with_signer(&payload, &header, &signer).expect("sign")
            }
            Tamper::UnknownKid => {
                // The signer writes its key's `kid` into the header.
                let mut k = key.clone();
                k.set_key_id("never-published");
                let signer = jws::RS256.signer_from_jwk(&k).expect("signer");
                jwt::encode_with_signer(&payload, &header, &signer).expect("sign")
            }
            _ => {
                let signer = jws::RS256.signer_from_jwk(&key).expect("signer");
                let t = jwt::encode_with_signer(&payload, &header, &signer).expect("sign");
                if tamper == Tamper::BadSignature {
                    let (head, sig) = t.rsplit_once('.').expect("three parts");
                    let mut sig = URL_SAFE_NO_PAD.decode(sig).expect("b64");
                    sig[10] ^= 0x01;
                    format!("{head}.{}", URL_SAFE_NO_PAD.encode(sig))
                } else {
                    t
                }
            }
        }
    }
}

async fn userinfo(State(f): State<Fake>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let Some(person) = f.get(|c| c.access_tokens.get(token).cloned()) else {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_token" })),
        );
    };
    let sub = f
        .get(|c| c.userinfo_sub.clone())
        .unwrap_or_else(|| person.clone());
    let claims = json!({
        "sub": sub, "email": format!("{person}@gmail.example"), "email_verified": true,
        "name": "林小美",
    });
    (StatusCode::OK, Json(claims))
}
