//! The OpenID Connect provider's flows, on SQLite and PostgreSQL: discovery and JWKS, the
//! code flow with PKCE and consent, ID and access tokens checked like a relying party,
//! userinfo, refresh rotation, introspection, revocation, key rotation, and two nodes on one
//! database. (prompt / max_age / step-up, consent and logout: `oidc_interaction.rs`.)

mod common;
mod oidc;

use axum::http::Method;
use oidc::helpers::*;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use common::{BASE, harness};

async fn discovery_names_exact_issuer_and_s256_only(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let d = send(
        &h.app,
        Method::GET,
        "/.well-known/openid-configuration",
        &[],
        None,
    )
    .await;
    ensure(d.status == 200, d.text.clone())?;
    ensure(d.body["issuer"] == BASE, "issuer is the base URL")?;
    ensure(
        d.body["token_endpoint"] == format!("{BASE}/oidc/token"),
        "token endpoint",
    )?;
    ensure(
        d.body["code_challenge_methods_supported"] == serde_json::json!(["S256"]),
        "S256 only",
    )?;
    ensure(
        d.body["subject_types_supported"] == serde_json::json!(["pairwise"]),
        "pairwise",
    )?;
    ensure(
        d.body["authorization_response_iss_parameter_supported"] == true,
        "RFC 9207",
    )?;
    let j = send(&h.app, Method::GET, "/oidc/jwks", &[], None).await;
    let keys = j.body["keys"].as_array().cloned().unwrap_or_default();
    ensure(
        keys.iter().any(|k| k["alg"] == "ES256") && keys.iter().any(|k| k["alg"] == "RS256"),
        j.text.clone(),
    )?;
    ensure(
        keys.iter().all(|k| k.get("d").is_none()),
        "no private parts published",
    )
}

async fn code_flow_issues_verifiable_tokens_and_userinfo(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("公保 e 系統")).await;
    let id = account(&h.state, "alice01", Some("A123456789")).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let v = verifier();
    let r = get(
        &h.app,
        &authorize_uri(&rp.client.id, &challenge(&v), &[]),
        &cookie,
    )
    .await;
    let loc = location(&r);
    ensure(
        loc.starts_with("/oidc/consent?request="),
        format!("consent asked: {loc}"),
    )?;
    let page = get(&h.app, &loc, &cookie).await;
    ensure(
        page.text.contains("公保 e 系統") && page.text.contains("電子信箱"),
        "consent page names client and data",
    )?;
    let csp = page
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    ensure(
        csp.contains("frame-ancestors 'none'")
            && csp.contains("form-action 'self' https://rp.example.tw"),
        csp.to_string(),
    )?;
    ensure(
        page.headers
            .get("x-frame-options")
            .is_some_and(|v| v == "DENY"),
        "anti-framing",
    )?;
    let back = location(&consent(&h.app, &cookie, &request_id(&loc), "allow").await);
    let q = query_of(&back);
    ensure(back.starts_with(CB), back.clone())?;
    ensure(
        q.get("state").map(String::as_str) == Some("st-123"),
        "state returned",
    )?;
    ensure(
        q.get("iss").map(String::as_str) == Some(BASE),
        "iss returned (RFC 9207)",
    )?;
    let t = exchange(&h.app, &rp, &q["code"], &v).await;
    ensure(t.status == 200, t.text.clone())?;
    ensure(
        t.headers
            .get("cache-control")
            .is_some_and(|v| v == "no-store"),
        "no-store",
    )?;
    let (idt, typ, _) = verify_jwt(&h.app, t.body["id_token"].as_str().unwrap_or("")).await?;
    ensure(typ == "JWT", "id token typ")?;
    ensure(
        idt.issuer() == Some(BASE) && idt.audience() == Some(vec![rp.client.id.as_str()]),
        "iss/aud",
    )?;
    ensure(
        idt.claim("nonce") == Some(&serde_json::json!("n-456")),
        "nonce",
    )?;
    ensure(
        idt.claim("acr") == Some(&serde_json::json!("password")),
        "acr",
    )?;
    ensure(
        idt.claim("auth_time").is_some() && idt.claim("at_hash").is_some(),
        "auth_time, at_hash",
    )?;
    let sub = idt.subject().unwrap_or("").to_string();
    ensure(
        sub.len() > 20 && sub != id,
        "pairwise sub, not the account id",
    )?;
    let access = t.body["access_token"].as_str().unwrap_or("");
    let (at, typ, _) = verify_jwt(&h.app, access).await?;
    ensure(typ == "at+jwt", "RFC 9068 typ")?;
    ensure(
        at.claim("client_id") == Some(&serde_json::json!(rp.client.id)) && at.jwt_id().is_some(),
        "client_id, jti",
    )?;
    let exp = at.claim("exp").and_then(|v| v.as_i64()).unwrap_or(0);
    let iat = at.claim("iat").and_then(|v| v.as_i64()).unwrap_or(0);
    ensure(exp - iat == 300, "access tokens live 5 minutes")?;
    let u = userinfo(&h.app, access).await;
    ensure(
        u.status == 200 && u.body["sub"] == sub.as_str(),
        u.text.clone(),
    )?;
    ensure(
        u.body["name"] == "王小明" && u.body["email"] == "alice01@example.tw",
        "profile, email",
    )?;
    ensure(u.body.get("phone_number").is_none(), "phone not asked")?;
    ensure(
        u.body.get("tw_national_id").is_none(),
        "national ID not asked",
    )?;
    // A second client sees another subject (pairwise).
    let rp2 = add_client(&h.state, client_input("保障事件平台")).await;
    let (c2, v2) = code_for(&h.app, &cookie, &rp2.client.id).await?;
    let t2 = exchange(&h.app, &rp2, &c2, &v2).await;
    let (idt2, _, _) = verify_jwt(&h.app, t2.body["id_token"].as_str().unwrap_or("")).await?;
    ensure(
        idt2.subject() != Some(sub.as_str()),
        "other client, other sub",
    )
}

async fn refresh_rotates_introspects_and_revokes(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, _, t) = tokens(&h.app, &h.state, "bobby01").await?;
    let r1 = t["refresh_token"].as_str().unwrap_or("").to_string();
    let n = refresh(&h.app, &rp, &r1).await;
    ensure(n.status == 200, n.text.clone())?;
    let r2 = n.body["refresh_token"].as_str().unwrap_or("").to_string();
    ensure(!r2.is_empty() && r2 != r1, "rotated")?;
    let (idt, _, _) = verify_jwt(&h.app, n.body["id_token"].as_str().unwrap_or("")).await?;
    ensure(idt.claim("nonce").is_none(), "no nonce on refresh")?;
    let auth = basic(&rp.client.id, rp.secret.as_deref().unwrap_or(""));
    let access = n.body["access_token"].as_str().unwrap_or("");
    let i = send(
        &h.app,
        Method::POST,
        "/oidc/introspect",
        &[("authorization", &auth)],
        Some(&[("token", access)]),
    )
    .await;
    ensure(
        i.body["active"] == true && i.body["client_id"] == rp.client.id.as_str(),
        i.text.clone(),
    )?;
    let i = send(
        &h.app,
        Method::POST,
        "/oidc/introspect",
        &[("authorization", &auth)],
        Some(&[("token", &r2)]),
    )
    .await;
    ensure(
        i.body["active"] == true && i.body["token_type"] == "refresh_token",
        i.text.clone(),
    )?;
    let rv = send(
        &h.app,
        Method::POST,
        "/oidc/revoke",
        &[("authorization", &auth)],
        Some(&[("token", &r2), ("token_type_hint", "refresh_token")]),
    )
    .await;
    ensure(rv.status == 200, rv.text.clone())?;
    ensure(
        refresh(&h.app, &rp, &r2).await.body["error"] == "invalid_grant",
        "revoked refresh refused",
    )?;
    ensure(
        userinfo(&h.app, access).await.status == 401,
        "family's access token refused",
    )?;
    let i = send(
        &h.app,
        Method::POST,
        "/oidc/introspect",
        &[("authorization", &auth)],
        Some(&[("token", access)]),
    )
    .await;
    ensure(
        i.body == serde_json::json!({"active": false}),
        "inactive after revocation",
    )?;
    let rv = send(
        &h.app,
        Method::POST,
        "/oidc/revoke",
        &[("authorization", &auth)],
        Some(&[("token", "unknown")]),
    )
    .await;
    ensure(rv.status == 200, "unknown tokens answered 200 (RFC 7009)")
}

async fn key_rotation_keeps_old_tokens_valid(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, cookie, t) = tokens(&h.app, &h.state, "frank01").await?;
    let old_access = t["access_token"].as_str().unwrap_or("").to_string();
    let (_, _, old_kid) = verify_jwt(&h.app, &old_access).await?;
    let (new_kid, retired) = tessera_app::flows::oidc::rotate_keys(&h.state, "ES256", &ctx())
        .await
        .map_err(|f| f.code.to_string())?;
    ensure(
        retired.contains(&old_kid) && new_kid != old_kid,
        "old key retired",
    )?;
    let jwks = send(&h.app, Method::GET, "/oidc/jwks", &[], None)
        .await
        .text;
    ensure(
        jwks.contains(&old_kid) && jwks.contains(&new_kid),
        "both published",
    )?;
    ensure(
        userinfo(&h.app, &old_access).await.status == 200,
        "old token still valid",
    )?;
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let fresh = exchange(&h.app, &rp, &code, &v).await;
    let (_, _, kid) = verify_jwt(&h.app, fresh.body["access_token"].as_str().unwrap_or("")).await?;
    ensure(kid == new_kid, "new tokens signed with the new key")
}

async fn two_nodes_share_codes_and_keys(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("二節點")).await;
    let other = h.db.connect().await.map_err(|e| e.to_string())?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let node_b_app = tessera_web::app(common::state_on(other, dir.path(), common::test_settings()));
    let id = account(&h.state, "grace01", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let t = exchange(&node_b_app, &rp, &code, &v).await;
    ensure(t.status == 200, t.text.clone())?;
    let access = t.body["access_token"].as_str().unwrap_or("");
    ensure(
        userinfo(&h.app, access).await.status == 200,
        "node A accepts node B's token",
    )?;
    ensure(
        exchange(&h.app, &rp, &code, &v).await.status == 400,
        "code used once across nodes",
    )
}

tessera_store::both_backends!(
    discovery_names_exact_issuer_and_s256_only,
    code_flow_issues_verifiable_tokens_and_userinfo,
    refresh_rotates_introspects_and_revokes,
    key_rotation_keeps_old_tokens_valid,
    two_nodes_share_codes_and_keys,
);
