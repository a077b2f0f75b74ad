//! 更換憑證 (六): the organization certificate (圖3-27), the manager's (圖3-32, a different
//! person may become manager) and both (圖3-37); old serials kept as history, receipt records
//! with ROC times, open assignment sessions ended, the old certificates no longer accepted.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::Resp;
use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(
    organization_certificate_is_replaced,
    manager_is_replaced_by_another_person,
    both_certificates_are_replaced,
);

/// Runs a replacement flow of `kind` to its details; returns the details answer.
async fn replace(
    h: &CertHarness,
    b: &mut Browser,
    kind: &str,
    org: &Card,
    manager: &Card,
    manager_id: &str,
) -> Resp {
    let flow = start(h, b, kind).await;
    let r = agree(h, b, &flow).await;
    assert_eq!(
        r.body["challenge_purpose"],
        json!("org-replace"),
        "{}",
        r.text
    );
    let r = org_step(h, b, &flow, NDC, "org-replace", org).await;
    if r.body["step"] != json!("manager_certificate") {
        return r;
    }
    let r = manager_step(h, b, &flow, manager, manager_id).await;
    if r.body["flow"]["step"] != json!("details") {
        return r;
    }
    let mut body = details_body("王小明", None);
    body["email"] = json!("new-manager@example.gov.tw");
    details(h, b, &flow, body).await
}

async fn registered(h: &CertHarness) -> Result<Browser, String> {
    let mut b = Browser::default();
    let r = register(h, &mut b, NDC, &card(NDC_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    Ok(b)
}

async fn organization_certificate_is_replaced(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = registered(&h).await?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let new_org = renewed(NDC_CARD, "gca-test", "0a9e1c01", work.path());
    // The manager must be the registered one.
    let r = replace(
        &h,
        &mut b,
        "replace_org",
        &new_org,
        &card(CHEN),
        &national_id(CHEN),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_manager_mismatch")?;
    let r = replace(
        &h,
        &mut b,
        "replace_org",
        &new_org,
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("replace org: {}", r.text),
    )?;
    ensure(
        r.body["notice"]["message"] == json!("更換機關憑證成功！"),
        r.text.clone(),
    )?;
    ensure(
        r.body["organization"]["serial"] == json!("0a9e1c01"),
        r.text.clone(),
    )?;
    // Only the new organization card opens an assignment now.
    let mut a = Browser::default();
    let r = assign(
        &h,
        &mut a,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_not_current")?;
    let r = assign(&h, &mut a, NDC, &new_org, &card(WANG), &national_id(WANG)).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let history = h
        .state
        .store
        .org_cert_history(NDC)
        .await
        .map_err(|e| e.to_string())?;
    let old_serial = pki()
        .1
        .entity(NDC_CARD)
        .map(|e| e.serial.clone())
        .unwrap_or_default();
    ensure(
        history.iter().any(|c| {
            c.role == "organization"
                && c.cert.serial == old_serial
                && c.unbound_reason.as_deref() == Some("replaced")
        }),
        format!("old serial kept: {history:?}"),
    )?;
    let r = a
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/receipts", None)
        .await;
    let items: Vec<&str> = r
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["item_label"].as_str())
        .collect();
    ensure(items == ["首次註冊", "更換機關憑證"], r.text.clone())?;
    ensure(
        r.body[1]["seq"] == json!(2) && r.body[1]["org_name"] == json!("國家發展委員會"),
        r.text.clone(),
    )?;
    ensure(
        audit_kinds(&h)
            .await
            .iter()
            .any(|(k, _)| k == "org_cert_replaced"),
        "audited",
    )
}

async fn manager_is_replaced_by_another_person(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = registered(&h).await?;
    let mut old_manager = Browser::default();
    let r = assign(
        &h,
        &mut old_manager,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // The organization card must be the current one.
    let r = replace(
        &h,
        &mut b,
        "replace_manager",
        &card(ACME_CARD),
        &card(CHEN),
        &national_id(CHEN),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_not_current")?;
    let r = replace(
        &h,
        &mut b,
        "replace_manager",
        &card(NDC_CARD),
        &card(CHEN),
        &national_id(CHEN),
    )
    .await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("replace manager: {}", r.text),
    )?;
    ensure(
        r.body["notice"]["code"] == json!("org_replaced_manager"),
        r.text.clone(),
    )?;
    ensure(
        r.body["manager"]["national_id"] == json!(national_id(CHEN)),
        r.text.clone(),
    )?;
    // The old manager's open session ended; the old manager can no longer open one.
    let r = old_manager
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/handlers", None)
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")?;
    let r = assign(
        &h,
        &mut old_manager,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_manager_mismatch")?;
    let mut new_manager = Browser::default();
    let r = assign(
        &h,
        &mut new_manager,
        NDC,
        &card(NDC_CARD),
        &card(CHEN),
        &national_id(CHEN),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let manager = h
        .state
        .store
        .org_manager(NDC)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("manager")?;
    ensure(
        manager.email == "new-manager@example.gov.tw",
        format!("{manager:?}"),
    )?;
    let replaced = audit_kinds(&h)
        .await
        .iter()
        .any(|(k, o)| k == "org_manager_replaced" && o == "ok");
    ensure(replaced, "audited")
}

async fn both_certificates_are_replaced(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = registered(&h).await?;
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let new_org = renewed(NDC_CARD, "gca-test", "0b0d1e02", work.path());
    let r = replace(
        &h,
        &mut b,
        "replace_both",
        &new_org,
        &card(LI),
        &national_id(LI),
    )
    .await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("replace both: {}", r.text),
    )?;
    ensure(
        r.body["notice"]["message"]
            == json!(
                "貴機關已完成機關憑證及授權管理者自然人憑證更換，如需進行授權指派作業，請按下方「授權指派作業」。"
            ),
        r.text.clone(),
    )?;
    ensure(
        r.body["receipt"]["item_label"] == json!("更換機關憑證與授權管理者自然人憑證"),
        r.text.clone(),
    )?;
    let history = h
        .state
        .store
        .org_cert_history(NDC)
        .await
        .map_err(|e| e.to_string())?;
    let live: Vec<_> = history
        .iter()
        .filter(|c| c.unbound_at.is_none())
        .map(|c| c.cert.serial.clone())
        .collect();
    ensure(
        history.len() == 4 && live.len() == 2 && live.contains(&"0b0d1e02".to_string()),
        format!("{history:?}"),
    )?;
    // A replacement needs a registered organization.
    let mut c = Browser::default();
    let flow = start(&h, &mut c, "replace_both").await;
    agree(&h, &mut c, &flow).await;
    let r = org_step(&h, &mut c, &flow, ACME, "org-replace", &card(ACME_CARD)).await;
    refused(&r, StatusCode::CONFLICT, "org_not_registered")
}
