//! What the pages refuse: cross-site posts, forms without the token, member pages without a
//! session, and everything but the change-password page for a session whose password expired.
//! Verification links are not consumed by a GET.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};

use super::*;

#[tokio::test]
async fn a_cross_origin_post_is_refused() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Cross01", "王小明").await;
    let csrf = b.jar.get("tessera_csrf").cloned().unwrap_or_default();
    let body = form_body(&csrf, &[("username", "Cross01"), ("password", PASSWORD)]);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let a = b.send(req, Body::from(body)).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(!b.jar.contains_key("tessera_session"));
}

#[tokio::test]
async fn a_post_without_the_form_token_is_refused() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.get("/login").await;
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    let a = b
        .send(req, Body::from("username=a&password=b&_csrf=forged"))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_form_post_with_origin_null_is_judged_by_its_token() {
    // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` with form posts.
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.get("/login").await;
    let csrf = b.jar.get("tessera_csrf").cloned().unwrap_or_default();
    let post = |body: String| {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::ORIGIN, "null")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        (req, Body::from(body))
    };
    let (req, body) = post(form_body(
        &csrf,
        &[("username", "Nobody01"), ("password", "x")],
    ));
    let a = b.send(req, body).await;
    assert_eq!(
        a.status,
        StatusCode::UNAUTHORIZED,
        "the page answered: {}",
        a.text
    );
    assert!(a.has("帳號或密碼錯誤。"));
    let (req, body) = post(form_body("forged", &[("username", "Nobody01")]));
    assert_eq!(b.send(req, body).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn member_pages_send_visitors_to_sign_in_and_back() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    for path in [
        "/account",
        "/account/profile",
        "/account/password",
        "/account/delete",
    ] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{path}");
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", path)
            .finish();
        assert_eq!(a.location(), format!("/login?{q}"), "{path}");
    }
    let a = b.get("/account/profile").await;
    let login = b.follow(a).await;
    assert!(login.has("請先登入會員。"));
    assert!(login.has(r#"name="next" value="/account/profile""#));
    register_and_verify(&site, &mut b, "Comeback1", "王小明").await;
    let a = b
        .post(
            "/login",
            &[
                ("username", "Comeback1"),
                ("password", PASSWORD),
                ("next", "/account/profile"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/account/profile");
    // A next that leaves the site is ignored.
    b.post("/logout", &[]).await;
    let a = b
        .post(
            "/login",
            &[
                ("username", "Comeback1"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/account");
}

#[tokio::test]
async fn an_expired_password_opens_only_the_change_password_page() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.password_max_age = Some(Duration::from_secs(1));
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Expired1", "王小明").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = sign_in(&mut b, "Expired1", PASSWORD, "").await;
    assert_eq!(a.location(), "/account/password");
    for path in ["/account", "/account/profile", "/account/delete"] {
        let a = b.get(path).await;
        assert_eq!(a.location(), "/account/password", "{path}");
    }
    let a = b.get("/account/password").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("您的密碼已超過有效期限，請先設定新密碼。"));
    let a = b
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Fresh2027pass"),
                ("new_password_confirm", "Fresh2027pass"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/account", "{}", a.text);
    let a = b.follow(a).await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("密碼已變更"));
    drop(db);
}

#[tokio::test]
async fn opening_a_verification_link_does_not_use_it_up() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.get("/register").await;
    let payload = captcha(&mut b).await;
    let a = b
        .post(
            "/register",
            &[
                ("username", "Scanner1"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", "王小明"),
                ("email", "scanner1@example.tw"),
                ("accept_terms", "on"),
                ("captcha", &payload),
            ],
        )
        .await;
    assert_eq!(a.location(), "/register/done", "{}", a.text);
    let link = mailed_link(site.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    // A mail scanner prefetches the link twice.
    let mut scanner = Browser::new(&site);
    for _ in 0..2 {
        let a = scanner.get(local(&link)).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.has("確認驗證電子信箱"));
    }
    let token = local(&link).trim_start_matches("/verify-email?token=");
    let a = b.post("/verify-email", &[("token", token)]).await;
    assert_eq!(a.location(), "/login");
    assert!(b.follow(a).await.has("電子信箱驗證完成。"));
    // Used once: a second confirmation is refused with the catalog's words.
    let a = b.post("/verify-email", &[("token", token)]).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.has("此連結無效、已使用過或已逾期"));
}
