//! Extractors giving a handler the signed-in account, loaded once: `Me` for a full session,
//! `MeAny` also for a session limited to changing an expired password.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tessera_store::Account;

use crate::context::lang_of;
use crate::error::ApiError;
use crate::flows;
use crate::session::{ActiveSession, AnySession, Authed};
use crate::state::AppState;

/// A full session and its account.
pub struct Me {
    pub session: ActiveSession,
    pub account: Account,
}

/// Any session (including password-change-only) and its account.
pub struct MeAny {
    pub session: ActiveSession,
    pub account: Account,
}

async fn load(
    parts: &Parts,
    state: &AppState,
    session: ActiveSession,
) -> Result<(ActiveSession, Account), ApiError> {
    let account = flows::account(state, &session.account_id)
        .await
        .map_err(|f| f.in_lang(lang_of(parts)))?;
    Ok((session, account))
}

impl FromRequestParts<AppState> for Me {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Authed(s) = Authed::from_request_parts(parts, state).await?;
        let (session, account) = load(parts, state, s).await?;
        Ok(Me { session, account })
    }
}

impl FromRequestParts<AppState> for MeAny {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let AnySession(s) = AnySession::from_request_parts(parts, state).await?;
        let (session, account) = load(parts, state, s).await?;
        Ok(MeAny { session, account })
    }
}
