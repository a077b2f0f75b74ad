//! Handler sign-in and the permission guard: a handler can do exactly what was granted — every
//! guarded endpoint called directly without the permission is refused (403) and audited; a
//! revoked grant or a deleted handler is refused at once; the organization's own account reads
//! its queries; the acting organization for the OIDC claim. Renewed cards and handlers of two
//! organizations: `renewal.rs`.

use axum::http::{Method, StatusCode};
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::PASSWORD;
use crate::helpers::*;
use crate::steps::*;
use crate::support::*;

tessera_store::both_backends!(a_handler_can_do_only_what_was_granted);

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
    // The claim the OpenID provider sends.
    let claim = tessera_app::flows::orgs::acting_organization(
        &h.state,
        &tessera_web::cookies::jar(&headers_of(&c)),
    )
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
