//! 查詢作業 (七) card lookups: the organization certificate's name and OID with the registry
//! comparison (圖3-41), and the citizen certificate's serial (圖3-43) for the typed ID only;
//! and the limit on starting flows, which every organization procedure begins with.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::support::*;

tessera_store::both_backends!(
    card_lookups_read_the_signing_card,
    starting_flows_is_rate_limited,
);

async fn card_lookups_read_the_signing_card(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    // 查詢機關憑證OID (圖3-41): the card's name and OID, and whether the registry agrees.
    let lookup = |code: &str, id: String, sig: String| json!({ "agency_code": code, "challenge_id": id, "signature": sig });
    let (id, sig) = card_answer(&h.app, &mut b, "org-lookup", SCHOOL_CARD).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-lookups/organization-certificate",
            Some(lookup(SCHOOL, id, sig)),
        )
        .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    ensure(
        r.body["name"] == json!("臺北市立建國高級中學")
            && r.body["organization_oid"] == json!("2.16.886.101.90028.20002"),
        r.text.clone(),
    )?;
    ensure(r.body["matches_registry"] == json!(false), r.text.clone())?;
    let (id, sig) = card_answer(&h.app, &mut b, "org-lookup", NDC_CARD).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-lookups/organization-certificate",
            Some(lookup(NDC, id, sig)),
        )
        .await;
    ensure(r.body["matches_registry"] == json!(true), r.text.clone())?;
    let (id, sig) = card_answer(&h.app, &mut b, "org-lookup", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-lookups/organization-certificate",
            Some(lookup(NDC, id, sig)),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_kind_not_accepted")?;
    // 查詢自然人憑證序號 (圖3-43): the typed ID must match the card.
    let citizen = |nid: String, id: String, sig: String| json!({ "national_id": nid, "challenge_id": id, "signature": sig });
    let (id, sig) = card_answer(&h.app, &mut b, "cert-lookup", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-lookups/citizen-certificate",
            Some(citizen(national_id(WANG), id, sig)),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    let (id, sig) = card_answer(&h.app, &mut b, "cert-lookup", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-lookups/citizen-certificate",
            Some(citizen(national_id(CHEN), id, sig)),
        )
        .await;
    let serial = pki()
        .1
        .entity(CHEN)
        .map(|e| e.serial.clone())
        .unwrap_or_default();
    ensure(
        r.body["name"] == json!("陳美麗")
            && r.body["serial"]
                .as_str()
                .is_some_and(|s| s.ends_with(serial.trim_start_matches('0'))),
        r.text.clone(),
    )?;
    ensure(
        r.body["card_number"] == json!("TP03000000000002"),
        r.text.clone(),
    )?;
    Ok(())
}

/// Each flow start stores a row for an anonymous browser: 20 a minute per browser
/// (`[limits]`), then 429 `org_flow_rate_limited`, audited; another browser is not held back.
async fn starting_flows_is_rate_limited(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    let start = json!({ "kind": "register" });
    for _ in 0..h.state.settings.flow_starts_per_browser {
        let r = b
            .call(
                &h.app,
                Method::POST,
                "/api/v1/org-flows",
                Some(start.clone()),
            )
            .await;
        ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    }
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-flows",
            Some(start.clone()),
        )
        .await;
    refused(&r, StatusCode::TOO_MANY_REQUESTS, "org_flow_rate_limited")?;
    let kinds = audit_kinds(&h).await;
    ensure(
        kinds.contains(&("org_flow_started".to_owned(), "rate_limited".to_owned())),
        format!("{kinds:?}"),
    )?;
    let mut other = Browser::default();
    let r = other
        .call(&h.app, Method::POST, "/api/v1/org-flows", Some(start))
        .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())
}
