//! 授權指派 (五): an assignment session needs the organization's card and its manager's card (one
//! missing or a wrong one → no session); handlers are added (typed serial or the card's
//! certificate), modified and deleted with the seed's messages; the list pages by 10/25/50,
//! searches by name or ID and counts 「顯示第 X 至 Y 項結果，共 N 項」; the authorized list
//! exports to CSV without formula injection.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(
    assignment_needs_both_certificates,
    handlers_are_added_modified_deleted_and_paged,
);

const LIST: &str = "/api/v1/orgs/A0001/handlers";

async fn assignment_needs_both_certificates(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    let r = register(&h, &mut b, NDC, &card(NDC_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let r = b.call(&h.app, Method::GET, LIST, None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")?;
    // Another organization's card, then the right card but a wrong manager.
    let r = assign(
        &h,
        &mut b,
        NDC,
        &card(ACME_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_not_current")?;
    let flow = start(&h, &mut b, "assign").await;
    let r = org_step(&h, &mut b, &flow, NDC, "org-assign", &card(NDC_CARD)).await;
    ensure(
        r.body["step"] == json!("manager_certificate"),
        r.text.clone(),
    )?;
    // Only the organization card so far: no session.
    let r = b.call(&h.app, Method::GET, LIST, None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")?;
    let r = manager_step(&h, &mut b, &flow, &card(CHEN), &national_id(CHEN)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_manager_mismatch")?;
    let r = manager_step(&h, &mut b, &flow, &card(WANG), &national_id(WANG)).await;
    ensure(
        r.status == StatusCode::OK,
        format!("assignment: {}", r.text),
    )?;
    ensure(
        r.body["assignment"]["agency_code"] == json!(NDC),
        r.text.clone(),
    )?;
    ensure(
        r.body["assignment"]["manager_name"] == json!("王小明"),
        r.text.clone(),
    )?;
    let r = b.call(&h.app, Method::GET, LIST, None).await;
    ensure(
        r.status == StatusCode::OK && r.body["summary"] == json!("顯示第 0 至 0 項結果，共 0 項"),
        r.text.clone(),
    )?;
    // The flow is spent; the session is scoped to this organization.
    let r = manager_step(&h, &mut b, &flow, &card(WANG), &national_id(WANG)).await;
    refused(&r, StatusCode::NOT_FOUND, "org_flow_invalid")?;
    let r = b
        .call(&h.app, Method::GET, "/api/v1/orgs/C0003/handlers", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    // 退出.
    let r = b
        .call(&h.app, Method::DELETE, "/api/v1/org-assignment", None)
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = b.call(&h.app, Method::GET, LIST, None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")
}

async fn handlers_are_added_modified_deleted_and_paged(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    register(&h, &mut b, NDC, &card(NDC_CARD), WANG).await;
    let r = assign(
        &h,
        &mut b,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // Field rules: checksum, serial, at least one known function.
    let bad = json!({ "cert_serial": "zz", "name": "陳美麗", "national_id": "A123456788", "permissions": [] });
    let r = b.call(&h.app, Method::POST, LIST, Some(bad)).await;
    let fields = r.field_codes();
    for want in [
        ("cert_serial", "cert_serial_invalid"),
        ("national_id", "national_id_checksum"),
        ("permissions", "permissions_required"),
    ] {
        ensure(
            fields.contains(&(want.0.into(), want.1.into())),
            format!("{want:?} in {fields:?}"),
        )?;
    }
    let r = add_handler(&h, &mut b, NDC, CHEN, &["premium.send", "no.such.function"]).await;
    ensure(
        r.field_codes() == [("permissions".to_string(), "permission_unknown".to_string())],
        r.text.clone(),
    )?;
    // A group grants all its functions; the answer says 新增成功！
    let r = add_handler(&h, &mut b, NDC, CHEN, &["premium", "tessera.receipts"]).await;
    ensure(
        r.status == StatusCode::CREATED && r.body["notice"]["message"] == json!("新增成功！"),
        r.text.clone(),
    )?;
    ensure(
        r.body["handler"]["permissions"].as_array().map(Vec::len) == Some(8),
        r.text.clone(),
    )?;
    let chen_id = r.body["handler"]["id"].as_i64().unwrap_or(0);
    let r = add_handler(&h, &mut b, NDC, CHEN, &["premium.send"]).await;
    refused(&r, StatusCode::CONFLICT, "org_handler_exists")?;
    // 讀取憑證: the serial and name come from the card's certificate.
    let pem = std::fs::read_to_string(card(LI).cert).map_err(|e| e.to_string())?;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/orgs/A0001/card-info",
            Some(json!({ "cert": pem })),
        )
        .await;
    ensure(r.body["name"] == json!("李大同"), r.text.clone())?;
    let li_serial = r.body["serial"].clone();
    let body = json!({ "cert": pem, "name": "李大同", "national_id": national_id(LI), "permissions": ["benefit_trial"] });
    let r = b.call(&h.app, Method::POST, LIST, Some(body)).await;
    ensure(
        r.status == StatusCode::CREATED && r.body["handler"]["cert_serial"] == li_serial,
        r.text.clone(),
    )?;
    // Any number of handlers: 21 more, then pages of 10 / 25 and the search.
    for n in 0..21u32 {
        let name = if n.is_multiple_of(3) {
            format!("林經辦{n}")
        } else {
            format!("張經辦{n}")
        };
        let body = json!({ "cert_serial": format!("{:x}", 0xabc000 + n), "name": name, "national_id": synthetic_id(n), "permissions": ["general_query.insured"] });
        let r = b.call(&h.app, Method::POST, LIST, Some(body)).await;
        ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    }
    let r = b
        .call(
            &h.app,
            Method::GET,
            &format!("{LIST}?page=3&per_page=10"),
            None,
        )
        .await;
    ensure(
        r.body["summary"] == json!("顯示第 21 至 23 項結果，共 23 項"),
        r.text.clone(),
    )?;
    ensure(
        r.body["items"][0]["seq"] == json!(21)
            && r.body["items"].as_array().map(Vec::len) == Some(3),
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::GET, &format!("{LIST}?per_page=25"), None)
        .await;
    ensure(
        r.body["items"].as_array().map(Vec::len) == Some(23) && r.body["to"] == json!(23),
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::GET, &format!("{LIST}?per_page=20"), None)
        .await;
    ensure(
        r.field_codes() == [("per_page".to_string(), "per_page_invalid".to_string())],
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::GET, &format!("{LIST}?q=%E6%9E%97"), None)
        .await;
    ensure(
        r.body["total"] == json!(7) && r.body["summary"] == json!("顯示第 1 至 7 項結果，共 7 項"),
        r.text.clone(),
    )?;
    let id_part = &national_id(CHEN)[..6];
    let r = b
        .call(
            &h.app,
            Method::GET,
            &format!("{LIST}?q={}", id_part.to_lowercase()),
            None,
        )
        .await;
    ensure(
        r.body["total"] == json!(1) && r.body["items"][0]["name"] == json!("陳美麗"),
        r.text.clone(),
    )?;
    // Modify (修改成功！) and delete (刪除成功！).
    let body = json!({ "cert_serial": "0A:BC:DE", "name": "陳美麗", "national_id": national_id(CHEN), "permissions": ["premium.send"] });
    let r = b
        .call(
            &h.app,
            Method::PUT,
            &format!("{LIST}/{chen_id}"),
            Some(body),
        )
        .await;
    ensure(
        r.body["notice"]["message"] == json!("修改成功！")
            && r.body["handler"]["cert_serial"] == json!("abcde"),
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::DELETE, &format!("{LIST}/{chen_id}"), None)
        .await;
    ensure(
        r.body["notice"]["message"] == json!("刪除成功！"),
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::DELETE, &format!("{LIST}/{chen_id}"), None)
        .await;
    refused(&r, StatusCode::NOT_FOUND, "not_found")?;
    let r = b
        .call(&h.app, Method::GET, &format!("{LIST}/not-a-number"), None)
        .await;
    refused(&r, StatusCode::NOT_FOUND, "not_found")?;
    // The authorized list and its CSV (a formula-looking name is neutralised).
    let body = json!({ "cert_serial": "1", "name": "=HYPERLINK(\"x\")", "national_id": synthetic_id(99), "permissions": ["premium.print"] });
    b.call(&h.app, Method::POST, LIST, Some(body)).await;
    let r = b
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/authorized", None)
        .await;
    ensure(
        r.body["handlers"].as_array().map(Vec::len) == Some(23),
        r.text.clone(),
    )?;
    ensure(
        r.body["handlers"][0]["permissions"][0]["name"] == json!("給付試算"),
        r.text.clone(),
    )?;
    let r = b
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/A0001/authorized?format=csv",
            None,
        )
        .await;
    ensure(
        r.headers.get("content-type").and_then(|v| v.to_str().ok())
            == Some("text/csv; charset=utf-8"),
        "csv type",
    )?;
    ensure(
        r.text.starts_with("\u{feff}序號,機關代號,機關名稱,姓名"),
        r.text.clone(),
    )?;
    ensure(
        r.text.contains("'=HYPERLINK") && r.text.contains("李大同"),
        r.text.clone(),
    )?;
    ensure(
        r.text.lines().count() == 24,
        format!("header + 23 rows: {}", r.text),
    )?;
    let kinds = audit_kinds(&h).await;
    for k in [
        "org_assignment_opened",
        "org_handler_added",
        "org_handler_updated",
        "org_handler_deleted",
        "org_queried",
    ] {
        ensure(
            kinds.iter().any(|(kind, _)| kind == k),
            format!("audit {k}"),
        )?;
    }
    Ok(())
}
