//! The OpenID Connect provider's application layer: authorization with
//! PKCE, sign-in / step-up / consent interactions, the token endpoint's grants with client
//! authentication, userinfo, revocation, introspection, RP-initiated logout, client
//! administration and signing keys. HTTP lives in the web crate's `oidc`; rules in
//! `tessera_core::oidc`; storage in `tessera_store::oidc`.

pub mod authorize;
pub mod claims;
pub mod client_auth;
pub mod client_cache;
pub mod clients;
pub mod consent;
pub mod keys;
pub mod logout;
pub mod org;
mod request;
pub mod resource;
mod rotation;
pub mod settings;
pub mod token;

pub use rotation::{rotate_due_keys, rotate_keys};
pub use settings::{OidcSettings, OperatorToken};

use crate::error::FailureKind;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use tessera_store::oidc::OidcClient;

use crate::error::Failure;
use crate::state::AppState;

/// The levels of assurance some configured sign-in reaches, weakest first: the password
/// always (upstream providers sign in at that level too), the certificate only where
/// certificate sign-in is configured (a trust directory, `AppState::pki`). No sign-in reaches
/// `otp` or `nhi-card`. Discovery advertises these and `acr_values` is held to them.
pub fn reachable_levels(state: &AppState) -> Vec<tessera_core::loa::Loa> {
    use tessera_core::loa::Loa;
    let mut levels = vec![Loa::Password];
    if state.pki.is_some() {
        levels.push(Loa::Certificate);
    }
    levels
}

/// An OAuth error answered as JSON `{error, error_description}` (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub kind: FailureKind,
    pub error: &'static str,
    pub description: String,
    /// Authentication by HTTP Basic failed: answer with `WWW-Authenticate`.
    pub basic_challenge: bool,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        let kind = match error {
            "invalid_client" => FailureKind::Unauthenticated,
            "invalid_token" => FailureKind::Unauthenticated,
            "server_error" => FailureKind::Internal,
            _ => FailureKind::Invalid,
        };
        Self {
            kind,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub fn request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    pub fn grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }
}

impl From<Failure> for OAuthError {
    fn from(f: Failure) -> Self {
        tracing::error!(code = f.code, "OIDC endpoint failed");
        OAuthError::new("server_error", "internal error")
    }
}

impl From<tessera_store::StoreError> for OAuthError {
    fn from(e: tessera_store::StoreError) -> Self {
        OAuthError::from(Failure::from(e))
    }
}

/// The issuer: exactly the public base URL.
pub fn issuer(state: &AppState) -> &str {
    &state.settings.base_url
}

/// Digest under which a code, refresh token or client secret is stored.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The client's pairwise subject for an account: HMAC-SHA256 under the shared pairwise
/// secret of (sector, account), so different sectors cannot join their users.
pub async fn subject(
    state: &AppState,
    client: &OidcClient,
    account_id: &str,
) -> Result<String, Failure> {
    let key = state.oidc_pairwise_key().await?;
    let sector = client.sector.as_deref().unwrap_or(&client.id);
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).map_err(|_| Failure::internal())?;
    mac.update(&(sector.len() as u64).to_be_bytes());
    mac.update(sector.as_bytes());
    mac.update(account_id.as_bytes());
    Ok(URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// `base64url(sha256(verifier))` (PKCE S256, RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`.
pub fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// `at_hash`: left half of SHA-256 of the access token, base64url.
pub fn at_hash(access_token: &str) -> String {
    let d = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&d[..16])
}

/// Parses an `application/x-www-form-urlencoded` body or query, refusing repeated
/// parameters (RFC 6749 §3.1) and empty values counting as absent.
pub fn params(raw: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(raw) {
        if v.is_empty() {
            continue;
        }
        if out.iter().any(|(seen, _)| *seen == k) {
            return Err(OAuthError::request(format!("parameter {k} repeated")));
        }
        out.push((k.into_owned(), v.into_owned()));
    }
    Ok(out)
}

/// The value of `name` in parsed parameters.
pub fn param<'a>(p: &'a [(String, String)], name: &str) -> Option<&'a str> {
    p.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(valid_verifier(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!valid_verifier("short"));
        assert!(!valid_verifier(&"a".repeat(129)));
        assert!(!valid_verifier(&format!("{}+", "a".repeat(50))));
    }

    #[test]
    fn repeated_parameters_are_refused() {
        assert!(params(b"a=1&b=2").is_ok());
        assert!(params(b"a=1&a=2").is_err());
        let p = params(b"a=&b=x%20y").unwrap();
        assert_eq!(param(&p, "a"), None);
        assert_eq!(param(&p, "b"), Some("x y"));
    }
}
