//! Certificate registration, sign-in, binding and certificate-only sessions through the JSON
//! API on SQLite and PostgreSQL, with cards signed by the `openssl` CLI against a test PKI
//! (revocation from its CRLs). Renewal, unbinding and the negative rules: `cert_rules.rs`.

mod common;
#[path = "cert/helpers.rs"]
mod helpers;

use axum::http::{Method, StatusCode};
use common::*;
use helpers::*;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

async fn register_then_sign_in_with_password_and_card(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id(WANG);
    let mut b = Browser::default();
    let r = register_card(&h, &mut b, WANG, &id).await;
    ensure(
        r.status == StatusCode::CREATED,
        format!("register: {}", r.text),
    )?;
    ensure(
        r.body["username"] == json!(id),
        "username is the national ID",
    )?;
    let serial = r.body["certificate"]["serial"]
        .as_str()
        .unwrap_or("")
        .to_string();
    ensure(!serial.is_empty(), "certificate bound")?;
    // One such account per national ID.
    let r = register_card(&h, &mut b, WANG, &id).await;
    refused(&r, StatusCode::CONFLICT, "cert_already_registered")?;
    // Password sign-in with ID + password (000 Q3), then sign out.
    let r = password_login(&h, &mut b, &id, PASSWORD).await;
    ensure(
        r.status == StatusCode::OK,
        format!("password login: {}", r.text),
    )?;
    let m = me(&h, &mut b).await;
    ensure(m["loa"] == json!("password"), format!("loa: {m}"))?;
    ensure(m["name"] == json!("王小明"), "name from the certificate")?;
    ensure(
        m["certificates"][0]["serial"] == json!(serial),
        format!("certs: {m}"),
    )?;
    ensure(
        m["certificates"][0]["not_after"].is_string(),
        "validity shown",
    )?;
    let r = b
        .call(&h.app, Method::DELETE, "/api/v1/session", None)
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, "logout")?;
    // Card sign-in: level certificate.
    let r = card_session(&h, &mut b, WANG, None).await;
    ensure(
        r.status == StatusCode::OK,
        format!("card login: {}", r.text),
    )?;
    ensure(r.body["binding_required"] == json!(false), r.text.clone())?;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    let m = me(&h, &mut b).await;
    ensure(
        m["loa"] == json!("certificate"),
        format!("loa after card: {m}"),
    )?;
    ensure(
        m["username"] == json!(id),
        "signed in to the registered account",
    )?;
    Ok(())
}

async fn unbound_card_binds_with_the_password(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id(CHEN);
    let mut b = Browser::default();
    for (username, password) in [("Chen0001", PASSWORD), ("Chen0002", "Another2026pw")] {
        let captcha = solve_captcha(&h.app).await;
        let r = b
            .call(
                &h.app,
                Method::POST,
                "/api/v1/accounts",
                Some(json!({
                    "username": username, "password": password, "name": "陳美麗",
                    "email": format!("{username}@example.tw"), "national_id": id,
                    "accept_terms": true, "captcha": captcha
                })),
            )
            .await;
        ensure(r.status == StatusCode::CREATED, r.text.clone())?;
        verify_email(&h.app, h.dir.path(), &format!("{username}@example.tw")).await;
    }
    // Unbound: the national ID is needed, and must match the card.
    let r = card_session(&h, &mut b, CHEN, None).await;
    ensure(
        r.status == StatusCode::UNPROCESSABLE_ENTITY
            && r.field_codes()
                .contains(&("national_id".into(), "national_id_required".into())),
        r.text.clone(),
    )?;
    let r = card_session(&h, &mut b, CHEN, Some(&id)).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    ensure(r.body["binding_required"] == json!(true), r.text.clone())?;
    let accounts = r.body["accounts"].as_array().cloned().unwrap_or_default();
    ensure(accounts.len() == 2, format!("two accounts: {}", r.text))?;
    ensure(accounts[0]["masked_name"] == json!("陳○麗"), "name masked")?;
    ensure(
        !b.cookies.contains_key("tessera_session"),
        "not signed in yet",
    )?;
    // The other account's password does not bind this one.
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", CHEN).await;
    let bind = |cid: String, sig: String, password: &str| {
        json!({ "challenge_id": cid, "signature": sig, "username": "Chen0001",
                "password": password, "not_mine": ["Chen0002"] })
    };
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(bind(cid, sig, "Another2026pw")),
        )
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "invalid_credentials")?;
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(bind(cid, sig, PASSWORD)),
        )
        .await;
    ensure(r.status == StatusCode::OK, format!("bind: {}", r.text))?;
    ensure(r.body["signed_in"] == json!(true), r.text.clone())?;
    let m = me(&h, &mut b).await;
    ensure(
        m["username"] == json!("Chen0001") && m["loa"] == json!("certificate"),
        m.to_string(),
    )?;
    ensure(
        m["certificates"].as_array().map(Vec::len) == Some(1),
        m.to_string(),
    )?;
    // The "not mine" report is kept for review.
    let other = h
        .state
        .store
        .account_by_username("Chen0002")
        .await
        .map_err(|e| e.to_string())?;
    let other = other.ok_or("Chen0002 exists")?;
    let reports = h
        .state
        .store
        .cert_reports(&other.id)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        reports.len() == 1 && reports[0].reporter_name == "陳美麗",
        format!("{reports:?}"),
    )?;
    // From now on the card signs in directly.
    let mut fresh = Browser::default();
    let r = card_session(&h, &mut fresh, CHEN, None).await;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    // A bound card cannot be bound to the second account as well.
    let (cid, sig) = card_answer(&h.app, &mut fresh, "bind", CHEN).await;
    let mut other_browser = fresh.clone();
    other_browser.cookies.remove("tessera_session");
    let r = other_browser
        .call(&h.app, Method::POST, "/api/v1/cert/bindings", Some(json!({
            "challenge_id": cid, "signature": sig, "username": "Chen0002", "password": "Another2026pw"
        })))
        .await;
    refused(&r, StatusCode::CONFLICT, "cert_already_bound")?;
    Ok(())
}

async fn hca_personnel_card_binds_like_a_citizen_card(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id("medical-doctor");
    let mut b = Browser::default();
    let captcha = solve_captcha(&h.app).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({
                "username": "Doctor01", "password": PASSWORD, "name": "林醫師",
                "email": "doctor@example.tw", "national_id": id,
                "accept_terms": true, "captcha": captcha
            })),
        )
        .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    verify_email(&h.app, h.dir.path(), "doctor@example.tw").await;
    let r = card_session(&h, &mut b, "medical-doctor", Some(&id)).await;
    ensure(r.body["binding_required"] == json!(true), r.text.clone())?;
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", "medical-doctor").await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({
                "challenge_id": cid, "signature": sig, "username": "Doctor01", "password": PASSWORD
            })),
        )
        .await;
    ensure(r.status == StatusCode::OK, format!("HCA bind: {}", r.text))?;
    ensure(
        r.body["certificate"]["kind"] == json!("hca_personnel"),
        r.text.clone(),
    )?;
    let mut other = Browser::default();
    let r = card_session(&h, &mut other, "medical-doctor", None).await;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    // HCA cards cannot register (citizen certificates only).
    let r = register_card(&h, &mut other, "medical-doctor", &id).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_kind_not_accepted")?;
    Ok(())
}

async fn institution_card_signs_in_as_its_institution(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let mut b = Browser::default();
    let r = card_session(&h, &mut b, "medical-hospital", None).await;
    ensure(
        r.status == StatusCode::OK,
        format!("institution: {}", r.text),
    )?;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    let m = me(&h, &mut b).await;
    ensure(
        m["username"] == json!("H0401180014") && m["name"] == json!("國立臺灣大學醫學院附設醫院"),
        m.to_string(),
    )?;
    let id = m["id"].clone();
    let mut again = Browser::default();
    card_session(&h, &mut again, "medical-hospital", None).await;
    ensure(
        me(&h, &mut again).await["id"] == id,
        "same account the second time",
    )?;
    Ok(())
}

async fn a_member_username_is_not_an_institution_account(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let r = register(&h.app, "H0401180014", "squatter@example.tw").await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let mut b = Browser::default();
    let r = card_session(&h, &mut b, "medical-hospital", None).await;
    refused(&r, StatusCode::CONFLICT, "cert_institution_account_taken")?;
    ensure(!b.cookies.contains_key("tessera_session"), "not signed in")?;
    Ok(())
}

async fn skipping_binding_gives_a_certificate_only_session(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id(CHEN);
    let mut b = Browser::default();
    // The typed ID must still match the card.
    let (cid, sig) = card_answer(&h.app, &mut b, "login", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(json!({
                "challenge_id": cid, "signature": sig, "national_id": national_id(WANG),
                "skip_binding": true
            })),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    let r = b
        .call(&h.app, Method::GET, "/api/v1/cert/session", None)
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")?;
    let (cid, sig) = card_answer(&h.app, &mut b, "login", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(json!({
                "challenge_id": cid, "signature": sig, "national_id": id, "skip_binding": true
            })),
        )
        .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    ensure(
        r.body["certificate_only"]["national_id"] == json!(id),
        r.text.clone(),
    )?;
    let r = b
        .call(&h.app, Method::GET, "/api/v1/cert/session", None)
        .await;
    ensure(
        r.body["name"] == json!("陳美麗") && r.body["loa"] == json!("certificate"),
        r.text.clone(),
    )?;
    // It is not a member session.
    let r = b.call(&h.app, Method::GET, "/api/v1/me", None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")?;
    let r = b
        .call(&h.app, Method::DELETE, "/api/v1/cert/session", None)
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    let r = b
        .call(&h.app, Method::GET, "/api/v1/cert/session", None)
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")?;
    Ok(())
}

async fn without_trust_dir_certificates_are_unavailable(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/cert/challenges",
        Some(json!({"purpose": "login"})),
        None,
    )
    .await;
    refused(&r, StatusCode::SERVICE_UNAVAILABLE, "cert_unavailable")?;
    let r = call(&h.app, Method::GET, "/api/openapi.json", None, None).await;
    for path in [
        "/api/v1/cert/challenges",
        "/api/v1/cert/registrations",
        "/api/v1/cert/session",
        "/api/v1/cert/bindings",
        "/api/v1/cert/bindings/{serial}",
    ] {
        ensure(
            r.body["paths"][path].is_object(),
            format!("{path} in OpenAPI"),
        )?;
    }
    Ok(())
}

tessera_store::both_backends!(
    register_then_sign_in_with_password_and_card,
    unbound_card_binds_with_the_password,
    hca_personnel_card_binds_like_a_citizen_card,
    institution_card_signs_in_as_its_institution,
    a_member_username_is_not_an_institution_account,
    skipping_binding_gives_a_certificate_only_session,
    without_trust_dir_certificates_are_unavailable,
);
