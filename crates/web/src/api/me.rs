//! Extractors giving a handler the signed-in account, loaded once: `Me` for a full session,
//! and, only for the handlers named on them, `MeExpiredOk` (also a session limited to changing
//! an expired password), `MeUnverifiedOk` (also a session whose account must verify its email
//! address first) and `MeAny` (any session). Which limits each admits is
//! `crate::session::Open`; a handler that takes `Me` is closed to every limited session.

use crate::error::FailureExt;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tessera_store::Account;

use crate::context::lang_of;
use crate::error::ApiError;
use crate::session::{ActiveSession, Open, SessionAccount, admitted};
use tessera_app::flows;
use tessera_app::state::AppState;

/// A full session and its account.
pub struct Me {
    pub session: ActiveSession,
    pub account: Account,
}

/// A full session, or one limited to changing an expired password; and its account.
pub struct MeExpiredOk {
    pub session: ActiveSession,
    pub account: Account,
}

/// A full session, or one whose account must verify its email address; and its account.
pub struct MeUnverifiedOk {
    pub session: ActiveSession,
    pub account: Account,
}

/// Any session (limited or not) and its account.
pub struct MeAny {
    pub session: ActiveSession,
    pub account: Account,
}

/// The session `open` admits and its account (as loaded with the session when it was).
async fn load(
    parts: &mut Parts,
    state: &AppState,
    open: Open,
) -> Result<(ActiveSession, Account), ApiError> {
    let session = admitted(parts, state, open).await?;
    if let Some(SessionAccount(a)) = parts.extensions.get::<SessionAccount>()
        && a.id == session.account_id
    {
        return Ok((session, a.clone()));
    }
    let account = flows::account(state, &session.account_id)
        .await
        .map_err(|f| f.in_lang(lang_of(parts)))?;
    Ok((session, account))
}

impl FromRequestParts<AppState> for Me {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (session, account) = load(parts, state, Open::Full).await?;
        Ok(Me { session, account })
    }
}

impl FromRequestParts<AppState> for MeExpiredOk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (session, account) = load(parts, state, Open::ExpiredPassword).await?;
        Ok(MeExpiredOk { session, account })
    }
}

impl FromRequestParts<AppState> for MeUnverifiedOk {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (session, account) = load(parts, state, Open::UnverifiedEmail).await?;
        Ok(MeUnverifiedOk { session, account })
    }
}

impl FromRequestParts<AppState> for MeAny {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (session, account) = load(parts, state, Open::Any).await?;
        Ok(MeAny { session, account })
    }
}
