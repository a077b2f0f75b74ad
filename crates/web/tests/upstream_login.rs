//! 「使用 Google 登入」 through the pages and the API on SQLite and PostgreSQL, against an
//! in-process fake issuer: an unlinked identity is bound with a password and signed in, later
//! signs in by itself (the token endpoint saw the client secret and the PKCE verifier), is
//! listed and removed in 管理外部帳號 — after which it must be bound again; the `next` path
//! survives the round trip while a foreign one never does.

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
    starts_are_rate_limited,
);

async fn bind_sign_in_list_and_unlink(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register_verified(&h.app, h.dir.path(), "Wang2026", "wang@example.tw").await;
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
    register_verified(&h.app, h.dir.path(), "Lin2026", "lin@example.tw").await;
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

/// Every start stores a request; one browser may start 20 a minute (`[limits]`), then 429 and
/// an audit record, while another browser is not held back.
async fn starts_are_rate_limited(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    for _ in 0..h.state.settings.flow_starts_per_browser {
        start(&h, &mut b, "/upstream/fake/start").await?;
    }
    let r = b.get(&h.app, "/upstream/fake/start").await;
    ensure(
        r.status == StatusCode::TOO_MANY_REQUESTS && r.text.contains("外部帳號登入的次數過多"),
        format!("21st start: {} {}", r.status, r.text),
    )?;
    ensure(
        last_outcome(&h.state.store, "upstream_started").await == "rate_limited",
        "audited",
    )?;
    let mut other = Browser::default();
    start(&h, &mut other, "/upstream/fake/start").await?;
    Ok(())
}
