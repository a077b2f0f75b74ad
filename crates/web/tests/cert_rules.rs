//! The security rules of certificate sign-in, each with a negative test, on SQLite and
//! PostgreSQL: revoked and expired cards, typed national IDs that do not match the card,
//! single-use browser-bound challenges, binding to an account of another ID, and password
//! reset by certificate (another person's card refused; the owner's unlocks); renewal and
//! unbinding (解除憑證綁定), with the national ID frozen while a certificate is bound; no binding
//! or unbinding for an account whose email address is not verified, and a card sign-in to
//! such an account only as limited as a password sign-in.

mod common;
#[path = "cert/helpers.rs"]
mod helpers;

use axum::http::{Method, StatusCode};
use common::*;
use helpers::*;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

async fn binding_to_an_account_of_another_id_is_refused(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let mut b = Browser::default();
    let captcha = solve_captcha(&h.app).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({
                "username": "Li000001", "password": PASSWORD, "name": "李大同",
                "email": "li@example.tw", "national_id": national_id("citizen-li"),
                "accept_terms": true, "captcha": captcha
            })),
        )
        .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    verify_email(&h.app, h.dir.path(), "li@example.tw").await;
    // Wang's card, Li's account and Li's correct password: the IDs differ.
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", WANG).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({
                "challenge_id": cid, "signature": sig, "username": "Li000001", "password": PASSWORD
            })),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    ensure(!b.cookies.contains_key("tessera_session"), "not signed in")?;
    Ok(())
}

async fn revoked_card_is_refused(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let mut b = Browser::default();
    let id = national_id("citizen-lin-revoked");
    let r = card_session(&h, &mut b, "citizen-lin-revoked", Some(&id)).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_revoked")?;
    ensure(
        r.body["error"]["message"] == json!("憑證已被廢止。"),
        r.text.clone(),
    )?;
    let r = register_card(&h, &mut b, "citizen-lin-revoked", &id).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_revoked")?;
    // Expired and untrusted cards too, each with its own code.
    let id = national_id("citizen-huang-expired");
    let r = card_session(&h, &mut b, "citizen-huang-expired", Some(&id)).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_expired")?;
    Ok(())
}

async fn national_id_must_match_the_card(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let mut b = Browser::default();
    // A well-formed ID whose last four digits are not the card's.
    let r = register_card(&h, &mut b, WANG, &national_id(CHEN)).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    // A typo in the check digit is a field error, before any card is involved.
    let r = register_card(&h, &mut b, WANG, "A123456788").await;
    ensure(
        r.field_codes()
            .contains(&("national_id".into(), "national_id_checksum".into())),
        r.text.clone(),
    )?;
    let r = card_session(&h, &mut b, WANG, Some(&national_id(CHEN))).await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    let reserved = h.state.store.username_reserved(&national_id(WANG)).await;
    ensure(matches!(reserved, Ok(false)), "nothing registered")?;
    Ok(())
}

async fn challenges_are_single_use_and_bound(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id(WANG);
    let mut b = Browser::default();
    let (cid, sig) = card_answer(&h.app, &mut b, "login", WANG).await;
    let body = json!({ "challenge_id": cid, "signature": sig, "national_id": id });
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(body.clone()),
        )
        .await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // Replaying the same signature.
    let r = b
        .call(&h.app, Method::POST, "/api/v1/cert/session", Some(body))
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_challenge_replayed")?;
    // Another browser cannot use this browser's challenge.
    let (cid, sig) = card_answer(&h.app, &mut b, "login", WANG).await;
    let mut thief = Browser::default();
    let r = thief
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(json!({
                "challenge_id": cid, "signature": sig, "national_id": id
            })),
        )
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_challenge_replayed")?;
    // A challenge issued for registration does not sign in.
    let (cid, sig) = card_answer(&h.app, &mut b, "register", WANG).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(json!({
                "challenge_id": cid, "signature": sig, "national_id": id
            })),
        )
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_challenge_replayed")?;
    // A signature over other bytes than the challenge.
    let (cid, _) = card_answer(&h.app, &mut b, "login", WANG).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/session",
            Some(json!({
                "challenge_id": cid, "signature": sign(WANG, b"something else"), "national_id": id
            })),
        )
        .await;
    refused(&r, StatusCode::UNAUTHORIZED, "cert_content_mismatch")?;
    // An expired challenge.
    let bytes = vec![42u8; 32];
    let expired = tessera_store::certs::CertChallenge {
        id: "expired-challenge".into(),
        bytes: bytes.clone(),
        purpose: "login".into(),
        session_binding: tessera_app::flows::cert::browser_binding(&b.csrf()),
        expires_at: tessera_app::clock::now() - 1,
    };
    h.state
        .store
        .insert_cert_challenge(&expired)
        .await
        .map_err(|e| e.to_string())?;
    let r = b
        .call(&h.app, Method::POST, "/api/v1/cert/session", Some(json!({
            "challenge_id": "expired-challenge", "signature": sign(WANG, &bytes), "national_id": id
        })))
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_challenge_expired")?;
    // Unknown purposes are refused.
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/challenges",
            Some(json!({ "purpose": "x" })),
        )
        .await;
    refused(&r, StatusCode::BAD_REQUEST, "cert_purpose_invalid")?;
    Ok(())
}

async fn reset_by_certificate_unlocks(store: Store, db: TestDatabase) -> R {
    let mut settings = test_settings();
    settings.lockout.captcha_after = 100;
    settings.lockout.disable_after = 2;
    let h = cert_harness_with(store, db, settings);
    let id = national_id(WANG);
    let mut b = Browser::default();
    let r = register_card(&h, &mut b, WANG, &id).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    for _ in 0..2 {
        password_login(&h, &mut b, &id, "Wrong2026pass").await;
    }
    let r = password_login(&h, &mut b, &id, PASSWORD).await;
    refused(&r, StatusCode::LOCKED, "account_locked")?;
    // The card does not sign a locked account in; resetting with it unlocks.
    let r = card_session(&h, &mut b, WANG, None).await;
    refused(&r, StatusCode::LOCKED, "account_locked")?;
    let reset = |cid: String, sig: String| {
        json!({ "username": id, "channel": "certificate", "challenge_id": cid,
                "signature": sig, "new_password": "Renewed2026pw" })
    };
    // Another person's card does not reset this account.
    let (cid, sig) = card_answer(&h.app, &mut b, "reset", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/password-resets",
            Some(reset(cid, sig)),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "cert_national_id_mismatch")?;
    // The owner's card does, and unlocks it.
    let (cid, sig) = card_answer(&h.app, &mut b, "reset", WANG).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/password-resets",
            Some(reset(cid, sig)),
        )
        .await;
    ensure(
        r.status == StatusCode::NO_CONTENT,
        format!("reset: {}", r.text),
    )?;
    let r = password_login(&h, &mut b, &id, PASSWORD).await;
    refused(&r, StatusCode::UNAUTHORIZED, "invalid_credentials")?;
    let r = password_login(&h, &mut b, &id, "Renewed2026pw").await;
    ensure(
        r.status == StatusCode::OK,
        format!("login with new password: {}", r.text),
    )?;
    let r = card_session(&h, &mut b, WANG, None).await;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    Ok(())
}

async fn unbinding_and_renewal(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let id = national_id(WANG);
    let mut b = Browser::default();
    let r = register_card(&h, &mut b, WANG, &id).await;
    let old_serial = r.body["certificate"]["serial"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let r = password_login(&h, &mut b, &id, PASSWORD).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    // Renewal: a new card of the same identity replaces the bound one after the password.
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let new_serial = "5e0a11ed";
    let renewed = renew(WANG, new_serial, work.path());
    let (_, key) = entity_files(WANG);
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/challenges",
            Some(json!({ "purpose": "bind" })),
        )
        .await;
    let tbs = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        r.body["tbs"].as_str().unwrap_or(""),
    )
    .map_err(|e| e.to_string())?;
    let sig = sign_with(&renewed, &key, &tbs);
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({
                "challenge_id": r.body["challenge_id"], "signature": sig, "password": PASSWORD
            })),
        )
        .await;
    ensure(r.status == StatusCode::OK, format!("renewal: {}", r.text))?;
    ensure(r.body["signed_in"] == json!(false), "already signed in")?;
    let m = me(&h, &mut b).await;
    let certs = m["certificates"].as_array().cloned().unwrap_or_default();
    ensure(
        certs.len() == 1 && certs[0]["serial"] == json!(new_serial),
        m.to_string(),
    )?;
    let account = h
        .state
        .store
        .account_by_username(&id)
        .await
        .map_err(|e| e.to_string())?;
    let account = account.ok_or("account")?;
    let history = h
        .state
        .store
        .account_certificates(&account.id, true)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        history
            .iter()
            .any(|c| c.serial == old_serial && c.unbound_reason.as_deref() == Some("replaced")),
        format!("old serial kept: {history:?}"),
    )?;
    // The old card no longer signs in; it asks for binding.
    let mut other = Browser::default();
    let r = card_session(&h, &mut other, WANG, Some(&id)).await;
    ensure(r.body["binding_required"] == json!(true), r.text.clone())?;
    // While a certificate is bound, the national ID cannot change.
    let edit =
        json!({ "name": "王小明", "email": "wang@example.tw", "national_id": national_id(CHEN) });
    let r = b
        .call(&h.app, Method::PATCH, "/api/v1/me", Some(edit.clone()))
        .await;
    refused(&r, StatusCode::CONFLICT, "cert_bound_national_id_locked")?;
    // Unbinding (解除憑證綁定) signs the member out everywhere (004 二 Q4): this browser and a
    // second one signed in with the password before.
    let mut second = Browser::default();
    let r = password_login(&h, &mut second, &id, PASSWORD).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let path = format!("/api/v1/cert/bindings/{new_serial}");
    let r = b.call(&h.app, Method::DELETE, &path, None).await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())?;
    for (who, browser) in [("this browser", &mut b), ("another browser", &mut second)] {
        let r = browser.call(&h.app, Method::GET, "/api/v1/me", None).await;
        refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")
            .map_err(|e| format!("{who} still signed in after unbinding: {e}"))?;
    }
    let r = password_login(&h, &mut b, &id, PASSWORD).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let m = me(&h, &mut b).await;
    ensure(m["certificates"] == json!([]), m.to_string())?;
    let r = b.call(&h.app, Method::DELETE, &path, None).await;
    refused(&r, StatusCode::NOT_FOUND, "cert_not_bound")?;
    let r = b
        .call(&h.app, Method::PATCH, "/api/v1/me", Some(edit))
        .await;
    ensure(
        r.status == StatusCode::OK,
        format!("ID editable once unbound: {}", r.text),
    )?;
    // Signed out, unbinding is refused.
    let mut anon = Browser::default();
    let r = anon.call(&h.app, Method::DELETE, &path, None).await;
    refused(&r, StatusCode::UNAUTHORIZED, "unauthenticated")?;
    Ok(())
}

async fn inactive_job_skips_the_missing_email_of_institution_accounts(
    store: Store,
    db: TestDatabase,
) -> R {
    let h = cert_harness(store, db);
    let old = tessera_app::clock::now() - 6 * 365 * 86_400;
    for (username, email) in [("H0000000001", ""), ("Oldie0001", "oldie@example.tw")] {
        h.state
            .store
            .create_account(&tessera_store::NewAccount {
                username: username.into(),
                name: "機構".into(),
                email: email.into(),
                mobile: None,
                national_id: None,
                birthday: None,
                landline: None,
                password_hash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g".into(),
                terms_version: "old".into(),
                terms_accepted_at: old,
                created_at: old,
            })
            .await
            .map_err(|e| e.to_string())?;
    }
    let actions = tessera_app::flows::inactive::run(&h.state, false)
        .await
        .map_err(|f| f.code.to_string())?;
    ensure(actions.len() == 2, format!("{actions:?}"))?;
    for username in ["H0000000001", "Oldie0001"] {
        let a = h.state.store.account_by_username(username).await;
        let warned = a.ok().flatten().and_then(|a| a.inactivity_warned_at);
        ensure(warned.is_some(), format!("{username} warned"))?;
    }
    Ok(())
}

/// Binding a card to an account whose address is not verified is refused, signed in or
/// naming the account with its password; a card registered but not verified signs in to a
/// limited session that cannot unbind it. Following the link opens both.
async fn unverified_accounts_neither_bind_nor_unbind(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let chen = national_id(CHEN);
    let captcha = solve_captcha(&h.app).await;
    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({
            "username": "Chen2026", "password": PASSWORD, "name": "陳美麗",
            "email": "chen@example.tw", "national_id": chen,
            "accept_terms": true, "captcha": captcha
        })),
        None,
    )
    .await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let account = h
        .state
        .store
        .account_by_username("Chen2026")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    // Signed in (unverified): the card is not bound to the session's account.
    let mut b = Browser::default();
    let r = password_login(&h, &mut b, "Chen2026", PASSWORD).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({ "challenge_id": cid, "signature": sig, "password": PASSWORD })),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "email_unverified")?;
    // Not signed in, naming the account and its password: refused, and no session either.
    let mut other = Browser::default();
    let (cid, sig) = card_answer(&h.app, &mut other, "bind", CHEN).await;
    let r = other
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({
                "challenge_id": cid, "signature": sig, "username": "Chen2026", "password": PASSWORD
            })),
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "email_unverified")?;
    ensure(
        !other.cookies.contains_key("tessera_session"),
        "not signed in",
    )?;
    let bound = h
        .state
        .store
        .account_certificates(&account.id, true)
        .await
        .map_err(|e| e.to_string())?;
    ensure(bound.is_empty(), format!("nothing bound: {bound:?}"))?;
    ensure(
        audit_outcome_count(&h, "cert_bound", "refused_email_unverified").await == 2,
        "both refusals audited",
    )?;
    // A card registration whose link was not followed: the card signs in, limited.
    let wang = national_id(WANG);
    let mut card = Browser::default();
    let r = register_card_unverified(&h, &mut card, WANG, &wang).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let serial = r.body["certificate"]["serial"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let mut signed = Browser::default();
    let r = card_session(&h, &mut signed, WANG, None).await;
    ensure(r.body["loa"] == json!("certificate"), r.text.clone())?;
    let m = me(&h, &mut signed).await;
    ensure(
        m["email_verification_required"] == json!(true),
        m.to_string(),
    )?;
    let r = signed
        .call(
            &h.app,
            Method::DELETE,
            &format!("/api/v1/cert/bindings/{serial}"),
            None,
        )
        .await;
    refused(&r, StatusCode::FORBIDDEN, "email_unverified")?;
    let r = signed
        .call(&h.app, Method::POST, "/api/v1/mobile-verifications", None)
        .await;
    refused(&r, StatusCode::FORBIDDEN, "email_unverified")?;
    // After the links: the member binds, the card holder unbinds.
    verify_email(&h.app, h.dir.path(), "chen@example.tw").await;
    let (cid, sig) = card_answer(&h.app, &mut b, "bind", CHEN).await;
    let r = b
        .call(
            &h.app,
            Method::POST,
            "/api/v1/cert/bindings",
            Some(json!({ "challenge_id": cid, "signature": sig, "password": PASSWORD })),
        )
        .await;
    ensure(r.status == StatusCode::OK, format!("bind: {}", r.text))?;
    verify_email(&h.app, h.dir.path(), CARD_EMAIL).await;
    let r = signed
        .call(
            &h.app,
            Method::DELETE,
            &format!("/api/v1/cert/bindings/{serial}"),
            None,
        )
        .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text.clone())
}

/// How many audit entries of `kind` have `outcome`.
async fn audit_outcome_count(h: &CertHarness, kind: &str, outcome: &str) -> usize {
    h.state
        .store
        .audit_entries(None, 1000)
        .await
        .map(|v| {
            v.iter()
                .filter(|e| e.event.kind == kind && e.event.outcome == outcome)
                .count()
        })
        .unwrap_or(0)
}

tessera_store::both_backends!(
    unverified_accounts_neither_bind_nor_unbind,
    binding_to_an_account_of_another_id_is_refused,
    revoked_card_is_refused,
    national_id_must_match_the_card,
    challenges_are_single_use_and_bound,
    reset_by_certificate_unlocks,
    unbinding_and_renewal,
    inactive_job_skips_the_missing_email_of_institution_accounts,
);
