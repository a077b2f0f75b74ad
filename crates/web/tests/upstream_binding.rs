//! Binding an unlinked external identity to an account, on SQLite and PostgreSQL (004 二
//! Q6): wrong passwords count towards the lockout exactly as at sign-in (CAPTCHA from the
//! third, disabled at the fifth) and a locked account cannot bind; an expired password cannot
//! bind; an identity linked to one account cannot be bound to another, nor a second identity
//! of the same provider to one account; the waiting identity expires with its cookie; or the
//! person registers, pre-filled with the provider's verified email and name, and the new
//! account is linked. An account whose email address is not verified cannot bind, cannot
//! start a link from 會員中心, and signing in with a linked identity gives it only the
//! limited session a password sign-in gives.

mod common;
#[path = "upstream/fake.rs"]
mod fake;
#[path = "upstream/helpers.rs"]
mod helpers;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use helpers::*;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    unverified_account_neither_binds_nor_links,
    registered_through_a_provider_signs_in_limited,
    wrong_passwords_count_towards_the_lockout,
    expired_password_cannot_bind,
    identity_and_provider_link_once,
    register_prefilled_then_linked,
);

async fn bind(
    h: &UpHarness,
    b: &mut Browser,
    username: &str,
    password: &str,
    captcha: Option<String>,
) -> Resp {
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let captcha = captcha.unwrap_or_default();
    b.post(
        &h.app,
        "/upstream/bind",
        &[
            ("_csrf", &csrf),
            ("username", username),
            ("password", password),
            ("captcha", &captcha),
        ],
    )
    .await
}

fn says(r: &Resp, code: &str) -> bool {
    r.text.contains(tessera_core::messages::message(
        code,
        tessera_core::lang::Lang::ZhTw,
    ))
}

async fn unverified_account_neither_binds_nor_links(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let email = "hsu@example.tw";
    let r = register(&h.app, "Hsu2026", email).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    // Binding a waiting identity with the account's right password.
    let mut b = Browser::default();
    round_trip(&h, &mut b, "u-1").await?;
    let r = bind(&h, &mut b, "Hsu2026", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::FORBIDDEN && says(&r, "email_unverified"),
        format!("{} {}", r.status, r.text),
    )?;
    ensure(!b.has("tessera_session"), "not signed in by the bind")?;
    ensure(
        last_outcome(&h.state.store, "upstream_link_refused").await == "email_unverified",
        "audited",
    )?;
    let a = h
        .state
        .store
        .account_by_username("Hsu2026")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    let linked = |h: &UpHarness, id: String| {
        let store = h.state.store.clone();
        async move {
            store
                .external_identities_of(&id)
                .await
                .map(|v| v.len())
                .unwrap_or(usize::MAX)
        }
    };
    ensure(linked(&h, a.id.clone()).await == 0, "not linked")?;
    // Signed in with the password: 管理外部帳號 and starting a link send to the page saying why.
    let mut m = Browser::default();
    m.get(&h.app, "/login").await;
    let csrf = m.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let r = m
        .post(
            &h.app,
            "/login",
            &[
                ("_csrf", &csrf),
                ("username", "Hsu2026"),
                ("password", PASSWORD),
            ],
        )
        .await;
    ensure(m.has("tessera_session"), format!("signs in: {}", r.text))?;
    for path in [
        "/account/external".to_owned(),
        format!("/upstream/fake/link?_csrf={csrf}"),
    ] {
        let r = m.get(&h.app, &path).await;
        ensure(
            location(&r) == "/account/email-unverified",
            format!("{path}: {} {}", r.status, location(&r)),
        )?;
    }
    ensure(!m.has("tessera_upstream"), "no link flow started")?;
    let page = m.get(&h.app, "/account/email-unverified").await;
    ensure(
        page.status == StatusCode::OK
            && page.text.contains("請先完成電子郵件信箱驗證")
            && page.text.contains(email),
        page.text.clone(),
    )?;
    // After the link the same binding works.
    verify_email(&h.app, h.dir.path(), email).await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "u-1").await?;
    let r = bind(&h, &mut b, "Hsu2026", PASSWORD, None).await;
    ensure(location(&r) == "/account", format!("binds: {}", r.text))?;
    ensure(linked(&h, a.id.clone()).await == 1, "linked")
}

/// A person who registers through an external account and has not followed the link yet
/// signs in with that account to a limited session, as with the password.
async fn registered_through_a_provider_signs_in_limited(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "fresh").await?;
    b.get(&h.app, "/register").await;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let captcha = solve_captcha(&h.app).await;
    let r = b
        .post(
            &h.app,
            "/register",
            &[
                ("_csrf", &csrf),
                ("username", "Fresh2026"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", "林小美"),
                ("email", "fresh@example.tw"),
                ("accept_terms", "on"),
                ("captcha", &captcha),
            ],
        )
        .await;
    ensure(
        location(&r) == "/register/done",
        format!("register: {} {}", r.status, r.text),
    )?;
    let mut s = Browser::default();
    let r = round_trip(&h, &mut s, "fresh").await?;
    ensure(
        location(&r) == "/account" && s.has("tessera_session"),
        format!("signs in: {} {}", r.status, location(&r)),
    )?;
    let account = s.get(&h.app, "/account").await;
    ensure(
        account.status == StatusCode::OK && account.text.contains("請先完成電子郵件信箱驗證"),
        "會員中心 says why",
    )?;
    let r = s.get(&h.app, "/api/v1/me/external-identities").await;
    ensure(
        r.status == StatusCode::FORBIDDEN && r.body["error"]["code"] == "email_unverified",
        r.text.clone(),
    )?;
    verify_email(&h.app, h.dir.path(), "fresh@example.tw").await;
    let r = s.get(&h.app, "/api/v1/me/external-identities").await;
    ensure(
        r.status == StatusCode::OK && r.body.as_array().is_some_and(|a| a.len() == 1),
        r.text.clone(),
    )
}

async fn wrong_passwords_count_towards_the_lockout(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register_verified(&h.app, h.dir.path(), "Tsai2026", "tsai@example.tw").await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "b-1").await?;
    for i in 1..=3 {
        let r = bind(&h, &mut b, "Tsai2026", "Wrong12345", None).await;
        ensure(
            r.status == StatusCode::UNAUTHORIZED && says(&r, "invalid_credentials"),
            format!("wrong {i}: {}", r.status),
        )?;
        let a = h
            .state
            .store
            .account_by_username("Tsai2026")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("account")?;
        ensure(a.failed_logins == i, format!("counted {}", a.failed_logins))?;
    }
    // Like the sign-in page: a CAPTCHA now, even with the right password; the widget is shown.
    let r = bind(&h, &mut b, "Tsai2026", PASSWORD, None).await;
    ensure(
        says(&r, "captcha_required") && r.text.contains("altcha-widget"),
        "captcha required",
    )?;
    bind(
        &h,
        &mut b,
        "Tsai2026",
        "Wrong12345",
        Some(solve_captcha(&h.app).await),
    )
    .await;
    let r = bind(
        &h,
        &mut b,
        "Tsai2026",
        "Wrong12345",
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(
        r.status == StatusCode::LOCKED && says(&r, "account_locked"),
        format!("5th: {}", r.status),
    )?;
    ensure(r.text.contains("/password/forgot"), "the way to unlock")?;
    // Locked: the right password (with a CAPTCHA) binds nothing, and sign-in is refused too.
    let r = bind(
        &h,
        &mut b,
        "Tsai2026",
        PASSWORD,
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(
        r.status == StatusCode::LOCKED && !b.has("tessera_session"),
        "locked cannot bind",
    )?;
    let a = h
        .state
        .store
        .account_by_username("Tsai2026")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    ensure(
        a.disabled
            && h.state
                .store
                .external_identities_of(&a.id)
                .await
                .map_err(|e| e.to_string())?
                .is_empty(),
        "not linked",
    )?;
    let r = login(
        &h.app,
        "Tsai2026",
        PASSWORD,
        Some(solve_captcha(&h.app).await),
    )
    .await;
    ensure(r.status == StatusCode::LOCKED, "sign-in locked too")?;
    ensure(
        audit_outcomes(&h.state.store, "account_locked").await.len() == 1,
        "lock audited",
    )
}

async fn expired_password_cannot_bind(store: Store, db: TestDatabase) -> R {
    let mut settings = test_settings();
    settings.password_max_age = Some(Duration::ZERO);
    let h = up_harness_with(store, db, settings).await;
    register_verified(&h.app, h.dir.path(), "Kuo2026", "kuo@example.tw").await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "b-2").await?;
    let r = bind(&h, &mut b, "Kuo2026", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::FORBIDDEN && says(&r, "upstream_password_expired"),
        format!("{} {}", r.status, r.text),
    )?;
    ensure(!b.has("tessera_session"), "not signed in")?;
    ensure(
        last_outcome(&h.state.store, "upstream_link_refused").await == "password_expired",
        "audited",
    )?;
    let a = h
        .state
        .store
        .account_by_username("Kuo2026")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    ensure(
        h.state
            .store
            .external_identities_of(&a.id)
            .await
            .map_err(|e| e.to_string())?
            .is_empty(),
        "not linked",
    )
}

async fn identity_and_provider_link_once(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register_verified(&h.app, h.dir.path(), "Yeh2026a", "yeh-a@example.tw").await;
    register_verified(&h.app, h.dir.path(), "Yeh2026b", "yeh-b@example.tw").await;
    // Two browsers verify the same person before either binds.
    let (mut one, mut two) = (Browser::default(), Browser::default());
    round_trip(&h, &mut one, "b-3").await?;
    round_trip(&h, &mut two, "b-3").await?;
    let r = bind(&h, &mut one, "Yeh2026a", PASSWORD, None).await;
    ensure(
        location(&r) == "/account",
        format!("first binds: {}", r.text),
    )?;
    let r = bind(&h, &mut two, "Yeh2026b", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::CONFLICT && says(&r, "upstream_identity_linked_elsewhere"),
        format!("second: {} {}", r.status, r.text),
    )?;
    ensure(!two.has("tessera_session"), "second not signed in")?;
    ensure(
        last_outcome(&h.state.store, "upstream_link_refused").await == "linked_elsewhere",
        "audited",
    )?;

    // Signed in as b, linking the identity a holds is refused the same way.
    let csrf = two.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    two.post(
        &h.app,
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "Yeh2026b"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let link = format!("/upstream/fake/link?_csrf={csrf}");
    let authorize = start(&h, &mut two, &link).await?;
    let code = h.fake.authorize(&authorize, "b-3");
    let r = two.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        r.status == StatusCode::CONFLICT && says(&r, "upstream_identity_linked_elsewhere"),
        format!("link: {}", r.status),
    )?;
    // A second identity of the same provider on account a is refused.
    let link_one = format!(
        "/upstream/fake/link?_csrf={}",
        one.cookies.get("tessera_csrf").cloned().unwrap_or_default()
    );
    let authorize = start(&h, &mut one, &link_one).await?;
    let code = h.fake.authorize(&authorize, "b-4");
    let r = one.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        r.status == StatusCode::CONFLICT && says(&r, "upstream_provider_already_linked"),
        format!("second identity: {}", r.status),
    )?;

    // The waiting identity lives with its cookie only: without it, binding is refused.
    let mut three = Browser::default();
    round_trip(&h, &mut three, "b-5").await?;
    three.cookies.remove("tessera_upstream_pending");
    let r = bind(&h, &mut three, "Yeh2026b", PASSWORD, None).await;
    ensure(
        r.status == StatusCode::BAD_REQUEST && says(&r, "upstream_pending_missing"),
        format!("no pending: {}", r.status),
    )?;
    let page = three.get(&h.app, "/upstream/bind").await;
    ensure(
        says(&page, "upstream_pending_missing") && page.text.contains("href=\"/login\""),
        "page says so",
    )
}

async fn register_prefilled_then_linked(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "newbie").await?;
    let page = b.get(&h.app, "/register").await;
    ensure(
        page.text.contains("value=\"newbie@gmail.example\"")
            && page.text.contains("value=\"林小美\""),
        "pre-filled",
    )?;
    ensure(
        page.text
            .contains("新帳號會與您的 測試 Google 帳號建立關聯"),
        "note",
    )?;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let captcha = solve_captcha(&h.app).await;
    let r = b
        .post(
            &h.app,
            "/register",
            &[
                ("_csrf", &csrf),
                ("username", "Newbie2026"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", "林小美"),
                ("email", "newbie@gmail.example"),
                ("accept_terms", "on"),
                ("captcha", &captcha),
            ],
        )
        .await;
    ensure(
        location(&r) == "/register/done",
        format!("register: {} {}", r.status, r.text),
    )?;
    ensure(!b.has("tessera_upstream_pending"), "pending cleared")?;
    let done = b.get(&h.app, "/register/done").await;
    ensure(done.text.contains("新帳號已與您的外部帳號建立關聯"), "told")?;
    let a = h
        .state
        .store
        .account_by_username("Newbie2026")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    let links = h
        .state
        .store
        .external_identities_of(&a.id)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        links.len() == 1 && links[0].subject == "newbie",
        format!("{links:?}"),
    )?;
    // Now the provider signs the new member in.
    let r = round_trip(&h, &mut b, "newbie").await?;
    ensure(
        location(&r) == "/account" && b.has("tessera_session"),
        "signs in",
    )?;
    // Two browsers verified one person; once one bound it, the other cannot register with it
    // (and no account is left behind).
    register_verified(&h.app, h.dir.path(), "Other2026", "other@example.tw").await;
    let (mut x, mut y) = (Browser::default(), Browser::default());
    round_trip(&h, &mut x, "twice").await?;
    round_trip(&h, &mut y, "twice").await?;
    let r = bind(&h, &mut x, "Other2026", PASSWORD, None).await;
    ensure(location(&r) == "/account", format!("x binds: {}", r.text))?;
    let csrf = y.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let captcha = solve_captcha(&h.app).await;
    let r = y
        .post(
            &h.app,
            "/register",
            &[
                ("_csrf", &csrf),
                ("username", "Third2026"),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
                ("name", "林小美"),
                ("email", "third@example.tw"),
                ("accept_terms", "on"),
                ("captcha", &captcha),
            ],
        )
        .await;
    ensure(
        r.status == StatusCode::CONFLICT && says(&r, "upstream_identity_linked_elsewhere"),
        format!("y: {}", r.status),
    )?;
    let third = h
        .state
        .store
        .account_by_username("Third2026")
        .await
        .map_err(|e| e.to_string())?;
    ensure(third.is_none(), "no account created")?;
    // Without a waiting identity the registration page is the ordinary one.
    let fresh = Browser::default().get(&h.app, "/register").await;
    ensure(
        !fresh.text.contains("建立關聯") && !fresh.text.contains("gmail.example"),
        "ordinary",
    )
}
