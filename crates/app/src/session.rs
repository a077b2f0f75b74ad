//! Server-side sessions: a random id in an HttpOnly cookie, only its SHA-256 in the database,
//! idle and absolute timeouts, a new id at every sign-in. The web layer's extractors load
//! sessions through [`load`].
//!
//! A session may be limited (see [`Limit`]): signed in with an expired password, or for an
//! account whose email address is not verified yet. The limits are decided here, once, when
//! the session is loaded; the web layer's extractors (`Authed`, `api::me::Me`, the pages'
//! `PageCtx::session`) admit only full sessions, so a new handler is closed to limited
//! sessions unless it asks for one of the explicit extractors that admit them ([`Open`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use tessera_core::audit::AuditKind;
use tessera_core::loa::Loa;
use tessera_store::{Account, Session};

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::cookies::{self, Cookies, SameSite};
use crate::error::{Failure, FailureKind};
use crate::state::AppState;

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
    /// The account's email address must be verified first ([`email_unverified`]): only
    /// viewing the account, changing the address, resending the link, signing out and
    /// deleting the account are open. Decided from the account at every load, so following
    /// the link lifts the limit at once.
    pub email_unverified: bool,
    pub created_at: i64,
}

/// Why a session is limited to a few functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Signed in with an expired password: only the password change.
    PasswordExpired,
    /// The account's email address is not verified: only verifying or changing it.
    EmailUnverified,
}

impl Limit {
    /// The answer to a limited session asking for more: 403 `password_expired` or
    /// `email_unverified`.
    pub fn failure(self) -> Failure {
        let code = match self {
            Limit::PasswordExpired => "password_expired",
            Limit::EmailUnverified => "email_unverified",
        };
        Failure::new(FailureKind::Forbidden, code)
    }
}

/// Which sessions a handler admits: full ones always, and at most one kind of limited one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Only full sessions: every handler but those below.
    Full,
    /// Also a session with an expired password: the password change.
    ExpiredPassword,
    /// Also a session whose account must verify its email address: viewing and editing the
    /// account, resending the verification link, deleting the account.
    UnverifiedEmail,
    /// Any session: reading one's own account (`GET /api/v1/me`).
    Any,
}

impl ActiveSession {
    /// The session's limit, if any. An expired password comes first: until it is changed
    /// nothing else is open, the email verification included.
    pub fn limit(&self) -> Option<Limit> {
        if self.password_change_only {
            Some(Limit::PasswordExpired)
        } else if self.email_unverified {
            Some(Limit::EmailUnverified)
        } else {
            None
        }
    }

    /// Whether the session is not limited at all.
    pub fn is_full(&self) -> bool {
        self.limit().is_none()
    }

    /// `Ok` when a handler open to `open` admits this session, else the limit in the way.
    pub fn admit(&self, open: Open) -> Result<(), Limit> {
        match (self.limit(), open) {
            (None, _) | (Some(_), Open::Any) => Ok(()),
            (Some(Limit::PasswordExpired), Open::ExpiredPassword) => Ok(()),
            (Some(Limit::EmailUnverified), Open::UnverifiedEmail) => Ok(()),
            (Some(limit), _) => Err(limit),
        }
    }
}

/// Whether the account must verify its email address before its member sessions give more
/// than the account itself (seed 000 A8: the email verification is mandatory). That is a
/// person's account (kind `member`) whose address is not verified. Not held back:
/// - an organization's own account (kind `organization`): it is made by the registration flow
///   from the organization card and its manager's citizen card (matched against the registry
///   or approved by a reviewer), not by an address; its address — the manager's by default —
///   is sent a link like a member's, but nothing made organizations follow it, and holding
///   the account back would stop the organization's work (handlers, receipts) outright;
/// - an account without any address (an HCA institution's, made by its card): there is
///   nothing to verify.
///
/// Staff accounts (`tessera admin staff`, no link is ever sent) have no member sessions at
/// all: they sign in to the back office only, with sessions of their own.
pub fn email_unverified(account: &Account) -> bool {
    account.kind == tessera_store::kind::MEMBER
        && !account.email_verified
        && !account.email.trim().is_empty()
}

/// Records that a session with an unverified email address was refused what `detail` names
/// (at least the `path`).
pub async fn audit_unverified_refusal(
    state: &AppState,
    s: &ActiveSession,
    ctx: &Ctx,
    detail: serde_json::Value,
) {
    audit::record(
        state,
        AuditKind::EmailUnverifiedRefused,
        Subject {
            account_id: Some(&s.account_id),
            username: None,
        },
        ctx,
        "refused",
        Some(detail),
    )
    .await;
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
pub async fn load(state: &AppState, cookies: &Cookies) -> Result<Option<ActiveSession>, Failure> {
    Ok(load_with_account(state, cookies).await?.map(|(s, _)| s))
}

/// [`load`], with the session's account (a session whose account is gone is no session).
pub async fn load_with_account(
    state: &AppState,
    cookies: &Cookies,
) -> Result<Option<(ActiveSession, Account)>, Failure> {
    let Some(raw) = cookies.get(cookie_name(state)) else {
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
    let Some(account) = state.store.account_by_id(&s.account_id).await? else {
        return Ok(None);
    };
    if t - s.last_seen_at >= TOUCH_EVERY_SECS {
        state.store.touch_session(&id_hash, t).await?;
    }
    let session = ActiveSession {
        id_hash,
        account_id: s.account_id,
        loa: Loa::parse(&s.loa).unwrap_or(Loa::Password),
        csrf_token: s.csrf_token,
        password_change_only: s.password_change_only,
        email_unverified: email_unverified(&account),
        created_at: s.created_at,
    };
    Ok(Some((session, account)))
}
