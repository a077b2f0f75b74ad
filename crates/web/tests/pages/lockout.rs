//! Sign-in failures through the login page: the CAPTCHA widget after a failure and required
//! from the 3rd, the account disabled at the 5th with the page saying so, then a reset by
//! email link that unlocks it; the reset request answers the same whether or not it matched.

use axum::http::StatusCode;

use super::*;

#[tokio::test]
async fn five_wrong_passwords_lock_and_an_email_reset_unlocks() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    register_and_verify(&site, &mut b, "Locked01", "王小明").await;
    let login = b.get("/login").await;
    assert!(!login.has("<altcha-widget"), "no widget before a failure");

    let a = sign_in(&mut b, "Locked01", "Wrong2026pass", "").await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.has("帳號或密碼錯誤。"));
    assert!(a.has("<altcha-widget"), "widget after a failure");
    assert!(a.has(r#"value="Locked01""#), "username kept");
    for _ in 0..2 {
        let a = sign_in(&mut b, "Locked01", "Wrong2026pass", "").await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    }
    // From the 3rd failure on the CAPTCHA is required.
    let a = sign_in(&mut b, "Locked01", "Wrong2026pass", "").await;
    assert!(a.has("請先完成人機驗證。"), "{}", a.text);
    let p = captcha(&mut b).await;
    let a = sign_in(&mut b, "Locked01", "Wrong2026pass", &p).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.has("帳號或密碼錯誤。"));
    let p = captcha(&mut b).await;
    let a = sign_in(&mut b, "Locked01", "Wrong2026pass", &p).await;
    assert_eq!(a.status, StatusCode::LOCKED);
    assert!(a.has("帳號已停用"));
    assert!(a.has(r#"href="/password/forgot""#));
    let p = captcha(&mut b).await;
    let a = sign_in(&mut b, "Locked01", PASSWORD, &p).await;
    assert_eq!(
        a.status,
        StatusCode::LOCKED,
        "the right password is refused too"
    );

    // The same answer for a wrong email and the right one.
    let wrong = b
        .post(
            "/password/forgot",
            &[
                ("channel", "email"),
                ("username", "Locked01"),
                ("email", "someone@example.tw"),
            ],
        )
        .await;
    let right = b
        .post(
            "/password/forgot",
            &[
                ("channel", "email"),
                ("username", "Locked01"),
                ("email", "locked01@example.tw"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert_eq!(wrong.location(), right.location());
    let sent = b.follow(right).await;
    assert!(sent.has("如果帳號與電子信箱相符"));

    let link = mailed_link(site.dir.path(), &format!("{BASE}/password/reset?token=")).await;
    let form = b.get(local(&link)).await;
    assert_eq!(form.status, StatusCode::OK);
    let token = local(&link).trim_start_matches("/password/reset?token=");
    assert!(form.has(&format!(r#"name="token" value="{token}""#)));
    let a = b
        .post(
            "/password/reset",
            &[
                ("token", token),
                ("new_password", "Renewed2026x"),
                ("new_password_confirm", "Renewed2026y"),
            ],
        )
        .await;
    assert!(a.has("兩次輸入的密碼不一致"));
    let a = b
        .post(
            "/password/reset",
            &[
                ("token", token),
                ("new_password", "Renewed2026x"),
                ("new_password_confirm", "Renewed2026x"),
            ],
        )
        .await;
    assert_eq!(a.location(), "/login", "{}", a.text);
    assert!(b.follow(a).await.has("密碼已重設，帳號已解除停用"));
    let a = sign_in(&mut b, "Locked01", "Renewed2026x", "").await;
    assert_eq!(a.location(), "/account");
    // The link worked once.
    let a = b
        .post(
            "/password/reset",
            &[
                ("token", token),
                ("new_password", "Another2026x"),
                ("new_password_confirm", "Another2026x"),
            ],
        )
        .await;
    assert!(a.has("此連結無效、已使用過或已逾期"));
}

#[tokio::test]
async fn a_blank_reset_request_is_answered_on_the_form() {
    let (site, _db) = sqlite_site().await;
    let mut b = Browser::new(&site);
    let a = b
        .post(
            "/password/forgot",
            &[("channel", "sms"), ("username", ""), ("mobile", "")],
        )
        .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(a.has(r#"id="f-sms-username-error">請輸入帳號。"#));
    assert!(a.has(r#"id="f-sms-mobile-error">請輸入行動電話號碼。"#));
    assert!(
        !a.has(r#"id="f-username-error""#),
        "the email form stays clean"
    );
}
