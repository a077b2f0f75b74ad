//! External-account links seen from the account, on SQLite and PostgreSQL: a locked account
//! cannot sign in with its link (004 二 Q6 rules do not bypass the lockout); a signed-in
//! member links an identity from 管理外部帳號 (004 二 Q7) — only with the page's token, and
//! only while still signed in as the member who started it. A flow started on one node is
//! answered and bound on others.

mod common;
#[path = "upstream/fake.rs"]
mod fake;
#[path = "upstream/helpers.rs"]
mod helpers;

use axum::http::StatusCode;
use common::*;
use helpers::*;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    locked_account_cannot_use_its_link,
    member_links_from_the_account_page,
    nodes_share_the_flow,
);

/// Started on one node, answered on another, bound on the first: the request, the waiting
/// identity and the link live in the shared database.
async fn nodes_share_the_flow(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register_verified(&h.app, h.dir.path(), "Node2026", "node@example.tw").await;
    let other = h.db.connect().await.map_err(|e| e.to_string())?;
    let checked = fake_config(&h.fake).check(BASE, |_| None)?;
    let upstream = tessera_app::flows::upstream::Upstreams::new(vec![checked])?;
    let node_b =
        tessera_web::app(state_on(other, h.dir.path(), test_settings()).with_upstream(upstream));
    let mut b = Browser::default();
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "n-1");
    let r = b.get(&node_b, &callback_url(&authorize, &code, "")).await;
    ensure(
        location(&r) == "/upstream/bind",
        format!("callback on node b: {} {}", r.status, r.text),
    )?;
    let csrf = b.cookies.get("tessera_csrf").cloned().unwrap_or_default();
    let r = b
        .post(
            &h.app,
            "/upstream/bind",
            &[
                ("_csrf", &csrf),
                ("username", "Node2026"),
                ("password", PASSWORD),
            ],
        )
        .await;
    ensure(
        location(&r) == "/account",
        format!("bind on node a: {} {}", r.status, r.text),
    )?;
    // Replaying the answer on the first node fails: the request was taken on the second.
    let r = b.get(&h.app, &callback_url(&authorize, &code, "")).await;
    ensure(
        r.status == StatusCode::BAD_REQUEST,
        format!("replay on node a: {}", r.status),
    )?;
    let links = b.get(&node_b, "/api/v1/me/external-identities").await;
    ensure(
        links.body.as_array().is_some_and(|a| a.len() == 1),
        links.text,
    )
}

async fn locked_account_cannot_use_its_link(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    register_verified(&h.app, h.dir.path(), "Chen2026", "chen@example.tw").await;
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
    register_verified(&h.app, h.dir.path(), "Huang2026", "huang@example.tw").await;
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
