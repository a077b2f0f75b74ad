//! The provider's redirect back (`/upstream/ID/callback`). In this order, stopping at the
//! first failure: the `state` names a stored request (taken, so it never works twice) of this
//! provider, started in this browser, not expired → an `error` from the provider is reported
//! → RFC 9207 `iss` equals the issuer (required when the provider advertises it) → the code
//! is exchanged with the PKCE verifier → the ID token passes every check of `id_token` →
//! userinfo, when needed for email/name, is about the same subject. Then the identity signs
//! in, is linked to the signed-in account, or waits for binding.

use crate::error::FailureKind;
use serde::Deserialize;
use tessera_core::audit::AuditKind;
use tessera_store::Account;
use tessera_store::upstream_flow::{PendingIdentity, UpstreamState};

use super::id_token::{self, Expected, Identity};
use super::link::{self, sign_in};
use super::provider::Provider;
use super::{FLOW_SECS, cookie, hash, pending_cookie_name, provider, record};
use crate::audit::Subject;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets;
use crate::session::ActiveSession;
use crate::state::AppState;

/// The authorization response's query parameters (`error_description` and `error_uri` are
/// never shown: anyone can put text there).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
}

/// How a callback ended.
pub enum Outcome {
    /// A linked identity signed in.
    SignedIn {
        set_cookie: String,
        account: Box<Account>,
        next: Option<String>,
    },
    /// Linked to the signed-in account.
    Linked { next: Option<String> },
    /// Unlinked: the identity waits for binding or registration (cookie to set).
    BindingRequired { set_cookie: String },
}

/// OAuth error codes a provider may send; anything else is reported as `other`.
const KNOWN_ERRORS: [&str; 10] = [
    "access_denied",
    "login_required",
    "consent_required",
    "interaction_required",
    "account_selection_required",
    "invalid_request",
    "unauthorized_client",
    "invalid_scope",
    "server_error",
    "temporarily_unavailable",
];

/// A refusal: audited with `reason`, answered with `code`.
async fn refuse(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    reason: &str,
    status: FailureKind,
    code: &'static str,
) -> Failure {
    let who = Subject::default();
    record(
        state,
        AuditKind::UpstreamRefused,
        who,
        ctx,
        id,
        reason,
        None,
    )
    .await;
    Failure::new(status, code)
}

/// Takes the request `state` names and checks it belongs to this provider and browser.
async fn take_request(
    state: &AppState,
    id: &str,
    params: &CallbackParams,
    browser: Option<&str>,
    ctx: &Ctx,
) -> Result<UpstreamState, Failure> {
    let bad = |reason| {
        refuse(
            state,
            ctx,
            id,
            reason,
            FailureKind::Invalid,
            "upstream_state_invalid",
        )
    };
    let Some(value) = params
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 128)
    else {
        return Err(bad("state_missing").await);
    };
    let Some(req) = state
        .store
        .take_upstream_state(&hash("state", value))
        .await?
    else {
        return Err(bad("state_unknown_or_used").await);
    };
    if req.provider != id {
        return Err(bad("state_other_provider").await);
    }
    let same_browser =
        browser.is_some_and(|b| secrets::same(&hash("browser", b), &req.browser_hash));
    if !same_browser {
        return Err(bad("state_other_browser").await);
    }
    if now() >= req.expires_at {
        return Err(bad("state_expired").await);
    }
    Ok(req)
}

/// Exchanges the code and verifies what comes back; returns the identity.
async fn identity(
    state: &AppState,
    p: &Provider,
    req: &UpstreamState,
    params: &CallbackParams,
    ctx: &Ctx,
) -> Result<Identity, Failure> {
    let id = p.config.id.as_str();
    let invalid = |reason: String, code| async move {
        let status = if code == "upstream_unavailable" {
            FailureKind::BadUpstream
        } else {
            FailureKind::Invalid
        };
        refuse(state, ctx, id, &reason, status, code).await
    };
    let Some(http) = state.outbound.as_deref() else {
        return Err(invalid("outbound_unconfigured".into(), "upstream_unavailable").await);
    };
    let meta = match p.metadata(http).await {
        Ok(m) => m,
        Err(e) => return Err(invalid(e.reason(), "upstream_unavailable").await),
    };
    match params.iss.as_deref() {
        Some(iss) if iss != p.config.issuer => {
            return Err(
                invalid("iss_parameter_mismatch".into(), "upstream_response_invalid").await,
            );
        }
        None if meta.iss_parameter_supported => {
            return Err(invalid("iss_parameter_missing".into(), "upstream_response_invalid").await);
        }
        _ => {}
    }
    let Some(code) = params
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2048)
    else {
        return Err(invalid("code_missing".into(), "upstream_response_invalid").await);
    };
    let tokens = match p.exchange(http, &meta, code, &req.code_verifier).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(provider = id, error = %e, "code exchange failed");
            let code = if e.is_unavailable() {
                "upstream_unavailable"
            } else {
                "upstream_token_invalid"
            };
            return Err(invalid(e.reason(), code).await);
        }
    };
    let c = &p.config;
    let expected = Expected {
        issuer: &c.issuer,
        client_id: &c.client_id,
        nonce: &req.nonce,
        algs: &c.algs,
        now: now(),
        access_token: tokens.access_token.as_deref(),
    };
    let mut keys = match p.keys(http, &meta, false).await {
        Ok(k) => k,
        Err(e) => return Err(invalid(e.reason(), "upstream_unavailable").await),
    };
    if !id_token::has_key_for(&tokens.id_token, &keys, &c.algs)
        && let Ok(k) = p.keys(http, &meta, true).await
    {
        keys = k;
    }
    let mut who = match id_token::verify(&tokens.id_token, &keys, &expected) {
        Ok(who) => who,
        Err(e) => return Err(invalid(e.reason().into(), "upstream_token_invalid").await),
    };
    if let (Some(url), Some(at)) = (&meta.userinfo_endpoint, &tokens.access_token)
        && (who.email.is_none() || who.name.is_none())
    {
        match p.userinfo(http, url, at).await {
            Ok(claims) if claims.get("sub").and_then(|s| s.as_str()) == Some(&who.subject) => {
                who = who.with_profile(&claims);
            }
            Ok(_) => {
                return Err(
                    invalid("userinfo_subject_mismatch".into(), "upstream_token_invalid").await,
                );
            }
            // The profile only pre-fills forms: go on without it.
            Err(e) => tracing::warn!(provider = id, error = %e, "userinfo unavailable"),
        }
    }
    Ok(who)
}

/// Handles the callback for provider `id`. `browser` is the flow cookie, `session` the
/// browser's member session (for linking).
pub async fn callback(
    state: &AppState,
    id: &str,
    params: &CallbackParams,
    browser: Option<&str>,
    session: Option<&ActiveSession>,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    let p = provider(state, id)?;
    let req = take_request(state, id, params, browser, ctx).await?;
    if let Some(error) = params.error.as_deref() {
        let error = KNOWN_ERRORS
            .iter()
            .find(|e| **e == error)
            .copied()
            .unwrap_or("other");
        let code = if error == "access_denied" {
            "upstream_access_denied"
        } else {
            "upstream_error"
        };
        let reason = format!("provider_error_{error}");
        return Err(refuse(state, ctx, id, &reason, FailureKind::Invalid, code).await);
    }
    let who = identity(state, &p, &req, params, ctx).await?;
    let issuer = p.config.issuer.as_str();
    if req.purpose == "link" {
        let account_id = req.account_id.as_deref().unwrap_or("");
        let still = session.is_some_and(|s| s.account_id == account_id && s.is_full());
        if !still {
            return Err(refuse(
                state,
                ctx,
                id,
                "link_session_changed",
                FailureKind::Unauthenticated,
                "unauthenticated",
            )
            .await);
        }
        let account = crate::flows::account(state, account_id).await?;
        link::link(state, &account, id, issuer, &who, ctx).await?;
        return Ok(Outcome::Linked {
            next: req.next_path,
        });
    }
    if let Some(x) = state.store.external_identity(issuer, &who.subject).await? {
        let account = crate::flows::account(state, &x.account_id).await?;
        let set_cookie = sign_in(state, &account, &x.id, id, who.email.as_deref(), ctx).await?;
        return Ok(Outcome::SignedIn {
            set_cookie,
            account: Box::new(account),
            next: req.next_path,
        });
    }
    let raw = secrets::token();
    state
        .store
        .insert_upstream_pending(&PendingIdentity {
            id_hash: hash("pending", &raw),
            provider: id.to_owned(),
            issuer: issuer.to_owned(),
            subject: who.subject.clone(),
            email: who.email.clone(),
            email_verified: who.email_verified,
            name: who.name.clone(),
            next_path: req.next_path,
            expires_at: now() + FLOW_SECS,
        })
        .await?;
    record(
        state,
        AuditKind::UpstreamBindingRequired,
        Subject::default(),
        ctx,
        id,
        "ok",
        Some(serde_json::json!({ "subject": who.subject })),
    )
    .await;
    Ok(Outcome::BindingRequired {
        set_cookie: cookie(state, pending_cookie_name(state), Some(&raw)),
    })
}
