//! Server-side sessions: a random id in an HttpOnly cookie, only its SHA-256 in the database,
//! idle and absolute timeouts, a new id at every sign-in, and extractors for handlers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cookie::SameSite;
use sha2::{Digest, Sha256};
use tessera_core::loa::Loa;
use tessera_store::Session;

use crate::context::lang_of;
use crate::cookies;
use crate::error::{ApiError, Failure};
use crate::state::{AppState, now};

/// Only write the last-seen time when it is older than this, to spare the database.
const TOUCH_EVERY_SECS: i64 = 60;

/// The session cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_session"
    } else {
        "tessera_session"
    }
}

fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A live session of a signed-in account.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub id_hash: String,
    pub account_id: String,
    pub loa: Loa,
    pub csrf_token: String,
    /// Signed in with an expired password: only the change-password page is open.
    pub password_change_only: bool,
    pub created_at: i64,
}

/// Starts a session for `account_id` and returns the `Set-Cookie` header value.
pub async fn start(
    state: &AppState,
    account_id: &str,
    loa: Loa,
    password_change_only: bool,
    ip: Option<String>,
    user_agent: Option<String>,
) -> Result<String, Failure> {
    let raw = random_token();
    let t = now();
    let absolute = state.settings.session_absolute.as_secs() as i64;
    state
        .store
        .create_session(&Session {
            id_hash: hash_id(&raw),
            account_id: account_id.to_string(),
            loa: loa.as_str().to_string(),
            created_at: t,
            last_seen_at: t,
            expires_at: t + absolute,
            csrf_token: random_token(),
            password_change_only,
            ip,
            user_agent,
        })
        .await?;
    Ok(cookies::build(
        cookie_name(state),
        &raw,
        SameSite::Lax,
        state.settings.secure_cookies(),
        None,
    ))
}

/// The `Set-Cookie` header value that removes the session cookie.
pub fn clear_cookie(state: &AppState) -> String {
    cookies::build(
        cookie_name(state),
        "",
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(0),
    )
}

/// Loads the request's session if it exists and has not timed out; refreshes its idle clock.
pub async fn load(state: &AppState, parts: &Parts) -> Result<Option<ActiveSession>, Failure> {
    let Some(raw) = cookies::get(&parts.headers, cookie_name(state)) else {
        return Ok(None);
    };
    let id_hash = hash_id(&raw);
    let Some(s) = state.store.session(&id_hash).await? else {
        return Ok(None);
    };
    let t = now();
    let idle = state.settings.session_idle.as_secs() as i64;
    if t >= s.expires_at || t - s.last_seen_at >= idle {
        state.store.delete_session(&id_hash).await?;
        return Ok(None);
    }
    if t - s.last_seen_at >= TOUCH_EVERY_SECS {
        state.store.touch_session(&id_hash, t).await?;
    }
    Ok(Some(ActiveSession {
        id_hash,
        account_id: s.account_id,
        loa: Loa::parse(&s.loa).unwrap_or(Loa::Password),
        csrf_token: s.csrf_token,
        password_change_only: s.password_change_only,
        created_at: s.created_at,
    }))
}

/// Extractor: the session if there is one (pages decide what to do without it).
pub struct MaybeSession(pub Option<ActiveSession>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(s) = parts.extensions.get::<ActiveSession>() {
            return Ok(MaybeSession(Some(s.clone())));
        }
        let s = load(state, parts)
            .await
            .map_err(|f| f.in_lang(lang_of(parts)))?;
        if let Some(s) = &s {
            parts.extensions.insert(s.clone());
        }
        Ok(MaybeSession(s))
    }
}

/// Extractor for the JSON API: a full session, or 401 `unauthenticated`; a session limited to
/// changing an expired password answers 403 `password_expired` everywhere else.
pub struct Authed(pub ActiveSession);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let MaybeSession(s) = MaybeSession::from_request_parts(parts, state).await?;
        match s {
            None => Err(Failure::unauthenticated().in_lang(lang)),
            Some(s) if s.password_change_only => Err(Failure::new(
                axum::http::StatusCode::FORBIDDEN,
                "password_expired",
            )
            .in_lang(lang)),
            Some(s) => Ok(Authed(s)),
        }
    }
}

/// Extractor: any session, including one limited to changing an expired password.
pub struct AnySession(pub ActiveSession);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let lang = lang_of(parts);
        let MaybeSession(s) = MaybeSession::from_request_parts(parts, state).await?;
        s.map(AnySession)
            .ok_or_else(|| Failure::unauthenticated().in_lang(lang))
    }
}
