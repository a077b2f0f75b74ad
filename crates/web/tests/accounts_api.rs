//! Member registration, email verification (an unverified account signs in only to verify or
//! change its address), profile edits under CSRF rules, language of messages and deletion,
//! through the JSON API on SQLite and PostgreSQL.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

async fn registration_rules(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = register(&h.app, "Alice01", "alice@example.tw").await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("register: {}", r.text),
    )?;
    ensure(
        r.body["email_verified"] == json!(false),
        "new email unverified",
    )?;
    // Case-insensitively taken.
    let r = register(&h.app, "alice01", "other@example.tw").await;
    ensure(
        r.status == StatusCode::CONFLICT && r.code() == "username_unavailable",
        r.text.clone(),
    )?;
    // Field rules, all reported at once.
    let captcha = solve_captcha(&h.app).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"username": "1bad", "password": "short", "name": "", "email": "nope",
                    "mobile": "0812", "birthday": "2999-01-01", "national_id": "A123456788", "accept_terms": false, "captcha": captcha})),
        None,
    )
    .await;
    ensure(r.status == StatusCode::UNPROCESSABLE_ENTITY, r.text.clone())?;
    let fields: Vec<String> = r.field_codes().into_iter().map(|(f, _)| f).collect();
    for f in [
        "username",
        "password",
        "name",
        "email",
        "mobile",
        "national_id",
        "birthday",
        "accept_terms",
    ] {
        ensure(
            fields.iter().any(|x| x == f),
            format!("{f} not reported in {fields:?}"),
        )?;
    }
    ensure(
        !r.body["error"]["message"].as_str().unwrap_or("").is_empty(),
        "message present",
    )?;
    // Password containing the username.
    let captcha = solve_captcha(&h.app).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"username": "Bobby77", "password": "xxBobby77xx1", "name": "𡘙林", "email": "b@example.tw",
                    "accept_terms": true, "captcha": captcha})),
        None,
    )
    .await;
    ensure(
        r.field_codes()
            .iter()
            .any(|(f, c)| f == "password" && c == "password_contains_username"),
        r.text.clone(),
    )?;
    // No CAPTCHA, then a replayed CAPTCHA.
    let body = json!({"username": "Carol88", "password": PASSWORD, "name": "𡘙林", "email": "c@example.tw", "accept_terms": true});
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(body.clone()),
        None,
    )
    .await;
    ensure(
        r.field_codes()
            .iter()
            .any(|(f, c)| f == "captcha" && c == "captcha_required"),
        r.text.clone(),
    )?;
    let captcha = solve_captcha(&h.app).await;
    let mut with = body.clone();
    with["captcha"] = json!(captcha);
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(with.clone()),
        None,
    )
    .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    with["username"] = json!("Carol99");
    let r = call(&h.app, Method::POST, "/api/v1/accounts", Some(with), None).await;
    ensure(
        r.field_codes()
            .iter()
            .any(|(f, c)| f == "captcha" && c == "captcha_invalid"),
        format!("replay: {}", r.text),
    )?;
    // The CJK Extension B name survives.
    let r = login(&h.app, "Carol88", PASSWORD, None).await;
    let cookie = r.session_cookie().ok_or("no session cookie")?;
    let me = call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie)).await;
    ensure(me.body["name"] == json!("𡘙林"), me.text.clone())
}

async fn email_verification_is_single_use(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Dora123", "dora@example.tw").await;
    let link = link_in_mail(h.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    let token = token_of(&link);
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/email-verifications",
        Some(json!({"token": token})),
        None,
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/email-verifications",
        Some(json!({"token": token})),
        None,
    )
    .await;
    ensure(
        r.status == StatusCode::BAD_REQUEST && r.code() == "token_invalid",
        "second use refused",
    )?;
    let r = login(&h.app, "Dora123", PASSWORD, None).await;
    let cookie = r.session_cookie().ok_or("cookie")?;
    let me = call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie)).await;
    ensure(me.body["email_verified"] == json!(true), me.text.clone())?;
    ensure(me.body["loa"] == json!("password"), "loa password")?;
    ensure(me.body["password_expires_at"].is_string(), "expiry shown")
}

async fn csrf_and_language(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Henry66", "henry@example.tw").await;
    let cookie = login(&h.app, "Henry66", PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("cookie")?;
    let patch = json!({"name": "亨利", "email": "henry@example.tw"});
    // A foreign origin is refused, as is a cookie request with neither Origin nor token.
    let r = call_with(
        &h.app,
        Method::PATCH,
        "/api/v1/me",
        Some(patch.clone()),
        Some(&cookie),
        &[("origin", "https://evil.example")],
    )
    .await;
    ensure(
        r.status == StatusCode::FORBIDDEN && r.code() == "csrf_failed",
        r.text.clone(),
    )?;
    let r = call_with(
        &h.app,
        Method::PATCH,
        "/api/v1/me",
        Some(patch.clone()),
        Some(&cookie),
        &[],
    )
    .await;
    ensure(r.status == StatusCode::FORBIDDEN, "no origin, no token")?;
    let r = call(
        &h.app,
        Method::PATCH,
        "/api/v1/me",
        Some(patch),
        Some(&cookie),
    )
    .await;
    ensure(
        r.status == StatusCode::OK && r.body["name"] == json!("亨利"),
        r.text.clone(),
    )?;
    // Messages follow Accept-Language; zh-TW by default.
    let zh = login(&h.app, "Henry66", "Wrong12345", None).await;
    let en = call_with(
        &h.app,
        Method::POST,
        "/api/v1/session",
        Some(json!({"username": "Henry66", "password": "Wrong12345"})),
        None,
        &[("accept-language", "en-US,en;q=0.9")],
    )
    .await;
    ensure(zh.code() == en.code(), "same code")?;
    let zh_msg = zh.body["error"]["message"].as_str().unwrap_or("");
    let en_msg = en.body["error"]["message"].as_str().unwrap_or("");
    ensure(
        zh_msg != en_msg && en_msg.is_ascii() && !zh_msg.is_ascii(),
        format!("{zh_msg} / {en_msg}"),
    )
}

async fn deletion_is_final(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Kate888", "kate@example.tw").await;
    let cookie = login(&h.app, "Kate888", PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("cookie")?;
    let r = call(
        &h.app,
        Method::DELETE,
        "/api/v1/me",
        Some(json!({"password": "Wrong"})),
        Some(&cookie),
    )
    .await;
    ensure(
        r.status == StatusCode::UNPROCESSABLE_ENTITY,
        "wrong password refused",
    )?;
    let r = call(
        &h.app,
        Method::DELETE,
        "/api/v1/me",
        Some(json!({"password": PASSWORD})),
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    ensure(
        login(&h.app, "Kate888", PASSWORD, None).await.status == StatusCode::UNAUTHORIZED,
        "cannot sign in",
    )?;
    let r = register(&h.app, "KATE888", "kate2@example.tw").await;
    ensure(r.status == StatusCode::CONFLICT, "username stays reserved")?;
    ensure(
        mail_with(h.dir.path(), &["Kate888", "刪除"])
            .await
            .is_some(),
        "confirmation email",
    )
}

/// A member who has not followed the verification link signs in: the account itself, its
/// profile, the link and deletion are open; everything else a session gives is refused with
/// `email_unverified` (and audited) — until the link is followed.
async fn unverified_account_is_limited_until_the_link_is_followed(
    store: Store,
    db: TestDatabase,
) -> R {
    let h = harness(store, db);
    let captcha = solve_captcha(&h.app).await;
    let email = "uma@example.tw";
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({
            "username": "Uma2026", "password": PASSWORD, "name": "吳瑪", "email": email,
            "mobile": "0911222333", "accept_terms": true, "captcha": captcha
        })),
        None,
    )
    .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let r = login(&h.app, "Uma2026", PASSWORD, None).await;
    let cookie = r.session_cookie().ok_or("an unverified account signs in")?;
    let me = call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie)).await;
    ensure(
        me.status == StatusCode::OK
            && me.body["email_verified"] == json!(false)
            && me.body["email_verification_required"] == json!(true),
        me.text.clone(),
    )?;
    let new_password = json!({ "current_password": PASSWORD, "new_password": "Changed2026pw" });
    let refused_calls = [
        (
            Method::POST,
            "/api/v1/me/password",
            Some(new_password.clone()),
        ),
        (Method::POST, "/api/v1/mobile-verifications", None),
        (
            Method::POST,
            "/api/v1/mobile-verifications/confirm",
            Some(json!({ "code": "123456" })),
        ),
        (Method::GET, "/api/v1/me/external-identities", None),
        (Method::DELETE, "/api/v1/me/external-identities/x1", None),
        (Method::DELETE, "/api/v1/cert/bindings/0a1b", None),
    ];
    for (method, path, body) in refused_calls.iter().cloned() {
        let r = call_with(
            &h.app,
            method,
            path,
            body,
            Some(&cookie),
            &[("origin", BASE), ("accept-language", "en")],
        )
        .await;
        ensure(
            r.status == StatusCode::FORBIDDEN && r.code() == "email_unverified",
            format!("{path}: {} {}", r.status, r.text),
        )?;
        ensure(
            r.body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not verified")),
            format!("{path}: English message"),
        )?;
    }
    let zh = call(
        &h.app,
        Method::POST,
        "/api/v1/mobile-verifications",
        None,
        Some(&cookie),
    )
    .await;
    ensure(
        zh.body["error"]["message"]
            == json!("您的電子郵件信箱尚未驗證，請先點選驗證信中的連結完成驗證。"),
        zh.text.clone(),
    )?;
    ensure(sms(h.dir.path()).await.is_empty(), "no SMS was sent")?;
    ensure(
        login(&h.app, "Uma2026", "Changed2026pw", None).await.status == StatusCode::UNAUTHORIZED,
        "the password did not change",
    )?;
    ensure(
        audit_count(&h.state.store, "email_unverified_refused").await >= refused_calls.len(),
        "every refusal is audited",
    )?;
    // Open: the profile, the link sent again.
    let r = call(
        &h.app,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({ "name": "吳瑪莉" })),
        Some(&cookie),
    )
    .await;
    ensure(
        r.status == StatusCode::OK && r.body["name"] == json!("吳瑪莉"),
        r.text.clone(),
    )?;
    let known = verification_links(h.dir.path(), email);
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/email-verifications/resend",
        None,
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::ACCEPTED, r.text.clone())?;
    // The link sent again works; the same session now gets everything.
    follow_new_verification_link(&h.app, h.dir.path(), email, &known).await;
    let me = call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie)).await;
    ensure(
        me.body["email_verification_required"] == json!(false),
        me.text.clone(),
    )?;
    let r = call(
        &h.app,
        Method::GET,
        "/api/v1/me/external-identities",
        None,
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/mobile-verifications",
        None,
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::ACCEPTED, r.text.clone())?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/me/password",
        Some(new_password),
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    ensure(
        login(&h.app, "Uma2026", "Changed2026pw", None).await.status == StatusCode::OK,
        "the new password signs in",
    )
}

/// Deleting the account stays open to an unverified member (an address typed wrongly must not
/// leave an account nobody can remove).
async fn unverified_account_can_be_deleted(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Ned2026", "ned@example.tw").await;
    let cookie = login(&h.app, "Ned2026", PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("cookie")?;
    let r = call(
        &h.app,
        Method::DELETE,
        "/api/v1/me",
        Some(json!({ "password": PASSWORD })),
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    ensure(
        login(&h.app, "Ned2026", PASSWORD, None).await.status == StatusCode::UNAUTHORIZED,
        "gone",
    )
}

tessera_store::both_backends!(
    unverified_account_is_limited_until_the_link_is_followed,
    unverified_account_can_be_deleted,
    registration_rules,
    email_verification_is_single_use,
    csrf_and_language,
    deletion_is_final,
);
