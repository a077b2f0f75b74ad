//! The authorization endpoint (OpenID Connect Core 3.1.2, RFC 6749 §4.1, RFC 7636, RFC 9207):
//! validates the client and its exact redirect URI first — until both are trusted, errors are
//! shown to the user, never redirected — then the rest of the request, whose errors go back
//! to the client with `state` and `iss`. A request that needs sign-in, step-up or consent is
//! kept in the database and resumed afterwards; then a 60-second single-use code is issued.
//! A member whose email address is not verified gets no code: the browser is shown why (and
//! the request is kept, to go on once the link in the verification email was followed).

use crate::cookies::Cookies;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::loa::Loa;
use tessera_core::oidc::{self as rules, SignInNeed};
use tessera_store::oidc::{AuthRequest, Code, Grant, OidcClient};

pub use super::request::AuthParams;
use super::request::validate;
use super::{digest, issuer, org};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::session::{ActiveSession, Limit};
use crate::state::AppState;

/// What the browser is to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The client or its redirect URI cannot be trusted: show this (never redirect).
    Refused(Failure),
    /// Go back to the client: its redirect URI with the answer.
    Redirect(String),
    /// Sign in (again), then resume the request.
    SignIn { request_id: String },
    /// Sign in at `loa` or above (e.g. with the citizen certificate), then resume.
    StepUp { request_id: String, loa: Loa },
    /// Ask the member's consent.
    Consent { request_id: String },
    /// The signed-in account must verify its email address first: show the page saying so
    /// (the request is kept under `request_id` to resume afterwards). No code is issued.
    EmailUnverified {
        request_id: String,
        client_name: String,
    },
}

/// `uri` with `pairs` added to its query.
pub fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let q = ser.finish();
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{q}")
}

fn error_to(state: &AppState, p: &AuthParams, error: &str, description: &str) -> Outcome {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(s) = &p.state {
        pairs.push(("state", s));
    }
    pairs.push(("iss", issuer(state)));
    Outcome::Redirect(with_query(&p.redirect_uri, &pairs))
}

/// `GET|POST /oidc/authorize`. `cookies` are the request's (see [`resume`]).
pub async fn start(
    state: &AppState,
    q: &[(String, String)],
    session: Option<&ActiveSession>,
    cookies: &Cookies,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    let (client, checked) = match validate(state, q).await {
        Ok(v) => v,
        Err(f) if f.kind.is_client_error() => return Ok(Outcome::Refused(f)),
        Err(f) => return Err(f),
    };
    let p = match checked {
        Ok(p) => p,
        Err((p, e, d)) => return Ok(error_to(state, &p, e, &d)),
    };
    decide(state, &client, &p, None, None, session, false, cookies, ctx).await
}

/// Resumes a kept request after sign-in, step-up or consent. `cookies` are the request's:
/// a handler session among its cookies may give the grant its organization.
pub async fn resume(
    state: &AppState,
    request_id: &str,
    session: Option<&ActiveSession>,
    consent_given: bool,
    cookies: &Cookies,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    let Some((req, p, client)) = load(state, request_id).await? else {
        return Ok(Outcome::Refused(Failure::bad_request(
            "oidc_request_expired",
        )));
    };
    decide(
        state,
        &client,
        &p,
        Some(&req.id),
        req.login_after,
        session,
        consent_given,
        cookies,
        ctx,
    )
    .await
}

/// A kept request with its parameters and client, unless expired or the client is gone.
pub async fn load(
    state: &AppState,
    request_id: &str,
) -> Result<Option<(AuthRequest, AuthParams, OidcClient)>, Failure> {
    if request_id.len() > 100 {
        return Ok(None);
    }
    let Some(req) = state.store.oidc_request(request_id, now()).await? else {
        return Ok(None);
    };
    let Ok(p) = serde_json::from_str::<AuthParams>(&req.params) else {
        return Ok(None);
    };
    let Some(client) = state.store.oidc_client(&req.client_id).await? else {
        return Ok(None);
    };
    Ok(Some((req, p, client)))
}

async fn keep(
    state: &AppState,
    p: &AuthParams,
    existing: Option<&str>,
    login_after: Option<i64>,
) -> Result<String, Failure> {
    if let Some(id) = existing {
        return Ok(id.to_string());
    }
    let id = crate::secrets::token();
    let params = serde_json::to_string(p).map_err(|_| Failure::internal())?;
    state
        .store
        .create_oidc_request(&AuthRequest {
            id: id.clone(),
            client_id: p.client_id.clone(),
            params,
            login_after,
            expires_at: now() + state.settings.oidc.request_ttl,
        })
        .await?;
    Ok(id)
}

#[allow(clippy::too_many_arguments)]
async fn decide(
    state: &AppState,
    client: &OidcClient,
    p: &AuthParams,
    existing: Option<&str>,
    login_after: Option<i64>,
    session: Option<&ActiveSession>,
    consent_given: bool,
    cookies: &Cookies,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    // An expired password is changed before anything else (sign-in sends there).
    let session = session.filter(|s| !s.password_change_only);
    let t = now();
    // A fresh prompt=login request always signs in again; a resumed one needs a sign-in
    // made after the request.
    let need = if (p.prompt_login || p.max_age == Some(0)) && existing.is_none() {
        SignInNeed::SignIn
    } else {
        rules::sign_in_need(
            session.map(|s| (s.created_at, s.loa)),
            t,
            p.max_age,
            login_after,
            p.required_loa,
        )
    };
    let signed_in = match (need, session) {
        (SignInNeed::Satisfied, Some(s)) => s,
        (need, _) => {
            if p.prompt_none {
                return Ok(error_to(
                    state,
                    p,
                    "login_required",
                    "the user must sign in",
                ));
            }
            // From now on only a sign-in made after this moment serves the request.
            let request_id = keep(state, p, existing, login_after.or(Some(t))).await?;
            return Ok(match need {
                SignInNeed::StepUp(loa) => Outcome::StepUp { request_id, loa },
                _ => Outcome::SignIn { request_id },
            });
        }
    };
    if signed_in.limit() == Some(Limit::EmailUnverified) {
        // Seed 000 A8: the email verification is mandatory; an unverified account signs in
        // nowhere else. Neither a code nor an answer that tells the client about the account.
        crate::session::audit_unverified_refusal(
            state,
            signed_in,
            ctx,
            json!({ "path": "/oidc/authorize", "client_id": client.id }),
        )
        .await;
        if p.prompt_none {
            return Ok(error_to(
                state,
                p,
                "interaction_required",
                "user interaction is required",
            ));
        }
        let request_id = keep(state, p, existing, login_after).await?;
        return Ok(Outcome::EmailUnverified {
            request_id,
            client_name: client.name.clone(),
        });
    }
    if client.consent_required && !consent_given {
        let remembered = state
            .store
            .oidc_consent(&signed_in.account_id, &client.id)
            .await?;
        let covered = remembered
            .as_deref()
            .is_some_and(|g| rules::scopes_covered(&p.scope, g));
        if p.prompt_consent || !covered {
            if p.prompt_none {
                return Ok(error_to(state, p, "consent_required", "consent is needed"));
            }
            let request_id = keep(state, p, existing, login_after).await?;
            return Ok(Outcome::Consent { request_id });
        }
    }
    if let Some(id) = existing {
        state.store.delete_oidc_request(id).await?;
    }
    issue_code(state, client, p, signed_in, cookies, ctx).await
}

/// Issues the single-use code and sends the browser back to the client with it.
async fn issue_code(
    state: &AppState,
    client: &OidcClient,
    p: &AuthParams,
    s: &ActiveSession,
    cookies: &Cookies,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    let t = now();
    let organization = match org::acting_organization(state, s, cookies).await? {
        Some(o) => Some(serde_json::to_string(&o).map_err(|_| Failure::internal())?),
        None => None,
    };
    let grant = Grant {
        id: uuid::Uuid::new_v4().simple().to_string(),
        client_id: client.id.clone(),
        account_id: s.account_id.clone(),
        scope: p.scope.clone(),
        acr: rules::acr_of(s.loa).to_string(),
        auth_time: s.created_at,
        organization,
        created_at: t,
        expires_at: t + state.settings.oidc.refresh_ttl,
        revoked_at: None,
        revoked_reason: None,
    };
    let code = crate::secrets::token();
    state
        .store
        .issue_oidc_code(
            &grant,
            &Code {
                hash: digest(&code),
                grant_id: grant.id.clone(),
                redirect_uri: p.redirect_uri.clone(),
                code_challenge: p.code_challenge.clone(),
                nonce: p.nonce.clone(),
                expires_at: t + state.settings.oidc.code_ttl,
            },
        )
        .await?;
    audit::record(
        state,
        AuditKind::OidcCodeIssued,
        Subject {
            account_id: Some(&s.account_id),
            username: None,
        },
        ctx,
        "ok",
        Some(json!({
            "client_id": client.id, "grant_id": grant.id, "scope": grant.scope, "acr": grant.acr,
        })),
    )
    .await;
    let mut pairs = vec![("code", code.as_str())];
    if let Some(st) = &p.state {
        pairs.push(("state", st));
    }
    pairs.push(("iss", issuer(state)));
    Ok(Outcome::Redirect(with_query(&p.redirect_uri, &pairs)))
}

/// The member declined consent: back to the client with `access_denied`.
pub async fn deny(state: &AppState, request_id: &str) -> Result<Outcome, Failure> {
    let Some((req, p, _)) = load(state, request_id).await? else {
        return Ok(Outcome::Refused(Failure::bad_request(
            "oidc_request_expired",
        )));
    };
    state.store.delete_oidc_request(&req.id).await?;
    Ok(error_to(state, &p, "access_denied", "the user declined"))
}
