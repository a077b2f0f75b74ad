//! The OpenID Connect `organization` claim, on SQLite and PostgreSQL: a
//! member who is also signed in as a handler (citizen card, `tessera_org_handler`) in the same
//! browser gets the organization and the granted permissions in the claim; without a handler
//! session the claim is absent; a handler session of another person in the browser never
//! lends its organization (negative). Cards are signed by the `openssl` CLI.

mod common;
#[path = "cert/helpers.rs"]
mod helpers;
mod oidc;
#[path = "orgs/steps.rs"]
mod steps;
#[path = "orgs/support.rs"]
mod support;

use axum::http::StatusCode;
use helpers::{Browser, CHEN, CertHarness, R, WANG, ensure, national_id};
use oidc::helpers as op;
use serde_json::{Value, json};
use steps::{add_handler, handler_login, with_manager};
use support::{NDC, card, org_harness};
use tessera_app::flows::oidc::clients::Registered;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(organization_claim_needs_the_same_person_as_handler);

/// Runs the code flow for `scope` with `cookie`; answers the userinfo document.
async fn claims(
    h: &CertHarness,
    rp: &Registered,
    cookie: &str,
    scope: &str,
) -> Result<Value, String> {
    let v = op::verifier();
    let uri = op::authorize_uri(&rp.client.id, &op::challenge(&v), &[("scope", scope)]);
    let loc = op::authorize(&h.app, cookie, &uri).await?;
    let code = op::query_of(&loc)
        .get("code")
        .cloned()
        .ok_or(format!("no code in {loc}"))?;
    let t = op::exchange(&h.app, rp, &code, &v).await;
    ensure(t.status == 200, format!("token: {}", t.text))?;
    let access = t.body["access_token"].as_str().unwrap_or("");
    let u = op::userinfo(&h.app, access).await;
    ensure(u.status == 200, format!("userinfo: {}", u.text))?;
    Ok(u.body)
}

/// The handler cookie (`name=value`) of a browser signed in as a handler.
fn handler_cookie(b: &Browser) -> Result<String, String> {
    b.cookies
        .get("tessera_org_handler")
        .map(|v| format!("tessera_org_handler={v}"))
        .ok_or_else(|| "no handler cookie".to_owned())
}

async fn organization_claim_needs_the_same_person_as_handler(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut manager = with_manager(&h).await?;
    let r = add_handler(
        &h,
        &mut manager,
        NDC,
        CHEN,
        &["premium.send", "tessera.receipts"],
    )
    .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let mut counter = Browser::default();
    let r = handler_login(&h, &mut counter, &card(CHEN), &national_id(CHEN)).await;
    ensure(
        r.status == StatusCode::OK && r.body["acting"] == json!(NDC),
        format!("handler sign-in: {}", r.text),
    )?;
    let handler = handler_cookie(&counter)?;
    let rp = op::add_client(&h.state, op::client_input("公保 e 系統")).await;
    let chen = op::account(&h.state, "chen0001", Some(&national_id(CHEN))).await;
    let member = op::session(&h.state, &chen, Loa::Certificate).await;

    // The same person, signed in as member and as handler in one browser: the claim.
    let both = format!("{member}; {handler}");
    let c = claims(&h, &rp, &both, "openid organization").await?;
    let o = &c["organization"];
    ensure(
        o["code"] == json!(NDC) && o["oid"] == json!("2.16.886.101.20003.20065"),
        format!("organization claim: {c}"),
    )?;
    let mut perms: Vec<&str> = o["permissions"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    perms.sort_unstable();
    ensure(
        perms == ["premium.send", "tessera.receipts"],
        format!("granted permissions: {c}"),
    )?;
    // Without the scope the claim is not released even with the handler session.
    let c = claims(&h, &rp, &both, "openid profile").await?;
    ensure(c.get("organization").is_none(), format!("no scope: {c}"))?;

    // No handler session: no claim.
    let c = claims(&h, &rp, &member, "openid organization").await?;
    ensure(
        c.get("organization").is_none(),
        format!("no handler session: {c}"),
    )?;

    // Another member in a browser where 陳 is signed in as handler: no claim for them.
    let wang = op::account(&h.state, "wang0001", Some(&national_id(WANG))).await;
    let other = op::session(&h.state, &wang, Loa::Certificate).await;
    let c = claims(
        &h,
        &rp,
        &format!("{other}; {handler}"),
        "openid organization",
    )
    .await?;
    ensure(
        c.get("organization").is_none(),
        format!("another person's handler session: {c}"),
    )?;
    // A member without a national ID (password-only account) gets none either.
    let plain = op::account(&h.state, "plain001", None).await;
    let plain = op::session(&h.state, &plain, Loa::Password).await;
    let c = claims(
        &h,
        &rp,
        &format!("{plain}; {handler}"),
        "openid organization",
    )
    .await?;
    ensure(
        c.get("organization").is_none(),
        format!("member without a national ID: {c}"),
    )
}
