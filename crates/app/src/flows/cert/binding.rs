//! Binding a certificate to an account (004 六 Q1 and Q4 method 2), renewal and unbinding
//! (004 二 Q4). Binding always takes the account's password — wrong passwords count towards
//! the lockout like any sign-in — the account's national ID must end in the certificate's
//! last four digits, and its email address must be verified. A new card of the same kind
//! replaces the bound one (renewal); the old serial stays in the history. Accounts of the
//! same ID the user marks "not mine" are recorded for review.

use crate::error::FailureKind;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_store::Account;
use tessera_store::certs::{BindOutcome, BoundCert, CertReport};
use utoipa::ToSchema;

use super::{Card, SignedAnswer, verify};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::hashing::Verified;
use crate::session::ActiveSession;
use crate::state::AppState;

/// `POST /api/v1/cert/bindings`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct BindInput {
    pub challenge_id: String,
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
    /// The account to bind to; omitted when signed in (the session's account).
    #[serde(default)]
    pub username: Option<String>,
    /// The password of that account.
    pub password: String,
    /// Accounts of the same national ID the holder says are not theirs.
    #[serde(default)]
    pub not_mine: Vec<String>,
}

/// A successful binding.
pub struct Bound {
    pub account: Account,
    pub cert: BoundCert,
    /// Serials of the certificates this one replaced (renewal).
    pub replaced: Vec<String>,
    /// Set when the binding also signed the user in (no session before).
    pub set_cookie: Option<String>,
}

fn invalid() -> Failure {
    Failure::new(FailureKind::Unauthenticated, "invalid_credentials")
}

/// Checks the password like a sign-in does (failures counted, lockout applies).
async fn prove_password(
    state: &AppState,
    account: Option<&Account>,
    password: &str,
    card: &Card,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let verified = state
        .hasher
        .verify(password, account.map(|a| a.password_hash.as_str()))
        .await?;
    let Some(account) = account else {
        return Err(invalid());
    };
    let who = Subject::account(&account.id, &account.username);
    if account.disabled {
        return Err(Failure::new(FailureKind::Locked, "account_locked"));
    }
    if verified == Verified::No {
        let policy = state.settings.lockout;
        let f = state
            .store
            .record_login_failure(&account.id, policy.disable_after as i64, now())
            .await?;
        let mut detail = card.detail();
        detail["consecutive_failures"] = json!(f.failed_logins);
        audit::record(
            state,
            AuditKind::CertBound,
            who,
            ctx,
            "wrong_password",
            Some(detail),
        )
        .await;
        if f.just_disabled {
            audit::record(state, AuditKind::AccountLocked, who, ctx, "disabled", None).await;
        }
        return Err(if f.disabled {
            Failure::new(FailureKind::Locked, "account_locked")
        } else {
            invalid()
        });
    }
    Ok(())
}

/// Records "not mine" reports for accounts of the card holder's national ID (never for
/// `target`, the account being bound). Returns the usernames recorded.
pub async fn report_not_mine(
    state: &AppState,
    card: &Card,
    target: Option<&Account>,
    usernames: &[String],
    ctx: &Ctx,
) -> Result<Vec<String>, Failure> {
    let mut recorded = Vec::new();
    for username in usernames.iter().take(20) {
        let Some(other) = state.store.account_by_username(username.trim()).await? else {
            continue;
        };
        let same_id = other
            .national_id
            .as_deref()
            .is_some_and(|id| card.matches_national_id(id));
        if target.is_some_and(|t| t.id == other.id) || !same_id {
            continue;
        }
        state
            .store
            .report_not_mine(&CertReport {
                id: uuid::Uuid::new_v4().to_string(),
                account_id: other.id.clone(),
                reporter_issuer: card.identity.issuer.clone(),
                reporter_serial: card.identity.serial.clone(),
                reporter_name: card.identity.name.clone(),
                reported_at: now(),
            })
            .await?;
        audit::record(
            state,
            AuditKind::CertNotMineReported,
            Subject::account(&other.id, &other.username),
            ctx,
            "recorded",
            Some(card.detail()),
        )
        .await;
        recorded.push(other.username.clone());
    }
    Ok(recorded)
}

/// Binds the card to the session's account, or to `username` (then also signs in).
pub async fn bind(
    state: &AppState,
    input: &BindInput,
    session: Option<&ActiveSession>,
    binding: &str,
    ctx: &Ctx,
) -> Result<Bound, Failure> {
    super::service(state)?;
    let account = match session {
        Some(s) => Some(crate::flows::account(state, &s.account_id).await?),
        None => {
            let username = input.username.as_deref().map(str::trim).unwrap_or("");
            if username.is_empty() {
                return Err(Failure::field(FieldError {
                    field: "username",
                    code: "username_required",
                }));
            }
            if username.len() > 64 {
                None
            } else {
                state.store.account_by_username(username).await?
            }
        }
    };
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, binding, "bind", ctx).await?;
    bind_card(
        state,
        &card,
        account,
        &input.password,
        &input.not_mine,
        session.is_some(),
        ctx,
    )
    .await
}

/// Binds a verified card to `account` (found by the caller: the session's, or the one the
/// holder named) after its password; signs in unless `signed_in` already.
pub async fn bind_card(
    state: &AppState,
    card: &Card,
    account: Option<Account>,
    password: &str,
    not_mine: &[String],
    signed_in: bool,
    ctx: &Ctx,
) -> Result<Bound, Failure> {
    prove_password(state, account.as_ref(), password, card, ctx).await?;
    let Some(account) = account else {
        return Err(invalid());
    };
    let who = Subject::account(&account.id, &account.username);
    if crate::session::email_unverified(&account) {
        // Binding is for accounts whose owner proved the address (seed 000 A8), whether the
        // holder is signed in to it or names it with its password.
        audit::record(
            state,
            AuditKind::CertBound,
            who,
            ctx,
            "refused_email_unverified",
            Some(card.detail()),
        )
        .await;
        return Err(Failure::new(FailureKind::Forbidden, "email_unverified"));
    }
    let id_ok = account
        .national_id
        .as_deref()
        .is_some_and(|id| card.matches_national_id(id));
    if !id_ok {
        audit::record(
            state,
            AuditKind::CertBound,
            who,
            ctx,
            "refused_national_id_mismatch",
            Some(card.detail()),
        )
        .await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        ));
    }
    report_not_mine(state, card, Some(&account), not_mine, ctx).await?;
    let mut replaced_serials = Vec::new();
    let cert = match state
        .store
        .bind_certificate(&card.binding(&account.id))
        .await?
    {
        BindOutcome::Bound { cert, replaced } => {
            replaced_serials = replaced.iter().map(|c| c.serial.clone()).collect();
            for old in &replaced {
                audit::record(
                    state,
                    AuditKind::CertReplaced,
                    who,
                    ctx,
                    "ok",
                    Some(json!({ "old_serial": old.serial, "new_serial": cert.serial })),
                )
                .await;
            }
            audit::record(
                state,
                AuditKind::CertBound,
                who,
                ctx,
                "ok",
                Some(card.detail()),
            )
            .await;
            cert
        }
        BindOutcome::AlreadyBound(cert) => cert,
        BindOutcome::BoundElsewhere => {
            audit::record(
                state,
                AuditKind::CertBound,
                who,
                ctx,
                "refused_bound_elsewhere",
                Some(card.detail()),
            )
            .await;
            return Err(Failure::new(FailureKind::Conflict, "cert_already_bound"));
        }
    };
    let set_cookie = if signed_in {
        None
    } else {
        Some(super::login::sign_in(state, &account, card, ctx).await?)
    };
    Ok(Bound {
        account,
        cert,
        replaced: replaced_serials,
        set_cookie,
    })
}

/// Unbinds the account's certificate with `serial` (解除憑證綁定); the history keeps it. As in
/// 004 二 Q4 (「更新後，使用者將被強制登出平臺」) every session of the account ends — a session
/// opened with that card must not outlive the binding — so the caller clears the cookie.
pub async fn unbind(
    state: &AppState,
    account: &Account,
    serial: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let serial = serial.trim();
    let done = serial.len() <= 128
        && state
            .store
            .unbind_certificate(&account.id, serial, now())
            .await?;
    if !done {
        return Err(Failure::new(FailureKind::NotFound, "cert_not_bound"));
    }
    let ended = state.store.delete_sessions_for_account(&account.id).await?;
    audit::record(
        state,
        AuditKind::CertUnbound,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(json!({ "serial": serial.to_ascii_lowercase(), "sessions_ended": ended })),
    )
    .await;
    Ok(())
}
