//! The OpenID Connect provider's interactions with the member, on SQLite and PostgreSQL:
//! prompt=none / login, max_age, acr_values step-up to the certificate level and back, consent
//! remembered, asked again, denied and withdrawn in 會員中心, and RP-initiated logout.

#[path = "cert/helpers.rs"]
mod cert_helpers;
mod common;
mod oidc;

use axum::http::Method;
use oidc::helpers::*;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use common::{BASE, harness};

async fn prompt_max_age_and_step_up(store: Store, db: TestDatabase) -> R {
    // Certificate sign-in configured: the certificate level is one a member can step up to.
    let h = cert_helpers::cert_harness(store, db);
    let mut input = client_input("報備支援");
    input.no_consent = true;
    let rp = add_client(&h.state, input).await;
    let id = account(&h.state, "carol01", Some("A123456789")).await;
    let ch = challenge(&verifier());
    // No session: prompt=none answers login_required at the client, with state and iss.
    let r = get(
        &h.app,
        &authorize_uri(&rp.client.id, &ch, &[("prompt", "none")]),
        "",
    )
    .await;
    let q = query_of(&location(&r));
    ensure(
        q.get("error").map(String::as_str) == Some("login_required")
            && q.contains_key("iss")
            && q.contains_key("state"),
        location(&r),
    )?;
    // No session: off to /login with a local next that resumes the request.
    let r = get(&h.app, &authorize_uri(&rp.client.id, &ch, &[]), "").await;
    ensure(
        location(&r).starts_with("/login?next=%2Foidc%2Fcontinue%3Frequest%3D"),
        location(&r),
    )?;
    let cookie = session(&h.state, &id, Loa::Password).await;
    // prompt=login and max_age=0 both ask for a new sign-in.
    for extra in [("prompt", "login"), ("max_age", "0")] {
        let r = get(
            &h.app,
            &authorize_uri(&rp.client.id, &ch, &[extra]),
            &cookie,
        )
        .await;
        ensure(
            location(&r).starts_with("/login?"),
            format!("{extra:?}: {}", location(&r)),
        )?;
    }
    // acr_values=certificate with a password session: step up, then come back.
    let r = get(
        &h.app,
        &authorize_uri(&rp.client.id, &ch, &[("acr_values", "certificate")]),
        &cookie,
    )
    .await;
    let loc = location(&r);
    ensure(loc.starts_with("/oidc/step-up?request="), loc.clone())?;
    let page = get(&h.app, &loc, &cookie).await;
    ensure(
        page.text.contains("自然人憑證"),
        "step-up page names the card",
    )?;
    let resume = format!("/oidc/authorize/resume?request={}", request_id(&loc));
    ensure(
        location(&get(&h.app, &resume, &cookie).await).starts_with("/oidc/step-up"),
        "still too weak",
    )?;
    let strong = session(&h.state, &id, Loa::Certificate).await;
    let back = location(&get(&h.app, &resume, &strong).await);
    ensure(query_of(&back).contains_key("code"), back.clone())?;
    ensure(
        location(&get(&h.app, &resume, &strong).await).is_empty(),
        "a resumed request is answered once",
    )?;
    // prompt=none with a session too weak: login_required, no page.
    let r = get(
        &h.app,
        &authorize_uri(
            &rp.client.id,
            &ch,
            &[("prompt", "none"), ("acr_values", "certificate")],
        ),
        &cookie,
    )
    .await;
    ensure(
        query_of(&location(&r)).get("error").map(String::as_str) == Some("login_required"),
        location(&r),
    )
}

async fn consent_remembered_denied_and_withdrawn(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, cookie, t) = tokens(&h.app, &h.state, "dave001").await?;
    // Remembered: the same scopes go straight back with a code.
    let ch = challenge(&verifier());
    let r = get(&h.app, &authorize_uri(&rp.client.id, &ch, &[]), &cookie).await;
    ensure(query_of(&location(&r)).contains_key("code"), location(&r))?;
    // More scopes, or prompt=consent: asked again.
    let r = get(
        &h.app,
        &authorize_uri(&rp.client.id, &ch, &[("scope", "openid phone")]),
        &cookie,
    )
    .await;
    ensure(
        location(&r).starts_with("/oidc/consent"),
        "new scope asks again",
    )?;
    let r = get(
        &h.app,
        &authorize_uri(&rp.client.id, &ch, &[("prompt", "consent")]),
        &cookie,
    )
    .await;
    let loc = location(&r);
    ensure(
        loc.starts_with("/oidc/consent"),
        "prompt=consent asks again",
    )?;
    let d = consent(&h.app, &cookie, &request_id(&loc), "deny").await;
    ensure(
        query_of(&location(&d)).get("error").map(String::as_str) == Some("access_denied"),
        location(&d),
    )?;
    // Withdrawn in 會員中心: grants revoked, consent asked again.
    let apps = get(&h.app, "/account/apps", &cookie).await;
    ensure(apps.text.contains("報備支援系統"), "listed")?;
    let jar = format!("{cookie}; tessera_csrf=tok");
    let w = send(
        &h.app,
        Method::POST,
        "/account/apps/withdraw",
        &[("cookie", &jar), ("origin", BASE)],
        Some(&[("client_id", &rp.client.id), ("_csrf", "tok")]),
    )
    .await;
    ensure(w.status == 303, w.text.clone())?;
    ensure(
        refresh(&h.app, &rp, t["refresh_token"].as_str().unwrap_or(""))
            .await
            .body["error"]
            == "invalid_grant",
        "grant revoked",
    )?;
    let r = get(&h.app, &authorize_uri(&rp.client.id, &ch, &[]), &cookie).await;
    ensure(
        location(&r).starts_with("/oidc/consent"),
        "asked again after withdrawal",
    )
}

async fn rp_initiated_logout(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, cookie, t) = tokens(&h.app, &h.state, "erin001").await?;
    let hint = t["id_token"].as_str().unwrap_or("");
    // Without a hint the member confirms first.
    let r = get(&h.app, "/oidc/logout", &cookie).await;
    ensure(
        r.status == 200 && r.text.contains("/oidc/logout/confirm"),
        r.text.clone(),
    )?;
    let uri = format!(
        "/oidc/logout?id_token_hint={hint}&post_logout_redirect_uri={}&state=bye1",
        urlencode(LOGOUT_CB)
    );
    let r = get(&h.app, &uri, &cookie).await;
    ensure(
        location(&r) == format!("{LOGOUT_CB}?state=bye1"),
        location(&r),
    )?;
    ensure(
        h.state
            .store
            .session(&sha(&cookie))
            .await
            .ok()
            .flatten()
            .is_none(),
        "session ended",
    )?;
    let _ = rp;
    Ok(())
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn sha(cookie: &str) -> String {
    use sha2::Digest;
    let raw = cookie.split_once('=').map(|x| x.1).unwrap_or("");
    hex::encode(sha2::Sha256::digest(raw.as_bytes()))
}

tessera_store::both_backends!(
    prompt_max_age_and_step_up,
    consent_remembered_denied_and_withdrawn,
    rp_initiated_logout,
);
