//! Handlers whose card was renewed (展期或換卡) are refused, saying why, until the manager updates
//! the serial — also in a session opened before the update; a handler of two organizations
//! chooses the one to act for and can act only there.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(
    renewed_handler_card_is_refused_until_updated,
    handler_of_two_organizations_chooses,
);

async fn renewed_handler_card_is_refused_until_updated(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut m = with_manager(&h).await?;
    let r = add_handler(&h, &mut m, NDC, CHEN, &["premium.send"]).await;
    let chen = r.body["handler"]["id"].as_i64().unwrap_or(0);
    let mut old = Browser::default();
    let r = handler_login(&h, &mut old, &card(CHEN), &national_id(CHEN)).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // 展期: a new serial. Refused, saying why, until the manager updates it.
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let renewed_card = renewed(CHEN, "moica-test", "c0ffee01", work.path());
    let mut b = Browser::default();
    let r = handler_login(&h, &mut b, &renewed_card, &national_id(CHEN)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_handler_cert_changed")?;
    ensure(
        r.body["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("展期或換卡"),
        r.text.clone(),
    )?;
    let body = json!({ "cert_serial": "C0FFEE01", "name": "陳美麗", "national_id": national_id(CHEN), "permissions": ["premium.send"] });
    let r = m
        .call(
            &h.app,
            Method::PUT,
            &format!("/api/v1/orgs/A0001/handlers/{chen}"),
            Some(body),
        )
        .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let r = handler_login(&h, &mut b, &renewed_card, &national_id(CHEN)).await;
    ensure(
        r.status == StatusCode::OK && r.body["acting"] == json!(NDC),
        r.text.clone(),
    )?;
    let r = b
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/A0001/functions/premium.send",
            None,
        )
        .await;
    ensure(r.status == StatusCode::SEE_OTHER, r.text.clone())?;
    // The old card's session, still open, is refused at its next request; the old card too.
    let r = old
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/workspace", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_handler_cert_changed")?;
    let r = handler_login(&h, &mut old, &card(CHEN), &national_id(CHEN)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_handler_cert_changed")
}

async fn handler_of_two_organizations_chooses(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut m = with_manager(&h).await?;
    add_handler(&h, &mut m, NDC, CHEN, &["premium.send"]).await;
    let mut m2 = Browser::default();
    register(&h, &mut m2, ACME, &card(ACME_CARD), LI).await;
    let r = assign(
        &h,
        &mut m2,
        ACME,
        &card(ACME_CARD),
        &card(LI),
        &national_id(LI),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    add_handler(&h, &mut m2, ACME, CHEN, &["benefit_claim.apply"]).await;
    let mut c = Browser::default();
    let r = handler_login(&h, &mut c, &card(CHEN), &national_id(CHEN)).await;
    ensure(
        r.body["acting"].is_null() && r.body["organizations"].as_array().map(Vec::len) == Some(2),
        r.text.clone(),
    )?;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/workspace", None)
        .await;
    refused(&r, StatusCode::CONFLICT, "org_select_required")?;
    let choose = |code: &str| json!({ "agency_code": code });
    let r = c
        .call(
            &h.app,
            Method::PUT,
            "/api/v1/org-handler/session",
            Some(choose("B0002")),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    let r = c
        .call(
            &h.app,
            Method::PUT,
            "/api/v1/org-handler/session",
            Some(choose("a0001")),
        )
        .await;
    ensure(r.body["acting"] == json!(NDC), r.text.clone())?;
    let r = c
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/A0001/functions/premium.send",
            None,
        )
        .await;
    ensure(r.status == StatusCode::SEE_OTHER, r.text.clone())?;
    let r = c
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/C0003/functions/benefit_claim.apply",
            None,
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    c.call(
        &h.app,
        Method::PUT,
        "/api/v1/org-handler/session",
        Some(choose(ACME)),
    )
    .await;
    let r = c
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/C0003/functions/benefit_claim.apply",
            None,
        )
        .await;
    ensure(r.status == StatusCode::SEE_OTHER, r.text.clone())?;
    let r = c
        .call(&h.app, Method::DELETE, "/api/v1/org-handler/session", None)
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/org-handler/session", None)
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")
}
