//! Helpers for the OpenID Connect provider tests: accounts and sessions at a chosen level,
//! clients registered through the flow the CLI uses, raw HTTP calls (forms, Basic auth,
//! bearer tokens), the code flow step by step, and ID/access token checks with josekit
//! against the published JWKS.

#![allow(dead_code)]

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::BodyExt;
use josekit::jwk::JwkSet;
use josekit::jws::{ES256, JwsVerifier, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tessera_app::flows::oidc::clients::{self, NewClient, Registered};
use tessera_core::loa::Loa;
use tessera_store::NewAccount;
use tessera_web::AppState;
use tessera_web::context::Ctx;
use tower::ServiceExt;

use crate::common::{BASE, Resp};

pub type R = Result<(), String>;

pub fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

pub const CB: &str = "https://rp.example.tw/callback";
pub const LOGOUT_CB: &str = "https://rp.example.tw/bye";

pub fn ctx() -> Ctx {
    Ctx {
        browser: None,
        ip: None,
        user_agent: None,
        lang: tessera_core::lang::Lang::ZhTw,
    }
}

/// A confidential client (client_secret_basic) with consent asked.
pub fn client_input(name: &str) -> NewClient {
    NewClient {
        name: name.into(),
        redirect_uris: vec![CB.into()],
        post_logout_redirect_uris: vec![LOGOUT_CB.into()],
        ..NewClient::default()
    }
}

pub async fn add_client(state: &AppState, input: NewClient) -> Registered {
    clients::register(state, &input, &ctx(), "test")
        .await
        .unwrap_or_else(|f| panic!("client registration refused: {f:?}"))
}

/// Creates an account (with a national ID and a verified email address, as a member who
/// followed the verification link) and returns its id.
pub async fn account(state: &AppState, username: &str, national_id: Option<&str>) -> String {
    let id = unverified_account(state, username, national_id).await;
    let email = format!("{username}@example.tw");
    assert!(
        state
            .store
            .set_email_verified(&id, &email)
            .await
            .expect("verify email"),
        "email verified"
    );
    id
}

/// Creates an account whose email address is not verified yet and returns its id.
pub async fn unverified_account(
    state: &AppState,
    username: &str,
    national_id: Option<&str>,
) -> String {
    let a = state
        .store
        .create_account(&NewAccount {
            username: username.into(),
            name: "王小明".into(),
            email: format!("{username}@example.tw"),
            mobile: Some("0912345678".into()),
            national_id: national_id.map(str::to_owned),
            birthday: None,
            landline: None,
            password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
            terms_version: "t".into(),
            terms_accepted_at: 0,
            created_at: tessera_app::clock::now(),
        })
        .await
        .expect("account");
    a.id
}

/// Starts a session at `loa` for the account; returns the `Cookie` header value.
pub async fn session(state: &AppState, account_id: &str, loa: Loa) -> String {
    let set = tessera_web::session::start(state, account_id, loa, false, None, None)
        .await
        .expect("session");
    set.split(';').next().unwrap_or("").to_string()
}

/// A raw request; `form` is sent as `application/x-www-form-urlencoded`.
pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    form: Option<&[(&str, &str)]>,
) -> Resp {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = match form {
        Some(pairs) => {
            let mut ser = form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                ser.append_pair(k, v);
            }
            req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(ser.finish()))
        }
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

pub fn location(r: &Resp) -> String {
    r.headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The query parameters of a URL.
pub fn query_of(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

pub fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

pub fn verifier() -> String {
    URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>())
}

pub fn challenge(v: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes()))
}

/// `/oidc/authorize?…` with the usual parameters plus `extra`.
pub fn authorize_uri(client_id: &str, ch: &str, extra: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    let defaults = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", CB),
        ("scope", "openid profile email"),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", ch),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in defaults {
        if !extra.iter().any(|(e, _)| *e == k) {
            ser.append_pair(k, v);
        }
    }
    for (k, v) in extra {
        ser.append_pair(k, v);
    }
    format!("/oidc/authorize?{}", ser.finish())
}

/// GET with the session cookie.
pub async fn get(app: &Router, uri: &str, cookie: &str) -> Resp {
    send(app, Method::GET, uri, &[("cookie", cookie)], None).await
}

/// The request id of a redirect to a kept request (`…request=ID`).
pub fn request_id(loc: &str) -> String {
    let decoded: String =
        form_urlencoded::parse(loc.split_once('?').map(|x| x.1).unwrap_or("").as_bytes())
            .map(|(k, v)| format!("{k}={v}&"))
            .collect();
    let i = decoded.find("request=").map(|i| i + 8).unwrap_or(0);
    decoded[i..]
        .split(['&', '?'])
        .next()
        .unwrap_or("")
        .to_string()
}

/// Answers the consent page (same-origin form with the session's CSRF cookie).
pub async fn consent(app: &Router, cookie: &str, request: &str, decision: &str) -> Resp {
    let jar = format!("{cookie}; tessera_csrf=tok");
    send(
        app,
        Method::POST,
        "/oidc/consent",
        &[("cookie", &jar), ("origin", BASE)],
        Some(&[
            ("request", request),
            ("decision", decision),
            ("_csrf", "tok"),
        ]),
    )
    .await
}

/// Runs authorize (answering consent with "allow" when asked) and returns the final
/// redirect to the client.
pub async fn authorize(app: &Router, cookie: &str, uri: &str) -> Result<String, String> {
    let r = get(app, uri, cookie).await;
    let loc = location(&r);
    if loc.starts_with("/oidc/consent") {
        let c = consent(app, cookie, &request_id(&loc), "allow").await;
        return Ok(location(&c));
    }
    if loc.is_empty() {
        return Err(format!("no redirect: {} {}", r.status, r.text));
    }
    Ok(loc)
}

/// A code for the client, via authorize (+ consent); returns (code, verifier).
pub async fn code_for(
    app: &Router,
    cookie: &str,
    client_id: &str,
) -> Result<(String, String), String> {
    let v = verifier();
    let loc = authorize(app, cookie, &authorize_uri(client_id, &challenge(&v), &[])).await?;
    let q = query_of(&loc);
    let code = q.get("code").cloned().ok_or(format!("no code in {loc}"))?;
    Ok((code, v))
}

/// `POST /oidc/token` for a code, client_secret_basic.
pub async fn exchange(app: &Router, rp: &Registered, code: &str, v: &str) -> Resp {
    let auth = basic(&rp.client.id, rp.secret.as_deref().unwrap_or(""));
    send(
        app,
        Method::POST,
        "/oidc/token",
        &[("authorization", &auth)],
        Some(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CB),
            ("code_verifier", v),
        ]),
    )
    .await
}

pub async fn refresh(app: &Router, rp: &Registered, token: &str) -> Resp {
    let auth = basic(&rp.client.id, rp.secret.as_deref().unwrap_or(""));
    send(
        app,
        Method::POST,
        "/oidc/token",
        &[("authorization", &auth)],
        Some(&[("grant_type", "refresh_token"), ("refresh_token", token)]),
    )
    .await
}

pub async fn userinfo(app: &Router, access: &str) -> Resp {
    let h = format!("Bearer {access}");
    send(
        app,
        Method::GET,
        "/oidc/userinfo",
        &[("authorization", &h)],
        None,
    )
    .await
}

/// Verifies a JWT against the published JWKS like a relying party: returns the payload
/// and the header's `typ` and `kid`.
pub async fn verify_jwt(app: &Router, token: &str) -> Result<(JwtPayload, String, String), String> {
    let jwks = send(app, Method::GET, "/oidc/jwks", &[], None).await;
    let set = JwkSet::from_bytes(jwks.text.as_bytes()).map_err(|e| e.to_string())?;
    let header = jwt::decode_header(token).map_err(|e| e.to_string())?;
    let kid = header
        .claim("kid")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let typ = header
        .claim("typ")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let alg = header.claim("alg").and_then(|v| v.as_str()).unwrap_or("");
    let jwk = *set
        .get(&kid)
        .first()
        .ok_or(format!("kid {kid} not published"))?;
    let v: Box<dyn JwsVerifier> = match alg {
        "ES256" => Box::new(ES256.verifier_from_jwk(jwk).map_err(|e| e.to_string())?),
        "RS256" => Box::new(RS256.verifier_from_jwk(jwk).map_err(|e| e.to_string())?),
        other => return Err(format!("unexpected alg {other}")),
    };
    let (p, _) = jwt::decode_with_verifier(token, v.as_ref()).map_err(|e| e.to_string())?;
    Ok((p, typ, kid))
}

/// A signed-in member with a client and tokens: (client, cookie, token response).
pub async fn tokens(
    app: &Router,
    state: &AppState,
    username: &str,
) -> Result<(Registered, String, Value), String> {
    let rp = add_client(state, client_input("報備支援系統")).await;
    let id = account(state, username, Some("A123456789")).await;
    let cookie = session(state, &id, Loa::Password).await;
    let (code, v) = code_for(app, &cookie, &rp.client.id).await?;
    let r = exchange(app, &rp, &code, &v).await;
    ensure(r.status == 200, format!("token: {} {}", r.status, r.text))?;
    Ok((rp, cookie, r.body))
}
