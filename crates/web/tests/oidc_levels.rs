//! The levels of assurance the provider offers, on SQLite and PostgreSQL: discovery lists only
//! levels some configured sign-in reaches (the password always, the certificate only with
//! certificate sign-in configured), and `acr_values` asking for a level no sign-in reaches
//! never sends the member to a step-up they cannot do: the request is served at the level
//! reached (the claim is voluntary) and the ID token's `acr` says which, or it steps up to
//! the card where the card serves it.

#[path = "cert/helpers.rs"]
mod cert_helpers;
mod common;
mod oidc;

use oidc::helpers::*;
use serde_json::json;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use cert_helpers::cert_harness;
use common::harness;

const DISCOVERY: &str = "/.well-known/openid-configuration";

/// The `acr` of the ID token the code in `loc` is exchanged for.
async fn acr_of_code(
    app: &axum::Router,
    rp: &tessera_app::flows::oidc::clients::Registered,
    loc: &str,
    v: &str,
) -> Result<String, String> {
    let code = query_of(loc)
        .get("code")
        .cloned()
        .ok_or(format!("no code: {loc}"))?;
    let t = exchange(app, rp, &code, v).await;
    ensure(t.status == 200, format!("token: {}", t.text))?;
    let (idt, _, _) = verify_jwt(app, t.body["id_token"].as_str().unwrap_or("")).await?;
    Ok(idt
        .claim("acr")
        .and_then(|a| a.as_str())
        .unwrap_or("")
        .to_string())
}

async fn password_only_site(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let d = get(&h.app, DISCOVERY, "").await;
    ensure(
        d.body["acr_values_supported"] == json!(["password"]),
        format!("advertised: {}", d.body["acr_values_supported"]),
    )?;
    let mut input = client_input("報備支援");
    input.no_consent = true;
    let rp = add_client(&h.state, input).await;
    let id = account(&h.state, "levels1", Some("A123456789")).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    // Levels nothing here reaches: no step-up page that cannot be passed; the request is
    // answered at the level reached, and the ID token says which.
    for asked in ["nhi-card", "otp", "certificate", "nhi-card certificate"] {
        for prompt in [None, Some("none")] {
            let v = verifier();
            let mut extra = vec![("acr_values", asked)];
            extra.extend(prompt.map(|p| ("prompt", p)));
            let r = get(
                &h.app,
                &authorize_uri(&rp.client.id, &challenge(&v), &extra),
                &cookie,
            )
            .await;
            let loc = location(&r);
            ensure(
                !loc.starts_with("/oidc/step-up"),
                format!("{asked} {prompt:?}: step-up to an unreachable level: {loc}"),
            )?;
            let acr = acr_of_code(&h.app, &rp, &loc, &v).await?;
            ensure(acr == "password", format!("{asked}: acr {acr}"))?;
        }
    }
    Ok(())
}

async fn site_with_certificate_sign_in(store: Store, db: TestDatabase) -> R {
    let h = cert_harness(store, db);
    let d = get(&h.app, DISCOVERY, "").await;
    ensure(
        d.body["acr_values_supported"] == json!(["password", "certificate"]),
        format!("advertised: {}", d.body["acr_values_supported"]),
    )?;
    let mut input = client_input("健保服務");
    input.no_consent = true;
    let rp = add_client(&h.state, input).await;
    let id = account(&h.state, "levels2", Some("A123456789")).await;
    let weak = session(&h.state, &id, Loa::Password).await;
    // The card serves a request for a level between the password and the card: step up to
    // the card, which the page names — not the NHI card nobody can sign in with here.
    for asked in ["nhi-card", "otp"] {
        let v = verifier();
        let uri = authorize_uri(&rp.client.id, &challenge(&v), &[("acr_values", asked)]);
        let loc = location(&get(&h.app, &uri, &weak).await);
        ensure(loc.starts_with("/oidc/step-up?request="), loc.clone())?;
        let page = get(&h.app, &loc, &weak).await;
        ensure(
            page.text.contains("自然人憑證") && !page.text.contains("健保卡"),
            format!("{asked}: the step-up page names the citizen certificate"),
        )?;
        // prompt=none cannot step up: login_required at the client, as before.
        let r = get(
            &h.app,
            &authorize_uri(
                &rp.client.id,
                &challenge(&v),
                &[("acr_values", asked), ("prompt", "none")],
            ),
            &weak,
        )
        .await;
        ensure(
            query_of(&location(&r)).get("error").map(String::as_str) == Some("login_required"),
            location(&r),
        )?;
        let strong = session(&h.state, &id, Loa::Certificate).await;
        let resume = format!("/oidc/authorize/resume?request={}", request_id(&loc));
        let back = location(&get(&h.app, &resume, &strong).await);
        let acr = acr_of_code(&h.app, &rp, &back, &v).await?;
        ensure(acr == "certificate", format!("{asked}: acr {acr}"))?;
    }
    Ok(())
}

tessera_store::both_backends!(password_only_site, site_with_certificate_sign_in);
