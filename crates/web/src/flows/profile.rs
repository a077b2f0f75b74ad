//! 會員中心: profile maintenance (every field but the username; a changed email or mobile is
//! verified again), password change, and irreversible self-deletion.

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_core::ids::{Email, Landline, Mobile, NationalId, PersonName};
use tessera_core::loa::Loa;
use tessera_core::password::PasswordContext;
use tessera_store::{Account, ProfileUpdate};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::register::Checks;
use crate::flows::{reset, send_later, verify};
use crate::hashing::Verified;
use crate::mails;
use crate::session;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProfileInput {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub national_id: Option<String>,
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub landline: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct DeleteInput {
    pub password: String,
}

/// Applies a profile edit; returns the updated account.
pub async fn update(
    state: &AppState,
    account: &Account,
    input: &ProfileInput,
    ctx: &Ctx,
) -> Result<Account, Failure> {
    let mut c = Checks::default();
    let name = c.take(PersonName::parse(&input.name));
    let email = c.take(Email::parse(input.email.trim()));
    let mobile = c.take_opt(input.mobile.as_deref(), Mobile::parse);
    let national_id = c.take_opt(input.national_id.as_deref(), NationalId::parse);
    let birthday = c.birthday(input.birthday.as_deref());
    let landline = c.take_opt(input.landline.as_deref(), Landline::parse);
    c.finish()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(Failure::internal());
    };
    let email = email.as_str().to_string();
    let mobile = mobile.map(|m| m.as_str().to_string());
    let email_changed = !email.eq_ignore_ascii_case(&account.email);
    let mobile_changed = mobile != account.mobile;
    let new_id = national_id.as_ref().map(|n| n.as_str());
    if new_id != account.national_id.as_deref()
        && !state
            .store
            .account_certificates(&account.id, false)
            .await?
            .is_empty()
    {
        // The bound certificate vouches for the ID: unbind it first (issue 5).
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "cert_bound_national_id_locked",
        ));
    }
    state
        .store
        .update_profile(
            &account.id,
            &ProfileUpdate {
                name: name.as_str().to_string(),
                email: email.clone(),
                email_verified: account.email_verified && !email_changed,
                mobile: mobile.clone(),
                mobile_verified: account.mobile_verified && !mobile_changed,
                national_id: national_id.map(|n| n.as_str().to_string()),
                birthday: birthday.map(|b| b.as_string()),
                landline: landline.map(|l| l.as_str().to_string()),
            },
        )
        .await?;
    let updated = state
        .store
        .account_by_id(&account.id)
        .await?
        .ok_or_else(Failure::unauthenticated)?;
    audit::record(
        state,
        AuditKind::ProfileChanged,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(json!({ "email_changed": email_changed, "mobile_changed": mobile_changed })),
    )
    .await;
    if email_changed {
        verify::send_email_link(state, &updated, ctx.lang).await?;
    }
    Ok(updated)
}

async fn confirm_password(
    state: &AppState,
    account: &Account,
    password: &str,
    field: &'static str,
) -> Result<(), Failure> {
    match state
        .hasher
        .verify(password, Some(&account.password_hash))
        .await?
    {
        Verified::No => Err(Failure::validation(vec![FieldError {
            field,
            code: "password_incorrect",
        }])),
        _ => Ok(()),
    }
}

/// Changes the password with the current one; every session ends and a fresh one starts.
/// Returns the new session's `Set-Cookie`.
pub async fn change_password(
    state: &AppState,
    account: &Account,
    input: &PasswordChange,
    ctx: &Ctx,
) -> Result<String, Failure> {
    confirm_password(state, account, &input.current_password, "current_password").await?;
    let pctx = PasswordContext {
        username: Some(&account.username),
        national_id: account.national_id.as_deref(),
        birthday: account.birthday.as_deref(),
    };
    let mut c = Checks::default();
    if let Err(mut f) = state
        .settings
        .password_policy
        .check(&input.new_password, &pctx)
    {
        f.field = "new_password";
        c.0.push(f);
    } else if input.new_password == input.current_password {
        c.0.push(FieldError {
            field: "new_password",
            code: "password_unchanged",
        });
    }
    c.finish()?;
    reset::set_new_password(
        state,
        account,
        &input.new_password,
        ctx,
        AuditKind::PasswordChanged,
    )
    .await?;
    session::start(
        state,
        &account.id,
        Loa::Password,
        false,
        ctx.ip.clone(),
        ctx.user_agent.clone(),
    )
    .await
}

/// Deletes the account for good after password confirmation; the username stays reserved.
pub async fn delete(
    state: &AppState,
    account: &Account,
    input: &DeleteInput,
    ctx: &Ctx,
) -> Result<(), Failure> {
    // An organization's account is its identity on the platform: it is never self-deleted
    // (its username could never be registered again).
    if account.kind != tessera_store::kind::MEMBER {
        return Err(Failure::new(StatusCode::FORBIDDEN, "forbidden"));
    }
    confirm_password(state, account, &input.password, "password").await?;
    state
        .store
        .delete_account(&account.id, crate::state::now())
        .await?;
    audit::record(
        state,
        AuditKind::AccountDeleted,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(json!({ "by": "self" })),
    )
    .await;
    send_later(
        state,
        mails::account_deleted(ctx.lang, &account.email, &account.username),
    );
    Ok(())
}

/// Refuses a session limited to changing an expired password.
pub fn require_full(s: &session::ActiveSession) -> Result<(), Failure> {
    if s.password_change_only {
        Err(Failure::new(StatusCode::FORBIDDEN, "password_expired"))
    } else {
        Ok(())
    }
}
