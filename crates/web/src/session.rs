//! The session extractors: the request's session loaded through the use cases'
//! [`tessera_app::session`], admitted or refused by the handler's [`Open`].

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde_json::json;
use tessera_store::Account;

pub use tessera_app::session::*;

use crate::context::{ReqCtx, lang_of};
use crate::cookies;
use crate::error::{ApiError, Failure, FailureExt};
use tessera_app::state::AppState;

/// The account of the request's session, as loaded with it (so handlers need not read it
/// again). Set by [`MaybeSession`].
#[derive(Clone)]
pub struct SessionAccount(pub Account);

/// Extractor: the session if there is one, limited or not. Whatever acts for the account must
/// go through [`Authed`] / `Me` (or check [`ActiveSession::admit`]); this one is for signing
/// out and for pages that only show whether someone is signed in.
pub struct MaybeSession(pub Option<ActiveSession>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(s) = parts.extensions.get::<ActiveSession>() {
            return Ok(MaybeSession(Some(s.clone())));
        }
        let loaded = load_with_account(state, &cookies::jar(&parts.headers))
            .await
            .map_err(|f| f.in_lang(lang_of(parts)))?;
        Ok(MaybeSession(loaded.map(|(s, account)| {
            parts.extensions.insert(s.clone());
            parts.extensions.insert(SessionAccount(account));
            s
        })))
    }
}

/// The session if `open` admits it: 401 `unauthenticated` without one, 403 with the limit's
/// code (`password_expired`, `email_unverified`) for a limited session it does not admit. A
/// refusal for the unverified address is audited.
pub async fn admitted(
    parts: &mut Parts,
    state: &AppState,
    open: Open,
) -> Result<ActiveSession, ApiError> {
    let lang = lang_of(parts);
    let MaybeSession(s) = MaybeSession::from_request_parts(parts, state).await?;
    let Some(s) = s else {
        return Err(Failure::unauthenticated().in_lang(lang));
    };
    match s.admit(open) {
        Ok(()) => Ok(s),
        Err(limit) => {
            if limit == Limit::EmailUnverified {
                let ctx = ReqCtx::from_parts(parts);
                let path: String = parts.uri.path().chars().take(200).collect();
                audit_unverified_refusal(state, &s, &ctx, json!({ "path": path })).await;
            }
            Err(limit.failure().in_lang(lang))
        }
    }
}

/// Extractor for the JSON API: a full session, or 401 `unauthenticated`; a limited session
/// answers 403 `password_expired` or `email_unverified`.
pub struct Authed(pub ActiveSession);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        admitted(parts, state, Open::Full).await.map(Authed)
    }
}
