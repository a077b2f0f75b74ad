//! The signing component self-check page (`/signer`): rendered in both languages with its
//! status region and script file (no inline script), linked from home and the footer, its
//! scripts served as JavaScript, and the CSP letting pages connect to exactly the configured
//! signer origin.

use axum::http::StatusCode;

use super::*;

/// The `connect-src` directive of a CSP header.
fn connect_src(csp: &str) -> String {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("connect-src"))
        .unwrap_or("")
        .to_string()
}

fn script_src(page: &Answer, name: &str) -> String {
    let marker = r#"<script type="module" src=""#;
    let i = page.text.find(marker).expect("script tag");
    let rest = &page.text[i + marker.len()..];
    let src = &rest[..rest.find('"').expect("quote")];
    assert!(src.ends_with(name), "{src}");
    src.to_string()
}

#[tokio::test]
async fn the_self_check_page_renders_in_both_languages_with_its_script() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/signer").await;
    assert_eq!(a.status, StatusCode::OK);
    for needle in [
        "<h1>跨平台網頁元件與 IC 卡自我檢測</h1>",
        r#"role="status" aria-live="polite""#,
        r#"data-signer-url="http://127.0.0.1:61161""#,
        "開啟簽章元件視窗並允許此網站",
        "安裝及啟動簽章元件",
        "crates/signer/dist/tessera-signer.service",
        "crates/signer/dist/tw.tessera.signer.plist",
        "docs/signer.md",
        "即將到期（剩 {days} 天）",
        "已過期",
    ] {
        assert!(a.has(needle), "missing {needle}");
    }
    // The CSP allows no inline script: the page's script is a file of this site.
    let src = script_src(&a, "/signer-check.js");
    assert!(src.starts_with("/assets/"));
    assert!(!a.has("<script>"));

    b.get("/lang?set=en&next=/signer").await;
    let a = b.get("/signer").await;
    assert!(a.has(r#"<html lang="en">"#));
    for needle in [
        "<h1>Card and signing component check</h1>",
        "Open the component&#39;s window and approve this site",
        "Installing and starting the signing component",
        "Expires soon ({days} days left)",
    ] {
        assert!(a.has(needle), "missing {needle}");
    }
    script_src(&a, "/signer-check.js");
}

#[tokio::test]
async fn the_footer_links_the_self_check_and_card_offers_need_certificates() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    // Certificates are off on this site: no card sign-in, registration or card line is
    // offered (cert_pages checks them with certificates on); the footer's check stays.
    let home = b.get("/").await;
    assert!(!home.has(r#"<a href="/signer">檢視目前已安裝版本及 IC 卡自我檢測</a>"#));
    assert!(home.has(r#"<a href="/signer">跨平台網頁元件與 IC 卡自我檢測</a>"#));
    let login = b.get("/login").await;
    assert!(login.has(r#"<a href="/signer">跨平台網頁元件與 IC 卡自我檢測</a>"#));
    assert!(!login.has("自然人憑證登入") && !login.has(r#"action="/login/certificate""#));
    let register = b.get("/register").await;
    assert!(!register.has(r#"href="/register/certificate""#));
}

#[tokio::test]
async fn the_page_script_and_the_signer_client_are_served_as_javascript() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let page = b.get("/signer").await;
    let src = script_src(&page, "/signer-check.js");
    let a = b.get(&src).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "text/javascript; charset=utf-8");
    assert!(a.header("cache-control").contains("immutable"));
    assert!(a.has("from './tessera-signer.js'"));
    // The client module is the signer crate's file, next to it under the same version.
    let client = src.replace("signer-check.js", "tessera-signer.js");
    let a = b.get(&client).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.header("content-type"), "text/javascript; charset=utf-8");
    assert!(a.has("export async function findSigner"));
    assert_eq!(
        a.text,
        include_str!("../../../signer/client/tessera-signer.js")
    );
}

#[tokio::test]
async fn the_csp_lets_pages_connect_to_the_default_signer_origin_only() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    for path in ["/signer", "/"] {
        let a = b.get(path).await;
        let csp = a.header("content-security-policy");
        assert_eq!(
            connect_src(csp),
            "connect-src 'self' http://127.0.0.1:61161"
        );
        assert!(csp.contains("script-src 'self';"), "{csp}");
    }
}

#[tokio::test]
async fn the_csp_and_the_page_follow_the_configured_signer_url() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.signer_url = "http://127.0.0.1:40001".into();
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    let a = b.get("/signer").await;
    assert_eq!(
        connect_src(a.header("content-security-policy")),
        "connect-src 'self' http://127.0.0.1:40001"
    );
    assert!(a.has(r#"data-signer-url="http://127.0.0.1:40001""#));
    assert!(!a.has("127.0.0.1:61161\""));
    drop(db);
}
