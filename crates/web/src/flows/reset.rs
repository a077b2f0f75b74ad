//! Password reset (004 四): a one-time link by email or a 6-digit code by SMS to the verified
//! recovery mobile, or at once with the citizen certificate (`flows::cert::reset`). Requests
//! are answered the same whether or not anything matched. A reset unlocks the account and
//! ends all its sessions. No security questions (NIST SP 800-63B).

use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::password::PasswordContext;
use tessera_store::{Account, Token};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::{send_later, verify};
use crate::mails;
use crate::secrets;
use crate::state::{AppState, now};

pub const LINK_PURPOSE: &str = "password_reset";
pub const SMS_PURPOSE: &str = "password_reset_sms";
const LINK_TTL: i64 = 3600;

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
        (Some(a), "email") => input
            .email
            .as_deref()
            .is_some_and(|e| e.trim().eq_ignore_ascii_case(&a.email)),
        (Some(a), "sms") => {
            a.mobile_verified && input.mobile.as_deref().map(str::trim) == a.mobile.as_deref()
        }
        _ => false,
    };
    let who = match &account {
        Some(a) => Subject::account(&a.id, &a.username),
        None => Subject::username(username),
    };
    let outcome = if matched { "sent" } else { "no_match" };
    audit::record(
        state,
        AuditKind::PasswordResetRequested,
        who,
        ctx,
        outcome,
        Some(json!({ "channel": channel })),
    )
    .await;
    let Some(a) = account.filter(|_| matched) else {
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
            mails::reset_link(ctx.lang, &a.email, &a.username, &link),
        );
    } else if let Some(mobile) = a.mobile.as_deref() {
        let code = secrets::code();
        let text = mails::sms_code(ctx.lang, &code, "重設密碼", "password reset");
        verify::send_code(state, &a.id, mobile, SMS_PURPOSE, text, &code).await?;
    }
    Ok(())
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
        let Some(a) = account else {
            return Err(Failure::bad_request("code_invalid"));
        };
        check_policy(state, &a, &input.new_password)?;
        let mobile = a.mobile.clone().unwrap_or_default();
        if let Err(f) = verify::check_code(state, &a.id, &mobile, SMS_PURPOSE, code).await {
            audit::record(
                state,
                AuditKind::PasswordResetCompleted,
                Subject::account(&a.id, &a.username),
                ctx,
                "refused_code",
                None,
            )
            .await;
            return Err(f);
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
    // OpenID Connect: services lose their refresh tokens too (issue 7).
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
        mails::password_changed(ctx.lang, &account.email, &account.username),
    );
    Ok(())
}
