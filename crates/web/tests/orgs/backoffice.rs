//! The back office: staff sign in apart from members (own cookie, staff accounts only, same
//! lockout), roles are enforced both ways (a reviewer cannot edit the registry, an operator
//! cannot decide reviews), members, handlers and organization accounts never reach it, and
//! operators search, read and edit organizations.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::{PASSWORD, solve_captcha};
use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(staff_roles_are_enforced, operators_edit_the_registry);

const REVIEWS: &str = "/api/v1/backoffice/reviews";
const ORGS: &str = "/api/v1/backoffice/organizations";

async fn staff_roles_are_enforced(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut reviewer = staff(&h, "rev01", &["reviewer"]).await;
    let mut operator = staff(&h, "op001", &["operator"]).await;
    let r = reviewer
        .call(&h.app, Method::GET, "/api/v1/backoffice/session", None)
        .await;
    ensure(r.body["roles"] == json!(["reviewer"]), r.text.clone())?;
    let edit = json!({ "name": "新機關", "organization_oid": "2.16.886.101.1", "kind": "agency" });
    // A reviewer cannot do operator things…
    let r = reviewer.call(&h.app, Method::GET, ORGS, None).await;
    refused(&r, StatusCode::FORBIDDEN, "staff_role_required")?;
    let r = reviewer
        .call(
            &h.app,
            Method::PUT,
            &format!("{ORGS}/E0005"),
            Some(edit.clone()),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "staff_role_required")?;
    let r = reviewer.call(&h.app, Method::GET, REVIEWS, None).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // …and vice versa.
    let r = operator.call(&h.app, Method::GET, REVIEWS, None).await;
    refused(&r, StatusCode::FORBIDDEN, "staff_role_required")?;
    let r = operator
        .call(
            &h.app,
            Method::POST,
            &format!("{REVIEWS}/any/approve"),
            None,
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "staff_role_required")?;
    let r = operator
        .call(&h.app, Method::PUT, &format!("{ORGS}/E0005"), Some(edit))
        .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    // Members, organization accounts and handlers never reach the back office.
    let mut member = Browser::default();
    register(&h, &mut member, NDC, &card(NDC_CARD), WANG).await;
    let r = password_login(&h, &mut member, NDC, PASSWORD).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let mut m = Browser::default();
    assign(
        &h,
        &mut m,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    add_handler(&h, &mut m, NDC, CHEN, &["premium.send"]).await;
    let mut handler = Browser::default();
    handler_login(&h, &mut handler, &card(CHEN), &national_id(CHEN)).await;
    for b in [&mut member, &mut m, &mut handler] {
        for path in [REVIEWS, ORGS, "/api/v1/backoffice/session"] {
            let r = b.call(&h.app, Method::GET, path, None).await;
            refused(&r, StatusCode::UNAUTHORIZED, "staff_unauthenticated")
                .map_err(|e| format!("{path}: {e}"))?;
        }
    }
    // Staff sessions open nothing on the member side; credentials do not cross over.
    let r = reviewer.call(&h.app, Method::GET, "/api/v1/me", None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")?;
    let r = password_login(&h, &mut Browser::default(), "rev01", PASSWORD).await;
    refused(&r, StatusCode::UNAUTHORIZED, "invalid_credentials")?;
    let login = |u: &str, p: &str| json!({ "username": u, "password": p });
    let mut x = Browser::default();
    let r = x
        .call(
            &h.app,
            Method::POST,
            "/api/v1/backoffice/session",
            Some(login(NDC, PASSWORD)),
        )
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "invalid_credentials")?;
    // Same lockout rules: a CAPTCHA after 3 failures, disabled at 5.
    for _ in 0..3 {
        let r = x
            .call(
                &h.app,
                Method::POST,
                "/api/v1/backoffice/session",
                Some(login("op001", "wrong-password-1")),
            )
            .await;
        refused(&r, StatusCode::UNAUTHORIZED, "invalid_credentials")?;
    }
    let r = x
        .call(
            &h.app,
            Method::POST,
            "/api/v1/backoffice/session",
            Some(login("op001", "wrong-password-1")),
        )
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "captcha_required")?;
    for expect in ["invalid_credentials", "account_locked"] {
        let captcha = solve_captcha(&h.app).await;
        let body =
            json!({ "username": "op001", "password": "wrong-password-1", "captcha": captcha });
        let r = x
            .call(
                &h.app,
                Method::POST,
                "/api/v1/backoffice/session",
                Some(body),
            )
            .await;
        ensure(r.code() == expect, format!("{expect}: {}", r.text))?;
    }
    let r = x
        .call(
            &h.app,
            Method::POST,
            "/api/v1/backoffice/session",
            Some(login("op001", PASSWORD)),
        )
        .await;
    refused(&r, StatusCode::LOCKED, "account_locked")?;
    // Staff passwords are never reset by mail.
    let reset = json!({ "username": "op001", "channel": "email", "email": "op001@example.gov.tw" });
    x.call(&h.app, Method::POST, "/api/v1/password-resets", Some(reset))
        .await;
    let mail = crate::common::mail_with(h.dir.path(), &["op001", "/password/reset?token="]).await;
    ensure(mail.is_none(), "no reset mail for staff")?;
    let r = reviewer
        .call(&h.app, Method::DELETE, "/api/v1/backoffice/session", None)
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = reviewer.call(&h.app, Method::GET, REVIEWS, None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "staff_unauthenticated")
}

async fn operators_edit_the_registry(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut op = staff(&h, "op001", &["operator"]).await;
    let r = op
        .call(
            &h.app,
            Method::GET,
            &format!("{ORGS}?q=%E7%A7%91%E6%8A%80"),
            None,
        )
        .await;
    ensure(
        r.body["total"] == json!(1) && r.body["items"][0]["agency_code"] == json!(ACME),
        r.text.clone(),
    )?;
    let r = op
        .call(&h.app, Method::GET, &format!("{ORGS}?q=d000"), None)
        .await;
    ensure(
        r.body["items"][0]["kind"] == json!("medical"),
        r.text.clone(),
    )?;
    let bad = json!({ "name": "", "business_id": "12345678", "kind": "ministry" });
    let r = op
        .call(&h.app, Method::PUT, &format!("{ORGS}/E0005"), Some(bad))
        .await;
    let fields = r.field_codes();
    for want in [
        ("name", "org_name_required"),
        ("business_id", "business_id_invalid"),
        ("kind", "org_kind_invalid"),
    ] {
        ensure(
            fields.contains(&(want.0.into(), want.1.into())),
            format!("{want:?} in {fields:?}"),
        )?;
    }
    let none = json!({ "name": "無識別碼機關", "kind": "other" });
    let r = op
        .call(&h.app, Method::PUT, &format!("{ORGS}/E0005"), Some(none))
        .await;
    ensure(
        r.field_codes()
            == [(
                "organization_oid".to_string(),
                "org_identifier_required".to_string(),
            )],
        r.text.clone(),
    )?;
    // The school's OID corrected: its card now matches without review.
    let fix = json!({ "name": "臺北市立建國高級中學", "organization_oid": "2.16.886.101.90028.20002", "kind": "school" });
    let r = op
        .call(&h.app, Method::PUT, &format!("{ORGS}/b0002"), Some(fix))
        .await;
    ensure(
        r.status == StatusCode::OK
            && r.body["organization_oid"] == json!("2.16.886.101.90028.20002"),
        r.text.clone(),
    )?;
    let mut b = Browser::default();
    let r = register(&h, &mut b, SCHOOL, &card(SCHOOL_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let r = op
        .call(&h.app, Method::GET, &format!("{ORGS}/{SCHOOL}"), None)
        .await;
    ensure(
        r.body["registry"]["registered"] == json!(true)
            && r.body["account_username"] == json!(SCHOOL),
        r.text.clone(),
    )?;
    ensure(
        r.body["manager"]["national_id"] == json!(national_id(WANG)),
        r.text.clone(),
    )?;
    ensure(
        r.body["certificates"].as_array().map(Vec::len) == Some(2),
        r.text.clone(),
    )?;
    ensure(
        r.body["receipts"][0]["item"] == json!("first_registration"),
        r.text.clone(),
    )?;
    let r = op
        .call(&h.app, Method::GET, &format!("{ORGS}/Z9999"), None)
        .await;
    refused(&r, StatusCode::NOT_FOUND, "not_found")?;
    ensure(
        audit_kinds(&h)
            .await
            .iter()
            .any(|(k, o)| k == "org_registry_edited" && o == "updated"),
        "audited",
    )?;
    // Every flow is in the OpenAPI document.
    let r = op
        .call(&h.app, Method::GET, "/api/openapi.json", None)
        .await;
    for path in [
        "/api/v1/org-flows",
        "/api/v1/org-flows/{flow}",
        "/api/v1/org-flows/{flow}/terms",
        "/api/v1/org-flows/{flow}/org-certificate",
        "/api/v1/org-flows/{flow}/contact",
        "/api/v1/org-flows/{flow}/manager-certificate",
        "/api/v1/org-flows/{flow}/details",
        "/api/v1/org-assignment",
        "/api/v1/org-permissions",
        "/api/v1/orgs/{code}/handlers",
        "/api/v1/orgs/{code}/handlers/{id}",
        "/api/v1/orgs/{code}/card-info",
        "/api/v1/orgs/{code}/receipts",
        "/api/v1/orgs/{code}/authorized",
        "/api/v1/orgs/{code}/workspace",
        "/api/v1/orgs/{code}/functions/{function}",
        "/api/v1/org-handler/session",
        "/api/v1/org-lookups/organization-certificate",
        "/api/v1/org-lookups/citizen-certificate",
        "/api/v1/backoffice/session",
        "/api/v1/backoffice/reviews",
        "/api/v1/backoffice/reviews/{id}",
        "/api/v1/backoffice/reviews/{id}/approve",
        "/api/v1/backoffice/reviews/{id}/reject",
        "/api/v1/backoffice/organizations",
        "/api/v1/backoffice/organizations/{code}",
        "/api/v1/cert/challenges",
    ] {
        ensure(
            r.body["paths"][path].is_object(),
            format!("{path} in OpenAPI"),
        )?;
    }
    Ok(())
}
