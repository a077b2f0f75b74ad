//! Consent: remembered per member and client with the scopes granted (asked again when a
//! client asks for more, or with `prompt=consent`), listed in 會員中心 and withdrawable —
//! withdrawing also revokes every grant the client holds for the member.

use crate::cookies::Cookies;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_store::oidc::ConsentRow;

use super::authorize::{self, Outcome};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::session::ActiveSession;
use crate::state::AppState;

fn who(s: &ActiveSession) -> Subject<'_> {
    Subject {
        account_id: Some(&s.account_id),
        username: None,
    }
}

/// The member's answer on the consent page.
pub async fn answer(
    state: &AppState,
    request_id: &str,
    session: Option<&ActiveSession>,
    allow: bool,
    cookies: &Cookies,
    ctx: &Ctx,
) -> Result<Outcome, Failure> {
    if !allow {
        return authorize::deny(state, request_id).await;
    }
    let Some(s) = session else {
        return authorize::resume(state, request_id, None, false, cookies, ctx).await;
    };
    let Some((_, p, client)) = authorize::load(state, request_id).await? else {
        return Ok(Outcome::Refused(Failure::bad_request(
            "oidc_request_expired",
        )));
    };
    // Remember the union of what was granted before and now.
    let before = state
        .store
        .oidc_consent(&s.account_id, &client.id)
        .await?
        .unwrap_or_default();
    let mut scopes: Vec<&str> = before.split(' ').filter(|x| !x.is_empty()).collect();
    for sc in p.scope.split(' ') {
        if !scopes.contains(&sc) {
            scopes.push(sc);
        }
    }
    let scope = tessera_core::oidc::known_scopes(&scopes.join(" ")).join(" ");
    state
        .store
        .put_oidc_consent(&s.account_id, &client.id, &scope, now())
        .await?;
    audit::record(
        state,
        AuditKind::OidcConsentGranted,
        who(s),
        ctx,
        "ok",
        Some(json!({ "client_id": client.id, "scope": scope })),
    )
    .await;
    authorize::resume(state, request_id, Some(s), true, cookies, ctx).await
}

/// The member's consents.
pub async fn list(state: &AppState, s: &ActiveSession) -> Result<Vec<ConsentRow>, Failure> {
    Ok(state.store.oidc_consents_of(&s.account_id).await?)
}

/// Withdraws the consent given to `client_id` and revokes the client's grants for the
/// member. `false` when there was none.
pub async fn withdraw(
    state: &AppState,
    s: &ActiveSession,
    client_id: &str,
    ctx: &Ctx,
) -> Result<bool, Failure> {
    let existed = state
        .store
        .delete_oidc_consent(&s.account_id, client_id)
        .await?;
    let revoked = state
        .store
        .revoke_oidc_grants_of(&s.account_id, client_id, "consent_withdrawn", now())
        .await?;
    if existed {
        audit::record(
            state,
            AuditKind::OidcConsentWithdrawn,
            who(s),
            ctx,
            "ok",
            Some(json!({ "client_id": client_id, "grants_revoked": revoked })),
        )
        .await;
    }
    Ok(existed)
}
