//! Client administration shared by `tessera admin clients …` and the back-office page:
//! register (client id and, for confidential clients, a 256-bit secret shown once and
//! stored as its SHA-256), list, remove. Every change is audited.

use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_core::oidc::valid_redirect_uri;
use tessera_store::oidc::OidcClient;

use super::digest;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;

/// What an operator registers.
#[derive(Debug, Clone, Default)]
pub struct NewClient {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    /// A public client (no secret; PKCE required).
    pub public: bool,
    /// First-party service: consent is not asked.
    pub no_consent: bool,
    pub allow_national_id: bool,
    /// `client_secret_basic` (default for confidential clients), `client_secret_post` or
    /// `private_key_jwt` (needs `jwks`).
    pub auth_method: Option<String>,
    /// `ES256` (default) or `RS256`.
    pub id_token_alg: Option<String>,
    /// The client's public keys (JWKS JSON) for private_key_jwt.
    pub jwks: Option<String>,
    /// Pairwise sector shared with other clients; default: the client itself.
    pub sector: Option<String>,
}

/// A registered client with its secret, shown once.
#[derive(Debug, Clone)]
pub struct Registered {
    pub client: OidcClient,
    pub secret: Option<String>,
}

fn bad(field: &'static str, code: &'static str) -> Failure {
    Failure::field(FieldError::new(field, code))
}

fn check(input: &NewClient) -> Result<(String, String), Failure> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(bad("name", "oidc_client_name_required"));
    }
    if input.redirect_uris.is_empty() {
        return Err(bad("redirect_uris", "oidc_redirect_uri_required"));
    }
    for u in &input.redirect_uris {
        valid_redirect_uri(u).map_err(|_| bad("redirect_uris", "oidc_redirect_uri_rejected"))?;
    }
    for u in &input.post_logout_redirect_uris {
        valid_redirect_uri(u)
            .map_err(|_| bad("post_logout_redirect_uris", "oidc_redirect_uri_rejected"))?;
    }
    let method = match (input.public, input.auth_method.as_deref()) {
        (true, None | Some("none")) => "none",
        (true, Some(_)) => return Err(bad("auth_method", "validation_failed")),
        (false, None) => "client_secret_basic",
        (false, Some(m @ ("client_secret_basic" | "client_secret_post"))) => m,
        (false, Some("private_key_jwt")) => {
            let ok = input.jwks.as_deref().is_some_and(|j| {
                josekit::jwk::JwkSet::from_bytes(j.as_bytes()).is_ok_and(|s| !s.keys().is_empty())
            });
            if !ok {
                return Err(bad("jwks", "validation_failed"));
            }
            "private_key_jwt"
        }
        (false, Some(_)) => return Err(bad("auth_method", "validation_failed")),
    };
    let alg = match input.id_token_alg.as_deref() {
        None | Some("ES256") => "ES256",
        Some("RS256") => "RS256",
        Some(_) => return Err(bad("id_token_alg", "validation_failed")),
    };
    Ok((method.to_string(), alg.to_string()))
}

/// Registers a client; the secret (confidential clients) is returned once.
pub async fn register(
    state: &AppState,
    input: &NewClient,
    ctx: &Ctx,
    operator: &str,
) -> Result<Registered, Failure> {
    let (auth_method, id_token_alg) = check(input)?;
    let secret = matches!(
        auth_method.as_str(),
        "client_secret_basic" | "client_secret_post"
    )
    .then(crate::secrets::token);
    let client = OidcClient {
        id: uuid::Uuid::new_v4().simple().to_string(),
        name: input.name.trim().to_string(),
        secret_hash: secret.as_deref().map(digest),
        auth_method,
        redirect_uris: input.redirect_uris.clone(),
        post_logout_redirect_uris: input.post_logout_redirect_uris.clone(),
        consent_required: !input.no_consent,
        allow_national_id: input.allow_national_id,
        id_token_alg,
        jwks: input.jwks.clone(),
        sector: input.sector.clone().filter(|s| !s.trim().is_empty()),
        created_at: now(),
    };
    state.store.create_oidc_client(&client).await?;
    audit::record(
        state,
        AuditKind::OidcClientAdded,
        Subject::username(operator),
        ctx,
        "ok",
        Some(json!({
            "client_id": client.id, "name": client.name, "auth_method": client.auth_method,
            "redirect_uris": client.redirect_uris, "consent_required": client.consent_required,
            "allow_national_id": client.allow_national_id,
        })),
    )
    .await;
    Ok(Registered { client, secret })
}

/// Every client.
pub async fn list(state: &AppState) -> Result<Vec<OidcClient>, Failure> {
    Ok(state.store.oidc_clients().await?)
}

/// Removes a client with everything it was granted. `false` when unknown.
pub async fn remove(
    state: &AppState,
    client_id: &str,
    ctx: &Ctx,
    operator: &str,
) -> Result<bool, Failure> {
    let removed = state.store.delete_oidc_client(client_id).await?;
    state.oidc_clients.forget(client_id);
    if removed {
        audit::record(
            state,
            AuditKind::OidcClientRemoved,
            Subject::username(operator),
            ctx,
            "ok",
            Some(json!({ "client_id": client_id })),
        )
        .await;
    }
    Ok(removed)
}
