//! The organization flows' steps as the API tests take them: start, terms, the organization
//! card, the manager's card, the details; a whole registration; an assignment session; adding a
//! handler; handler sign-in.

#![allow(dead_code)]

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common::{PASSWORD, Resp};
use crate::helpers::*;
use crate::support::*;

pub async fn start(h: &CertHarness, b: &mut Browser, kind: &str) -> String {
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/org-flows",
            Some(json!({ "kind": kind })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "start {kind}: {}", r.text);
    r.body["flow_id"].as_str().unwrap_or("").to_owned()
}

pub async fn agree(h: &CertHarness, b: &mut Browser, flow: &str) -> Resp {
    b.call(
        &h.app,
        Method::POST,
        &format!("/api/v1/org-flows/{flow}/terms"),
        Some(json!({ "agree": true })),
    )
    .await
}

pub async fn org_step(
    h: &CertHarness,
    b: &mut Browser,
    flow: &str,
    code: &str,
    purpose: &str,
    c: &Card,
) -> Resp {
    let (id, sig) = answer_with(h, b, purpose, &c.cert, &c.key).await;
    let body = json!({ "agency_code": code, "challenge_id": id, "signature": sig });
    b.call(
        &h.app,
        Method::POST,
        &format!("/api/v1/org-flows/{flow}/org-certificate"),
        Some(body),
    )
    .await
}

pub async fn manager_step(
    h: &CertHarness,
    b: &mut Browser,
    flow: &str,
    c: &Card,
    typed_id: &str,
) -> Resp {
    let (id, sig) = answer_with(h, b, "org-manager", &c.cert, &c.key).await;
    let body = json!({ "national_id": typed_id, "challenge_id": id, "signature": sig });
    b.call(
        &h.app,
        Method::POST,
        &format!("/api/v1/org-flows/{flow}/manager-certificate"),
        Some(body),
    )
    .await
}

pub fn details_body(name: &str, password: Option<&str>) -> Value {
    json!({
        "name": name, "email": "manager@example.gov.tw", "phone": "(02)2701-3411",
        "extension": "5312", "notes": "測試", "password": password,
    })
}

pub async fn details(h: &CertHarness, b: &mut Browser, flow: &str, body: Value) -> Resp {
    b.call(
        &h.app,
        Method::POST,
        &format!("/api/v1/org-flows/{flow}/details"),
        Some(body),
    )
    .await
}

/// Registers `code` with `org` and `manager`'s cards end to end; returns the details answer.
pub async fn register(
    h: &CertHarness,
    b: &mut Browser,
    code: &str,
    org: &Card,
    manager: &str,
) -> Resp {
    let flow = start(h, b, "register").await;
    let r = agree(h, b, &flow).await;
    assert_eq!(r.status, StatusCode::OK, "terms: {}", r.text);
    let r = org_step(h, b, &flow, code, "org-register", org).await;
    assert_eq!(
        r.body["step"],
        json!("manager_certificate"),
        "org card: {}",
        r.text
    );
    let r = manager_step(h, b, &flow, &card(manager), &national_id(manager)).await;
    assert_eq!(
        r.body["flow"]["step"],
        json!("details"),
        "manager card: {}",
        r.text
    );
    details(h, b, &flow, details_body("王小明", Some(PASSWORD))).await
}

/// Opens an assignment session in `b` (organization card, then the manager's).
pub async fn assign(
    h: &CertHarness,
    b: &mut Browser,
    code: &str,
    org: &Card,
    manager: &Card,
    typed_id: &str,
) -> Resp {
    let flow = start(h, b, "assign").await;
    let r = org_step(h, b, &flow, code, "org-assign", org).await;
    if r.status != StatusCode::OK {
        return r;
    }
    manager_step(h, b, &flow, manager, typed_id).await
}

pub async fn add_handler(
    h: &CertHarness,
    b: &mut Browser,
    code: &str,
    entity: &str,
    perms: &[&str],
) -> Resp {
    let serial = pki().1.entity(entity).expect("entity").serial.clone();
    let name = pki().1.entity(entity).expect("entity").name.clone();
    let body = json!({ "cert_serial": serial, "name": name, "national_id": national_id(entity), "permissions": perms });
    b.call(
        &h.app,
        Method::POST,
        &format!("/api/v1/orgs/{code}/handlers"),
        Some(body),
    )
    .await
}

pub async fn handler_login(h: &CertHarness, b: &mut Browser, c: &Card, typed_id: &str) -> Resp {
    let (id, sig) = answer_with(h, b, "org-handler", &c.cert, &c.key).await;
    let body = json!({ "challenge_id": id, "signature": sig, "national_id": typed_id });
    b.call(
        &h.app,
        Method::POST,
        "/api/v1/org-handler/session",
        Some(body),
    )
    .await
}

/// Registers A0001 and opens the manager's assignment session in the returned browser.
pub async fn with_manager(h: &CertHarness) -> Result<Browser, String> {
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
