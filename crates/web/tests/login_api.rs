//! Sign-in through the JSON API on SQLite and PostgreSQL: CAPTCHA and lockout (also under 200
//! parallel attempts and across two nodes), resets by email link and SMS code, expired passwords.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

async fn lockout_captcha_and_reset(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Eve2026", "eve@example.tw").await;
    // Reset links go only to a verified address.
    verify_email(&h.app, h.dir.path(), "eve@example.tw").await;
    // An unknown username answers exactly like a wrong password.
    let unknown = login(&h.app, "Nobody99", "Wrong12345", None).await;
    let wrong = login(&h.app, "Eve2026", "Wrong12345", None).await;
    ensure(
        unknown.status == StatusCode::UNAUTHORIZED && wrong.status == StatusCode::UNAUTHORIZED,
        "401s",
    )?;
    ensure(
        unknown.body == wrong.body,
        format!("{} vs {}", unknown.text, wrong.text),
    )?;
    login(&h.app, "Eve2026", "Wrong12345", None).await;
    login(&h.app, "Eve2026", "Wrong12345", None).await;
    // Three failures: a CAPTCHA is now required, even with the right password.
    let r = login(&h.app, "Eve2026", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::UNAUTHORIZED && r.code() == "captcha_required",
        r.text.clone(),
    )?;
    let r = login(
        &h.app,
        "Eve2026",
        "Wrong12345",
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(r.code() == "invalid_credentials", r.text.clone())?;
    let r = login(
        &h.app,
        "Eve2026",
        "Wrong12345",
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(
        r.status == StatusCode::LOCKED && r.code() == "account_locked",
        format!("5th: {}", r.text),
    )?;
    // Locked: the right password with a CAPTCHA is refused.
    let r = login(
        &h.app,
        "Eve2026",
        PASSWORD,
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(
        r.status == StatusCode::LOCKED,
        format!("locked refuses right password: {}", r.text),
    )?;
    // Reset by email: same answer for a wrong email; the link unlocks.
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Eve2026", "channel": "email", "email": "wrong@example.tw"})),
        None,
    )
    .await;
    ensure(r.status == StatusCode::ACCEPTED, "202 on mismatch")?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Eve2026", "channel": "email", "email": "EVE@example.tw"})),
        None,
    )
    .await;
    ensure(r.status == StatusCode::ACCEPTED, "202 on match")?;
    let link = link_in_mail(h.dir.path(), &format!("{BASE}/password/reset?token=")).await;
    let token = token_of(&link);
    // A weak password is refused without burning the link.
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"token": token, "new_password": "password1"})),
        None,
    )
    .await;
    ensure(
        r.status == StatusCode::UNPROCESSABLE_ENTITY,
        format!("weak: {}", r.text),
    )?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"token": token, "new_password": "Brand9New9Pass"})),
        None,
    )
    .await;
    ensure(
        r.status == StatusCode::NO_CONTENT,
        format!("reset: {}", r.text),
    )?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"token": token, "new_password": "Other9New9Pass"})),
        None,
    )
    .await;
    ensure(r.code() == "token_invalid", "link single use")?;
    let r = login(&h.app, "Eve2026", "Brand9New9Pass", None).await;
    ensure(
        r.status == StatusCode::OK,
        format!("after reset: {}", r.text),
    )?;
    ensure(
        login(&h.app, "Eve2026", PASSWORD, None).await.status == StatusCode::UNAUTHORIZED,
        "old password gone",
    )?;
    // Audit trail of the whole story, chain intact.
    let kinds: Vec<String> = h
        .state
        .store
        .audit_entries(None, 100)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|e| e.event.kind)
        .collect();
    for k in [
        "account_registered",
        "login_failed",
        "captcha_demanded",
        "account_locked",
        "password_reset_requested",
        "password_reset_completed",
        "login_succeeded",
    ] {
        ensure(
            kinds.iter().any(|x| x == k),
            format!("audit lacks {k}: {kinds:?}"),
        )?;
    }
    let v = h
        .state
        .store
        .verify_audit_chain()
        .await
        .map_err(|e| e.to_string())?;
    ensure(v.first_bad_seq.is_none(), "audit chain intact")
}

async fn parallel_attempts_stop_at_the_limit(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register(&h.app, "Frank42", "frank@example.tw").await;
    let mut captchas = Vec::new();
    for _ in 0..200 {
        captchas.push(solve_captcha(&h.app).await);
    }
    let mut tasks = Vec::new();
    for c in captchas {
        let app = h.app.clone();
        tasks.push(tokio::spawn(async move {
            login(&app, "Frank42", "Wrong12345", Some(c)).await.status
        }));
    }
    let mut locked = 0;
    for t in tasks {
        if t.await.map_err(|e| e.to_string())? == StatusCode::LOCKED {
            locked += 1;
        }
    }
    let a = h
        .state
        .store
        .account_by_username("Frank42")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    ensure(a.disabled, "account disabled")?;
    ensure(
        a.failed_logins == 5,
        format!("exactly 5 failures recorded, got {}", a.failed_logins),
    )?;
    ensure(locked >= 195, format!("{locked} of 200 answered locked"))?;
    let r = login(
        &h.app,
        "Frank42",
        PASSWORD,
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(
        r.status == StatusCode::LOCKED,
        "right password refused until reset",
    )
}

async fn two_nodes_share_sessions_and_lockouts(store: Store, db: TestDatabase) -> R {
    let url = db.url().to_string();
    let a = harness(store, db);
    let store_b = Store::connect(&url).await.map_err(|e| e.to_string())?;
    let b_state = state_on(store_b, a.dir.path(), test_settings());
    let b = tessera_web::app(b_state);
    register(&a.app, "Grace55", "grace@example.tw").await;
    let cookie = login(&a.app, "Grace55", PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("cookie")?;
    let me = call(&b, Method::GET, "/api/v1/me", None, Some(&cookie)).await;
    ensure(
        me.status == StatusCode::OK,
        "session from node A works on node B",
    )?;
    // Logout on B ends it on A.
    call(&b, Method::DELETE, "/api/v1/session", None, Some(&cookie)).await;
    ensure(
        call(&a.app, Method::GET, "/api/v1/me", None, Some(&cookie))
            .await
            .status
            == StatusCode::UNAUTHORIZED,
        "ended everywhere",
    )?;
    // Failures alternate between nodes; the CAPTCHA of node A is accepted by node B.
    for i in 0..5 {
        let node = if i % 2 == 0 { &a.app } else { &b };
        let c = solve_captcha(&a.app).await;
        login(node, "Grace55", "Wrong12345", Some(c)).await;
    }
    let r = login(&b, "Grace55", PASSWORD, Some(solve_captcha(&b).await)).await;
    ensure(
        r.status == StatusCode::LOCKED,
        format!("lockout crosses nodes: {}", r.text),
    )
}

async fn expired_password_only_allows_change(store: Store, db: TestDatabase) -> R {
    let mut s = test_settings();
    s.password_max_age = Some(Duration::from_secs(0));
    let h = harness_with(store, db, s);
    register(&h.app, "Ivan777", "ivan@example.tw").await;
    let r = login(&h.app, "Ivan777", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::OK && r.body["password_expired"] == json!(true),
        r.text.clone(),
    )?;
    let cookie = r.session_cookie().ok_or("cookie")?;
    let r = call(
        &h.app,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({"name": "x", "email": "ivan@example.tw"})),
        Some(&cookie),
    )
    .await;
    ensure(
        r.status == StatusCode::FORBIDDEN && r.code() == "password_expired",
        r.text.clone(),
    )?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/me/password",
        Some(json!({"current_password": "Wrong", "new_password": "Fresh2027Pass"})),
        Some(&cookie),
    )
    .await;
    ensure(
        r.field_codes()
            .iter()
            .any(|(f, c)| f == "current_password" && c == "password_incorrect"),
        r.text.clone(),
    )?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/me/password",
        Some(json!({"current_password": PASSWORD, "new_password": "Fresh2027Pass"})),
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    // The old session ended; the new one is full.
    ensure(
        call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie))
            .await
            .status
            == StatusCode::UNAUTHORIZED,
        "old session ended",
    )?;
    Ok(())
}

async fn sms_verification_and_reset(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let captcha = solve_captcha(&h.app).await;
    call(&h.app, Method::POST, "/api/v1/accounts", Some(json!({"username": "Judy321", "password": PASSWORD,
        "name": "朱蒂", "email": "judy@example.tw", "mobile": "0912345678", "accept_terms": true, "captcha": captcha})), None).await;
    verify_email(&h.app, h.dir.path(), "judy@example.tw").await;
    // An unverified mobile cannot be used for a reset: nothing is sent.
    call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Judy321", "channel": "sms", "mobile": "0912345678"})),
        None,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    ensure(
        sms(h.dir.path()).await.is_empty(),
        "no SMS to an unverified mobile",
    )?;
    let cookie = login(&h.app, "Judy321", PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("cookie")?;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/mobile-verifications",
        None,
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::ACCEPTED, r.text.clone())?;
    let code = last_code(h.dir.path(), 1).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/mobile-verifications/confirm",
        Some(json!({"code": code})),
        Some(&cookie),
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    // Reset by SMS: wrong codes use up the five tries.
    call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Judy321", "channel": "sms", "mobile": "0912345678"})),
        None,
    )
    .await;
    let code = last_code(h.dir.path(), 2).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let r = call(
            &h.app,
            Method::POST,
            "/api/v1/password-resets/complete",
            Some(json!({"username": "Judy321", "code": wrong, "new_password": "Sms2026Reset"})),
            None,
        )
        .await;
        ensure(r.status == StatusCode::BAD_REQUEST, r.text.clone())?;
    }
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"username": "Judy321", "code": code, "new_password": "Sms2026Reset"})),
        None,
    )
    .await;
    // Once the tries are gone the right code is refused in the same words as a wrong one
    // (the answer must not tell a known account from an unknown name).
    ensure(
        r.code() == "code_invalid",
        format!("right code after 5 wrong: {}", r.text),
    )?;
    // A resend brings a new code but not five new tries.
    call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Judy321", "channel": "sms", "mobile": "0912345678"})),
        None,
    )
    .await;
    let code = last_code(h.dir.path(), 3).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"username": "Judy321", "code": code, "new_password": "Sms2026Reset"})),
        None,
    )
    .await;
    ensure(
        r.code() == "code_invalid",
        format!("resent code: {}", r.text),
    )?;
    // The owner still resets by the link to the verified address.
    call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({"username": "Judy321", "channel": "email", "email": "judy@example.tw"})),
        None,
    )
    .await;
    let link = link_in_mail(h.dir.path(), &format!("{BASE}/password/reset?token=")).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets/complete",
        Some(json!({"token": token_of(&link), "new_password": "Sms2026Reset"})),
        None,
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    // The reset ended the session that was open.
    ensure(
        call(&h.app, Method::GET, "/api/v1/me", None, Some(&cookie))
            .await
            .status
            == StatusCode::UNAUTHORIZED,
        "sessions ended",
    )
}

tessera_store::both_backends!(
    lockout_captcha_and_reset,
    parallel_attempts_stop_at_the_limit,
    two_nodes_share_sessions_and_lockouts,
    expired_password_only_allows_change,
    sms_verification_and_reset,
);
