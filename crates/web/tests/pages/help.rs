//! The help pages: listed at `/help` and linked from every page's footer, each shown in zh-TW
//! and English, the operator's own Markdown replacing a shipped page without letting markup or
//! script through, and nothing but a listed page reachable from the address.

use axum::http::StatusCode;

use super::*;

const SLUGS: &[(&str, &str, &str)] = &[
    ("getting-started", "新手上路", "Getting started"),
    ("faq", "常見問題", "FAQ"),
    ("downloads", "下載區", "Downloads"),
    ("system-requirements", "系統設定須知", "System requirements"),
    ("privacy", "隱私權聲明", "Privacy statement"),
    ("contact", "聯絡我們", "Contact us"),
];

#[tokio::test]
async fn every_help_page_is_listed_linked_and_shown_in_both_languages() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let index = b.get("/help").await;
    assert_eq!(index.status, StatusCode::OK);
    // Every page's footer links every help page, the sign-in page's as much as the index's.
    let login = b.get("/login").await;
    for (slug, zh, _) in SLUGS {
        let href = format!(r#"href="/help/{slug}""#);
        assert!(index.has(&href), "index lists {slug}");
        assert!(login.has(&href), "footer links {slug}");
        let a = b.get(&format!("/help/{slug}")).await;
        assert_eq!(a.status, StatusCode::OK, "{slug}");
        assert!(a.has(&format!("<title>{zh}")), "{slug} title: {}", a.text);
        assert!(a.has(&format!("<h1>{zh}</h1>")), "{slug} heading");
    }
    b.get("/lang?set=en&next=/help").await;
    for (slug, _, en) in SLUGS {
        let a = b.get(&format!("/help/{slug}")).await;
        assert_eq!(a.status, StatusCode::OK, "{slug}");
        assert!(a.has(r#"<html lang="en">"#), "{slug}");
        assert!(a.has(&format!("<title>{en}")), "{slug} English title");
        // The English page carries its own English text, not the zh-TW one.
        assert!(!a.has("本網站營運機關"), "{slug} is in English");
    }
}

#[tokio::test]
async fn the_privacy_statement_names_what_the_personal_data_act_requires() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b.get("/help/privacy").await;
    // 個人資料保護法 §8: agency, purposes, categories, period, area, recipients, means, rights,
    // and the consequence of not providing.
    for item in [
        "蒐集機關",
        "蒐集目的",
        "個人資料類別",
        "利用期間",
        "利用地區",
        "利用對象",
        "利用方式",
        "您的權利及行使方式",
        "不提供個人資料的影響",
    ] {
        assert!(a.has(item), "privacy statement lacks {item}");
    }
}

#[tokio::test]
async fn no_address_outside_the_list_reaches_a_file() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let content = tempfile::tempdir().expect("tempdir");
    std::fs::write(content.path().join("secret.zh-TW.md"), "# 機密").expect("write");
    let mut s = settings();
    s.help_dir = Some(content.path().to_path_buf());
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    for path in [
        "/help/secret",
        "/help/..%2Fsecret",
        "/help/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/help/faq.zh-TW.md",
        "/help/FAQ",
        "/help/faq/../secret",
    ] {
        let a = b.get(path).await;
        assert!(
            a.status == StatusCode::NOT_FOUND || a.status.is_redirection(),
            "{path}: {}",
            a.status
        );
        assert!(!a.has("機密"), "{path} showed the file");
    }
    assert_eq!(b.get("/help/secret").await.status, StatusCode::NOT_FOUND);
    drop(db);
}

#[tokio::test]
async fn the_operators_page_replaces_the_shipped_one_without_markup() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let content = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        content.path().join("contact.zh-TW.md"),
        "# 聯絡我們\n\n客服專線：(02) 2311-1234\n\n<script>alert(1)</script>\n\n\
         [惡意](javascript:alert(2))\n",
    )
    .expect("write");
    let mut s = settings();
    s.help_dir = Some(content.path().to_path_buf());
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    let a = b.get("/help/contact").await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.has("(02) 2311-1234"));
    assert!(
        !a.has("請營運機關於 content 目錄填入"),
        "the shipped text is gone"
    );
    assert!(!a.has("<script>alert(1)"), "raw HTML passed through");
    assert!(a.has("&lt;script&gt;alert(1)"));
    assert!(!a.has("javascript:alert"), "script link kept");
    // The page without an operator file in English keeps the shipped English text.
    b.get("/lang?set=en&next=/help/contact").await;
    let a = b.get("/help/contact").await;
    assert!(!a.has("(02) 2311-1234"));
    assert!(a.has("<h1>Contact us</h1>"), "{}", a.text);
    drop(db);
}
