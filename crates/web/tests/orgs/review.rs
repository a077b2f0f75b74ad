//! Cards that do not match the registry (圖3-6, 3-7): contact details → a review case; the same
//! 「申請資料審核中」 answer at every attempt until a reviewer approves; then the registration
//! goes through. A rejection mails the reason. With `next_business_day` an approval waits.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_app::flows::orgs::ApprovalWait;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::{PASSWORD, mail_with, test_settings};
use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(
    mismatch_is_reviewed_then_registers,
    rejection_mails_the_reason,
    approval_can_wait_for_the_next_business_day,
);

/// Runs the school's card into review in a fresh flow; returns the browser and the case id.
async fn file_case(h: &CertHarness) -> Result<(Browser, String), String> {
    let mut b = Browser::default();
    let flow = start(h, &mut b, "register").await;
    agree(h, &mut b, &flow).await;
    let r = org_step(h, &mut b, &flow, SCHOOL, "org-register", &card(SCHOOL_CARD)).await;
    ensure(
        r.status == StatusCode::OK && r.body["step"] == json!("contact"),
        r.text.clone(),
    )?;
    ensure(
        r.body["notice"]["message"]
            == json!("貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料。"),
        r.text.clone(),
    )?;
    let contact = |name: &str, phone: &str| json!({ "name": name, "phone": phone, "email": "applicant@example.tw" });
    let r = b
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/contact"),
            Some(contact("", "02")),
        )
        .await;
    ensure(
        r.status == StatusCode::UNPROCESSABLE_ENTITY && r.field_codes().len() == 2,
        r.text.clone(),
    )?;
    let r = b
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/contact"),
            Some(contact("林申請", "(02)2192-7111")),
        )
        .await;
    ensure(
        r.status == StatusCode::ACCEPTED,
        format!("contact: {}", r.text),
    )?;
    ensure(
        r.body["notice"]["code"] == json!("org_review_pending"),
        r.text.clone(),
    )?;
    // The applicant gets the case's reference and where the decision goes.
    ensure(
        r.body["review"]["case_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
            && r.body["review"]["email"] == json!("applicant@example.tw")
            && r.body["review"]["filed_at"].is_string(),
        format!("review reference: {}", r.text),
    )?;
    // Every attempt now answers the same, in this flow or a new one.
    let r = org_step(h, &mut b, &flow, SCHOOL, "org-register", &card(SCHOOL_CARD)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_review_pending")?;
    let again = start(h, &mut b, "register").await;
    agree(h, &mut b, &again).await;
    let r = org_step(
        h,
        &mut b,
        &again,
        SCHOOL,
        "org-register",
        &card(SCHOOL_CARD),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_review_pending")?;
    let cases = h
        .state
        .store
        .review_cases(Some("pending"), 0, 10)
        .await
        .map_err(|e| e.to_string())?
        .0;
    ensure(cases.len() == 1, format!("one case: {cases:?}"))?;
    Ok((b, cases[0].id.clone()))
}

async fn mismatch_is_reviewed_then_registers(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let (mut b, case) = file_case(&h).await?;
    let mut reviewer = staff(&h, "rev01", &["reviewer"]).await;
    let r = reviewer
        .call(&h.app, Method::GET, "/api/v1/backoffice/reviews", None)
        .await;
    ensure(r.body["total"] == json!(1), r.text.clone())?;
    let item = &r.body["items"][0];
    ensure(
        item["card_oid"] == json!("2.16.886.101.90028.20002")
            && item["applicant_phone"] == json!("0221927111"),
        r.text.clone(),
    )?;
    let r = reviewer
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/backoffice/reviews/{case}"),
            None,
        )
        .await;
    ensure(
        r.body["registry"]["organization_oid"] == json!("2.16.886.101.99999.1"),
        r.text.clone(),
    )?;
    let r = reviewer
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/backoffice/reviews/{case}/approve"),
            None,
        )
        .await;
    ensure(
        r.status == StatusCode::OK && r.body["status"] == json!("approved"),
        r.text.clone(),
    )?;
    ensure(
        mail_with(h.dir.path(), &["林申請", "審核通過"])
            .await
            .is_some(),
        "approval mail",
    )?;
    // Approved: the same card now registers.
    let flow = start(&h, &mut b, "register").await;
    agree(&h, &mut b, &flow).await;
    let r = org_step(
        &h,
        &mut b,
        &flow,
        SCHOOL,
        "org-register",
        &card(SCHOOL_CARD),
    )
    .await;
    ensure(
        r.body["step"] == json!("manager_certificate"),
        format!("after approval: {}", r.text),
    )?;
    manager_step(&h, &mut b, &flow, &card(WANG), &national_id(WANG)).await;
    let r = details(&h, &mut b, &flow, details_body("王小明", Some(PASSWORD))).await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("registered: {}", r.text),
    )?;
    let kinds = audit_kinds(&h).await;
    for k in [
        "org_card_mismatch",
        "org_review_requested",
        "org_review_decided",
        "org_registered",
    ] {
        ensure(
            kinds.iter().any(|(kind, _)| kind == k),
            format!("audit {k}"),
        )?;
    }
    Ok(())
}

async fn rejection_mails_the_reason(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let (mut b, case) = file_case(&h).await?;
    let mut reviewer = staff(&h, "rev01", &["reviewer"]).await;
    let path = format!("/api/v1/backoffice/reviews/{case}/reject");
    let r = reviewer
        .call(&h.app, Method::POST, &path, Some(json!({ "reason": "  " })))
        .await;
    ensure(
        r.field_codes() == [("reason".to_string(), "review_reason_required".to_string())],
        r.text.clone(),
    )?;
    let reason = "機關憑證 OID 與本機關資料不符，請改用本機關之組織及團體憑證。";
    let r = reviewer
        .call(
            &h.app,
            Method::POST,
            &path,
            Some(json!({ "reason": reason })),
        )
        .await;
    ensure(
        r.status == StatusCode::OK && r.body["status"] == json!("rejected"),
        r.text.clone(),
    )?;
    ensure(
        mail_with(h.dir.path(), &["林申請", "審核未通過", reason])
            .await
            .is_some(),
        "mail with the reason",
    )?;
    // Decided once.
    let approve = format!("/api/v1/backoffice/reviews/{case}/approve");
    let r = reviewer.call(&h.app, Method::POST, &approve, None).await;
    refused(&r, StatusCode::CONFLICT, "review_already_decided")?;
    // Rejected: the card still does not register; it asks for a new review.
    let flow = start(&h, &mut b, "register").await;
    agree(&h, &mut b, &flow).await;
    let r = org_step(
        &h,
        &mut b,
        &flow,
        SCHOOL,
        "org-register",
        &card(SCHOOL_CARD),
    )
    .await;
    ensure(r.body["step"] == json!("contact"), r.text.clone())?;
    Ok(())
}

async fn approval_can_wait_for_the_next_business_day(store: Store, db: TestDatabase) -> R {
    let mut settings = test_settings();
    settings.orgs.approval_wait = ApprovalWait::NextBusinessDay;
    let h = org_harness_with(store, db, settings).await;
    let (mut b, case) = file_case(&h).await?;
    let mut reviewer = staff(&h, "rev01", &["reviewer"]).await;
    let r = reviewer
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/backoffice/reviews/{case}/approve"),
            None,
        )
        .await;
    ensure(
        r.body["effective_at"].as_str() > r.body["decided_at"].as_str(),
        r.text.clone(),
    )?;
    let flow = start(&h, &mut b, "register").await;
    agree(&h, &mut b, &flow).await;
    let r = org_step(
        &h,
        &mut b,
        &flow,
        SCHOOL,
        "org-register",
        &card(SCHOOL_CARD),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_review_pending")
}
