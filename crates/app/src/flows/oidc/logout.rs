//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): `id_token_hint` verified
//! with the provider's keys (expired hints accepted), `post_logout_redirect_uri` only when
//! registered exactly for the client, `state` passed back. When the hint proves the signed-in
//! member asked, the session ends at once; otherwise the member confirms on a page first.

use serde_json::json;
use tessera_core::audit::AuditKind;

use super::authorize::with_query;
use super::{issuer, param, subject};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::session::ActiveSession;
use crate::state::AppState;

/// What to do after a logout request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// Bad hint or unregistered redirect: show this, never redirect.
    Refused(Failure),
    /// Signed out (or was not signed in): go to `redirect`, or show the signed-out page.
    Done { redirect: Option<String> },
    /// Ask the member to confirm; the form carries these back.
    Confirm {
        client_id: Option<String>,
        client_name: Option<String>,
        post_logout_redirect_uri: Option<String>,
        state: Option<String>,
    },
}

struct Checked {
    client_id: Option<String>,
    client_name: Option<String>,
    hint_sub: Option<String>,
    uri: Option<String>,
    state: Option<String>,
}

async fn check(
    state: &AppState,
    p: &[(String, String)],
) -> Result<Result<Checked, Failure>, Failure> {
    let bad = |code| Ok(Err(Failure::bad_request(code)));
    let mut client_id = param(p, "client_id").map(str::to_owned);
    let mut hint_sub = None;
    if let Some(hint) = param(p, "id_token_hint") {
        let t = now();
        let Some((payload, header)) = state.oidc_keys.verify(&state.store, t, hint).await? else {
            return bad("oidc_request_invalid");
        };
        if header.token_type() == Some("at+jwt") || payload.issuer() != Some(issuer(state)) {
            return bad("oidc_request_invalid");
        }
        let aud = payload
            .audience()
            .and_then(|a| a.first().map(|s| s.to_string()));
        match (&client_id, aud) {
            (Some(c), Some(a)) if *c != a => return bad("oidc_request_invalid"),
            (_, a) => client_id = a.or(client_id),
        }
        hint_sub = payload.subject().map(str::to_owned);
    }
    let client = match &client_id {
        Some(id) if id.len() <= 200 => state.store.oidc_client(id).await?,
        _ => None,
    };
    if client_id.is_some() && client.is_none() {
        return bad("oidc_client_unknown");
    }
    let uri = match param(p, "post_logout_redirect_uri") {
        None => None,
        Some(u) => match &client {
            Some(c) if c.post_logout_redirect_uris.iter().any(|r| r == u) => Some(u.to_string()),
            _ => return bad("oidc_redirect_uri_invalid"),
        },
    };
    Ok(Ok(Checked {
        client_name: client.as_ref().map(|c| c.name.clone()),
        client_id: client.map(|c| c.id),
        hint_sub,
        uri,
        state: param(p, "state").map(str::to_owned),
    }))
}

fn redirect_of(c: &Checked) -> Option<String> {
    c.uri.as_ref().map(|u| match &c.state {
        Some(s) => with_query(u, &[("state", s)]),
        None => u.clone(),
    })
}

async fn end(
    state: &AppState,
    s: &ActiveSession,
    client_id: Option<&str>,
    ctx: &Ctx,
) -> Result<(), Failure> {
    state.store.delete_session(&s.id_hash).await?;
    audit::record(
        state,
        AuditKind::OidcLogout,
        Subject {
            account_id: Some(&s.account_id),
            username: None,
        },
        ctx,
        "ok",
        Some(json!({ "client_id": client_id })),
    )
    .await;
    Ok(())
}

/// `GET|POST /oidc/logout`.
pub async fn request(
    state: &AppState,
    p: &[(String, String)],
    session: Option<&ActiveSession>,
    ctx: &Ctx,
) -> Result<LogoutOutcome, Failure> {
    let c = match check(state, p).await? {
        Ok(c) => c,
        Err(f) => return Ok(LogoutOutcome::Refused(f)),
    };
    let Some(s) = session else {
        return Ok(LogoutOutcome::Done {
            redirect: redirect_of(&c),
        });
    };
    let proven = match (&c.client_id, &c.hint_sub) {
        (Some(id), Some(sub)) => match state.store.oidc_client(id).await? {
            Some(client) => subject(state, &client, &s.account_id).await? == *sub,
            None => false,
        },
        _ => false,
    };
    if proven {
        end(state, s, c.client_id.as_deref(), ctx).await?;
        return Ok(LogoutOutcome::Done {
            redirect: redirect_of(&c),
        });
    }
    Ok(LogoutOutcome::Confirm {
        client_id: c.client_id,
        client_name: c.client_name,
        post_logout_redirect_uri: c.uri,
        state: c.state,
    })
}

/// The member confirmed on the page (same-origin form with CSRF token).
pub async fn confirm(
    state: &AppState,
    p: &[(String, String)],
    session: Option<&ActiveSession>,
    ctx: &Ctx,
) -> Result<LogoutOutcome, Failure> {
    let c = match check(state, p).await? {
        Ok(c) => c,
        Err(f) => return Ok(LogoutOutcome::Refused(f)),
    };
    if let Some(s) = session {
        end(state, s, c.client_id.as_deref(), ctx).await?;
    }
    Ok(LogoutOutcome::Done {
        redirect: redirect_of(&c),
    })
}
