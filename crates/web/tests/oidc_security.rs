//! The OpenID Connect provider's security rules, each attacked and shown to hold, on SQLite
//! and PostgreSQL: wrong PKCE verifier, code reuse revoking what the first use issued,
//! redirect URI mismatch and open-redirect attempts, refresh-token reuse revoking the family,
//! expired codes, the national ID withheld below card level or from clients not allowed it,
//! no code for a member whose email address is not verified.
//! (Client authentication and the back office: `oidc_clients.rs`.)

mod common;
mod oidc;

use axum::http::Method;
use oidc::helpers::*;
use tessera_core::loa::Loa;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use common::{harness, harness_with, test_settings};

async fn wrong_pkce_verifier_and_missing_pkce(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, cookie, _) = tokens(&h.app, &h.state, "pkce001").await?;
    let (code, _) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let r = exchange(&h.app, &rp, &code, &verifier()).await;
    ensure(
        r.status == 400 && r.body["error"] == "invalid_grant",
        r.text.clone(),
    )?;
    // A public client must send an S256 challenge; `plain` is refused.
    let mut input = client_input("公開用戶端");
    input.public = true;
    let public = add_client(&h.state, input).await;
    let uri = format!(
        "/oidc/authorize?response_type=code&client_id={}&redirect_uri={}&scope=openid&state=s",
        public.client.id,
        urlencode(CB)
    );
    let q = query_of(&location(&get(&h.app, &uri, &cookie).await));
    ensure(
        q.get("error").map(String::as_str) == Some("invalid_request")
            && q.get("state").map(String::as_str) == Some("s"),
        format!("{q:?}"),
    )?;
    let plain = format!(
        "{uri}&code_challenge={}&code_challenge_method=plain",
        "a".repeat(43)
    );
    let q = query_of(&location(&get(&h.app, &plain, &cookie).await));
    ensure(
        q.get("error").map(String::as_str) == Some("invalid_request"),
        "plain refused",
    )
}

async fn code_reuse_revokes_what_it_issued(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("重放測試")).await;
    let id = account(&h.state, "reuse01", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let first = exchange(&h.app, &rp, &code, &v).await;
    ensure(first.status == 200, first.text.clone())?;
    let second = exchange(&h.app, &rp, &code, &v).await;
    ensure(
        second.status == 400 && second.body["error"] == "invalid_grant",
        second.text.clone(),
    )?;
    let access = first.body["access_token"].as_str().unwrap_or("");
    ensure(
        userinfo(&h.app, access).await.status == 401,
        "first use's access token revoked",
    )?;
    let r = refresh(
        &h.app,
        &rp,
        first.body["refresh_token"].as_str().unwrap_or(""),
    )
    .await;
    ensure(
        r.body["error"] == "invalid_grant",
        "first use's refresh token revoked",
    )
}

async fn redirect_uri_mismatch_and_open_redirects(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("導向測試")).await;
    let id = account(&h.state, "redir01", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let ch = challenge(&verifier());
    let good = authorize_uri(&rp.client.id, &ch, &[]);
    for evil in [
        "https://evil.example/callback",
        "https://rp.example.tw/callback/../evil",
        "https://rp.example.tw/callback?x=1",
        "https://rp.example.tw.evil.example/callback",
        "//evil.example/callback",
    ] {
        let uri = good.replace(&urlencode(CB), &urlencode(evil));
        let r = get(&h.app, &uri, &cookie).await;
        ensure(
            r.status == 400 && location(&r).is_empty(),
            format!("{evil}: {} {}", r.status, location(&r)),
        )?;
        ensure(
            r.text.contains("返回網址與註冊資料不符"),
            "explained to the user",
        )?;
    }
    let r = get(
        &h.app,
        &good.replace(&rp.client.id, "no-such-client"),
        &cookie,
    )
    .await;
    ensure(
        r.status == 400 && location(&r).is_empty(),
        "unknown client shown, not redirected",
    )?;
    let r = get(
        &h.app,
        &good.replace("response_type=code", "response_type=token"),
        &cookie,
    )
    .await;
    ensure(
        query_of(&location(&r)).get("error").map(String::as_str)
            == Some("unsupported_response_type"),
        "errors after validation go back",
    )?;
    // The code is bound to its redirect URI at the token endpoint.
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let auth = basic(&rp.client.id, rp.secret.as_deref().unwrap_or(""));
    let r = send(
        &h.app,
        Method::POST,
        "/oidc/token",
        &[("authorization", &auth)],
        Some(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "https://rp.example.tw/other"),
            ("code_verifier", &v),
        ]),
    )
    .await;
    ensure(r.body["error"] == "invalid_grant", r.text.clone())?;
    // Logout never redirects to an unregistered address.
    let r = get(
        &h.app,
        &format!(
            "/oidc/logout?client_id={}&post_logout_redirect_uri={}",
            rp.client.id,
            urlencode("https://evil.example/")
        ),
        &cookie,
    )
    .await;
    ensure(
        r.status == 400 && location(&r).is_empty(),
        "logout redirect refused",
    )?;
    let r = get(
        &h.app,
        &format!(
            "/oidc/logout?post_logout_redirect_uri={}",
            urlencode(LOGOUT_CB)
        ),
        &cookie,
    )
    .await;
    ensure(
        r.status == 400 && location(&r).is_empty(),
        "no client, no redirect",
    )
}

async fn refresh_reuse_revokes_the_family(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (rp, _, t) = tokens(&h.app, &h.state, "family1").await?;
    let r1 = t["refresh_token"].as_str().unwrap_or("").to_string();
    let n = refresh(&h.app, &rp, &r1).await;
    let r2 = n.body["refresh_token"].as_str().unwrap_or("").to_string();
    let a2 = n.body["access_token"].as_str().unwrap_or("").to_string();
    let again = refresh(&h.app, &rp, &r1).await;
    ensure(
        again.status == 400 && again.body["error"] == "invalid_grant",
        again.text.clone(),
    )?;
    ensure(
        refresh(&h.app, &rp, &r2).await.body["error"] == "invalid_grant",
        "newest token of the family revoked",
    )?;
    ensure(
        userinfo(&h.app, &a2).await.status == 401,
        "family's access token revoked",
    )?;
    // Another client cannot spend (or burn) this client's tokens.
    let (rp_b, _, tb) = tokens(&h.app, &h.state, "family2").await?;
    let rb = tb["refresh_token"].as_str().unwrap_or("");
    ensure(
        refresh(&h.app, &rp, rb).await.body["error"] == "invalid_grant",
        "foreign token refused",
    )?;
    ensure(
        refresh(&h.app, &rp_b, rb).await.status == 200,
        "and still usable by its owner",
    )
}

async fn expired_code_is_refused(store: Store, db: TestDatabase) -> R {
    ensure(
        tessera_app::flows::oidc::OidcSettings::default().code_ttl == 60,
        "codes live 60 s",
    )?;
    let mut settings = test_settings();
    settings.oidc.code_ttl = 0;
    let h = harness_with(store, db, settings);
    let rp = add_client(&h.state, client_input("逾時")).await;
    let id = account(&h.state, "expire1", None).await;
    let cookie = session(&h.state, &id, Loa::Password).await;
    let (code, v) = code_for(&h.app, &cookie, &rp.client.id).await?;
    let r = exchange(&h.app, &rp, &code, &v).await;
    ensure(
        r.status == 400 && r.body["error"] == "invalid_grant",
        r.text.clone(),
    )
}

async fn national_id_only_at_card_level_for_allowed_clients(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let mut allowed = client_input("需身分證號的服務");
    allowed.allow_national_id = true;
    allowed.no_consent = true;
    let allowed = add_client(&h.state, allowed).await;
    let mut other = client_input("一般服務");
    other.no_consent = true;
    let other = add_client(&h.state, other).await;
    let id = account(&h.state, "natid01", Some("A123456789")).await;
    let scope = [("scope", "openid tw_national_id")];
    async fn claims(
        h: &common::Harness,
        rp: &tessera_app::flows::oidc::clients::Registered,
        cookie: &str,
        extra: &[(&str, &str)],
    ) -> Result<serde_json::Value, String> {
        let v = verifier();
        let loc = authorize(
            &h.app,
            cookie,
            &authorize_uri(&rp.client.id, &challenge(&v), extra),
        )
        .await?;
        let t = exchange(&h.app, rp, &query_of(&loc)["code"], &v).await;
        Ok(
            userinfo(&h.app, t.body["access_token"].as_str().unwrap_or(""))
                .await
                .body,
        )
    }
    for loa in [Loa::Password, Loa::Otp] {
        let c = session(&h.state, &id, loa).await;
        let u = claims(&h, &allowed, &c, &scope).await?;
        ensure(
            u.get("tw_national_id").is_none() && u.get("sub").is_some(),
            format!("{loa}: {u}"),
        )?;
    }
    let strong = session(&h.state, &id, Loa::Certificate).await;
    let u = claims(&h, &other, &strong, &scope).await?;
    ensure(u.get("tw_national_id").is_none(), "client not allowed")?;
    let u = claims(&h, &allowed, &strong, &scope).await?;
    ensure(u["tw_national_id"] == "A123456789", u.to_string())?;
    let nhi = session(&h.state, &id, Loa::NhiCard).await;
    ensure(
        claims(&h, &allowed, &nhi, &scope).await?["tw_national_id"] == "A123456789",
        "nhi-card level",
    )
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A member who registered but never followed the verification link signs in and a service
/// asks Tessera to sign them in: the browser is shown why it cannot go on (and how to verify),
/// the service gets no code — not even with `prompt=none` — and nothing is remembered for it.
/// Once the link is followed, the kept request goes on to a code.
async fn unverified_member_gets_no_code(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let rp = add_client(&h.state, client_input("未驗證測試服務")).await;
    let email = "unverif01@example.tw";
    let r = common::register(&h.app, "Unverif01", email).await;
    ensure(r.status == 201, r.text.clone())?;
    let cookie = common::login(&h.app, "Unverif01", common::PASSWORD, None)
        .await
        .session_cookie()
        .ok_or("the unverified member signs in")?;
    let v = verifier();
    let uri = authorize_uri(&rp.client.id, &challenge(&v), &[]);
    let r = get(&h.app, &uri, &cookie).await;
    ensure(
        r.status == 403 && location(&r).is_empty(),
        format!("no redirect to the service: {} {}", r.status, location(&r)),
    )?;
    for said in [
        "電子郵件信箱尚未驗證",
        "「未驗證測試服務」要求以您的帳號登入",
        email,
        r#"action="/account/email/resend""#,
        r#"href="/account/profile""#,
    ] {
        ensure(r.text.contains(said), format!("the page says {said}"))?;
    }
    ensure(
        !r.text.contains(CB) && !r.text.contains("code="),
        "the page leaks nothing for the service",
    )?;
    // The page answers in English too.
    let en = send(
        &h.app,
        Method::GET,
        &uri,
        &[("cookie", &cookie), ("accept-language", "en")],
        None,
    )
    .await;
    ensure(
        en.status == 403 && en.text.contains("Your email address is not verified"),
        en.text.clone(),
    )?;
    // Without interaction the service hears only that interaction is needed.
    let silent = authorize_uri(&rp.client.id, &challenge(&v), &[("prompt", "none")]);
    let q = query_of(&location(&get(&h.app, &silent, &cookie).await));
    ensure(
        q.get("error").map(String::as_str) == Some("interaction_required")
            && !q.contains_key("code")
            && q.get("state").map(String::as_str) == Some("st-123"),
        format!("{q:?}"),
    )?;
    // Answering the consent page directly for a kept request is no way around either.
    let resume = r
        .text
        .split("href=\"")
        .filter_map(|x| x.split('"').next())
        .find(|x| x.starts_with("/oidc/authorize/resume?request="))
        .ok_or("the page offers to go on after verifying")?
        .replace("&amp;", "&");
    let c = consent(&h.app, &cookie, &request_id(&resume), "allow").await;
    ensure(
        !location(&c).starts_with(CB),
        format!("consent post: {} {}", c.status, location(&c)),
    )?;
    ensure(
        common::audit_count(&h.state.store, "oidc_code_issued").await == 0
            && common::audit_count(&h.state.store, "oidc_consent_granted").await == 0,
        "no code issued, no consent kept",
    )?;
    ensure(
        common::audit_count(&h.state.store, "email_unverified_refused").await >= 2,
        "the refusals are audited",
    )?;
    // After the link, the kept request goes on.
    common::verify_email(&h.app, h.dir.path(), email).await;
    let r = get(&h.app, &resume, &cookie).await;
    let mut loc = location(&r);
    if loc.starts_with("/oidc/consent") {
        loc = location(&consent(&h.app, &cookie, &request_id(&loc), "allow").await);
    }
    let q = query_of(&loc);
    let code = q.get("code").ok_or(format!("a code now: {loc}"))?;
    let t = exchange(&h.app, &rp, code, &v).await;
    ensure(t.status == 200, t.text.clone())?;
    let info = userinfo(&h.app, t.body["access_token"].as_str().unwrap_or("")).await;
    ensure(
        info.body["email"] == email && info.body["email_verified"] == true,
        info.text.clone(),
    )
}

tessera_store::both_backends!(
    unverified_member_gets_no_code,
    wrong_pkce_verifier_and_missing_pkce,
    code_reuse_revokes_what_it_issued,
    redirect_uri_mismatch_and_open_redirects,
    refresh_reuse_revokes_the_family,
    expired_code_is_refused,
    national_id_only_at_card_level_for_allowed_clients,
);
