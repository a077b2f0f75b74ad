//! Password reset and unlock by certificate (004 四 Q5): username plus the card's signature
//! over a `reset` challenge; the certificate's national ID digits must match the account's
//! national ID; the new password is set at once, the account unlocked and its sessions ended.

use crate::error::FailureKind;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;

use super::{SignedAnswer, verify};
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::reset::{ResetRequest, check_policy, set_new_password};
use crate::state::AppState;

fn mismatch() -> Failure {
    Failure::new(FailureKind::Forbidden, "cert_national_id_mismatch")
}

/// Resets the password of `input.username` with the card.
pub async fn reset(
    state: &AppState,
    input: &ResetRequest,
    binding: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    super::service(state)?;
    let new_password = input.new_password.as_deref().unwrap_or("");
    if new_password.is_empty() {
        return Err(Failure::field(FieldError {
            field: "new_password",
            code: "password_required",
        }));
    }
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone().unwrap_or_default(),
        signature: input.signature.clone().unwrap_or_default(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, binding, "reset", ctx).await?;
    let username = input.username.trim();
    let account = if username.is_empty() || username.len() > 64 {
        None
    } else {
        state.store.account_by_username(username).await?
    };
    let matched = account.as_ref().filter(|a| {
        a.national_id
            .as_deref()
            .is_some_and(|id| card.matches_national_id(id))
    });
    let Some(account) = matched else {
        let who = match &account {
            Some(a) => Subject::account(&a.id, &a.username),
            None => Subject::username(username),
        };
        let mut detail = card.detail();
        detail["channel"] = json!("certificate");
        audit::record(
            state,
            AuditKind::PasswordResetFailed,
            who,
            ctx,
            "national_id_mismatch",
            Some(detail),
        )
        .await;
        return Err(mismatch());
    };
    check_policy(state, account, new_password)?;
    let mut detail = card.detail();
    detail["channel"] = json!("certificate");
    audit::record(
        state,
        AuditKind::PasswordResetRequested,
        Subject::account(&account.id, &account.username),
        ctx,
        "certificate_verified",
        Some(detail),
    )
    .await;
    if account.disabled {
        audit::record(
            state,
            AuditKind::AccountUnlocked,
            Subject::account(&account.id, &account.username),
            ctx,
            "certificate_reset",
            None,
        )
        .await;
    }
    set_new_password(
        state,
        account,
        new_password,
        ctx,
        AuditKind::PasswordResetCompleted,
    )
    .await
}
