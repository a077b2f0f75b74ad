//! The recovery mobile through the pages: verify it with an SMS code from 會員中心 (a wrong
//! code told next to its field), then reset a forgotten password with a code by SMS; and the
//! verification email sent again from 會員中心.

use std::path::Path;
use std::time::Duration;

use axum::http::StatusCode;

use super::*;

/// The 6-digit code of the `nth` (1-based) SMS sent.
async fn sms_code(dir: &Path, nth: usize) -> String {
    for _ in 0..200 {
        let text = std::fs::read_to_string(dir.join("sms.jsonl")).unwrap_or_default();
        if let Some(line) = text.lines().nth(nth - 1) {
            let v: serde_json::Value = serde_json::from_str(line).expect("sms json");
            let body = v["text"].as_str().unwrap_or("");
            if let Some(code) = body
                .split(|c: char| !c.is_ascii_digit())
                .find(|s| s.len() == 6)
            {
                return code.to_string();
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("SMS {nth} never came");
}

#[tokio::test]
async fn verify_the_mobile_then_reset_the_password_by_sms() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Mobile01", "王小明").await;
    sign_in(&mut b, "Mobile01", PASSWORD, "").await;
    let a = b
        .post(
            "/account/profile",
            &[
                ("name", "王小明"),
                ("email", "mobile01@example.tw"),
                ("mobile", "0911123456"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/account");

    let a = b.post("/account/mobile/send", &[]).await;
    assert_eq!(a.location(), "/account#mobile");
    assert!(b.follow(a).await.has("簡訊驗證碼已傳送至您的手機"));
    let code = sms_code(site.dir.path(), 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let a = b.post("/account/mobile/confirm", &[("code", wrong)]).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has(r#"id="f-code-error">驗證碼錯誤或已逾時"#));
    let a = b.post("/account/mobile/confirm", &[("code", &code)]).await;
    assert_eq!(a.location(), "/account");
    let a = b.follow(a).await;
    assert!(a.has("手機號碼驗證完成。"));
    assert!(!a.has("傳送簡訊驗證碼"), "nothing left to verify");
    b.post("/logout", &[]).await;

    let a = b
        .post(
            "/password/forgot",
            &[
                ("channel", "sms"),
                ("username", "Mobile01"),
                ("mobile", "0911123456"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/password/forgot/sent?channel=sms");
    let sent = b.follow(a).await;
    assert!(sent.has(r#"href="/password/reset-sms""#));
    let code = sms_code(site.dir.path(), 2).await;
    assert!(b.get("/password/reset-sms").await.has(r#"id="f-code""#));
    let a = b
        .post(
            "/password/reset-sms",
            &[
                ("username", "Mobile01"),
                ("code", &code),
                ("new_password", "BySms2026pass"),
                ("new_password_confirm", "BySms2026pass"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/login", "{}", a.text);
    let a = sign_in(&mut b, "Mobile01", "BySms2026pass", "").await;
    assert_eq!(a.location(), "/account");
}

#[tokio::test]
async fn the_verification_email_can_be_sent_again() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Resend01", "王小明").await;
    sign_in(&mut b, "Resend01", PASSWORD, "").await;
    let prefix = format!("{BASE}/verify-email?token=");
    let first = mail_links(site.dir.path(), &prefix);
    // A new address is pending until its own link is used; the verified one stays.
    let a = b
        .post(
            "/account/profile",
            &[
                ("name", "王小明"),
                ("email", "new01@example.tw"),
                ("current_password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(a.location(), "/account", "{}", a.text);
    let second = new_link(site.dir.path(), &prefix, &first).await;
    let a = b.get("/account").await;
    assert!(a.has("new01@example.tw") && a.has("尚未驗證") && a.has("重新寄送驗證信"));
    let a = b.post("/account/email/resend", &[]).await;
    assert_eq!(a.location(), "/account");
    assert!(b.follow(a).await.has("驗證信已寄出"));
    let link = new_link(site.dir.path(), &prefix, &[first, vec![second]].concat()).await;
    let token = local(&link).trim_start_matches("/verify-email?token=");
    let a = b.post("/verify-email", &[("token", token)]).await;
    assert_eq!(a.location(), "/account", "signed in: back to the account");
    let a = b.follow(a).await;
    assert!(a.has("電子信箱驗證完成。") && !a.has("重新寄送驗證信"));
    assert!(a.has("new01@example.tw") && !a.has(r#"id="pending-email""#));
}

#[tokio::test]
async fn member_pages_render_in_english() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    b.lang = Some("en");
    register_and_verify(&site, &mut b, "English1", "Ann Lee").await;
    sign_in(&mut b, "English1", PASSWORD, "").await;
    for (path, heading) in [
        ("/account", "<h1>My account</h1>"),
        ("/account/profile", "<h1>Edit profile</h1>"),
        ("/account/password", "<h1>Change password</h1>"),
        ("/account/delete", "<h1>Delete account</h1>"),
    ] {
        let a = b.get(path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        assert!(a.has(r#"<html lang="en">"#) && a.has(heading), "{path}");
        assert!(!a.has("會員中心</a>"), "{path} still has zh-TW navigation");
    }
}
