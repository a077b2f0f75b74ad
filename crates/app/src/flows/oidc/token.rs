//! The token endpoint's grants: `authorization_code` (single use — a second use revokes what
//! the first issued — redirect URI and PKCE verifier checked) and `refresh_token` (rotated
//! at every use; a rotated token coming back revokes its whole family). Issues the access
//! token (RFC 9068 JWT, `typ: at+jwt`), the ID token and the next refresh token.

use serde::Serialize;
use serde_json::{Value, json};
use tessera_core::audit::AuditKind;
use tessera_core::loa::Loa;
use tessera_core::oidc::{amr_of, scopes_covered};
use tessera_store::oidc::{
    CodeExchange, Exchanged, Grant, OidcClient, Redemption, RefreshToken, Rotated,
};
use tessera_store::{Account, NewAuditEvent};
use tokio::sync::oneshot;

use super::{OAuthError, at_hash, digest, issuer, param, s256, subject, valid_verifier};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets::same;
use crate::state::AppState;

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub id_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

fn payload(v: Value) -> Result<josekit::jwt::JwtPayload, Failure> {
    match v {
        Value::Object(map) => josekit::jwt::JwtPayload::from_map(map).map_err(|e| {
            tracing::error!(error = %e, "JWT payload refused");
            Failure::internal()
        }),
        _ => Err(Failure::internal()),
    }
}

/// Signs an access token for `grant` (RFC 9068 shape).
pub async fn access_token(
    state: &AppState,
    client: &OidcClient,
    grant: &Grant,
    sub: &str,
    scope: &str,
    t: i64,
) -> Result<String, Failure> {
    let p = payload(json!({
        "iss": issuer(state),
        "sub": sub,
        "aud": issuer(state),
        "client_id": client.id,
        "exp": t + state.settings.oidc.access_token_ttl,
        "iat": t,
        "jti": crate::secrets::token(),
        "scope": scope,
        "auth_time": grant.auth_time,
        "acr": grant.acr,
        "gid": grant.id,
    }))?;
    state
        .oidc_keys
        .sign(&state.store, t, &client.id_token_alg, "at+jwt", &p)
        .await
}

async fn mint(
    state: &AppState,
    client: &OidcClient,
    grant: &Grant,
    scope: &str,
    nonce: Option<&str>,
    refresh: Option<String>,
    t: i64,
) -> Result<TokenResponse, Failure> {
    let sub = subject(state, client, &grant.account_id).await?;
    let access = access_token(state, client, grant, &sub, scope, t).await?;
    let loa = Loa::parse(&grant.acr).unwrap_or(Loa::Password);
    let mut id = json!({
        "iss": issuer(state),
        "sub": sub,
        "aud": client.id,
        "azp": client.id,
        "exp": t + state.settings.oidc.id_token_ttl,
        "iat": t,
        "auth_time": grant.auth_time,
        "acr": grant.acr,
        "amr": amr_of(loa),
        "at_hash": at_hash(&access),
    });
    if let Some(n) = nonce {
        id["nonce"] = json!(n);
    }
    let id_token = state
        .oidc_keys
        .sign(&state.store, t, &client.id_token_alg, "JWT", &payload(id)?)
        .await?;
    Ok(TokenResponse {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.settings.oidc.access_token_ttl,
        id_token,
        refresh_token: refresh,
        scope: scope.to_string(),
    })
}

/// The account of a live grant, if it can still be served.
async fn usable_account(state: &AppState, grant: &Grant) -> Result<Option<Account>, Failure> {
    let account = state.store.account_by_id(&grant.account_id).await?;
    Ok(account.filter(|a| !a.disabled))
}

fn who(grant: &Grant) -> Subject<'_> {
    Subject {
        account_id: Some(&grant.account_id),
        username: None,
    }
}

async fn revoke(state: &AppState, grant_id: &str, kind: AuditKind, reason: &str, ctx: &Ctx) {
    let revoked = state.store.revoke_oidc_grant(grant_id, reason, now()).await;
    let account = match state.store.oidc_grant(grant_id).await {
        Ok(Some(g)) => Some(g.account_id),
        _ => None,
    };
    audit::record(
        state,
        kind,
        Subject {
            account_id: account.as_deref(),
            username: None,
        },
        ctx,
        "family_revoked",
        Some(json!({ "grant_id": grant_id, "newly_revoked": revoked.unwrap_or(false) })),
    )
    .await;
}

/// The audit event of tokens issued to `client` for `grant` by grant type `how`.
fn issued_event(client_id: &str, grant: &Grant, how: &str, ctx: &Ctx) -> NewAuditEvent {
    audit::event(
        AuditKind::OidcTokenIssued,
        who(grant),
        ctx,
        how,
        Some(json!({ "client_id": client_id, "grant_id": grant.id, "acr": grant.acr })),
    )
}

async fn issued(state: &AppState, client: &OidcClient, grant: &Grant, how: &str, ctx: &Ctx) {
    let event = issued_event(&client.id, grant, how, ctx);
    if let Err(e) = state.store.append_audit(&event).await {
        tracing::error!(error = %e, kind = event.kind, "AUDIT LOG WRITE FAILED");
    }
}

/// The checks of a code just spent, in the order RFC 6749 §4.1.3 lists them: issued to
/// this client, same redirect URI, PKCE verifier, grant still live and account usable.
fn check_code(
    client_id: &str,
    p: &[(String, String)],
    r: &Redemption,
    t: i64,
) -> Result<(), &'static str> {
    let (code, grant) = (&r.code, &r.grant);
    if grant.client_id != client_id {
        return Err("code was issued to another client");
    }
    if param(p, "redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err("redirect_uri does not match");
    }
    let verifier = param(p, "code_verifier");
    match (&code.code_challenge, verifier) {
        (Some(challenge), Some(v)) if valid_verifier(v) && same(&s256(v), challenge) => {}
        (Some(_), _) => return Err("PKCE verification failed"),
        (None, Some(_)) => return Err("no code_challenge was sent"),
        (None, None) => {}
    }
    if !grant.is_live(t) || !r.account_usable {
        return Err("authorization no longer valid");
    }
    Ok(())
}

/// `grant_type=authorization_code`: the code is spent, checked, its refresh token stored
/// and the issuance audited in one store call, group-committed with the exchanges other
/// requests make at the same moment.
pub async fn code_grant(
    state: &AppState,
    client: &OidcClient,
    p: &[(String, String)],
    ctx: &Ctx,
) -> Result<TokenResponse, OAuthError> {
    let code = param(p, "code").ok_or_else(|| OAuthError::request("code missing"))?;
    let t = now();
    let raw = crate::secrets::token();
    // The checks run in the store's writer task: they own what they look at. Once they
    // accept, they hand the redemption over so that the tokens are signed while the batch
    // commits; signed tokens leave only if the commit says `Issued`.
    let (accepted_tx, accepted) = oneshot::channel::<Redemption>();
    let accepted_tx = std::sync::Mutex::new(Some(accepted_tx));
    let (client_id, params, at) = (client.id.clone(), p.to_vec(), ctx.clone());
    let exchange = CodeExchange {
        code_hash: digest(code),
        now: t,
        refresh: RefreshToken {
            hash: digest(&raw),
            grant_id: String::new(),
            created_at: t,
            expires_at: t + state.settings.oidc.refresh_ttl,
        },
        check: Box::new(move |r| {
            check_code(&client_id, &params, r, t)?;
            if let Some(tx) = accepted_tx.lock().ok().and_then(|mut g| g.take()) {
                let _ = tx.send(r.clone());
            }
            Ok(issued_event(
                &client_id,
                &r.grant,
                "authorization_code",
                &at,
            ))
        }),
    };
    let early = async {
        let r = accepted.await.ok()?;
        Some(
            mint(
                state,
                client,
                &r.grant,
                &r.grant.scope,
                r.code.nonce.as_deref(),
                None,
                t,
            )
            .await,
        )
    };
    let (exchanged, minted) = tokio::join!(state.store.exchange_oidc_code(exchange), early);
    let r = match exchanged? {
        Exchanged::Issued(r) => r,
        Exchanged::Refused(e) => return Err(OAuthError::grant(e)),
        Exchanged::Reused { grant_id } => {
            revoke(
                state,
                &grant_id,
                AuditKind::OidcCodeReused,
                "code_reused",
                ctx,
            )
            .await;
            return Err(OAuthError::grant("authorization code already used"));
        }
        Exchanged::Expired | Exchanged::Unknown => {
            return Err(OAuthError::grant("authorization code invalid or expired"));
        }
    };
    let mut resp = match minted {
        Some(resp) => resp?,
        // Not signed while committing (the hand-over lock was poisoned): sign now.
        None => {
            mint(
                state,
                client,
                &r.grant,
                &r.grant.scope,
                r.code.nonce.as_deref(),
                None,
                t,
            )
            .await?
        }
    };
    resp.refresh_token = Some(raw);
    Ok(resp)
}

/// `grant_type=refresh_token`.
pub async fn refresh_grant(
    state: &AppState,
    client: &OidcClient,
    p: &[(String, String)],
    ctx: &Ctx,
) -> Result<TokenResponse, OAuthError> {
    let old =
        param(p, "refresh_token").ok_or_else(|| OAuthError::request("refresh_token missing"))?;
    let t = now();
    let old_hash = digest(old);
    // The family's owner must be the caller before anything is spent.
    match state.store.oidc_refresh_grant(&old_hash, t).await? {
        Some((g, _)) if g.client_id != client.id => {
            return Err(OAuthError::grant(
                "refresh token was issued to another client",
            ));
        }
        _ => {}
    }
    let raw = crate::secrets::token();
    let next = RefreshToken {
        hash: digest(&raw),
        grant_id: String::new(),
        created_at: t,
        expires_at: t + state.settings.oidc.refresh_ttl,
    };
    let grant = match state.store.rotate_oidc_refresh(&old_hash, &next, t).await? {
        Rotated::Ok(g) => g,
        Rotated::Reused { grant_id } => {
            revoke(
                state,
                &grant_id,
                AuditKind::OidcRefreshReused,
                "refresh_reused",
                ctx,
            )
            .await;
            return Err(OAuthError::grant("refresh token already used"));
        }
        Rotated::Invalid => return Err(OAuthError::grant("refresh token invalid or expired")),
    };
    if grant.client_id != client.id {
        return Err(OAuthError::grant(
            "refresh token was issued to another client",
        ));
    }
    let scope = match param(p, "scope") {
        Some(s) if !scopes_covered(s, &grant.scope) => {
            return Err(OAuthError::new("invalid_scope", "scope exceeds the grant"));
        }
        Some(s) => tessera_core::oidc::known_scopes(s).join(" "),
        None => grant.scope.clone(),
    };
    if usable_account(state, &grant).await?.is_none() {
        return Err(OAuthError::grant("account no longer usable"));
    }
    let resp = mint(state, client, &grant, &scope, None, Some(raw), t).await?;
    issued(state, client, &grant, "refresh_token", ctx).await;
    Ok(resp)
}

/// `POST /oidc/token` after client authentication.
pub async fn token(
    state: &AppState,
    client: &OidcClient,
    p: &[(String, String)],
    ctx: &Ctx,
) -> Result<TokenResponse, OAuthError> {
    match param(p, "grant_type") {
        Some("authorization_code") => code_grant(state, client, p, ctx).await,
        Some("refresh_token") => refresh_grant(state, client, p, ctx).await,
        Some(_) => Err(OAuthError::new(
            "unsupported_grant_type",
            "supported: authorization_code, refresh_token",
        )),
        None => Err(OAuthError::request("grant_type missing")),
    }
}
