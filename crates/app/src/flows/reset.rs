//! Password reset (004 四): a one-time link by email to the verified address or a 6-digit code
//! by SMS to the verified recovery mobile, or at once with the citizen certificate
//! (`flows::cert::reset`). Requests are answered the same whether or not anything matched, and
//! limited per account (silently: the answer must not tell that the account exists), per
//! browser and per address (429). Completion checks the link or the code before anything else,
//! and every refusal before that is one answer, so it reveals neither the account nor its
//! personal data. A reset unlocks the account and ends all its sessions. No security questions
//! (NIST SP 800-63B).

use crate::error::FailureKind;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::password::PasswordContext;
use tessera_store::{Account, Token};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::{limits, send_later, verify};
use crate::mails;
use crate::secrets;
use crate::state::AppState;

pub const LINK_PURPOSE: &str = "password_reset";
pub const SMS_PURPOSE: &str = "password_reset_sms";
const LINK_TTL: i64 = 3600;
/// The window of the reset-request limits (seconds).
const REQUEST_WINDOW: i64 = 3600;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ResetRequest {
    pub username: String,
    /// `email` or `sms`.
    pub channel: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    /// Channel `certificate`: the card's answer to a `reset` challenge…
    #[serde(default)]
    pub challenge_id: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    pub cert: Option<String>,
    /// …and the new password, set at once (see `flows::cert::reset`).
    #[serde(default)]
    pub new_password: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ResetComplete {
    /// The token of an emailed link…
    #[serde(default)]
    pub token: Option<String>,
    /// …or the username and the SMS code.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    pub new_password: String,
}

/// Handles a reset request. Always succeeds from the caller's point of view.
pub async fn request(state: &AppState, input: &ResetRequest, ctx: &Ctx) -> Result<(), Failure> {
    if !matches!(input.channel.as_str(), "email" | "sms") {
        return Err(Failure::validation(vec![tessera_core::field::FieldError {
            field: "channel",
            code: "channel_invalid",
        }]));
    }
    let s = &state.settings;
    let over = limits::hit_in(
        state,
        ctx,
        "password-reset",
        ctx.browser.as_deref(),
        (s.reset_requests_per_browser, s.reset_requests_per_ip),
        REQUEST_WINDOW,
    )
    .await?;
    if let Some(over) = over {
        audit::record(
            state,
            AuditKind::PasswordResetRequested,
            Subject::username(input.username.trim()),
            ctx,
            "rate_limited",
            Some(json!({ "channel": input.channel, "limit": over.as_str() })),
        )
        .await;
        return Err(Failure::new(FailureKind::RateLimited, "rate_limited"));
    }
    let username = input.username.trim();
    let account = if username.is_empty() || username.len() > 64 {
        None
    } else {
        // Back-office staff passwords are reset by an operator (`tessera admin staff`), never
        // by mail.
        state
            .store
            .account_by_username(username)
            .await?
            .filter(|a| a.kind != tessera_store::kind::STAFF)
    };
    let channel = input.channel.as_str();
    let matched = match (&account, channel) {
        // Only a verified address receives a reset link.
        (Some(a), "email") => {
            a.email_verified
                && input
                    .email
                    .as_deref()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(&a.email))
        }
        (Some(a), "sms") => {
            a.mobile_verified && input.mobile.as_deref().map(str::trim) == a.mobile.as_deref()
        }
        _ => false,
    };
    let who = match &account {
        Some(a) => Subject::account(&a.id, &a.username),
        None => Subject::username(username),
    };
    // Past the account's own limit nothing more is sent, and the answer stays the same.
    let over_account = match &account {
        Some(a) if matched => {
            limits::hit_account(
                state,
                "password-reset",
                &a.id,
                s.reset_requests_per_account,
                REQUEST_WINDOW,
            )
            .await?
        }
        _ => false,
    };
    let outcome = match (matched, over_account) {
        (true, false) => "sent",
        (true, true) => "not_sent_account_limit",
        _ => "no_match",
    };
    audit::record(
        state,
        AuditKind::PasswordResetRequested,
        who,
        ctx,
        outcome,
        Some(json!({ "channel": channel })),
    )
    .await;
    let Some(a) = account.filter(|_| matched && !over_account) else {
        return Ok(());
    };
    if channel == "email" {
        let token = secrets::token();
        state.store.delete_tokens(&a.id, LINK_PURPOSE).await?;
        state
            .store
            .create_token(&Token {
                hash: secrets::digest(&[&token]),
                purpose: LINK_PURPOSE.to_string(),
                account_id: a.id.clone(),
                data: None,
                expires_at: now() + LINK_TTL,
            })
            .await?;
        let link = state.url(&format!("/password/reset?token={token}"));
        send_later(
            state,
            mails::reset_link(&state.settings, ctx.lang, &a.email, &a.username, &link),
        )
        .await?;
    } else if let Some(mobile) = a.mobile.as_deref() {
        if limits::hit_account(state, "sms", &a.id, s.sms_codes_per_account, REQUEST_WINDOW).await?
        {
            return Ok(());
        }
        let code = secrets::code();
        let text = mails::sms_code(
            &state.settings,
            ctx.lang,
            &code,
            "重設密碼",
            "password reset",
        );
        verify::send_code(state, &a.id, mobile, SMS_PURPOSE, text, &code).await?;
    }
    Ok(())
}

/// Whether an emailed reset link can still be used (known, unused, not expired), checked
/// without using it up or counting a try: the link's page shows the form only then. Only the
/// holder of the random token can ask, and the answer names no account.
pub async fn link_usable(state: &AppState, token: &str) -> Result<bool, Failure> {
    super::link_usable(state, token, LINK_PURPOSE).await
}

/// The one answer to every refusal of an SMS reset before its code proved right.
fn refused_code() -> Failure {
    Failure::bad_request("code_invalid")
}

pub(crate) fn check_policy(
    state: &AppState,
    account: &Account,
    password: &str,
) -> Result<(), Failure> {
    let ctx = PasswordContext {
        username: Some(&account.username),
        national_id: account.national_id.as_deref(),
        birthday: account.birthday.as_deref(),
    };
    state
        .settings
        .password_policy
        .check(password, &ctx)
        .map_err(|mut f| {
            f.field = "new_password";
            Failure::field(f)
        })
}

/// Completes a reset with a link token or an SMS code.
pub async fn complete(state: &AppState, input: &ResetComplete, ctx: &Ctx) -> Result<(), Failure> {
    let account = if let Some(token) = input.token.as_deref() {
        let hash = secrets::digest(&[token.trim()]);
        let taken = state.store.take_token(&hash, LINK_PURPOSE, now()).await?;
        let Some(t) = taken else {
            return Err(Failure::bad_request("token_invalid"));
        };
        let Some(a) = state.store.account_by_id(&t.account_id).await? else {
            return Err(Failure::bad_request("token_invalid"));
        };
        if let Err(f) = check_policy(state, &a, &input.new_password) {
            // The password was refused, not the link: give the token back for another try.
            state.store.create_token(&t).await?;
            return Err(f);
        }
        a
    } else {
        let username = input.username.as_deref().unwrap_or("").trim();
        let code = input.code.as_deref().unwrap_or("");
        let account = if username.is_empty() || username.len() > 64 {
            None
        } else {
            state.store.account_by_username(username).await?
        };
        // The code first: until it is right, every refusal is the same answer, whether the
        // name is unknown, the code wrong, expired or out of tries — and the new password is
        // not looked at, so it cannot be used to test guesses of the account's personal data.
        let Some(a) = account else {
            return Err(refused_code());
        };
        let mobile = a.mobile.clone().unwrap_or_default();
        if !verify::code_matches(state, &a.id, &mobile, SMS_PURPOSE, code).await? {
            audit::record(
                state,
                AuditKind::PasswordResetCompleted,
                Subject::account(&a.id, &a.username),
                ctx,
                "refused_code",
                None,
            )
            .await;
            return Err(refused_code());
        }
        // The code is right; a refused password leaves it for another try.
        check_policy(state, &a, &input.new_password)?;
        if !state.store.delete_code(&a.id, SMS_PURPOSE).await? {
            // A parallel completion used it first.
            return Err(refused_code());
        }
        a
    };
    set_new_password(
        state,
        &account,
        &input.new_password,
        ctx,
        AuditKind::PasswordResetCompleted,
    )
    .await
}

/// Stores a new password, unlocks the account, ends every session, notifies the owner.
pub async fn set_new_password(
    state: &AppState,
    account: &Account,
    password: &str,
    ctx: &Ctx,
    kind: AuditKind,
) -> Result<(), Failure> {
    let hash = state.hasher.hash(password).await?;
    state.store.set_password(&account.id, &hash, now()).await?;
    let ended = state.store.delete_sessions_for_account(&account.id).await?;
    // OpenID Connect: services lose their refresh tokens too.
    state
        .store
        .revoke_oidc_grants_of_account(&account.id, "password_reset", now())
        .await?;
    audit::record(
        state,
        kind,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(json!({ "sessions_ended": ended, "was_disabled": account.disabled })),
    )
    .await;
    send_later(
        state,
        mails::password_changed(&state.settings, ctx.lang, &account.email, &account.username),
    )
    .await?;
    Ok(())
}
