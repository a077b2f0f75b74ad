//! The provider's endpoints relying parties call: discovery, JWKS, authorize (GET and POST),
//! token, userinfo, revocation, introspection and end-session.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tessera_core::loa::Loa;
use tessera_core::oidc::{CLAIMS, SCOPES};

use super::respond::{self, no_store_json, oauth_error};
use crate::context::ReqCtx;
use crate::pages::layout::PageCtx;
use tessera_app::clock::now;
use tessera_app::flows::oidc::logout;
use tessera_app::flows::oidc::{
    OAuthError, authorize, client_auth, issuer, params, reachable_levels, resource, token,
};
use tessera_app::state::AppState;

fn cacheable(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    resp
}

/// `GET /.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3).
pub async fn discovery(State(state): State<AppState>) -> Response {
    let iss = issuer(&state);
    let auth_methods = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
        "none",
    ];
    // Only levels a sign-in here can reach: advertising others would promise what no member
    // can do.
    let levels: Vec<&str> = reachable_levels(&state)
        .into_iter()
        .map(Loa::as_str)
        .collect();
    cacheable(
        axum::Json(json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/oidc/authorize"),
            "token_endpoint": format!("{iss}/oidc/token"),
            "userinfo_endpoint": format!("{iss}/oidc/userinfo"),
            "jwks_uri": format!("{iss}/oidc/jwks"),
            "revocation_endpoint": format!("{iss}/oidc/revoke"),
            "introspection_endpoint": format!("{iss}/oidc/introspect"),
            "end_session_endpoint": format!("{iss}/oidc/logout"),
            "scopes_supported": SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
            "token_endpoint_auth_methods_supported": auth_methods,
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "PS256", "ES256"],
            "revocation_endpoint_auth_methods_supported": auth_methods,
            "introspection_endpoint_auth_methods_supported": auth_methods,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": CLAIMS,
            "acr_values_supported": levels,
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
            "authorization_response_iss_parameter_supported": true,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "claims_parameter_supported": false,
            "ui_locales_supported": ["zh-TW", "en"],
        }))
        .into_response(),
    )
}

/// `GET /oidc/jwks`: every published key (active and recently retired).
pub async fn jwks(State(state): State<AppState>) -> Response {
    match state.oidc_keys.jwks(&state.store, now()).await {
        Ok(v) => {
            let mut r = cacheable(axum::Json(v).into_response());
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/jwk-set+json"),
            );
            r
        }
        Err(f) => oauth_error(f.into()),
    }
}

/// `GET /oidc/authorize`.
pub async fn authorize_get(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let q = q.unwrap_or_default();
    authorize_with(&state, &pc, &headers, q.as_bytes()).await
}

/// `POST /oidc/authorize` (form-encoded, OpenID Connect Core 3.1.2.1).
pub async fn authorize_post(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    authorize_with(&state, &pc, &headers, &body).await
}

/// `headers` go to the flow: a handler session among the cookies may give the grant its
/// organization (`flows::oidc::org`).
async fn authorize_with(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
    raw: &[u8],
) -> Response {
    let p = match params(raw) {
        Ok(p) => p,
        Err(_) => {
            return respond::shown(
                pc,
                &crate::error::Failure::bad_request("oidc_request_invalid"),
            );
        }
    };
    // Any session, limited or not: the flow sends an expired password to sign-in and shows an
    // unverified address its page, and issues no code for either.
    let o = authorize::start(
        state,
        &p,
        pc.any_session(),
        &crate::cookies::jar(headers),
        &pc.ctx,
    )
    .await;
    respond::outcome(pc, o)
}

fn form_params(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::request(
            "the body must be application/x-www-form-urlencoded",
        ));
    }
    params(body)
}

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// `POST /oidc/token`.
pub async fn token(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let p = form_params(&headers, &body)?;
        let endpoint = format!("{}/oidc/token", issuer(&state));
        let client =
            client_auth::authenticate(&state, authorization(&headers), &p, &endpoint, &ctx).await?;
        token::token(&state, &client, &p, &ctx).await
    }
    .await;
    match result {
        Ok(t) => no_store_json(serde_json::to_value(t).unwrap_or_default()),
        Err(e) => oauth_error(e),
    }
}

/// `GET|POST /oidc/userinfo` with `Authorization: Bearer …`.
pub async fn userinfo(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let bearer = authorization(&headers).and_then(|h| h.strip_prefix("Bearer ").map(str::trim));
    match resource::userinfo(&state, bearer).await {
        Ok(v) => no_store_json(v),
        Err(e) => oauth_error(e),
    }
}

async fn authed_call(
    state: &AppState,
    ctx: &ReqCtx,
    headers: &HeaderMap,
    body: &[u8],
    path: &str,
) -> Result<(tessera_store::oidc::OidcClient, String), OAuthError> {
    let p = form_params(headers, body)?;
    let endpoint = format!("{}{path}", issuer(state));
    let client =
        client_auth::authenticate(state, authorization(headers), &p, &endpoint, ctx).await?;
    let token = tessera_app::flows::oidc::param(&p, "token")
        .ok_or_else(|| OAuthError::request("token missing"))?
        .to_string();
    Ok((client, token))
}

/// `POST /oidc/revoke` (RFC 7009): 200 whether or not the token was known.
pub async fn revoke(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (client, t) = authed_call(&state, &ctx, &headers, &body, "/oidc/revoke").await?;
        resource::revoke(&state, &client, &t, &ctx).await
    }
    .await;
    match result {
        Ok(()) => no_store_json(json!({})),
        Err(e) => oauth_error(e),
    }
}

/// `POST /oidc/introspect` (RFC 7662).
pub async fn introspect(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let (client, t) = authed_call(&state, &ctx, &headers, &body, "/oidc/introspect").await?;
        resource::introspect(&state, &client, &t).await
    }
    .await;
    match result {
        Ok(v) => no_store_json(v),
        Err(e) => oauth_error(e),
    }
}

/// `GET /oidc/logout`.
pub async fn logout_get(
    State(state): State<AppState>,
    pc: PageCtx,
    RawQuery(q): RawQuery,
) -> Response {
    let q = q.unwrap_or_default();
    logout_with(&state, &pc, q.as_bytes()).await
}

/// `POST /oidc/logout`.
pub async fn logout_post(State(state): State<AppState>, pc: PageCtx, body: Bytes) -> Response {
    logout_with(&state, &pc, &body).await
}

async fn logout_with(state: &AppState, pc: &PageCtx, raw: &[u8]) -> Response {
    let Ok(p) = params(raw) else {
        return respond::shown(
            pc,
            &crate::error::Failure::bad_request("oidc_request_invalid"),
        );
    };
    let o = logout::request(state, &p, pc.any_session(), &pc.ctx).await;
    super::pages::logout_outcome(state, pc, o)
}
