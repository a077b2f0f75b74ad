//! 「使用 Google 登入」 through the pages and the API on SQLite and PostgreSQL, against an
//! in-process fake issuer: an unlinked identity is bound with a password and signed in, later
//! signs in by itself (the token endpoint saw the client secret and the PKCE verifier), is
//! listed and removed in 管理外部帳號 — after which it must be bound again; the `next` path
//! survives the round trip while a foreign one never does; a locked account cannot sign in
//! with its link; a signed-in member links an identity from 管理外部帳號.

mod common;
#[path = "upstream/fake.rs"]
mod fake;
#[path = "upstream/helpers.rs"]
mod helpers;

use axum::http::{Method, StatusCode};
use common::*;
use helpers::*;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    bind_sign_in_list_and_unlink,
    next_path_survives_and_foreign_ones_do_not,
    locked_account_cannot_use_its_link,
    member_links_from_the_account_page,
);

async fn bind_sign_in_list_and_unlink(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register(&h.app, "Wang2026", "wang@example.tw").await;
    let mut b = Browser::default();
    // The sign-in page offers the provider.
    let page = b.get(&h.app, "/login").await;
    ensure(
        page.text.contains("使用 測試 Google 登入") && page.text.contains("/upstream/fake/start"),
        "button",
    )?;

    // First time: verified but unlinked → the binding page.
    let r = round_trip(&h, &mut b, "g-1001").await?;
    ensure(
        r.status == StatusCode::SEE_OTHER && location(&r) == "/upstream/bind",
        format!("{} {}", r.status, location(&r)),
    )?;
    ensure(!b.has("tessera_session"), "not signed in yet")?;
    ensure(
        last_outcome(&h.state.store, "upstream_binding_required").await == "ok",
        "audited",
    )?;
    let page = b.get(&h.app, "/upstream/bind").await;
    ensure(
        page.status == StatusCode::OK
            && page
                .text
                .contains("您已通過 測試 Google 驗證（g-1001@gmail.example）"),
        page.text.clone(),
    )?;

    // Bind with the account's password → linked and signed in.
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let r = b
        .post(
            &h.app,
            "/upstream/bind",
            &[
                ("_csrf", &csrf),
                ("username", "Wang2026"),
                ("password", PASSWORD),
            ],
        )
        .await;
    ensure(
        r.status == StatusCode::SEE_OTHER && location(&r) == "/account",
        format!("bind: {} {}", r.status, r.text),
    )?;
    ensure(
        b.has("tessera_session") && !b.has("tessera_upstream_pending"),
        "session, pending cleared",
    )?;
    let links = b.get(&h.app, "/api/v1/me/external-identities").await;
    let list = links.body.as_array().cloned().unwrap_or_default();
    ensure(
        list.len() == 1
            && list[0]["provider"] == "fake"
            && list[0]["email"] == "g-1001@gmail.example",
        links.text.clone(),
    )?;
    ensure(list[0]["provider_name"] == "測試 Google", "name in zh-TW")?;
    let calls = h.fake.get(|c| c.token_calls);

    // Sign out; the linked identity now signs in by itself at level password.
    b.post(&h.app, "/logout", &[("_csrf", &csrf)]).await;
    ensure(!b.has("tessera_session"), "signed out")?;
    let r = round_trip(&h, &mut b, "g-1001").await?;
    ensure(
        r.status == StatusCode::SEE_OTHER && location(&r) == "/account",
        format!("{} {}", r.status, r.text),
    )?;
    ensure(
        h.fake.get(|c| c.token_calls) == calls + 1,
        "code exchanged once",
    )?;
    let me = b.get(&h.app, "/api/v1/me").await;
    ensure(me.body["username"] == "Wang2026", me.text.clone())?;
    ensure(
        last_outcome(&h.state.store, "upstream_login_succeeded").await == "ok",
        "audited",
    )?;
    let links = b.get(&h.app, "/api/v1/me/external-identities").await;
    ensure(
        !links.body[0]["last_used_at"].is_null(),
        "last used recorded",
    )?;

    // 管理外部帳號 lists it; removing it (CSRF-checked) works once.
    let page = b.get(&h.app, "/account/external").await;
    let id = links.body[0]["id"].as_str().unwrap_or("").to_string();
    ensure(
        page.text.contains("測試 Google")
            && page
                .text
                .contains(&format!("/account/external/{id}/remove")),
        page.text.clone(),
    )?;
    let cookie_header = b
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let cross = call_with(
        &h.app,
        Method::DELETE,
        &format!("/api/v1/me/external-identities/{id}"),
        None,
        Some(&cookie_header),
        &[("origin", "https://evil.example")],
    )
    .await;
    ensure(
        cross.status == StatusCode::FORBIDDEN && cross.code() == "csrf_failed",
        format!("cross-site: {}", cross.text),
    )?;
    let no_token = call_with(
        &h.app,
        Method::POST,
        &format!("/account/external/{id}/remove"),
        None,
        Some(&cookie_header),
        &[],
    )
    .await;
    ensure(
        no_token.status == StatusCode::FORBIDDEN,
        format!("no token: {}", no_token.status),
    )?;
    let r = b
        .post(
            &h.app,
            &format!("/account/external/{id}/remove"),
            &[("_csrf", &csrf)],
        )
        .await;
    ensure(
        location(&r) == "/account/external",
        format!("remove: {} {}", r.status, r.text),
    )?;
    let after = b.get(&h.app, "/api/v1/me/external-identities").await;
    ensure(
        after.body.as_array().is_some_and(|a| a.is_empty()),
        format!("removed by the page form: {}", after.text),
    )?;
    ensure(
        last_outcome(&h.state.store, "upstream_unlinked").await == "ok",
        "audited",
    )?;
    let again = b
        .send(
            &h.app,
            Method::DELETE,
            &format!("/api/v1/me/external-identities/{id}"),
            None,
            None,
        )
        .await;
    ensure(
        again.status == StatusCode::NOT_FOUND && again.code() == "upstream_link_not_found",
        again.text.clone(),
    )?;

    // Unlinked: signing in with it asks to bind again.
    b.post(&h.app, "/logout", &[("_csrf", &csrf)]).await;
    let r = round_trip(&h, &mut b, "g-1001").await?;
    ensure(
        location(&r) == "/upstream/bind" && !b.has("tessera_session"),
        format!("asks again: {}", location(&r)),
    )?;

    // The API lists the providers; OpenAPI documents the new paths.
    let p = b.get(&h.app, "/api/v1/upstream/providers").await;
    ensure(
        p.body[0]["id"] == "fake"
            && p.body[0]["start_url"] == format!("{BASE}/upstream/fake/start"),
        p.text.clone(),
    )?;
    let doc = b.get(&h.app, "/api/openapi.json").await;
    ensure(
        doc.body["paths"]["/api/v1/me/external-identities/{id}"]["delete"].is_object(),
        "openapi",
    )
}

async fn next_path_survives_and_foreign_ones_do_not(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register(&h.app, "Lin2026", "lin@example.tw").await;
    let mut b = Browser::default();
    // Link once (bind), then sign out.
    round_trip(&h, &mut b, "g-2002").await?;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    b.post(
        &h.app,
        "/upstream/bind",
        &[
            ("_csrf", &csrf),
            ("username", "Lin2026"),
            ("password", PASSWORD),
        ],
    )
    .await;
    b.post(&h.app, "/logout", &[("_csrf", &csrf)]).await;

    let page = b.get(&h.app, "/login?next=%2Faccount%2Fprofile").await;
    ensure(
        page.text
            .contains("/upstream/fake/start?next=%2Faccount%2Fprofile"),
        "button carries next",
    )?;
    let authorize = start(&h, &mut b, "/upstream/fake/start?next=%2Faccount%2Fprofile").await?;
    let code = h.fake.authorize(&authorize, "g-2002");
    let r = b.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        location(&r) == "/account/profile",
        format!("next kept: {}", location(&r)),
    )?;

    for evil in [
        "https%3A%2F%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
    ] {
        let mut other = Browser::default();
        let authorize = start(&h, &mut other, &format!("/upstream/fake/start?next={evil}")).await?;
        let code = h.fake.authorize(&authorize, "g-2002");
        let r = other
            .get(&h.app, &callback_url(&authorize, &code, ""))
            .await;
        ensure(
            location(&r) == "/account",
            format!("{evil} dropped: {}", location(&r)),
        )?;
    }
    Ok(())
}

async fn locked_account_cannot_use_its_link(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register(&h.app, "Chen2026", "chen@example.tw").await;
    let mut b = Browser::default();
    round_trip(&h, &mut b, "g-3003").await?;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    b.post(
        &h.app,
        "/upstream/bind",
        &[
            ("_csrf", &csrf),
            ("username", "Chen2026"),
            ("password", PASSWORD),
        ],
    )
    .await;
    b.post(&h.app, "/logout", &[("_csrf", &csrf)]).await;
    // Five wrong passwords lock the account.
    for i in 0..5 {
        let captcha = if i >= 3 {
            Some(solve_captcha(&h.app).await)
        } else {
            None
        };
        login(&h.app, "Chen2026", "Wrong12345", captcha).await;
    }
    let r = round_trip(&h, &mut b, "g-3003").await?;
    ensure(
        r.status == StatusCode::LOCKED
            && r.text.contains(tessera_core::messages::message(
                "account_locked",
                tessera_core::lang::Lang::ZhTw,
            )),
        format!("{} {}", r.status, r.text),
    )?;
    ensure(!b.has("tessera_session"), "no session")?;
    ensure(
        last_outcome(&h.state.store, "upstream_login_failed").await == "account_locked",
        "audited",
    )
}

async fn member_links_from_the_account_page(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register(&h.app, "Huang2026", "huang@example.tw").await;
    let mut b = Browser::default();
    b.get(&h.app, "/login").await;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    b.post(
        &h.app,
        "/login",
        &[
            ("_csrf", &csrf),
            ("username", "Huang2026"),
            ("password", PASSWORD),
        ],
    )
    .await;
    let page = b.get(&h.app, "/account/external").await;
    let href = format!("/upstream/fake/link?_csrf={csrf}");
    ensure(
        page.text.contains(&href.replace('&', "&amp;"))
            && page.text.contains("連結 測試 Google 帳號"),
        page.text.clone(),
    )?;
    // Without the page's token, no link can be started (a foreign page could not know it).
    let r = b.get(&h.app, "/upstream/fake/link?_csrf=guess").await;
    ensure(
        r.status == StatusCode::FORBIDDEN,
        format!("no token: {}", r.status),
    )?;
    let authorize = start(&h, &mut b, &href).await?;
    let code = h.fake.authorize(&authorize, "g-4004");
    let r = b.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        location(&r) == "/account/external",
        format!("linked: {} {}", r.status, r.text),
    )?;
    let links = b.get(&h.app, "/api/v1/me/external-identities").await;
    ensure(
        links.body.as_array().is_some_and(|a| a.len() == 1),
        links.text.clone(),
    )?;
    ensure(
        last_outcome(&h.state.store, "upstream_linked").await == "ok",
        "audited",
    )?;
    // Signed out between start and callback: nothing is linked.
    let authorize = start(&h, &mut b, &href).await?;
    b.post(&h.app, "/logout", &[("_csrf", &csrf)]).await;
    let code = h.fake.authorize(&authorize, "g-4005");
    let r = b.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        r.status == StatusCode::UNAUTHORIZED,
        format!("after sign-out: {} {}", r.status, r.text),
    )?;
    ensure(
        last_outcome(&h.state.store, "upstream_refused").await == "link_session_changed",
        "audited",
    )?;
    let a = h
        .state
        .store
        .account_by_username("Huang2026")
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
        links.len() == 1 && links[0].subject == "g-4004",
        format!("{links:?}"),
    )
}
