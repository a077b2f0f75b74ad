//! The certificate pages' server side and the challenge limits, on SQLite and PostgreSQL:
//! challenge issuing is limited per browser and per client address (429
//! `cert_challenge_rate_limited`, counted in the database so two nodes share the count); the
//! card sign-in steps hold the verified card for this browser only, list only the accounts of
//! the typed ID, refuse binding any other account even with its password, and a signed form
//! posted twice is refused. Cards are signed by the `openssl` CLI (tests/cert/helpers.rs).

mod common;
#[path = "cert/helpers.rs"]
mod helpers;

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use helpers::*;
use http_body_util::BodyExt;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tower::ServiceExt;

tessera_store::both_backends!(
    challenges_are_limited_per_browser_and_per_address,
    card_sign_in_steps_bind_only_listed_accounts,
);

/// A challenge request from `ip` as browser `b`.
async fn challenge_from(app: &Router, b: &Browser, ip: [u8; 4]) -> (StatusCode, String) {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/cert/challenges")
        .header("origin", BASE)
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    let mut req = req
        .body(Body::from(json!({ "purpose": "login" }).to_string()))
        .expect("request");
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (status, String::from_utf8_lossy(&bytes).to_string())
}

async fn challenges_are_limited_per_browser_and_per_address(store: Store, db: TestDatabase) -> R {
    let mut settings = test_settings();
    settings.cert_challenges_per_browser = 3;
    settings.cert_challenges_per_ip = 5;
    let node_b = db.connect().await.map_err(|e| e.to_string())?;
    let h = cert_harness_with(store, db, settings);
    // A second node on the same database.
    let mut second = h.state.clone();
    second.store = node_b;
    let other_app = tessera_web::app(second);
    // A browser gets its CSRF cookie first.
    let mut a = Browser::default();
    a.call(&h.app, Method::GET, "/healthz", None).await;
    let mut b = Browser::default();
    b.call(&h.app, Method::GET, "/healthz", None).await;
    // Browser a: three challenges (two nodes share the count), the fourth is refused.
    for app in [&h.app, &other_app, &h.app] {
        let (s, t) = challenge_from(app, &a, [198, 51, 100, 7]).await;
        ensure(s == StatusCode::CREATED, format!("challenge: {s} {t}"))?;
    }
    let (s, t) = challenge_from(&other_app, &a, [198, 51, 100, 7]).await;
    ensure(
        s == StatusCode::TOO_MANY_REQUESTS && t.contains("cert_challenge_rate_limited"),
        format!("4th from one browser: {s} {t}"),
    )?;
    ensure(
        t.contains("請稍候一分鐘再試"),
        format!("zh-TW message: {t}"),
    )?;
    // Browser b from the same address: its own count, but the address has used 3 of 5 (a
    // request refused for its browser is not counted again for its address).
    for n in [4, 5] {
        let (s, t) = challenge_from(&h.app, &b, [198, 51, 100, 7]).await;
        ensure(
            s == StatusCode::CREATED,
            format!("{n}th from the address: {s} {t}"),
        )?;
    }
    let (s, t) = challenge_from(&h.app, &b, [198, 51, 100, 7]).await;
    ensure(
        s == StatusCode::TOO_MANY_REQUESTS && t.contains("cert_challenge_rate_limited"),
        format!("6th from one address: {s} {t}"),
    )?;
    // Another browser at another address is not affected.
    let mut c = Browser::default();
    c.call(&h.app, Method::GET, "/healthz", None).await;
    let (s, _) = challenge_from(&h.app, &c, [203, 0, 113, 9]).await;
    ensure(s == StatusCode::CREATED, "other address")?;
    Ok(())
}

/// A form post as a same-origin page would send it; returns (status, location, body).
async fn form(
    h: &CertHarness,
    b: &mut Browser,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("_csrf", &b.csrf());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("origin", BASE)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    let req = req.body(Body::from(body.finish())).expect("request");
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
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).to_string(),
    )
}

/// Registers a member of `national_id` and verifies its address through the mailed link.
async fn member(h: &CertHarness, username: &str, national_id: &str) -> R {
    let captcha = solve_captcha(&h.app).await;
    let email = format!("{}@example.tw", username.to_lowercase());
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({
            "username": username, "password": PASSWORD, "name": "陳美麗",
            "email": email, "national_id": national_id, "accept_terms": true, "captcha": captcha
        })),
        None,
    )
    .await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("member: {}", r.text),
    )?;
    verify_email(&h.app, h.dir.path(), &email).await;
    Ok(())
}

async fn card_sign_in_steps_bind_only_listed_accounts(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let chen_id = national_id(CHEN);
    member(&h, "chenmine1", &chen_id).await?;
    member(&h, "chenother", &chen_id).await?;
    member(&h, "victim01", &national_id(WANG)).await?;
    let mut b = Browser::default();
    let login = b.call(&h.app, Method::GET, "/login", None).await;
    // Certificates are on: the sign-in page offers the card, the home page the card check.
    ensure(
        login.text.contains("自然人憑證登入")
            && login.text.contains("IC卡PIN碼（即密碼）輸入三次以上錯誤"),
        "card sign-in and the card-lock warning offered",
    )?;
    let home = b.call(&h.app, Method::GET, "/", None).await;
    ensure(
        home.text
            .contains(r#"<a href="/signer">檢視目前已安裝版本及 IC 卡自我檢測</a>"#),
        "home links the card check",
    )?;

    // Without a held card the steps send the browser back to sign in.
    let (s, to, _) = form(&h, &mut b, "/login/certificate/bind", &[("action", "skip")]).await;
    ensure(
        s == StatusCode::SEE_OTHER && to == "/login",
        format!("no card: {s} {to}"),
    )?;

    // 陳美麗's unbound card: held for this browser, then the ID step.
    let (challenge_id, signature) = card_answer(&h.app, &mut b, "login", CHEN).await;
    let signed = [
        ("challenge_id", challenge_id.as_str()),
        ("signature", signature.as_str()),
    ];
    let (s, to, _) = form(&h, &mut b, "/login/certificate", &signed).await;
    ensure(
        to == "/login/certificate/bind",
        format!("unbound card: {s} {to}"),
    )?;
    // Another browser does not hold it.
    let mut stranger = Browser::default();
    stranger.call(&h.app, Method::GET, "/login", None).await;
    let (_, to, _) = form(
        &h,
        &mut stranger,
        "/login/certificate/bind",
        &[("action", "national_id"), ("national_id", &chen_id)],
    )
    .await;
    ensure(to == "/login", "the held card is this browser's only")?;

    // 王小明's ID does not match the card; 陳美麗's lists her two accounts only.
    let (s, _, page) = form(
        &h,
        &mut b,
        "/login/certificate/bind",
        &[
            ("action", "national_id"),
            ("national_id", &national_id(WANG)),
        ],
    )
    .await;
    ensure(
        s == StatusCode::FORBIDDEN && page.contains("您輸入的身分證字號與憑證內的資料不符"),
        format!("mismatch: {s}"),
    )?;
    form(
        &h,
        &mut b,
        "/login/certificate/bind",
        &[("action", "national_id"), ("national_id", &chen_id)],
    )
    .await;
    let list = b
        .call(&h.app, Method::GET, "/login/certificate/bind", None)
        .await
        .text;
    ensure(
        list.contains("chenmine1") && list.contains("chenother") && !list.contains("victim01"),
        "only the accounts of the typed ID are listed",
    )?;
    ensure(list.contains("陳○麗"), "names masked")?;

    // Attack: bind the card to an account of another ID, with that account's right password.
    let (s, _, page) = form(
        &h,
        &mut b,
        "/login/certificate/bind",
        &[
            ("action", "bind"),
            ("username", "victim01"),
            ("password", PASSWORD),
        ],
    )
    .await;
    ensure(
        s == StatusCode::BAD_REQUEST && page.contains("請從列出的帳號中選擇"),
        format!("unlisted account: {s}"),
    )?;

    // 〔移除〕 is recorded for review; then the one left binds with its password.
    form(
        &h,
        &mut b,
        "/login/certificate/bind",
        &[("action", "remove"), ("username", "chenother")],
    )
    .await;
    let other = h
        .state
        .store
        .account_by_username("chenother")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("chenother")?;
    let reports = h
        .state
        .store
        .cert_reports(&other.id)
        .await
        .map_err(|e| e.to_string())?;
    ensure(reports.len() == 1, "not-mine report recorded")?;
    let (s, to, _) = form(
        &h,
        &mut b,
        "/login/certificate/bind",
        &[
            ("action", "bind"),
            ("username", "chenmine1"),
            ("password", PASSWORD),
        ],
    )
    .await;
    ensure(
        s == StatusCode::SEE_OTHER && to == "/account",
        format!("bound: {s} {to}"),
    )?;
    let m = me(&h, &mut b).await;
    ensure(
        m["username"] == json!("chenmine1") && m["loa"] == json!("certificate"),
        format!("signed in: {m}"),
    )?;
    ensure(
        m["certificates"][0]["kind"] == json!("moica_citizen"),
        "bound",
    )?;
    // The held card is gone once used.
    let (_, to, _) = form(&h, &mut b, "/login/certificate/bind", &[("action", "skip")]).await;
    ensure(to == "/login", "held card released")?;

    // The same signed form posted again: refused, nobody signed in by it.
    let mut replayer = b.clone();
    replayer.cookies.remove("tessera_session");
    let (s, _, page) = form(&h, &mut replayer, "/login/certificate", &signed).await;
    ensure(
        s == StatusCode::BAD_REQUEST && page.contains("驗證碼已使用或無效"),
        format!("replay: {s}"),
    )?;
    ensure(
        !replayer.cookies.contains_key("tessera_session"),
        "no session from a replay",
    )?;
    Ok(())
}
