//! Validation of an upstream's ID token, as a strict relying party does (OpenID Connect Core
//! 3.1.3.7): a compact JWS whose `alg` is on the provider's allow-list (never `none`, never
//! HMAC), signed by a key of the provider's JWKS, issued by exactly the configured issuer, for
//! exactly our client (`aud`, `azp`), not expired nor issued in the future or long ago, with
//! the nonce this browser's request carried, a subject, and an `at_hash` that matches the
//! access token when present. Pure: keys and time come in as arguments.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use josekit::jwk::{Jwk, JwkSet};
use josekit::jws::{self, JwsVerifier};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::secrets;

/// Clock difference tolerated between Tessera and the provider, seconds.
pub const CLOCK_SKEW: i64 = 60;
/// An ID token issued longer ago than this is refused, seconds.
pub const MAX_AGE: i64 = 600;
/// Longest token accepted, bytes.
const MAX_LEN: usize = 16 * 1024;

/// Why an ID token was refused; `reason()` is what the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the ID token is not a well-formed signed JWT")]
    Malformed,
    #[error("the signature algorithm is not allowed")]
    AlgNotAllowed,
    #[error("no key of the provider fits the token")]
    UnknownKey,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("iss is not the provider's issuer")]
    WrongIssuer,
    #[error("aud is not exactly our client_id")]
    WrongAudience,
    #[error("azp is not our client_id")]
    WrongAzp,
    #[error("the token has expired")]
    Expired,
    #[error("the token is issued in the future")]
    IssuedInFuture,
    #[error("the token was issued too long ago")]
    TooOld,
    #[error("the nonce does not match the request's")]
    NonceMismatch,
    #[error("the token has no usable subject")]
    MissingSubject,
    #[error("at_hash does not match the access token")]
    AtHashMismatch,
}

impl TokenError {
    /// Stable name for the audit log.
    pub fn reason(self) -> &'static str {
        match self {
            TokenError::Malformed => "id_token_malformed",
            TokenError::AlgNotAllowed => "id_token_alg_not_allowed",
            TokenError::UnknownKey => "id_token_unknown_key",
            TokenError::BadSignature => "id_token_bad_signature",
            TokenError::WrongIssuer => "id_token_wrong_issuer",
            TokenError::WrongAudience => "id_token_wrong_audience",
            TokenError::WrongAzp => "id_token_wrong_azp",
            TokenError::Expired => "id_token_expired",
            TokenError::IssuedInFuture => "id_token_issued_in_future",
            TokenError::TooOld => "id_token_too_old",
            TokenError::NonceMismatch => "id_token_nonce_mismatch",
            TokenError::MissingSubject => "id_token_missing_subject",
            TokenError::AtHashMismatch => "id_token_at_hash_mismatch",
        }
    }
}

/// What the token must say.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub algs: &'a [String],
    pub now: i64,
    /// The access token issued with it, for `at_hash`.
    pub access_token: Option<&'a str>,
}

/// The person the upstream vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// The token's `alg` and `kid` header parameters, read before any key is chosen.
fn header(token: &str) -> Result<(String, Option<String>), TokenError> {
    if token.len() > MAX_LEN || token.split('.').count() != 3 {
        return Err(TokenError::Malformed);
    }
    let h = josekit::jwt::decode_header(token).map_err(|_| TokenError::Malformed)?;
    let alg = h
        .claim("alg")
        .and_then(Value::as_str)
        .ok_or(TokenError::Malformed)?;
    let kid = h.claim("kid").and_then(Value::as_str).map(str::to_owned);
    Ok((alg.to_owned(), kid))
}

/// A verifier for `alg` from `jwk`, if the key fits (type, curve, use, size).
fn verifier(alg: &str, jwk: &Jwk) -> Option<Box<dyn JwsVerifier>> {
    Some(match alg {
        "RS256" => Box::new(jws::RS256.verifier_from_jwk(jwk).ok()?),
        "RS384" => Box::new(jws::RS384.verifier_from_jwk(jwk).ok()?),
        "RS512" => Box::new(jws::RS512.verifier_from_jwk(jwk).ok()?),
        "PS256" => Box::new(jws::PS256.verifier_from_jwk(jwk).ok()?),
        "PS384" => Box::new(jws::PS384.verifier_from_jwk(jwk).ok()?),
        "PS512" => Box::new(jws::PS512.verifier_from_jwk(jwk).ok()?),
        "ES256" => Box::new(jws::ES256.verifier_from_jwk(jwk).ok()?),
        "ES384" => Box::new(jws::ES384.verifier_from_jwk(jwk).ok()?),
        "ES512" => Box::new(jws::ES512.verifier_from_jwk(jwk).ok()?),
        "EdDSA" => Box::new(jws::EdDSA.verifier_from_jwk(jwk).ok()?),
        _ => return None,
    })
}

/// Whether `keys` hold a key that could verify `token` (so an unknown `kid` can trigger one
/// refresh of the JWKS, for key rotation).
pub fn has_key_for(token: &str, keys: &JwkSet, algs: &[String]) -> bool {
    header(token).is_ok_and(|(alg, kid)| !verifiers(&alg, kid.as_deref(), keys, algs).is_empty())
}

fn verifiers(
    alg: &str,
    kid: Option<&str>,
    keys: &JwkSet,
    algs: &[String],
) -> Vec<Box<dyn JwsVerifier>> {
    if alg == "none" || !algs.iter().any(|a| a == alg) {
        return Vec::new();
    }
    match kid {
        Some(kid) => keys
            .get(kid)
            .into_iter()
            .filter_map(|k| verifier(alg, k))
            .collect(),
        // No `kid`: any key of the set may have signed; verifiers must then not demand one.
        None => keys
            .keys()
            .into_iter()
            .filter_map(|k| {
                let mut k = k.clone();
                k.set_parameter("kid", None).ok()?;
                verifier(alg, &k)
            })
            .collect(),
    }
}

fn int(c: &Map<String, Value>, name: &str) -> Option<i64> {
    c.get(name)
        .and_then(|v| v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)))
}

/// The left half of the hash of the access token (OpenID Connect Core 3.1.3.6).
fn at_hash(alg: &str, access_token: &str) -> String {
    let digest: Vec<u8> = if alg.ends_with("384") {
        Sha384::digest(access_token.as_bytes()).to_vec()
    } else if alg.ends_with("512") || alg == "EdDSA" {
        Sha512::digest(access_token.as_bytes()).to_vec()
    } else {
        Sha256::digest(access_token.as_bytes()).to_vec()
    };
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// Verifies `token` against the provider's `keys` and what is `expected`.
pub fn verify(token: &str, keys: &JwkSet, expected: &Expected) -> Result<Identity, TokenError> {
    let (alg, kid) = header(token)?;
    if alg == "none" || !expected.algs.iter().any(|a| a == &alg) {
        return Err(TokenError::AlgNotAllowed);
    }
    let candidates = verifiers(&alg, kid.as_deref(), keys, expected.algs);
    if candidates.is_empty() {
        return Err(TokenError::UnknownKey);
    }
    let payload = candidates
        .iter()
        .find_map(|v| jws::deserialize_compact(token, v.as_ref()).ok())
        .map(|(payload, _)| payload)
        .ok_or(TokenError::BadSignature)?;
    let c: Map<String, Value> =
        serde_json::from_slice(&payload).map_err(|_| TokenError::Malformed)?;
    check_claims(&c, &alg, expected)
}

fn check_claims(c: &Map<String, Value>, alg: &str, e: &Expected) -> Result<Identity, TokenError> {
    if c.get("iss").and_then(Value::as_str) != Some(e.issuer) {
        return Err(TokenError::WrongIssuer);
    }
    let aud_ok = match c.get("aud") {
        Some(Value::String(a)) => a == e.client_id,
        // No audience but ours is trusted.
        Some(Value::Array(a)) => !a.is_empty() && a.iter().all(|x| x.as_str() == Some(e.client_id)),
        _ => false,
    };
    if !aud_ok {
        return Err(TokenError::WrongAudience);
    }
    match c.get("azp") {
        None => {}
        Some(v) if v.as_str() == Some(e.client_id) => {}
        Some(_) => return Err(TokenError::WrongAzp),
    }
    let exp = int(c, "exp").ok_or(TokenError::Malformed)?;
    if e.now >= exp + CLOCK_SKEW {
        return Err(TokenError::Expired);
    }
    let iat = int(c, "iat").ok_or(TokenError::Malformed)?;
    if iat > e.now + CLOCK_SKEW {
        return Err(TokenError::IssuedInFuture);
    }
    if iat < e.now - MAX_AGE {
        return Err(TokenError::TooOld);
    }
    let nonce = c.get("nonce").and_then(Value::as_str).unwrap_or("");
    if !secrets::same(nonce, e.nonce) {
        return Err(TokenError::NonceMismatch);
    }
    let subject = c
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 255 && !s.chars().any(char::is_control))
        .ok_or(TokenError::MissingSubject)?;
    if let (Some(h), Some(at)) = (c.get("at_hash"), e.access_token)
        && !secrets::same(h.as_str().unwrap_or(""), &at_hash(alg, at))
    {
        return Err(TokenError::AtHashMismatch);
    }
    Ok(Identity {
        subject: subject.to_owned(),
        email: None,
        email_verified: false,
        name: None,
    }
    .with_profile(c))
}

impl Identity {
    /// Takes `email`, `email_verified` and `name` from ID-token or userinfo claims, keeping
    /// what is already known when the claims do not say.
    pub fn with_profile(mut self, c: &Map<String, Value>) -> Self {
        let text = |name: &str, max: usize| {
            c.get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty() && s.chars().count() <= max)
                .filter(|s| !s.chars().any(char::is_control))
                .map(str::to_owned)
        };
        if let Some(email) = text("email", 254) {
            self.email_verified = match c.get("email_verified") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s == "true",
                _ => false,
            };
            self.email = Some(email);
        }
        if let Some(name) = text("name", 100) {
            self.name = Some(name);
        }
        self
    }
}

#[cfg(test)]
#[path = "id_token_tests.rs"]
mod tests;
