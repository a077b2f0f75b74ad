//! Handler sign-in and the permission guard: a handler can do exactly what was granted — every
//! guarded endpoint called directly without the permission is refused (403) and audited; a
//! renewed card is refused until the manager updates the serial; a handler of two
//! organizations chooses one; the organization's own account reads its queries; the acting
//! organization for the OIDC claim.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::PASSWORD;
use crate::helpers::*;
use crate::support::*;

tessera_store::both_backends!(
    a_handler_can_do_only_what_was_granted,
    renewed_handler_card_is_refused_until_updated,
    handler_of_two_organizations_chooses,
);

/// Registers A0001 and opens the manager's assignment session in the returned browser.
async fn with_manager(h: &CertHarness) -> Result<Browser, String> {
    let mut m = Browser::default();
    let r = register(h, &mut m, NDC, &card(NDC_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let r = assign(
        h,
        &mut m,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    Ok(m)
}

/// Every organization-scoped endpoint: (method, path, body).
fn every_guarded_endpoint(
    code: &str,
    handler_id: i64,
) -> Vec<(Method, String, Option<serde_json::Value>)> {
    let body = json!({ "cert_serial": "1", "name": "某人", "national_id": synthetic_id(1), "permissions": ["premium.send"] });
    vec![
        (Method::GET, format!("/api/v1/orgs/{code}/handlers"), None),
        (
            Method::POST,
            format!("/api/v1/orgs/{code}/handlers"),
            Some(body.clone()),
        ),
        (
            Method::GET,
            format!("/api/v1/orgs/{code}/handlers/{handler_id}"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/orgs/{code}/handlers/{handler_id}"),
            Some(body),
        ),
        (
            Method::DELETE,
            format!("/api/v1/orgs/{code}/handlers/{handler_id}"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/orgs/{code}/card-info"),
            Some(json!({ "cert": "x" })),
        ),
        (Method::GET, format!("/api/v1/orgs/{code}/receipts"), None),
        (Method::GET, format!("/api/v1/orgs/{code}/authorized"), None),
        (
            Method::GET,
            format!("/api/v1/orgs/{code}/authorized?format=csv"),
            None,
        ),
        (Method::GET, format!("/api/v1/orgs/{code}/workspace"), None),
        (
            Method::GET,
            format!("/api/v1/orgs/{code}/functions/premium.send"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/orgs/{code}/functions/benefit_trial.calculate"),
            None,
        ),
    ]
}

async fn a_handler_can_do_only_what_was_granted(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut m = with_manager(&h).await?;
    let r = add_handler(&h, &mut m, NDC, CHEN, &["premium.send", "tessera.receipts"]).await;
    let chen = r.body["handler"]["id"].as_i64().unwrap_or(0);
    add_handler(&h, &mut m, NDC, LI, &["benefit_trial"]).await;
    // Someone never assigned is refused at sign-in.
    let mut stranger = Browser::default();
    let r = handler_login(&h, &mut stranger, &card(WANG), &national_id(WANG)).await;
    refused(&r, StatusCode::FORBIDDEN, "org_handler_not_assigned")?;
    // Without any session every endpoint answers 401.
    for (method, path, body) in every_guarded_endpoint(NDC, chen) {
        let r = stranger.call(&h.app, method.clone(), &path, body).await;
        refused(&r, StatusCode::UNAUTHORIZED, "org_unauthenticated")
            .map_err(|e| format!("{method} {path}: {e}"))?;
    }
    let mut c = Browser::default();
    let r = handler_login(&h, &mut c, &card(CHEN), &national_id(CHEN)).await;
    ensure(
        r.status == StatusCode::OK && r.body["acting"] == json!(NDC),
        r.text.clone(),
    )?;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/workspace", None)
        .await;
    let ids: Vec<&str> = r.body["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| {
            g["functions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["id"].as_str())
        })
        .collect();
    ensure(
        ids == ["premium.send", "tessera.receipts"],
        format!("workspace lists only the grant: {}", r.text),
    )?;
    let r = c
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/A0001/functions/premium.send",
            None,
        )
        .await;
    let location = r
        .headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ensure(
        r.status == StatusCode::SEE_OTHER
            && location == "https://insurance.example.gov.tw/premium/send",
        r.text.clone(),
    )?;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/receipts", None)
        .await;
    ensure(
        r.status == StatusCode::OK && r.body[0]["item"] == json!("first_registration"),
        r.text.clone(),
    )?;
    // Everything else, called directly, is refused by the server.
    let allowed = ["/workspace", "/receipts", "/functions/premium.send"];
    for (method, path, body) in every_guarded_endpoint(NDC, chen) {
        if allowed.iter().any(|a| path.ends_with(a)) {
            continue;
        }
        let r = c.call(&h.app, method.clone(), &path, body).await;
        refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")
            .map_err(|e| format!("{method} {path}: {e}"))?;
    }
    // Another organization's endpoints too.
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/C0003/receipts", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    // 李大同 holds only the benefit estimate.
    let mut l = Browser::default();
    handler_login(&h, &mut l, &card(LI), &national_id(LI)).await;
    let r = l
        .call(
            &h.app,
            Method::GET,
            "/api/v1/orgs/A0001/functions/benefit_trial.calculate",
            None,
        )
        .await;
    ensure(r.status == StatusCode::SEE_OTHER, r.text.clone())?;
    for path in [
        "receipts",
        "authorized",
        "functions/premium.send",
        "handlers",
    ] {
        let r = l
            .call(
                &h.app,
                Method::GET,
                &format!("/api/v1/orgs/A0001/{path}"),
                None,
            )
            .await;
        refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")
            .map_err(|e| format!("{path}: {e}"))?;
    }
    // The grant is re-read on every request: revoked now, refused now.
    let body = json!({ "cert_serial": pki().1.entity(CHEN).map(|e| e.serial.clone()), "name": "陳美麗", "national_id": national_id(CHEN), "permissions": ["benefit_trial"] });
    m.call(
        &h.app,
        Method::PUT,
        &format!("/api/v1/orgs/A0001/handlers/{chen}"),
        Some(body),
    )
    .await;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/receipts", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    // The claim issue 7's provider will send.
    let claim = tessera_web::flows::orgs::acting_organization(&h.state, &headers_of(&c))
        .await
        .map_err(|f| f.code.to_string())?;
    let claim = claim.ok_or("acting organization")?;
    ensure(
        claim.agency_code == NDC && claim.permissions == ["benefit_trial.calculate"],
        format!("{claim:?}"),
    )?;
    ensure(
        claim.organization_oid.as_deref() == Some("2.16.886.101.20003.20065"),
        format!("{claim:?}"),
    )?;
    // Deleted: the session opens nothing.
    m.call(
        &h.app,
        Method::DELETE,
        &format!("/api/v1/orgs/A0001/handlers/{chen}"),
        None,
    )
    .await;
    let r = c
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/workspace", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    // The organization's own account reads its queries but cannot manage handlers.
    let mut o = Browser::default();
    password_login(&h, &mut o, NDC, PASSWORD).await;
    for path in ["receipts", "authorized"] {
        let r = o
            .call(
                &h.app,
                Method::GET,
                &format!("/api/v1/orgs/A0001/{path}"),
                None,
            )
            .await;
        ensure(
            r.status == StatusCode::OK,
            format!("org account {path}: {}", r.text),
        )?;
    }
    let r = o
        .call(&h.app, Method::GET, "/api/v1/orgs/A0001/handlers", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "org_permission_denied")?;
    let denied = audit_kinds(&h)
        .await
        .iter()
        .filter(|(k, _)| k == "org_access_denied")
        .count();
    ensure(denied >= 12, format!("refusals audited: {denied}"))?;
    Ok(())
}

fn headers_of(b: &Browser) -> axum::http::HeaderMap {
    let mut headers = axum::http::HeaderMap::new();
    if let Some(c) = b.cookie_header().and_then(|c| c.parse().ok()) {
        headers.insert(axum::http::header::COOKIE, c);
    }
    headers
}

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
