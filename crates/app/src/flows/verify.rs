//! Email verification (single-use link, 24 h) and optional mobile verification (6-digit SMS
//! code, 10 min, 5 tries).

use crate::error::FailureKind;
use tessera_core::audit::AuditKind;
use tessera_core::lang::Lang;
use tessera_notify::Sms;
use tessera_store::{Account, Token};

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::send_later;
use crate::mails;
use crate::secrets;
use crate::state::AppState;

pub const EMAIL_PURPOSE: &str = "email_verify";
pub const MOBILE_PURPOSE: &str = "mobile_verify";
pub(crate) const EMAIL_TTL: i64 = 24 * 3600;
pub const CODE_TTL: i64 = 600;
pub const CODE_TRIES: i64 = 5;
/// The tries of a (account, purpose) code are a budget for this long: a resend within it
/// brings no fresh tries.
pub const CODE_BUDGET_SECS: i64 = 3600;

/// Mails a fresh verification link for the account's current email (older links stop working).
pub async fn send_email_link(
    state: &AppState,
    account: &Account,
    lang: Lang,
) -> Result<(), Failure> {
    send_email_link_to(state, account, &account.email, lang).await
}

/// Mails a fresh verification link for `email` (the account's address, or the new address it
/// is changing to, which becomes the account's when the link is followed); older links stop
/// working.
pub async fn send_email_link_to(
    state: &AppState,
    account: &Account,
    email: &str,
    lang: Lang,
) -> Result<(), Failure> {
    let token = secrets::token();
    state
        .store
        .delete_tokens(&account.id, EMAIL_PURPOSE)
        .await?;
    state
        .store
        .create_token(&Token {
            hash: secrets::digest(&[&token]),
            purpose: EMAIL_PURPOSE.to_string(),
            account_id: account.id.clone(),
            data: Some(email.to_string()),
            expires_at: now() + EMAIL_TTL,
        })
        .await?;
    let link = state.url(&format!("/verify-email?token={token}"));
    send_later(
        state,
        mails::verify_email(&state.settings, lang, email, &account.name, &link),
    )
    .await?;
    Ok(())
}

/// The new address a verified account is changing to, while its link has not been followed.
pub async fn pending_email(state: &AppState, account: &Account) -> Result<Option<String>, Failure> {
    let data = state
        .store
        .live_token_data(&account.id, EMAIL_PURPOSE, now())
        .await?;
    Ok(data.filter(|e| account.email_verified && !e.eq_ignore_ascii_case(&account.email)))
}

/// What [`resend`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resent {
    /// A fresh link went to the address still waiting for verification.
    Sent,
    /// Nothing waits for verification.
    NothingPending,
}

/// Sends a fresh link to the address waiting for verification: the new address a verified
/// account is changing to, else the account's own unverified address.
pub async fn resend(state: &AppState, account: &Account, lang: Lang) -> Result<Resent, Failure> {
    let target = match pending_email(state, account).await? {
        Some(new) => new,
        None if !account.email_verified && !account.email.is_empty() => account.email.clone(),
        None => return Ok(Resent::NothingPending),
    };
    send_email_link_to(state, account, &target, lang).await?;
    Ok(Resent::Sent)
}

/// Whether an email-verification link can still be used (known, unused, not expired),
/// checked without using it up: the landing page offers its button only then.
pub async fn email_link_usable(state: &AppState, token: &str) -> Result<bool, Failure> {
    super::link_usable(state, token, EMAIL_PURPOSE).await
}

/// Consumes a verification link's token and marks that email verified.
pub async fn confirm_email(state: &AppState, token: &str, ctx: &Ctx) -> Result<(), Failure> {
    let taken = state
        .store
        .take_token(&secrets::digest(&[token.trim()]), EMAIL_PURPOSE, now())
        .await?;
    let Some(t) = taken else {
        return Err(Failure::bad_request("token_invalid"));
    };
    // Older links were deleted whenever a new one was sent, so this link's address is the
    // latest one asked for.
    let email = t.data.unwrap_or_default();
    let ok = !email.is_empty() && state.store.confirm_email(&t.account_id, &email).await?;
    let outcome = if ok { "ok" } else { "refused_email_changed" };
    audit::record(
        state,
        AuditKind::EmailVerified,
        Subject {
            account_id: Some(&t.account_id),
            username: None,
        },
        ctx,
        outcome,
        None,
    )
    .await;
    if ok {
        Ok(())
    } else {
        Err(Failure::bad_request("token_invalid"))
    }
}

/// Sends a 6-digit code to `mobile` for `purpose`, bound to that number.
pub async fn send_code(
    state: &AppState,
    account_id: &str,
    mobile: &str,
    purpose: &str,
    text: String,
    code: &str,
) -> Result<(), Failure> {
    state
        .store
        .put_code(
            account_id,
            purpose,
            &secrets::digest(&[mobile, code]),
            now() + CODE_TTL,
            CODE_TRIES,
            now(),
            CODE_BUDGET_SECS,
        )
        .await?;
    let sms = state.sms.clone();
    let msg = Sms {
        to: mobile.to_string(),
        text,
    };
    tokio::spawn(async move {
        if let Err(e) = sms.send(&msg).await {
            tracing::error!(error = %e, "SMS delivery failed");
        }
    });
    Ok(())
}

/// Spends one try on the code for (account, purpose) and tells whether `code` is it; the code
/// stays (the caller deletes it once it has used it, and only that delete's winner goes on).
pub async fn code_matches(
    state: &AppState,
    account_id: &str,
    mobile: &str,
    purpose: &str,
    code: &str,
) -> Result<bool, Failure> {
    let Some((stored, _)) = state.store.try_code(account_id, purpose, now()).await? else {
        return Ok(false);
    };
    Ok(secrets::same(
        &stored,
        &secrets::digest(&[mobile, code.trim()]),
    ))
}

/// Checks a code: one try used per call, single use on success.
pub async fn check_code(
    state: &AppState,
    account_id: &str,
    mobile: &str,
    purpose: &str,
    code: &str,
) -> Result<(), Failure> {
    let Some((stored, left)) = state.store.try_code(account_id, purpose, now()).await? else {
        return Err(Failure::bad_request("code_exhausted"));
    };
    if secrets::same(&stored, &secrets::digest(&[mobile, code.trim()]))
        && state.store.delete_code(account_id, purpose).await?
    {
        return Ok(());
    }
    if left <= 0 {
        Err(Failure::bad_request("code_exhausted"))
    } else {
        Err(Failure::bad_request("code_invalid"))
    }
}

/// Sends the mobile-verification code to the account's mobile.
pub async fn send_mobile_code(
    state: &AppState,
    account: &Account,
    lang: Lang,
) -> Result<(), Failure> {
    let Some(mobile) = account.mobile.as_deref() else {
        return Err(Failure::new(FailureKind::Conflict, "mobile_unverified"));
    };
    if crate::flows::limits::hit_account(
        state,
        "sms",
        &account.id,
        state.settings.sms_codes_per_account,
        3600,
    )
    .await?
    {
        return Err(Failure::new(FailureKind::RateLimited, "rate_limited"));
    }
    let code = secrets::code();
    let text = mails::sms_code(
        &state.settings,
        lang,
        &code,
        "手機號碼驗證",
        "mobile verification",
    );
    send_code(state, &account.id, mobile, MOBILE_PURPOSE, text, &code).await
}

/// Confirms the mobile-verification code.
pub async fn confirm_mobile(
    state: &AppState,
    account: &Account,
    code: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let Some(mobile) = account.mobile.as_deref() else {
        return Err(Failure::new(FailureKind::Conflict, "mobile_unverified"));
    };
    let result = check_code(state, &account.id, mobile, MOBILE_PURPOSE, code).await;
    let outcome = if result.is_ok() { "ok" } else { "refused_code" };
    audit::record(
        state,
        AuditKind::MobileVerified,
        Subject::account(&account.id, &account.username),
        ctx,
        outcome,
        None,
    )
    .await;
    result?;
    state.store.set_mobile_verified(&account.id, mobile).await?;
    Ok(())
}
