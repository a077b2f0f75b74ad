//! A member's life through the pages, on SQLite and PostgreSQL: register, verify, sign in,
//! edit the profile with a CJK Extension B name, fix form errors shown next to their fields,
//! sign out, delete the account.

use axum::http::StatusCode;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use super::*;

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

async fn member_life_through_the_pages(store: Store, _db: TestDatabase) -> R {
    let site = site_on(store, settings());
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Journey01", "王小明").await;

    let a = sign_in(&mut b, "Journey01", PASSWORD, "").await;
    ensure(a.location() == "/account", format!("sign in: {}", a.text))?;
    let a = b.follow(a).await;
    ensure(a.has("登入成功"), "signed-in flash")?;
    ensure(
        a.has("Journey01") && a.has("王小明"),
        "overview shows the account",
    )?;
    ensure(a.has("已驗證"), "email shown verified")?;
    ensure(
        a.has(r#"action="/logout""#),
        "sign-out button in the header",
    )?;
    // The flash shows once.
    ensure(
        !b.get("/account").await.has("登入成功"),
        "flash shown twice",
    )?;

    // A bad edit: errors next to the fields and in the summary, values kept.
    let a = b
        .post(
            "/account/profile",
            &[
                ("name", "𡘙林"),
                ("email", "not-an-email"),
                ("mobile", "0812"),
            ],
        )
        .await;
    ensure(a.status == StatusCode::UNPROCESSABLE_ENTITY, a.text.clone())?;
    ensure(a.has(r#"role="alert""#), "error summary")?;
    ensure(
        a.has(r##"<a href="#f-email">電子信箱："##),
        "summary links to the field",
    )?;
    ensure(
        a.has(r#"id="f-mobile-error">行動電話請依格式輸入 09 開頭的 10 位數字"#),
        "mobile error next to the field",
    )?;
    ensure(a.has(r#"aria-invalid="true""#), "aria-invalid")?;
    ensure(a.has(r#"value="𡘙林""#), "typed name kept")?;

    // A good edit, with a CJK Extension B name.
    let a = b
        .post(
            "/account/profile",
            &[
                ("name", "𡘙林"),
                ("email", "journey01@example.tw"),
                ("mobile", "0911123456"),
                ("landline", "0212345678#12345"),
                ("national_id", "A123456789"),
                ("birthday", "1990-01-31"),
            ],
        )
        .await;
    ensure(a.location() == "/account", format!("profile: {}", a.text))?;
    let a = b.follow(a).await;
    ensure(a.has("個人資料已更新。"), "saved flash")?;
    ensure(
        a.has(r#"<dd id="profile-name">𡘙林</dd>"#),
        "name round-trips",
    )?;
    ensure(a.has("0212345678#12345"), "landline shown")?;
    ensure(a.has("傳送簡訊驗證碼"), "mobile can be verified")?;
    let a = b.get("/account/profile").await;
    ensure(a.has(r#"value="𡘙林""#), "edit form shows the name")?;
    // Every optional field comes back as typed, so saving again loses nothing.
    for v in ["0911123456", "0212345678#12345", "A123456789", "1990-01-31"] {
        ensure(
            a.has(&format!(r#"value="{v}""#)),
            format!("edit form lost {v}"),
        )?;
    }

    // Sign out: the member pages are closed again.
    let a = b.post("/logout", &[]).await;
    ensure(a.location() == "/", "logout redirect")?;
    let a = b.follow(a).await;
    ensure(a.has("您已登出。"), "signed-out flash")?;
    ensure(
        b.get("/account").await.status == StatusCode::SEE_OTHER,
        "closed",
    )?;

    // Delete: the wrong password is refused, the right one says goodbye.
    sign_in(&mut b, "Journey01", PASSWORD, "").await;
    let a = b.get("/account/delete").await;
    ensure(a.has("刪除後無法復原"), "irreversible warning")?;
    let a = b
        .post("/account/delete", &[("password", "Wrong2026pass")])
        .await;
    ensure(a.status == StatusCode::UNPROCESSABLE_ENTITY, a.text.clone())?;
    ensure(a.has("目前的密碼不正確。"), "wrong password said")?;
    let a = b.post("/account/delete", &[("password", PASSWORD)]).await;
    ensure(a.location() == "/goodbye", a.text.clone())?;
    let a = b.follow(a).await;
    ensure(a.has("您的帳號已刪除"), "goodbye page")?;
    let a = sign_in(&mut b, "Journey01", PASSWORD, "").await;
    ensure(
        a.status == StatusCode::UNAUTHORIZED,
        "deleted account cannot sign in",
    )
}

tessera_store::both_backends!(member_life_through_the_pages);

#[tokio::test]
async fn registration_errors_are_shown_next_to_their_fields_in_english() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.lang = Some("en");
    b.get("/register").await;
    let a = b
        .post(
            "/register",
            &[
                ("username", "1bad"),
                ("password", "Tessera2026ok"),
                ("password_confirm", "Tessera2026no"),
                ("name", "𡘙"),
                ("email", "x@example.tw"),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has(r#"<html lang="en">"#));
    assert!(a.has(
        r#"id="f-username-error">The username must be 5-15 letters (A-Z) or digits, starting with a letter."#
    ));
    assert!(a.has(r#"id="f-password_confirm-error">The two passwords do not match"#));
    assert!(a.has(r#"id="f-accept_terms-error">Please read and accept"#));
    // The missing CAPTCHA is not blamed while the passwords differ.
    assert!(!a.has(r#"id="f-captcha-error""#));
    assert!(a.has(r#"value="1bad""#) && a.has(r#"value="𡘙""#));
    assert!(!a.has("Tessera2026ok"), "passwords are never echoed");
}

#[tokio::test]
async fn a_taken_username_is_reported_on_the_username_field() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Taken001", "王小明").await;
    let payload = captcha(&mut b).await;
    let a = b
        .post(
            "/register",
            &[
                ("username", "taken001"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", "王小明"),
                ("email", "other@example.tw"),
                ("accept_terms", "on"),
                ("captcha", &payload),
            ],
        )
        .await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert!(a.has(r#"id="f-username-error">此帳號已被使用，請改用其他帳號。"#));
}
