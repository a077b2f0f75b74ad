//! First registration (四): terms with the page download time, the organization card matching
//! the registry (GCA by OID, MOEACA by business ID, HCA by institution code), the manager's
//! citizen card, the summary of both certificates, the details → success, the receipt record
//! and the organization's own password account (000 機關端). Steps out of order, another
//! browser, a wrong card kind or ID, and a second registration are refused.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::{PASSWORD, mail_with};
use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(
    registers_with_a_matching_oid,
    business_and_medical_cards_match_their_identifiers,
    a_flow_continues_on_another_node,
);

fn roc_form(s: &str) -> bool {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    s.contains('年') && s.ends_with('秒') && digits.len() >= 13
}

async fn registers_with_a_matching_oid(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    let flow = start(&h, &mut b, "register").await;
    let r = b
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/org-flows/{flow}"),
            None,
        )
        .await;
    ensure(r.body["step"] == json!("terms"), r.text.clone())?;
    let downloaded = r.body["terms"]["page_downloaded_at_roc"]
        .as_str()
        .unwrap_or("");
    ensure(
        roc_form(downloaded),
        format!("網頁下載時間 in ROC form: {downloaded}"),
    )?;
    // Another browser does not see this flow; steps cannot be skipped.
    let mut other = Browser::default();
    let r = other
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/org-flows/{flow}"),
            None,
        )
        .await;
    refused(&r, StatusCode::NOT_FOUND, "org_flow_invalid")?;
    let r = org_step(&h, &mut b, &flow, NDC, "org-register", &card(NDC_CARD)).await;
    refused(&r, StatusCode::CONFLICT, "org_flow_step")?;
    let r = agree(&h, &mut b, &flow).await;
    ensure(
        r.body["challenge_purpose"] == json!("org-register"),
        r.text.clone(),
    )?;
    // A signature for another purpose is not accepted; nor is a citizen card.
    let r = org_step(&h, &mut b, &flow, NDC, "org-manager", &card(NDC_CARD)).await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_challenge_replayed")?;
    let r = org_step(&h, &mut b, &flow, NDC, "org-register", &card(WANG)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_kind_not_accepted")?;
    let r = org_step(&h, &mut b, &flow, "Z9999", "org-register", &card(NDC_CARD)).await;
    refused(&r, StatusCode::NOT_FOUND, "org_unknown_agency_code")?;
    let r = org_step(&h, &mut b, &flow, "a0001", "org-register", &card(NDC_CARD)).await;
    ensure(
        r.status == StatusCode::OK && r.body["step"] == json!("manager_certificate"),
        r.text.clone(),
    )?;
    ensure(
        r.body["organization"]["organization_oid"] == json!("2.16.886.101.20003.20065"),
        r.text.clone(),
    )?;
    ensure(
        r.body["organization"]["name"] == json!("國家發展委員會"),
        r.text.clone(),
    )?;
    // The manager's typed ID must end in the card's last four digits.
    let r = manager_step(&h, &mut b, &flow, &card(WANG), &national_id(CHEN)).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    let r = manager_step(&h, &mut b, &flow, &card(WANG), &national_id(WANG)).await;
    let f = &r.body["flow"];
    ensure(f["step"] == json!("details"), r.text.clone())?;
    // 圖3-9: both certificates on one screen.
    for field in [
        "agency_code",
        "name",
        "organization_oid",
        "serial",
        "subject",
        "not_before",
        "not_after",
        "card_kind",
        "card_kind_label",
    ] {
        ensure(
            !f["organization"][field].is_null(),
            format!("organization.{field}: {f}"),
        )?;
    }
    for field in [
        "national_id",
        "serial",
        "card_number",
        "subject",
        "not_before",
        "not_after",
    ] {
        ensure(
            !f["manager"][field].is_null(),
            format!("manager.{field}: {f}"),
        )?;
    }
    ensure(
        f["organization"]["card_kind_label"] == json!("機關憑證 (GCA)"),
        f.to_string(),
    )?;
    // The details: a bad phone and a missing password are refused field by field.
    let mut bad = details_body("王小明", None);
    bad["phone"] = json!("12345");
    let r = details(&h, &mut b, &flow, bad).await;
    let fields = r.field_codes();
    ensure(r.status == StatusCode::UNPROCESSABLE_ENTITY, r.text.clone())?;
    ensure(
        fields.contains(&("phone".into(), "landline_invalid".into())),
        format!("{fields:?}"),
    )?;
    ensure(
        fields
            .iter()
            .any(|(f, c)| f == "password" && c == "password_required"),
        format!("{fields:?}"),
    )?;
    let r = details(&h, &mut b, &flow, details_body("王小明", Some(PASSWORD))).await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("details: {}", r.text),
    )?;
    ensure(
        r.body["notice"]["code"] == json!("org_registered"),
        r.text.clone(),
    )?;
    ensure(
        r.body["notice"]["message"]
            .as_str()
            .unwrap_or("")
            .starts_with("首次註冊成功"),
        r.text.clone(),
    )?;
    ensure(
        r.body["receipt"]["item_label"] == json!("首次註冊"),
        r.text.clone(),
    )?;
    ensure(
        roc_form(r.body["receipt"]["received_at_roc"].as_str().unwrap_or("")),
        r.text.clone(),
    )?;
    ensure(r.body["account_username"] == json!(NDC), r.text.clone())?;
    // The flow is consumed: a double submit finds nothing.
    let r = details(&h, &mut b, &flow, details_body("王小明", Some(PASSWORD))).await;
    refused(&r, StatusCode::NOT_FOUND, "org_flow_invalid")?;
    // The organization's account: agency code + password, email verification sent.
    let r = password_login(&h, &mut b, NDC, PASSWORD).await;
    ensure(
        r.status == StatusCode::OK,
        format!("org account login: {}", r.text),
    )?;
    let m = me(&h, &mut b).await;
    ensure(
        m["kind"] == json!("organization") && m["email"] == json!("manager@example.gov.tw"),
        m.to_string(),
    )?;
    ensure(
        mail_with(h.dir.path(), &["/verify-email?token="])
            .await
            .is_some(),
        "verification mail",
    )?;
    // The manager's contact details were stored (phone canonical, extension apart).
    let manager = h
        .state
        .store
        .org_manager(NDC)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("manager")?;
    ensure(
        manager.phone == "0227013411" && manager.extension.as_deref() == Some("5312"),
        format!("{manager:?}"),
    )?;
    // A second first registration is refused.
    let mut c = Browser::default();
    let flow = start(&h, &mut c, "register").await;
    agree(&h, &mut c, &flow).await;
    let r = org_step(&h, &mut c, &flow, NDC, "org-register", &card(NDC_CARD)).await;
    refused(&r, StatusCode::CONFLICT, "org_already_registered")?;
    let kinds = audit_kinds(&h).await;
    for k in [
        "org_flow_started",
        "org_terms_answered",
        "org_card_checked",
        "org_manager_checked",
        "org_registered",
    ] {
        ensure(
            kinds.iter().any(|(kind, _)| kind == k),
            format!("audit {k}"),
        )?;
    }
    Ok(())
}

async fn business_and_medical_cards_match_their_identifiers(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    let r = register(&h, &mut b, ACME, &card(ACME_CARD), CHEN).await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("MOEACA: {}", r.text),
    )?;
    ensure(
        r.body["organization"]["business_id"] == json!("12345675"),
        r.text.clone(),
    )?;
    let r = register(&h, &mut b, HOSPITAL, &card(HOSPITAL_CARD), LI).await;
    ensure(r.status == StatusCode::CREATED, format!("HCA: {}", r.text))?;
    ensure(
        r.body["organization"]["institution_code"] == json!("0401180014"),
        r.text.clone(),
    )?;
    // An organization card registered for one code cannot register another.
    let flow = start(&h, &mut b, "register").await;
    agree(&h, &mut b, &flow).await;
    let r = org_step(&h, &mut b, &flow, NDC, "org-register", &card(ACME_CARD)).await;
    refused(&r, StatusCode::CONFLICT, "org_cert_bound_elsewhere")?;
    // Declining the terms ends the flow.
    let flow = start(&h, &mut b, "register").await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/terms"),
            Some(json!({ "agree": false })),
        )
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = b
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/org-flows/{flow}"),
            None,
        )
        .await;
    refused(&r, StatusCode::NOT_FOUND, "org_flow_invalid")?;
    // 取消: a flow can be cancelled, which is audited.
    let flow = start(&h, &mut b, "replace_org").await;
    let r = b
        .call(
            &h.app,
            Method::DELETE,
            &format!("/api/v1/org-flows/{flow}"),
            None,
        )
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    ensure(
        audit_kinds(&h)
            .await
            .iter()
            .any(|(k, _)| k == "org_flow_cancelled"),
        "cancel audited",
    )?;
    // A member cannot take an agency code in the registry as a username.
    let r = crate::common::register(&h.app, "B0002", "member@example.tw").await;
    refused(&r, StatusCode::CONFLICT, "username_unavailable")?;
    Ok(())
}

async fn a_flow_continues_on_another_node(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    // A second node on the same database.
    let mut node2 = h.state.clone();
    node2.store = h.db.connect().await.map_err(|e| e.to_string())?;
    let app2 = tessera_web::app(node2);
    let mut b = Browser::default();
    let flow = start(&h, &mut b, "register").await;
    let r = b
        .call(
            &app2,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/terms"),
            Some(json!({ "agree": true })),
        )
        .await;
    ensure(
        r.body["step"] == json!("org_certificate"),
        format!("terms on node 2: {}", r.text),
    )?;
    let r = org_step(&h, &mut b, &flow, ACME, "org-register", &card(ACME_CARD)).await;
    ensure(
        r.body["step"] == json!("manager_certificate"),
        r.text.clone(),
    )?;
    let c = card(CHEN);
    let (id, sig) = answer_with(&h, &mut b, "org-manager", &c.cert, &c.key).await;
    let body = json!({ "national_id": national_id(CHEN), "challenge_id": id, "signature": sig });
    let r = b
        .call(
            &app2,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/manager-certificate"),
            Some(body),
        )
        .await;
    ensure(
        r.body["flow"]["step"] == json!("details"),
        format!("manager on node 2: {}", r.text),
    )?;
    let r = details(&h, &mut b, &flow, details_body("陳美麗", Some(PASSWORD))).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())
}
