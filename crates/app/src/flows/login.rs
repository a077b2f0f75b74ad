//! Password sign-in (004 二, 四 Q1): failures counted per account atomically, a CAPTCHA after
//! the configured count (and after many failures from one address or browser), the account
//! disabled after the next limit, unknown usernames answered exactly like wrong passwords at
//! every count, rehash on parameter change, expired passwords limited to the change-password
//! page.

use crate::error::FailureKind;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::loa::Loa;
use tessera_store::{Account, GateLimits, GateSubject, LoginGate};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::captcha;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::send_later;
use crate::hashing::Verified;
use crate::mails;
use crate::session;
use crate::state::AppState;

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
    Failure::new(FailureKind::Unauthenticated, "invalid_credentials")
}

fn locked() -> Failure {
    Failure::new(FailureKind::Locked, "account_locked")
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

/// The window of the per-address and per-browser failure counters (seconds).
const SOURCE_WINDOW: i64 = 15 * 60;

/// Counts this attempt in advance against the client address and the browser; `true` when
/// either has had too many attempts that were not known good in the window, so a CAPTCHA is
/// needed whatever the username. One atomic increment per key: parallel attempts cannot all
/// read the same old count. Returns the keys counted, to be refunded if the password is right.
async fn charge_source(state: &AppState, ctx: &Ctx) -> Result<(bool, Vec<String>), Failure> {
    let s = &state.settings;
    let t = now();
    let mut keys = Vec::with_capacity(2);
    let mut crowded = false;
    let sources = [
        (ctx.ip.as_deref(), "ip", s.login_failures_per_ip),
        (
            ctx.browser.as_deref(),
            "browser",
            s.login_failures_per_browser,
        ),
    ];
    for (value, kind, limit) in sources {
        let Some(value) = value.filter(|_| limit > 0) else {
            continue;
        };
        let key = format!("login:{kind}:{value}");
        let hits = state.store.hit_rate_limit(&key, SOURCE_WINDOW, t).await?;
        crowded |= hits > i64::from(limit);
        keys.push(key);
    }
    Ok((crowded, keys))
}

async fn refund_source(state: &AppState, keys: &[String]) {
    for key in keys {
        if let Err(e) = state
            .store
            .refund_rate_limit(key, SOURCE_WINDOW, now())
            .await
        {
            tracing::warn!(error = %e, "sign-in source counter not refunded");
        }
    }
}

/// Checks a username and password against an account of one of `kinds`, applying every rule of
/// password sign-in: a CAPTCHA after failures of the account — or of the client address or
/// browser, whatever the names tried — decided and counted in one atomic statement; the lock;
/// constant cost and the same answers at every count for unknown names (an account of another
/// kind is answered exactly like an unknown name; unknown names have failure counters of their
/// own); rehash. Returns the account and whether its password expired; the caller starts its
/// kind of session and records the success.
pub async fn authenticate(
    state: &AppState,
    input: &LoginInput,
    ctx: &Ctx,
    kinds: &[&str],
) -> Result<(Account, bool), Failure> {
    let username = input.username.trim();
    let plausible = !username.is_empty() && username.len() <= 64;
    let account = if plausible {
        state
            .store
            .account_by_username(username)
            .await?
            .filter(|a| kinds.contains(&a.kind.as_str()))
    } else {
        None
    };
    let policy = state.settings.lockout;
    let who = match &account {
        Some(a) => Subject::account(&a.id, &a.username),
        None => Subject::username(username),
    };

    // A solved CAPTCHA the caller brought (single use: checked here, once).
    let captcha_ok = match input.captcha.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => captcha::check(state, Some(p)).await.is_ok(),
        _ => false,
    };
    let (crowded, source_keys) = charge_source(state, ctx).await?;
    let limits = GateLimits {
        captcha_after: if crowded {
            0
        } else {
            i64::from(policy.captcha_after)
        },
        disable_after: i64::from(policy.disable_after),
    };
    let phantom_key = username.to_lowercase();
    let subject = match &account {
        Some(a) => Some(GateSubject::Account(&a.id)),
        None if plausible => Some(GateSubject::Phantom(&phantom_key)),
        None => None,
    };
    let gate = match subject {
        Some(s) => state.store.gate_login(s, limits, captcha_ok, now()).await?,
        None if crowded && !captcha_ok => LoginGate::CaptchaRequired,
        None => LoginGate::Counted(0),
    };
    if gate == LoginGate::CaptchaRequired {
        // Nothing was tried: the source is not charged for it.
        refund_source(state, &source_keys).await;
        audit::record(
            state,
            AuditKind::CaptchaDemanded,
            who,
            ctx,
            "captcha_required",
            Some(json!({ "source": crowded })),
        )
        .await;
        state.metrics.login("captcha_required");
        return Err(Failure::new(
            FailureKind::Unauthenticated,
            "captcha_required",
        ));
    }

    // Always pay for one hash, whether or not the account exists or is locked.
    let verified = state
        .hasher
        .verify(
            &input.password,
            account.as_ref().map(|a| a.password_hash.as_str()),
        )
        .await?;

    let LoginGate::Counted(failures) = gate else {
        return Err(refuse(state, who, ctx, "account_locked", locked()).await);
    };
    let at_lock = policy.disable_after > 0 && failures >= i64::from(policy.disable_after);

    let Some(account) = account.as_ref() else {
        if let Some(s) = subject {
            state
                .store
                .settle_login_failure(s, i64::from(policy.disable_after))
                .await?;
        }
        let answer = if at_lock { locked() } else { invalid() };
        return Err(refuse(state, who, ctx, "unknown_username", answer).await);
    };

    if verified == Verified::No {
        let just_disabled = state
            .store
            .settle_login_failure(
                GateSubject::Account(&account.id),
                i64::from(policy.disable_after),
            )
            .await?;
        audit::record(
            state,
            AuditKind::LoginFailed,
            who,
            ctx,
            "wrong_password",
            Some(json!({ "consecutive_failures": failures })),
        )
        .await;
        state.metrics.login("failed");
        if just_disabled {
            state.metrics.lockout();
            audit::record(state, AuditKind::AccountLocked, who, ctx, "disabled", None).await;
            let link = state.url("/password/forgot");
            send_later(
                state,
                mails::account_locked(
                    &state.settings,
                    ctx.lang,
                    &account.email,
                    &account.username,
                    &link,
                ),
            )
            .await?;
        }
        return Err(if at_lock { locked() } else { invalid() });
    }

    // Right password: succeed only if no parallel failure disabled the account meanwhile.
    if !state.store.record_login_success(&account.id, now()).await? {
        return Err(refuse(state, who, ctx, "account_locked", locked()).await);
    }
    refund_source(state, &source_keys).await;
    if verified == Verified::YesNeedsRehash {
        let fresh = state.hasher.hash(&input.password).await?;
        state
            .store
            .update_password_hash(&account.id, &fresh)
            .await?;
        audit::record(state, AuditKind::PasswordRehashed, who, ctx, "ok", None).await;
    }
    let expired = password_expired(state, account);
    Ok((account.clone(), expired))
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
