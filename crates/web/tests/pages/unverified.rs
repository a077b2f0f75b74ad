//! A member who has not followed the verification link, through the pages: signed in, 會員中心
//! says why the account is limited, where the link went, and offers to send it again or to
//! change the address; every other member page (and form post) ends on a page saying why, and
//! does nothing. Following the link opens everything in the same session. An expired password
//! is changed first.

use std::time::Duration;

use axum::http::StatusCode;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use super::*;

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

const NOTICE: &str = "請先完成電子郵件信箱驗證";
const REFUSAL_PAGE: &str = "/account/email-unverified";

async fn unverified_member_sees_why_and_only_its_account(store: Store, _db: TestDatabase) -> R {
    let site = site_on(store, settings());
    let mut b = Browser::new(&site);
    let prefix = format!("{BASE}/verify-email?token=");
    let email = register_unverified(&mut b, "Unver001", "王小明").await;
    let a = sign_in(&mut b, "Unver001", PASSWORD, "").await;
    ensure(a.location() == "/account", format!("sign in: {}", a.text))?;
    let a = b.follow(a).await;
    ensure(a.status == StatusCode::OK, a.text.clone())?;
    for said in [
        NOTICE,
        "會員須完成電子郵件信箱驗證",
        email.as_str(),
        r#"action="/account/email/resend""#,
        r#"href="/account/profile""#,
    ] {
        ensure(a.has(said), format!("會員中心 says {said}"))?;
    }

    // Every page and form that acts for the member ends on the page saying why.
    for path in [
        "/account/password",
        "/account/certificate",
        "/account/external",
        "/account/apps",
    ] {
        let a = b.get(path).await;
        ensure(
            a.status == StatusCode::SEE_OTHER && a.location() == REFUSAL_PAGE,
            format!("GET {path}: {} {}", a.status, a.location()),
        )?;
    }
    let posts: [(&str, &[(&str, &str)]); 4] = [
        (
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "Changed2026pw"),
                ("new_password_confirm", "Changed2026pw"),
            ],
        ),
        ("/account/mobile/send", &[]),
        ("/account/mobile/confirm", &[("code", "123456")]),
        ("/account/certificate/unbind", &[("serial", "0a1b")]),
    ];
    for (path, fields) in posts {
        let a = b.post(path, fields).await;
        ensure(
            a.status == StatusCode::SEE_OTHER && a.location() == REFUSAL_PAGE,
            format!("POST {path}: {} {}", a.status, a.location()),
        )?;
    }
    let page = b.get(REFUSAL_PAGE).await;
    ensure(page.status == StatusCode::OK, page.text.clone())?;
    ensure(
        page.has("您要使用的功能需要已驗證的電子郵件信箱。")
            && page.has(NOTICE)
            && page.has(&email)
            && page.has(r#"action="/account/email/resend""#),
        page.text.clone(),
    )?;
    b.lang = Some("en");
    let page = b.get(REFUSAL_PAGE).await;
    ensure(
        page.has("What you asked for needs a verified email address.")
            && page.has("Verify your email address first")
            && page.has("Change the email address"),
        page.text.clone(),
    )?;
    b.lang = None;

    // Open: the profile, deleting the account, the link sent again.
    for path in ["/account/profile", "/account/delete"] {
        let a = b.get(path).await;
        ensure(
            a.status == StatusCode::OK,
            format!("GET {path}: {}", a.status),
        )?;
    }
    let known = mail_links(site.dir.path(), &prefix);
    let a = b.post("/account/email/resend", &[]).await;
    ensure(a.location() == "/account", a.text.clone())?;
    ensure(b.follow(a).await.has("驗證信已寄出"), "resent")?;
    let link = new_link(site.dir.path(), &prefix, &known).await;

    // Signing out works, and nothing was changed: the old password still signs in.
    let a = b.post("/logout", &[]).await;
    ensure(a.location() == "/", "signed out")?;
    ensure(
        b.get("/account").await.location().starts_with("/login"),
        "signed out for real",
    )?;
    sign_in(&mut b, "Unver001", PASSWORD, "").await;

    // After the link the same session gets everything.
    let token = local(&link).trim_start_matches("/verify-email?token=");
    let a = b.post("/verify-email", &[("token", token)]).await;
    ensure(a.location() == "/account", "signed in: back to the account")?;
    let a = b.follow(a).await;
    ensure(
        a.has("電子信箱驗證完成。") && !a.has(NOTICE),
        "verified: no notice",
    )?;
    for path in ["/account/password", "/account/external", "/account/apps"] {
        let a = b.get(path).await;
        ensure(
            a.status == StatusCode::OK,
            format!("GET {path}: {}", a.status),
        )?;
    }
    let a = b.get(REFUSAL_PAGE).await;
    ensure(a.location() == "/account", "nothing to refuse any more")
}

tessera_store::both_backends!(unverified_member_sees_why_and_only_its_account);

#[tokio::test]
async fn an_expired_password_is_changed_before_the_address_is_verified() {
    let (store, db) = tessera_store::testing::sqlite_store().await.expect("store");
    let mut s = settings();
    s.password_max_age = Some(Duration::from_secs(1));
    let site = site_on(store, s);
    let mut b = Browser::new(&site);
    register_unverified(&mut b, "Unver002", "王小明").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let a = sign_in(&mut b, "Unver002", PASSWORD, "").await;
    assert_eq!(a.location(), "/account/password");
    assert_eq!(b.get("/account").await.location(), "/account/password");
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
    // Now the address: 會員中心 says so, and the password page is closed again.
    assert!(b.follow(a).await.has(NOTICE));
    assert_eq!(b.get("/account/password").await.location(), REFUSAL_PAGE);
    drop(db);
}
