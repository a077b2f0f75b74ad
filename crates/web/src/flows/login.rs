//! Password sign-in (004 二, 四 Q1): failures counted per account atomically, a CAPTCHA after
//! the configured count, the account disabled after the next limit, unknown usernames answered
//! exactly like wrong passwords, rehash on parameter change, expired passwords limited to the
//! change-password page.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::loa::Loa;
use tessera_store::Account;
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::captcha;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::send_later;
use crate::hashing::Verified;
use crate::mails;
use crate::session;
use crate::state::{AppState, now};

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    /// Required once the account has had the configured number of consecutive failures.
    #[serde(default)]
    pub captcha: Option<String>,
}

/// A successful sign-in.
pub struct LoginOk {
    pub set_cookie: String,
    pub account: Account,
    pub loa: Loa,
    pub password_expired: bool,
}

fn invalid() -> Failure {
    Failure::new(StatusCode::UNAUTHORIZED, "invalid_credentials")
}

fn locked() -> Failure {
    Failure::new(StatusCode::LOCKED, "account_locked")
}

/// Records a refused sign-in (audit and metrics) and hands back the failure to answer with.
async fn refuse(
    state: &AppState,
    who: Subject<'_>,
    ctx: &Ctx,
    outcome: &str,
    failure: Failure,
) -> Failure {
    audit::record(state, AuditKind::LoginFailed, who, ctx, outcome, None).await;
    let metric = if failure.code == "account_locked" {
        "locked"
    } else {
        "failed"
    };
    state.metrics.login(metric);
    failure
}

/// Whether the account's password is older than the configured lifetime.
pub fn password_expired(state: &AppState, account: &Account) -> bool {
    state
        .settings
        .password_max_age
        .is_some_and(|age| now() - account.password_changed_at >= age.as_secs() as i64)
}

/// When the account's password expires, if it does.
pub fn password_expires_at(state: &AppState, account: &Account) -> Option<i64> {
    state
        .settings
        .password_max_age
        .map(|age| account.password_changed_at + age.as_secs() as i64)
}

/// The account kinds that sign in on the member side: people and organizations' own accounts
/// (seed 000 機關端: username = agency code). Back-office staff sign in separately.
pub const MEMBER_KINDS: &[&str] = &[
    tessera_store::kind::MEMBER,
    tessera_store::kind::ORGANIZATION,
];

/// Checks a username and password against an account of one of `kinds`, applying every rule of
/// password sign-in (CAPTCHA after failures, atomic counting, lockout, constant cost for
/// unknown names — an account of another kind is answered exactly like an unknown name,
/// rehash). Returns the account and whether its password expired; the caller starts its kind
/// of session and records the success.
pub async fn authenticate(
    state: &AppState,
    input: &LoginInput,
    ctx: &Ctx,
    kinds: &[&str],
) -> Result<(Account, bool), Failure> {
    let username = input.username.trim();
    let account = if username.is_empty() || username.len() > 64 {
        None
    } else {
        state
            .store
            .account_by_username(username)
            .await?
            .filter(|a| kinds.contains(&a.kind.as_str()))
    };
    let policy = state.settings.lockout;

    if let Some(a) = &account
        && !a.disabled
        && policy.captcha_required(a.failed_logins as u32)
        && captcha::check(state, input.captcha.as_deref())
            .await
            .is_err()
    {
        audit::record(
            state,
            AuditKind::CaptchaDemanded,
            Subject::account(&a.id, &a.username),
            ctx,
            "captcha_required",
            None,
        )
        .await;
        state.metrics.login("captcha_required");
        return Err(Failure::new(StatusCode::UNAUTHORIZED, "captcha_required"));
    }

    // Always pay for one hash, whether or not the account exists or is disabled.
    let verified = state
        .hasher
        .verify(
            &input.password,
            account.as_ref().map(|a| a.password_hash.as_str()),
        )
        .await?;

    let Some(account) = account else {
        let who = Subject::username(username);
        return Err(refuse(state, who, ctx, "unknown_username", invalid()).await);
    };
    let who = Subject::account(&account.id, &account.username);

    if account.disabled {
        return Err(refuse(state, who, ctx, "account_locked", locked()).await);
    }

    if verified == Verified::No {
        let f = state
            .store
            .record_login_failure(&account.id, policy.disable_after as i64, now())
            .await?;
        audit::record(
            state,
            AuditKind::LoginFailed,
            who,
            ctx,
            "wrong_password",
            Some(json!({ "consecutive_failures": f.failed_logins })),
        )
        .await;
        state.metrics.login("failed");
        if f.just_disabled {
            state.metrics.lockout();
            audit::record(state, AuditKind::AccountLocked, who, ctx, "disabled", None).await;
            let link = state.url("/password/forgot");
            send_later(
                state,
                mails::account_locked(ctx.lang, &account.email, &account.username, &link),
            );
        }
        return Err(if f.disabled { locked() } else { invalid() });
    }

    // Right password: succeed only if no parallel failure disabled the account meanwhile.
    if !state.store.record_login_success(&account.id, now()).await? {
        return Err(refuse(state, who, ctx, "account_locked", locked()).await);
    }
    if verified == Verified::YesNeedsRehash {
        let fresh = state.hasher.hash(&input.password).await?;
        state
            .store
            .update_password_hash(&account.id, &fresh)
            .await?;
        audit::record(state, AuditKind::PasswordRehashed, who, ctx, "ok", None).await;
    }
    let expired = password_expired(state, &account);
    Ok((account, expired))
}

pub async fn login(state: &AppState, input: &LoginInput, ctx: &Ctx) -> Result<LoginOk, Failure> {
    let (account, expired) = authenticate(state, input, ctx, MEMBER_KINDS).await?;
    let who = Subject::account(&account.id, &account.username);
    let set_cookie = session::start(
        state,
        &account.id,
        Loa::Password,
        expired,
        ctx.ip.clone(),
        ctx.user_agent.clone(),
    )
    .await?;
    let outcome = if expired { "ok_password_expired" } else { "ok" };
    audit::record(state, AuditKind::LoginSucceeded, who, ctx, outcome, None).await;
    state.metrics.login("ok");
    Ok(LoginOk {
        set_cookie,
        account,
        loa: Loa::Password,
        password_expired: expired,
    })
}

/// Ends the session.
pub async fn logout(
    state: &AppState,
    s: &session::ActiveSession,
    ctx: &Ctx,
) -> Result<(), Failure> {
    state.store.delete_session(&s.id_hash).await?;
    audit::record(
        state,
        AuditKind::Logout,
        Subject {
            account_id: Some(&s.account_id),
            username: None,
        },
        ctx,
        "ok",
        None,
    )
    .await;
    Ok(())
}
