//! Reading an authorization request (OpenID Connect Core 3.1.2.1): the client and its exact
//! redirect URI first (errors shown, never redirected), then everything else (errors sent
//! back to the client).

use serde::{Deserialize, Serialize};
use tessera_core::loa::Loa;
use tessera_core::oidc::{self as rules, Prompt};
use tessera_store::oidc::OidcClient;

use super::param;
use crate::error::Failure;
use crate::state::AppState;

/// A validated authorization request, as kept while the user signs in or consents.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthParams {
    pub client_id: String,
    pub redirect_uri: String,
    /// The known scopes asked for, space-separated.
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt_none: bool,
    pub prompt_login: bool,
    pub prompt_consent: bool,
    pub max_age: Option<i64>,
    /// The level `acr_values` asks for, raised to the weakest level a configured sign-in
    /// reaches; `None` when none reaches it (see `rules::attainable_loa`).
    pub required_loa: Option<Loa>,
}

/// Checks the client and redirect URI (shown errors), then the rest (redirected errors).
pub(super) async fn validate(
    state: &AppState,
    q: &[(String, String)],
) -> Result<
    (
        OidcClient,
        Result<AuthParams, (AuthParams, &'static str, String)>,
    ),
    Failure,
> {
    let refused = |code| Failure::bad_request(code);
    let client_id = param(q, "client_id").ok_or(refused("oidc_client_unknown"))?;
    let client = if client_id.len() > 200 {
        None
    } else {
        state.store.oidc_client(client_id).await?
    };
    let client = client.ok_or(refused("oidc_client_unknown"))?;
    let redirect_uri = param(q, "redirect_uri").ok_or(refused("oidc_redirect_uri_invalid"))?;
    if !rules::redirect_uri_registered(&client.redirect_uris, redirect_uri) {
        return Err(refused("oidc_redirect_uri_invalid"));
    }
    let mut p = AuthParams {
        client_id: client.id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scope: String::new(),
        state: param(q, "state").map(str::to_owned),
        nonce: param(q, "nonce").map(str::to_owned),
        code_challenge: None,
        prompt_none: false,
        prompt_login: false,
        prompt_consent: false,
        max_age: None,
        required_loa: None,
    };
    let fail =
        |p: AuthParams, e: &'static str, d: &str| Ok((client.clone(), Err((p, e, d.to_string()))));
    if p.state.as_ref().is_some_and(|s| s.len() > 2048) {
        p.state = None;
        return fail(p, "invalid_request", "state too long");
    }
    if param(q, "request").is_some() {
        return fail(
            p,
            "request_not_supported",
            "request objects are not supported",
        );
    }
    if param(q, "request_uri").is_some() {
        return fail(
            p,
            "request_uri_not_supported",
            "request_uri is not supported",
        );
    }
    if param(q, "response_type") != Some("code") {
        return fail(
            p,
            "unsupported_response_type",
            "only response_type=code is supported",
        );
    }
    if param(q, "response_mode").is_some_and(|m| m != "query") {
        return fail(
            p,
            "invalid_request",
            "only response_mode=query is supported",
        );
    }
    let scopes = rules::known_scopes(param(q, "scope").unwrap_or(""));
    if !scopes.contains(&"openid") {
        return fail(p, "invalid_scope", "the openid scope is required");
    }
    p.scope = scopes.join(" ");
    if p.nonce.as_ref().is_some_and(|n| n.len() > 512) {
        return fail(p, "invalid_request", "nonce too long");
    }
    match (
        param(q, "code_challenge"),
        param(q, "code_challenge_method"),
    ) {
        (Some(c), Some("S256")) if c.len() == 43 && super::valid_verifier(&format!("{c}aa")) => {
            p.code_challenge = Some(c.to_string());
        }
        (Some(_), Some("S256")) => return fail(p, "invalid_request", "malformed code_challenge"),
        (Some(_), _) => {
            return fail(p, "invalid_request", "code_challenge_method must be S256");
        }
        (None, Some(_)) => return fail(p, "invalid_request", "code_challenge missing"),
        (None, None) if client.is_public() => {
            return fail(
                p,
                "invalid_request",
                "PKCE (S256) is required for public clients",
            );
        }
        (None, None) => {}
    }
    match Prompt::parse(param(q, "prompt").unwrap_or("")) {
        Ok(pr) => {
            p.prompt_none = pr.none;
            p.prompt_login = pr.login;
            p.prompt_consent = pr.consent;
        }
        Err(_) => return fail(p, "invalid_request", "invalid prompt"),
    }
    if let Some(m) = param(q, "max_age") {
        match m.parse::<i64>() {
            Ok(v) if v >= 0 => p.max_age = Some(v),
            _ => return fail(p, "invalid_request", "invalid max_age"),
        }
    }
    p.required_loa = rules::attainable_loa(
        rules::required_loa(param(q, "acr_values").unwrap_or("")),
        &super::reachable_levels(state),
    );
    Ok((client, Ok(p)))
}
