//! The operator's identity and the environment as citizens meet them: a test environment says
//! so on every page and in its mail; an operator's name, agency, contacts, colour and logo
//! replace Tessera's in the header, title, footer and mail, so that no page a citizen sees
//! names Tessera; and the operator's images are served only as the images they are.

use std::sync::Arc;

use axum::http::StatusCode;
use tessera_app::operator::{AccessibilityMark, Environment, Image, Localized, Operator};

use super::*;

const BANNER: &str = "測試環境：所有資料均為測試資料";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

/// Pages a citizen meets without signing in.
const CITIZEN_PAGES: &[&str] = &[
    "/",
    "/login",
    "/register",
    "/password/forgot",
    "/terms",
    "/signer",
    "/help",
    "/help/getting-started",
    "/help/faq",
    "/help/privacy",
    "/help/contact",
    "/no/such/page",
];

fn operator() -> Operator {
    Operator {
        service_name: Localized::new("醫事人員報備支援系統", "Medical Staff Support Reports"),
        agency: Localized::new(
            "臺北市政府衛生局",
            "Department of Health, Taipei City Government",
        ),
        address: Localized::new(
            "臺北市信義區市府路1號",
            "1 City Hall Rd., Xinyi Dist., Taipei",
        ),
        phone: "(02) 2720-8889".into(),
        fax: "(02) 2720-5321".into(),
        hours: Localized::new("週一至週五 08:30–17:30", "Mon–Fri 08:30–17:30"),
        email: "service@health.gov.taipei".into(),
        colour: Some("#7a1f1f".into()),
        logo: Some(Image::from_bytes(PNG.to_vec()).expect("png")),
        accessibility_mark: Some(AccessibilityMark {
            image: Image::from_bytes(PNG.to_vec()).expect("png"),
            href: "https://accessibility.moda.gov.tw/Applications/Detail?category=20261201".into(),
            alt: Localized::new("無障礙網站標章", "Accessibility mark"),
        }),
    }
}

/// Visible text: the page without its tags, scripts and style (a rough cut that is enough to
/// find a name a citizen would read; attribute values are dropped with the tags).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find('>').map_or(rest.len(), |e| e + 1);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn a_test_environment_says_so_on_every_page_and_in_its_mail() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.environment = Environment::Test;
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    for path in CITIZEN_PAGES {
        let a = b.get(path).await;
        assert!(a.has(BANNER), "{path} has no test banner");
    }
    b.get("/lang?set=en&next=/").await;
    let a = b.get("/login").await;
    assert!(a.has("Test environment: all data here is test data."));
    b.get("/lang?set=zh-TW&next=/").await;

    register_unverified(&mut b, "Envtest1", "測試員").await;
    mailed_link(site.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    let bodies = mail_bodies(site.dir.path());
    assert_eq!(bodies.len(), 1, "one verification mail");
    assert!(
        bodies[0].trim_start().starts_with(BANNER),
        "the mail opens with the banner: {}",
        bodies[0]
    );
    drop(db);
}

#[tokio::test]
async fn production_shows_no_test_banner() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    for path in ["/", "/login", "/help"] {
        assert!(!b.get(path).await.has(BANNER), "{path}");
    }
    register_unverified(&mut b, "Envprod1", "正式").await;
    mailed_link(site.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    for body in mail_bodies(site.dir.path()) {
        assert!(!body.contains(BANNER));
    }
}

#[tokio::test]
async fn the_operators_identity_replaces_tessera_wherever_a_citizen_looks() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.operator = Arc::new(operator());
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    for path in CITIZEN_PAGES {
        let a = b.get(path).await;
        assert!(
            a.has("<title>") && a.has("｜醫事人員報備支援系統</title>"),
            "{path}: title"
        );
        assert!(
            a.has(r#"<img class="brand-logo" src="/brand/logo""#),
            "{path}: logo"
        );
        assert!(a.has("臺北市政府衛生局"), "{path}: agency");
        assert!(a.has(r#"href="tel:0227208889""#), "{path}: service desk");
        assert!(a.has("週一至週五 08:30–17:30"), "{path}: hours");
        assert!(a.has("--blue:#7a1f1f"), "{path}: colour");
        assert!(
            a.has(
                r#"href="https://accessibility.moda.gov.tw/Applications/Detail?category=20261201""#
            ),
            "{path}: accessibility mark"
        );
        assert!(
            !visible(&a.text).contains("Tessera"),
            "{path} names Tessera: {}",
            visible(&a.text)
        );
    }
    b.get("/lang?set=en&next=/").await;
    for path in CITIZEN_PAGES {
        let a = b.get(path).await;
        assert!(
            a.has("Department of Health, Taipei City Government"),
            "{path}"
        );
        assert!(
            !visible(&a.text).contains("Tessera"),
            "{path} names Tessera in English"
        );
    }
    b.get("/lang?set=zh-TW&next=/").await;

    // Mail is signed by the operator and names no Tessera.
    register_unverified(&mut b, "Brand001", "王小明").await;
    mailed_link(site.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    let bodies = mail_bodies(site.dir.path());
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("醫事人員報備支援系統"), "{}", bodies[0]);
    assert!(
        bodies[0].contains("客服專線: (02) 2720-8889"),
        "{}",
        bodies[0]
    );
    assert!(!bodies[0].contains("Tessera"), "{}", bodies[0]);
    drop(db);
}

#[tokio::test]
async fn the_operators_images_are_served_as_images_only() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.operator = Arc::new(operator());
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    for path in ["/brand/logo", "/brand/accessibility-mark"] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert_eq!(a.header("content-type"), "image/png");
        assert_eq!(a.header("x-content-type-options"), "nosniff");
    }
    for path in ["/brand/other", "/brand/..%2Fconfig.toml", "/brand/"] {
        assert_eq!(b.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    drop(db);
    // Left at the defaults: no logo to serve, and the site names itself Tessera.
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    assert_eq!(b.get("/brand/logo").await.status, StatusCode::NOT_FOUND);
    let a = b.get("/").await;
    assert!(a.has("Tessera 會員服務") && !a.has("brand-logo"));
}
