//! Pages render in both languages with the layout's accessibility basics, forms carry the
//! CSRF token, the language switch stays on this site, assets are served with long caching.

use axum::http::StatusCode;

use super::*;

const FORM_PAGES: &[&str] = &[
    "/register",
    "/login",
    "/password/forgot",
    "/password/reset-sms",
    "/register/certificate",
    "/password/reset-certificate",
];

#[tokio::test]
async fn pages_render_in_zh_tw_by_default_and_in_english_after_the_switch() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has(r#"<html lang="zh-Hant-TW">"#));
    assert!(a.has("加入會員") && a.has("會員登入"));
    assert!(a.has(r##"<a class="skip-link" href="#main">"##));
    assert_eq!(a.header("content-language"), "zh-TW");

    let a = b.get("/lang?set=en&next=/register").await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location(), "/register");
    assert_eq!(b.jar.get("tessera_lang").map(String::as_str), Some("en"));
    for path in ["/", "/register", "/login", "/password/forgot", "/terms"] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(a.has(r#"<html lang="en">"#), "{path}");
        assert!(
            a.has(r#"lang="zh-Hant-TW" hreflang="zh-Hant-TW">中文</a>"#),
            "{path}"
        );
    }
    let a = b.get("/lang?set=zh-TW&next=/login").await;
    assert_eq!(a.location(), "/login");
    assert!(b.get("/login").await.has("忘記密碼"));
}

#[tokio::test]
async fn an_english_browser_gets_english_without_the_switch() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.lang = Some("en-US,en;q=0.9");
    let a = b.get("/register").await;
    assert!(a.has(r#"<html lang="en">"#));
    assert!(a.has("5-15 letters (A-Z) or digits, starting with a letter"));
    assert!(a.has(r#"language="en""#));
}

#[tokio::test]
async fn every_post_form_carries_the_csrf_token_of_the_cookie() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.get("/").await;
    let token = b.jar.get("tessera_csrf").cloned().expect("csrf cookie");
    for path in FORM_PAGES {
        let a = b.get(path).await;
        let forms = a.text.matches(r#"method="post""#).count();
        let fields = a
            .text
            .matches(&format!(r#"name="_csrf" value="{token}""#))
            .count();
        assert!(forms > 0, "{path} has no form");
        assert_eq!(forms, fields, "{path}: every POST form needs _csrf");
    }
}

#[tokio::test]
async fn registration_page_states_the_rules_and_offers_the_widget() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/register").await;
    for needle in [
        "帳號需設 5-15 字元的英文字母、數字，第一個字須為英文字母",
        "密碼需設 8-64 個字元，至少須含英文字母及數字",
        "09 開頭的 10 位數字",
        "0212345678#12345",
        "A123456789",
        r#"name="accept_terms""#,
        r#"href="/terms""#,
        r#"<altcha-widget challenge="/api/v1/captcha" name="captcha" language="zh-tw""#,
        r#"<label for="f-username">帳號"#,
        r#"aria-describedby="f-username-hint""#,
        "步驟四：您同意嗎？",
    ] {
        assert!(a.has(needle), "missing {needle}");
    }
    // The widget's script is same-origin and loaded as a file (the CSP forbids inline).
    assert!(a.has(r#"<script type="module" src="/assets/"#));
    assert!(!a.has("<script>"));
}

#[tokio::test]
async fn the_language_switch_never_leaves_the_site() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    for bad in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
    ] {
        let a = b.get(&format!("/lang?set=en&next={bad}")).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{bad}");
        assert_eq!(a.location(), "/", "{bad}");
    }
    let a = b.get("/lang?set=en&next=%2Faccount%3Ftab%3D1").await;
    assert_eq!(a.location(), "/account?tab=1");
    let a = b.get("/lang?set=klingon&next=/login").await;
    assert_eq!(a.location(), "/login");
}

#[tokio::test]
async fn assets_are_embedded_typed_and_cached_long() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let page = b.get("/register").await;
    let href = |marker: &str| {
        let i = page.text.find(marker).expect("asset link");
        let rest = &page.text[i + marker.len()..];
        rest[..rest.find('"').expect("quote")].to_string()
    };
    let css = href(r#"<link rel="stylesheet" href=""#);
    let js = href(r#"<script type="module" src=""#);
    let a = b.get(&css).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "text/css; charset=utf-8");
    assert!(a.header("cache-control").contains("immutable"));
    assert!(a.has(":focus-visible"));
    let a = b.get(&js).await;
    assert_eq!(a.header("content-type"), "text/javascript; charset=utf-8");
    assert!(a.has("altcha-widget"));
    let a = b.get("/assets/old/tessera.css").await;
    assert_eq!(a.header("cache-control"), "no-cache");
    assert_eq!(
        b.get("/assets/x/nope.js").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn unknown_pages_answer_404_in_html_and_api_paths_in_json() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/no/such/page").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.has("找不到您要的資料或頁面"));
    let a = b.get("/api/v1/nothing").await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert!(a.has(r#""code":"not_found""#));
}

#[tokio::test]
async fn terms_show_the_configured_version() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.terms_version = "2026-11-test".into();
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    let a = b.get("/terms").await;
    assert!(a.has("版本 2026-11-test"));
    assert!(a.has("隱私權政策"));
    drop(db);
}
