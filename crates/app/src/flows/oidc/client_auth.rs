//! Client authentication at the token, revocation and introspection endpoints: exactly the
//! method the client was registered with — `client_secret_basic`, `client_secret_post`,
//! `private_key_jwt` (RFC 7523; `jti` recorded so an assertion works once, on any node), or
//! `none` for public clients. Failures are audited and answered `invalid_client`.

use std::time::UNIX_EPOCH;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use josekit::jwk::JwkSet;
use josekit::jws::{ES256, JwsVerifier, PS256, RS256};
use josekit::jwt::{self, JwtPayload};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_store::oidc::OidcClient;

use super::{OAuthError, digest, issuer, param};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::secrets::same;
use crate::state::AppState;

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Longest lifetime accepted for a client assertion.
const MAX_ASSERTION_LIFETIME: i64 = 600;

enum Method {
    Basic { id: String, secret: String },
    Post { id: String, secret: String },
    Jwt { id: String, assertion: String },
    None { id: String },
}

fn decode_basic(header: &str) -> Option<(String, String)> {
    let b64 = header.strip_prefix("Basic ")?.trim();
    let raw = STANDARD.decode(b64).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    // RFC 6749 §2.3.1: both parts are form-urlencoded before joining.
    let dec = |s: &str| {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((dec(id)?, dec(secret)?))
}

fn method(authorization: Option<&str>, p: &[(String, String)]) -> Result<Method, OAuthError> {
    let body_id = param(p, "client_id").map(str::to_owned);
    let body_secret = param(p, "client_secret").map(str::to_owned);
    let assertion = param(p, "client_assertion").map(str::to_owned);
    let assertion_type = param(p, "client_assertion_type");
    if let Some(h) = authorization.filter(|h| h.starts_with("Basic ")) {
        if body_secret.is_some() || assertion.is_some() {
            return Err(OAuthError::request(
                "more than one client authentication method",
            ));
        }
        let (id, secret) = decode_basic(h).ok_or_else(|| {
            let mut e = OAuthError::new("invalid_client", "malformed Basic credentials");
            e.basic_challenge = true;
            e
        })?;
        if body_id.as_deref().is_some_and(|b| b != id) {
            return Err(OAuthError::request(
                "client_id differs from the authenticated client",
            ));
        }
        return Ok(Method::Basic { id, secret });
    }
    if let Some(assertion) = assertion {
        if body_secret.is_some() {
            return Err(OAuthError::request(
                "more than one client authentication method",
            ));
        }
        if assertion_type != Some(JWT_BEARER) {
            return Err(OAuthError::request("unsupported client_assertion_type"));
        }
        // Which client is asking (its signature is checked with that client's keys next).
        let iss = assertion
            .split('.')
            .nth(1)
            .and_then(|p| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(p)
                    .ok()
            })
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["iss"].as_str().map(str::to_owned));
        let id = body_id
            .or(iss)
            .ok_or_else(|| OAuthError::new("invalid_client", "no client identified"))?;
        return Ok(Method::Jwt { id, assertion });
    }
    let id =
        body_id.ok_or_else(|| OAuthError::new("invalid_client", "no client authentication"))?;
    Ok(match body_secret {
        Some(secret) => Method::Post { id, secret },
        None => Method::None { id },
    })
}

fn verifier_for(alg: &str, jwk: &josekit::jwk::Jwk) -> Option<Box<dyn JwsVerifier>> {
    match alg {
        "RS256" => RS256
            .verifier_from_jwk(jwk)
            .ok()
            .map(|v| Box::new(v) as Box<dyn JwsVerifier>),
        "PS256" => PS256
            .verifier_from_jwk(jwk)
            .ok()
            .map(|v| Box::new(v) as Box<dyn JwsVerifier>),
        "ES256" => ES256
            .verifier_from_jwk(jwk)
            .ok()
            .map(|v| Box::new(v) as Box<dyn JwsVerifier>),
        _ => None,
    }
}

/// Verifies a private_key_jwt assertion's signature with the client's keys.
fn verify_assertion(client: &OidcClient, assertion: &str) -> Option<JwtPayload> {
    let set = JwkSet::from_bytes(client.jwks.as_deref()?.as_bytes()).ok()?;
    let header = jwt::decode_header(assertion).ok()?;
    let alg = header.claim("alg").and_then(|v| v.as_str())?.to_owned();
    let kid = header
        .claim("kid")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let candidates = match &kid {
        Some(k) => set.get(k),
        None => set.keys(),
    };
    candidates.into_iter().find_map(|jwk| {
        let v = verifier_for(&alg, jwk)?;
        jwt::decode_with_verifier(assertion, v.as_ref())
            .ok()
            .map(|(p, _)| p)
    })
}

fn secs(t: Option<std::time::SystemTime>) -> Option<i64> {
    t.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
}

async fn check_assertion(
    state: &AppState,
    client: &OidcClient,
    assertion: &str,
    endpoint: &str,
    ctx: &Ctx,
) -> Result<(), &'static str> {
    let payload = verify_assertion(client, assertion).ok_or("assertion_signature")?;
    let t = now();
    if payload.issuer() != Some(client.id.as_str()) || payload.subject() != Some(client.id.as_str())
    {
        return Err("assertion_iss_sub");
    }
    let iss = issuer(state);
    let token_endpoint = format!("{iss}/oidc/token");
    let aud_ok = payload.audience().is_some_and(|a| {
        a.iter()
            .any(|x| *x == iss || *x == token_endpoint || *x == endpoint)
    });
    if !aud_ok {
        return Err("assertion_audience");
    }
    let exp = secs(payload.expires_at()).ok_or("assertion_exp")?;
    if exp <= t || exp > t + MAX_ASSERTION_LIFETIME {
        return Err("assertion_exp");
    }
    if secs(payload.not_before()).is_some_and(|nbf| nbf > t + 30) {
        return Err("assertion_nbf");
    }
    let jti = payload.jwt_id().ok_or("assertion_jti")?;
    if jti.len() > 200 {
        return Err("assertion_jti");
    }
    let fresh = state
        .store
        .record_oidc_assertion(&client.id, jti, exp)
        .await
        .map_err(|_| "storage")?;
    if !fresh {
        audit::record(
            state,
            AuditKind::OidcAssertionReplayed,
            Subject::default(),
            ctx,
            "replayed",
            Some(json!({ "client_id": client.id })),
        )
        .await;
        return Err("assertion_replayed");
    }
    Ok(())
}

/// Authenticates the calling client. `endpoint` is the URL called (accepted as an
/// assertion audience besides the issuer and the token endpoint).
pub async fn authenticate(
    state: &AppState,
    authorization: Option<&str>,
    p: &[(String, String)],
    endpoint: &str,
    ctx: &Ctx,
) -> Result<OidcClient, OAuthError> {
    let m = method(authorization, p)?;
    let (id, used) = match &m {
        Method::Basic { id, .. } => (id.clone(), "client_secret_basic"),
        Method::Post { id, .. } => (id.clone(), "client_secret_post"),
        Method::Jwt { id, .. } => (id.clone(), "private_key_jwt"),
        Method::None { id } => (id.clone(), "none"),
    };
    // A NUL can come decoded out of Basic credentials or an assertion's `iss`; no client has
    // one, and the database cannot be asked about it.
    let client = if id.len() > 200 || id.contains('\0') {
        None
    } else {
        state.oidc_clients.get(&state.store, &id).await?
    };
    let outcome: Result<(), &'static str> = match (&client, &m) {
        (None, _) => Err("unknown_client"),
        (Some(c), _) if c.auth_method != used => Err("wrong_method"),
        (Some(c), Method::Basic { secret, .. } | Method::Post { secret, .. }) => {
            let ok = c
                .secret_hash
                .as_deref()
                .is_some_and(|h| same(&digest(secret), h));
            if ok { Ok(()) } else { Err("wrong_secret") }
        }
        (Some(c), Method::Jwt { assertion, .. }) => {
            check_assertion(state, c, assertion, endpoint, ctx).await
        }
        (Some(_), Method::None { .. }) => Ok(()),
    };
    match (client, outcome) {
        (Some(c), Ok(())) => Ok(c),
        (_, Err(reason)) => {
            audit::record(
                state,
                AuditKind::OidcClientAuthFailed,
                Subject::default(),
                ctx,
                reason,
                Some(json!({ "client_id": crate::text::shown(&id), "method": used })),
            )
            .await;
            let mut e = OAuthError::new("invalid_client", "client authentication failed");
            e.basic_challenge = matches!(m, Method::Basic { .. });
            Err(e)
        }
        (None, Ok(())) => Err(OAuthError::new("invalid_client", "unknown client")),
    }
}
