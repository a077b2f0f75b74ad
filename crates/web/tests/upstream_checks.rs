//! Every check a strict relying party makes, each tried and refused, on SQLite and
//! PostgreSQL: the `state` (unknown, replayed, from another browser, of another provider,
//! expired), the provider's `error` (told in zh-TW, never echoed), RFC 9207 `iss` (wrong, or
//! missing when advertised), the code exchange (PKCE verifier), and the ID token (wrong
//! nonce, issuer, audience, azp; expired, issued ahead; bad signature, foreign key, `alg:
//! none`, an algorithm off the allow-list, an unknown key, no subject, a wrong `at_hash`;
//! userinfo about someone else). Key rotation at the provider is followed.

mod common;
#[path = "upstream/fake.rs"]
mod fake;
#[path = "upstream/helpers.rs"]
mod helpers;

use axum::http::StatusCode;
use fake::Tamper;
use helpers::*;
use serde_json::json;
use tessera_app::flows::upstream::hash;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    state_is_single_use_and_bound,
    provider_answers_are_checked,
    id_tokens_are_checked,
    key_rotation_is_followed,
);

/// The page refuses with `code`'s message, no session starts, and the audit says `reason`.
async fn refused(h: &UpHarness, b: &Browser, r: &common::Resp, code: &str, reason: &str) -> R {
    let msg = tessera_core::messages::message(code, tessera_core::lang::Lang::ZhTw);
    ensure(
        r.status.is_client_error() || r.status.is_server_error(),
        format!("{reason}: status {}", r.status),
    )?;
    ensure(
        r.text.contains(msg),
        format!("{reason}: page lacks「{msg}」: {}", r.text),
    )?;
    ensure(
        !b.has("tessera_session") && !b.has("tessera_upstream_pending"),
        format!("{reason}: signed in?"),
    )?;
    let got = last_outcome(&h.state.store, "upstream_refused").await;
    ensure(got == reason, format!("audit: wanted {reason}, got {got}"))
}

async fn state_is_single_use_and_bound(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    // Unknown state.
    let r = b
        .get(&h.app, "/upstream/fake/callback?code=x&state=made-up")
        .await;
    refused(
        &h,
        &b,
        &r,
        "upstream_state_invalid",
        "state_unknown_or_used",
    )
    .await?;
    let r = b.get(&h.app, "/upstream/fake/callback?code=x").await;
    refused(&h, &b, &r, "upstream_state_invalid", "state_missing").await?;

    // A good answer works once; the replay is refused.
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "s-1");
    let url = callback_url(&authorize, &code, "");
    let first = b.get(&h.app, &url).await;
    ensure(
        location(&first) == "/upstream/bind",
        format!("first: {}", first.text),
    )?;
    let mut again = b.clone();
    again.cookies.remove("tessera_upstream_pending");
    let r = again.get(&h.app, &url).await;
    refused(
        &h,
        &again,
        &r,
        "upstream_state_invalid",
        "state_unknown_or_used",
    )
    .await?;

    // Another browser (an attacker handing the victim a callback URL) is refused.
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "attacker");
    let mut victim = Browser::default();
    let r = victim
        .get(&h.app, &callback_url(&authorize, &code, ""))
        .await;
    refused(
        &h,
        &victim,
        &r,
        "upstream_state_invalid",
        "state_other_browser",
    )
    .await?;
    // … and the request is spent: the right browser cannot use it afterwards either.
    let mut owner = b.clone();
    owner.cookies.remove("tessera_upstream_pending");
    let r = owner
        .get(&h.app, &callback_url(&authorize, &code, ""))
        .await;
    refused(
        &h,
        &owner,
        &r,
        "upstream_state_invalid",
        "state_unknown_or_used",
    )
    .await?;

    // Expired: the request is stored ten minutes only.
    let authorize = start(&h, &mut owner, "/upstream/fake/start").await?;
    let q = fake::query(&authorize);
    let state = q.get("state").cloned().unwrap_or_default();
    let store = &h.state.store;
    let mut row = store
        .take_upstream_state(&hash("state", &state))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("stored")?;
    row.expires_at = tessera_app::clock::now() - 1;
    store
        .insert_upstream_state(&row)
        .await
        .map_err(|e| e.to_string())?;
    let code = h.fake.authorize(&authorize, "s-2");
    let r = owner
        .get(&h.app, &callback_url(&authorize, &code, ""))
        .await;
    refused(&h, &owner, &r, "upstream_state_invalid", "state_expired").await?;

    // A state issued for one provider is no good at another's callback.
    let r = owner
        .get(
            &h.app,
            &callback_url(&authorize, &code, "").replace("/upstream/fake/", "/upstream/other/"),
        )
        .await;
    ensure(r.status == StatusCode::NOT_FOUND, "unknown provider")?;
    ensure(
        h.fake.get(|c| c.token_calls) == 1,
        "only the one good answer reached the token endpoint",
    )
}

async fn provider_answers_are_checked(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    // The person cancels at the provider: told clearly, nothing of the provider's text shown.
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let state = fake::query(&authorize)
        .get("state")
        .cloned()
        .unwrap_or_default();
    let evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E%20call%200900";
    let r = b
        .get(
            &h.app,
            &format!(
                "/upstream/fake/callback?error=access_denied&error_description={evil}&state={state}"
            ),
        )
        .await;
    refused(
        &h,
        &b,
        &r,
        "upstream_access_denied",
        "provider_error_access_denied",
    )
    .await?;
    ensure(
        !r.text.contains("alert(1)") && !r.text.contains("0900"),
        "description never shown",
    )?;
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let state = fake::query(&authorize)
        .get("state")
        .cloned()
        .unwrap_or_default();
    let r = b
        .get(
            &h.app,
            &format!("/upstream/fake/callback?error=made_up_thing&state={state}"),
        )
        .await;
    refused(&h, &b, &r, "upstream_error", "provider_error_other").await?;

    // RFC 9207: a wrong `iss` (mix-up attack) is refused …
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "s-3");
    let r = b
        .get(
            &h.app,
            &callback_url(&authorize, &code, "&iss=https%3A%2F%2Fevil.example"),
        )
        .await;
    refused(
        &h,
        &b,
        &r,
        "upstream_response_invalid",
        "iss_parameter_mismatch",
    )
    .await?;
    // … the right one accepted …
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "s-3");
    let iss: String = form_urlencoded::byte_serialize(h.fake.issuer.as_bytes()).collect();
    let r = b
        .get(
            &h.app,
            &callback_url(&authorize, &code, &format!("&iss={iss}")),
        )
        .await;
    ensure(
        location(&r) == "/upstream/bind",
        format!("right iss: {}", r.text),
    )?;
    b.cookies.remove("tessera_upstream_pending");

    // The PKCE verifier must match what the request's challenge promised.
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let code = h.fake.authorize(&authorize, "s-4");
    h.fake.set(|c| {
        if let Some(g) = c.grants.get_mut(&code) {
            g.challenge = "a-challenge-of-another-request".into();
        }
    });
    let r = b.get(&h.app, &callback_url(&authorize, &code, "")).await;
    refused(
        &h,
        &b,
        &r,
        "upstream_token_invalid",
        "token_endpoint_status_400_invalid_grant",
    )
    .await?;

    // A missing code.
    let authorize = start(&h, &mut b, "/upstream/fake/start").await?;
    let state = fake::query(&authorize)
        .get("state")
        .cloned()
        .unwrap_or_default();
    let r = b
        .get(&h.app, &format!("/upstream/fake/callback?state={state}"))
        .await;
    refused(&h, &b, &r, "upstream_response_invalid", "code_missing").await?;

    // Userinfo about somebody else is refused.
    h.fake
        .set(|c| c.userinfo_sub = Some("somebody-else".into()));
    let r = round_trip(&h, &mut b, "s-5").await?;
    refused(
        &h,
        &b,
        &r,
        "upstream_token_invalid",
        "userinfo_subject_mismatch",
    )
    .await?;
    h.fake.set(|c| c.userinfo_sub = None);
    Ok(())
}

async fn id_tokens_are_checked(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    let cases = [
        (
            Tamper::Nonce("another-request".into()),
            "id_token_nonce_mismatch",
        ),
        (
            Tamper::Issuer("https://evil.example".into()),
            "id_token_wrong_issuer",
        ),
        (
            Tamper::Audience(json!("someone-else")),
            "id_token_wrong_audience",
        ),
        (
            Tamper::Audience(json!([fake::CLIENT_ID, "someone-else"])),
            "id_token_wrong_audience",
        ),
        (Tamper::Azp("someone-else".into()), "id_token_wrong_azp"),
        (Tamper::Expired(600), "id_token_expired"),
        (Tamper::IssuedAhead(3600), "id_token_issued_in_future"),
        (Tamper::BadSignature, "id_token_bad_signature"),
        (Tamper::ForeignKey, "id_token_bad_signature"),
        (Tamper::AlgNone, "id_token_alg_not_allowed"),
        (Tamper::Ps256, "id_token_alg_not_allowed"),
        (Tamper::UnknownKid, "id_token_unknown_key"),
        (Tamper::NoSubject, "id_token_missing_subject"),
        (Tamper::AtHash, "id_token_at_hash_mismatch"),
    ];
    for (tamper, reason) in cases {
        h.fake.set(|c| c.tamper = tamper.clone());
        let r = round_trip(&h, &mut b, "t-1").await?;
        refused(&h, &b, &r, "upstream_token_invalid", reason)
            .await
            .map_err(|e| format!("{tamper:?}: {e}"))?;
    }
    // An untouched token passes (the harness is not refusing everything).
    h.fake.set(|c| c.tamper = Tamper::None);
    let r = round_trip(&h, &mut b, "t-1").await?;
    ensure(
        location(&r) == "/upstream/bind",
        format!("clean token: {}", r.text),
    )?;

    Ok(())
}

async fn key_rotation_is_followed(store: Store, db: TestDatabase) -> R {
    let h = up_harness(store, db).await;
    let mut b = Browser::default();
    let r = round_trip(&h, &mut b, "k-1").await?;
    ensure(
        location(&r) == "/upstream/bind",
        format!("first: {}", r.text),
    )?;
    ensure(h.fake.get(|c| c.jwks_calls) == 1, "keys fetched once")?;
    // The provider rotates its key: the new `kid` makes Tessera fetch the set once more
    // (at most every ten seconds: a burst of unknown kids cannot make it hammer the provider).
    b.cookies.remove("tessera_upstream_pending");
    tokio::time::sleep(std::time::Duration::from_millis(10_500)).await;
    h.fake.rotate("k2");
    let r = round_trip(&h, &mut b, "k-2").await?;
    ensure(
        location(&r) == "/upstream/bind",
        format!("after rotation: {}", r.text),
    )?;
    ensure(h.fake.get(|c| c.jwks_calls) == 2, "refreshed once")?;
    // A kid nobody publishes right after: no further fetch within ten seconds, refused.
    b.cookies.remove("tessera_upstream_pending");
    h.fake.set(|c| c.tamper = Tamper::UnknownKid);
    let r = round_trip(&h, &mut b, "k-3").await?;
    refused(&h, &b, &r, "upstream_token_invalid", "id_token_unknown_key").await?;
    ensure(h.fake.get(|c| c.jwks_calls) == 2, "refresh is rate-limited")
}
