//! What clients and resource servers ask about tokens: userinfo (bearer access token), token
//! introspection (RFC 7662) and revocation (RFC 7009). A client sees only its own tokens.
//! Revoking either kind of token revokes its grant — every token of the family.

use std::time::UNIX_EPOCH;

use josekit::jwt::JwtPayload;
use serde_json::{Value, json};
use tessera_core::audit::AuditKind;
use tessera_store::oidc::{Grant, OidcClient};

use super::{OAuthError, claims, digest, issuer, subject};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;

fn secs(t: Option<std::time::SystemTime>) -> Option<i64> {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

/// A verified access token of this issuer (signature, `typ`, `iss`), expired or not.
async fn access_payload(state: &AppState, token: &str) -> Result<Option<JwtPayload>, Failure> {
    let t = now();
    let Some((p, h)) = state.oidc_keys.verify(&state.store, t, token).await? else {
        return Ok(None);
    };
    if h.token_type() != Some("at+jwt") || p.issuer() != Some(issuer(state)) {
        return Ok(None);
    }
    Ok(Some(p))
}

fn claim_str<'a>(p: &'a JwtPayload, name: &str) -> Option<&'a str> {
    p.claim(name).and_then(|v| v.as_str())
}

/// A live access token's grant and client: unexpired, grant not revoked.
async fn live_access(
    state: &AppState,
    token: &str,
) -> Result<Option<(JwtPayload, Grant, OidcClient)>, Failure> {
    let Some(p) = access_payload(state, token).await? else {
        return Ok(None);
    };
    let t = now();
    if secs(p.expires_at()).is_none_or(|e| e <= t) {
        return Ok(None);
    }
    let Some(gid) = claim_str(&p, "gid") else {
        return Ok(None);
    };
    let Some(grant) = state.store.oidc_grant(gid).await?.filter(|g| g.is_live(t)) else {
        return Ok(None);
    };
    let Some(client) = state.store.oidc_client(&grant.client_id).await? else {
        return Ok(None);
    };
    Ok(Some((p, grant, client)))
}

fn invalid_token() -> OAuthError {
    OAuthError::new(
        "invalid_token",
        "the access token is invalid, expired or revoked",
    )
}

/// `GET|POST /oidc/userinfo` with a bearer access token.
pub async fn userinfo(state: &AppState, bearer: Option<&str>) -> Result<Value, OAuthError> {
    let token = bearer.ok_or_else(invalid_token)?;
    let Some((p, grant, client)) = live_access(state, token).await? else {
        return Err(invalid_token());
    };
    let Some(account) = state
        .store
        .account_by_id(&grant.account_id)
        .await?
        .filter(|a| !a.disabled)
    else {
        return Err(invalid_token());
    };
    let sub = subject(state, &client, &account.id).await?;
    let scope = claim_str(&p, "scope").unwrap_or(&grant.scope);
    Ok(claims::userinfo(&client, &grant, &account, &sub, scope))
}

/// The grant a token belongs to, if it is the caller's: access token (signature checked,
/// expiry not) or refresh token.
async fn grant_of(
    state: &AppState,
    caller: &OidcClient,
    token: &str,
) -> Result<Option<Grant>, Failure> {
    if let Some(p) = access_payload(state, token).await? {
        if claim_str(&p, "client_id") != Some(caller.id.as_str()) {
            return Ok(None);
        }
        return match claim_str(&p, "gid") {
            Some(gid) => Ok(state.store.oidc_grant(gid).await?),
            None => Ok(None),
        };
    }
    Ok(state
        .store
        .oidc_refresh_grant(&digest(token), now())
        .await?
        .map(|(g, _)| g)
        .filter(|g| g.client_id == caller.id))
}

/// `POST /oidc/introspect` (RFC 7662).
pub async fn introspect(
    state: &AppState,
    caller: &OidcClient,
    token: &str,
) -> Result<Value, OAuthError> {
    let inactive = json!({ "active": false });
    if let Some((p, grant, client)) = live_access(state, token).await? {
        if client.id != caller.id {
            return Ok(inactive);
        }
        return Ok(json!({
            "active": true,
            "token_type": "Bearer",
            "scope": claim_str(&p, "scope").unwrap_or(&grant.scope),
            "client_id": client.id,
            "sub": p.subject(),
            "iss": issuer(state),
            "aud": issuer(state),
            "exp": secs(p.expires_at()),
            "iat": secs(p.issued_at()),
            "jti": p.jwt_id(),
            "acr": grant.acr,
            "auth_time": grant.auth_time,
        }));
    }
    let t = now();
    if let Some((grant, exp)) = state.store.oidc_refresh_grant(&digest(token), t).await?
        && grant.client_id == caller.id
        && grant.is_live(t)
    {
        let sub = subject(state, caller, &grant.account_id).await?;
        return Ok(json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": grant.scope,
            "client_id": caller.id,
            "sub": sub,
            "iss": issuer(state),
            "exp": exp,
            "acr": grant.acr,
            "auth_time": grant.auth_time,
        }));
    }
    Ok(inactive)
}

/// `POST /oidc/revoke` (RFC 7009): revokes the token's grant. Unknown tokens, and tokens
/// of other clients, are answered the same (200) and left alone.
pub async fn revoke(
    state: &AppState,
    caller: &OidcClient,
    token: &str,
    ctx: &Ctx,
) -> Result<(), OAuthError> {
    let Some(grant) = grant_of(state, caller, token).await? else {
        return Ok(());
    };
    let newly = state
        .store
        .revoke_oidc_grant(&grant.id, "revoked_by_client", now())
        .await?;
    audit::record(
        state,
        AuditKind::OidcTokenRevoked,
        Subject {
            account_id: Some(&grant.account_id),
            username: None,
        },
        ctx,
        "ok",
        Some(json!({ "client_id": caller.id, "grant_id": grant.id, "newly_revoked": newly })),
    )
    .await;
    Ok(())
}
