//! OpenID Connect client authentication and administration, attacked on SQLite and
//! PostgreSQL: wrong secrets and wrong methods, replayed or wrongly addressed private_key_jwt
//! assertions, a removed client refused at once although the node caches client rows, the
//! operator-only back-office page (and its CSRF protection), and a password
//! reset revoking every grant of the account.

mod common;
mod oidc;

use axum::http::Method;
use josekit::jws::{JwsHeader, RS256};
use josekit::jwt::{self, JwtPayload};
use oidc::helpers::*;
use tessera_app::flows::oidc::OperatorToken;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use common::{BASE, harness, harness_with, test_settings};

async fn wrong_client_authentication(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("驗證測試")).await;
    let id = account(&h.state, "cauth01", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CB),
        ("code_verifier", v.as_str()),
    ];
    let wrong = basic(&rp.client.id, "not-the-secret");
    let r = send(
        &h.app,
        Method::POST,
        "/oidc/token",
        &[("authorization", &wrong)],
        Some(&form),
    )
    .await;
    ensure(
        r.status == 401
            && r.body["error"] == "invalid_client"
            && r.headers.get("www-authenticate").is_some(),
        r.text.clone(),
    )?;
    // Registered for Basic: the secret in the body is the wrong method.
    let mut post = form.to_vec();
    post.push(("client_id", &rp.client.id));
    let secret = rp.secret.clone().unwrap_or_default();
    post.push(("client_secret", &secret));
    let r = send(&h.app, Method::POST, "/oidc/token", &[], Some(&post)).await;
    ensure(r.body["error"] == "invalid_client", r.text.clone())?;
    // No authentication at all, and an unknown client.
    let mut none = form.to_vec();
    none.push(("client_id", &rp.client.id));
    ensure(
        send(&h.app, Method::POST, "/oidc/token", &[], Some(&none))
            .await
            .body["error"]
            == "invalid_client",
        "none refused",
    )?;
    let unknown = basic("nobody", "x");
    ensure(
        send(
            &h.app,
            Method::POST,
            "/oidc/token",
            &[("authorization", &unknown)],
            Some(&form),
        )
        .await
        .status
            == 401,
        "unknown client",
    )?;
    // The code survived the failed attempts? No: it was never redeemed; the right client still can.
    ensure(
        exchange(&h.app, &rp, &code, &v).await.status == 200,
        "right client gets its tokens",
    )
}

async fn private_key_jwt_replay_is_refused(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let kp = RS256.generate_key_pair(2048).map_err(|e| e.to_string())?;
    let mut jwk = kp.to_jwk_public_key();
    jwk.set_key_id("rp-key-1");
    let mut input = client_input("私鑰驗證");
    input.auth_method = Some("private_key_jwt".into());
    input.jwks = Some(format!("{{\"keys\":[{jwk}]}}"));
    let rp = add_client(&h.state, input).await;
    let id = account(&h.state, "pkjwt01", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let signer = RS256
        .signer_from_pem(kp.to_pem_private_key())
        .map_err(|e| e.to_string())?;
    let assertion = |aud: &str, jti: &str| -> Result<String, String> {
        let mut p = JwtPayload::new();
        p.set_issuer(&rp.client.id);
        p.set_subject(&rp.client.id);
        p.set_audience(vec![aud]);
        p.set_jwt_id(jti);
        p.set_expires_at(&(std::time::SystemTime::now() + std::time::Duration::from_secs(120)));
        let mut hd = JwsHeader::new();
        hd.set_key_id("rp-key-1");
        jwt::encode_with_signer(&p, &hd, &signer).map_err(|e| e.to_string())
    };
    let token_url = format!("{BASE}/oidc/token");
    let a = assertion(&token_url, "jti-1")?;
    let call = |code: String, v: String, a: String| {
        let app = h.app.clone();
        async move {
            send(
                &app,
                Method::POST,
                "/oidc/token",
                &[],
                Some(&[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", CB),
                    ("code_verifier", &v),
                    (
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                    ),
                    ("client_assertion", &a),
                ]),
            )
            .await
        }
    };
    let (c1, v1) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let r = call(c1, v1, a.clone()).await;
    ensure(r.status == 200, format!("first use: {}", r.text))?;
    let (c2, v2) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let r = call(c2.clone(), v2.clone(), a).await;
    ensure(
        r.status == 401 && r.body["error"] == "invalid_client",
        format!("replay: {}", r.text),
    )?;
    let r = call(
        c2.clone(),
        v2.clone(),
        assertion("https://other.example/token", "jti-2")?,
    )
    .await;
    ensure(r.body["error"] == "invalid_client", "wrong audience")?;
    let r = call(c2, v2, assertion(&token_url, "jti-3")?).await;
    ensure(r.status == 200, format!("fresh assertion: {}", r.text))
}

/// The client page is a back-office page for staff with the `operator` role (the page tests
/// are in `backoffice_pages.rs`); the former HTTP Basic operator token no longer opens it.
async fn operator_page_needs_a_staff_operator(store: Store, db: TestDatabase) -> R {
    let mut settings = test_settings();
    settings.oidc.operator_token = Some(OperatorToken("operator-token-0123456789".into()));
    let h = harness_with(store, db, settings);
    let r = get(&h.app, "/admin/oidc/clients", "").await;
    ensure(
        r.status == 303 && location(&r).starts_with("/admin/login"),
        format!("anonymous: {} {}", r.status, location(&r)),
    )?;
    let good = basic("operator", "operator-token-0123456789");
    let r = send(
        &h.app,
        Method::GET,
        "/admin/oidc/clients",
        &[("authorization", &good)],
        None,
    )
    .await;
    ensure(
        r.status == 303 && !r.text.contains("新增服務"),
        "the old token opens nothing",
    )?;
    let hdr = [
        ("authorization", good.as_str()),
        ("cookie", "tessera_csrf=tok"),
        ("origin", BASE),
    ];
    let form = [
        ("name", "後臺新增"),
        ("redirect_uris", CB),
        ("_csrf", "tok"),
    ];
    let r = send(
        &h.app,
        Method::POST,
        "/admin/oidc/clients",
        &hdr,
        Some(&form),
    )
    .await;
    ensure(
        r.status == 303,
        format!("post with the old token: {}", r.status),
    )?;
    let listed = h
        .state
        .store
        .oidc_clients()
        .await
        .map_err(|e| e.to_string())?;
    ensure(listed.is_empty(), "nothing registered")
}

async fn password_reset_revokes_grants(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, _, t) = tokens(&h.app, &h.state, "resetme1").await?;
    let account = h
        .state
        .store
        .account_by_username("resetme1")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("account")?;
    tessera_app::flows::reset::set_new_password(
        &h.state,
        &account,
        "Renewed2027ok",
        &ctx(),
        tessera_core::audit::AuditKind::PasswordResetCompleted,
    )
    .await
    .map_err(|f| f.code.to_string())?;
    let r = refresh(&h.app, &rp, t["refresh_token"].as_str().unwrap_or("")).await;
    ensure(r.body["error"] == "invalid_grant", r.text.clone())?;
    ensure(
        userinfo(&h.app, t["access_token"].as_str().unwrap_or(""))
            .await
            .status
            == 401,
        "access token revoked",
    )
}

/// The token endpoint caches client rows (`flows::oidc::client_cache`): removing a client
/// must still end its access at once on this node, with its unredeemed codes.
async fn removed_client_is_refused_at_once(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("移除測試")).await;
    let id = account(&h.state, "cremove1", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let (first, v1) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let (second, v2) = code_for(&h.app, &cookie, &rp.client.id).await?;
    ensure(
        exchange(&h.app, &rp, &first, &v1).await.status == 200,
        "tokens before removal (the client row is now cached)",
    )?;
    let removed = tessera_app::flows::oidc::clients::remove(&h.state, &rp.client.id, &ctx(), "op")
        .await
        .map_err(|f| f.code.to_string())?;
    ensure(removed, "client removed")?;
    let r = exchange(&h.app, &rp, &second, &v2).await;
    ensure(
        r.status == 401 && r.body["error"] == "invalid_client",
        format!("removed client refused: {}", r.text),
    )
}

tessera_store::both_backends!(
    wrong_client_authentication,
    private_key_jwt_replay_is_refused,
    operator_page_needs_a_staff_operator,
    password_reset_revokes_grants,
    removed_client_is_refused_at_once,
);
