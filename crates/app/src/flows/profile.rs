//! 會員中心: profile maintenance (every field but the username; a partial edit changes only the
//! fields it names; a changed mobile is verified again; a changed email needs the current
//! password, the old address is told, and the new one takes over only once its link is
//! followed), password change, and irreversible self-deletion.

use crate::error::FailureKind;
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

/// A profile edit. A field left out stays as it is; an optional field sent as `null` (or as
/// an empty string) is cleared.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ProfileInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable = true)]
    pub mobile: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable = true)]
    pub national_id: Option<Option<String>>,
    /// YYYY-MM-DD.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable = true)]
    pub birthday: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, nullable = true)]
    pub landline: Option<Option<String>>,
    /// Required when `email` changes.
    #[serde(default)]
    pub current_password: Option<String>,
}

/// A field that is present deserializes to `Some` — `Some(None)` for `null` — so that a
/// missing field (`None`, through `default`) can be told from one sent to be cleared.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The value an optional field gets: unchanged when not named, else the new one (empty clears).
fn named<'a>(input: &'a Option<Option<String>>, current: &'a Option<String>) -> Option<&'a str> {
    match input {
        None => current.as_deref(),
        Some(v) => crate::flows::opt(v.as_deref()),
    }
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
    let name = c.take(PersonName::parse(
        input.name.as_deref().unwrap_or(&account.name),
    ));
    let email = c.take(Email::parse(
        input.email.as_deref().unwrap_or(&account.email).trim(),
    ));
    let mobile = c.take_opt(named(&input.mobile, &account.mobile), Mobile::parse);
    let national_id = c.take_opt(
        named(&input.national_id, &account.national_id),
        NationalId::parse,
    );
    let birthday = c.birthday(named(&input.birthday, &account.birthday));
    let landline = c.take_opt(named(&input.landline, &account.landline), Landline::parse);
    let email_changed = email
        .as_ref()
        .is_some_and(|e| !e.as_str().eq_ignore_ascii_case(&account.email));
    if email_changed {
        // A stolen session must not be enough to take the account's mail (and with it every
        // reset link): the owner confirms with the current password.
        match crate::flows::opt(input.current_password.as_deref()) {
            None => c.0.push(FieldError {
                field: "current_password",
                code: "current_password_required",
            }),
            Some(pw) => {
                if state
                    .hasher
                    .verify(pw, Some(&account.password_hash))
                    .await?
                    == Verified::No
                {
                    audit::record(
                        state,
                        AuditKind::ProfileChanged,
                        Subject::account(&account.id, &account.username),
                        ctx,
                        "refused_password",
                        Some(json!({ "email_changed": true })),
                    )
                    .await;
                    c.0.push(FieldError {
                        field: "current_password",
                        code: "password_incorrect",
                    });
                }
            }
        }
    }
    c.finish()?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(Failure::internal());
    };
    let email = email.as_str().to_string();
    let mobile = mobile.map(|m| m.as_str().to_string());
    let mobile_changed = mobile != account.mobile;
    let new_id = national_id.as_ref().map(|n| n.as_str());
    if new_id != account.national_id.as_deref()
        && !state
            .store
            .account_certificates(&account.id, false)
            .await?
            .is_empty()
    {
        // The bound certificate vouches for the ID: unbind it first.
        return Err(Failure::new(
            FailureKind::Conflict,
            "cert_bound_national_id_locked",
        ));
    }
    // A verified address stays the account's until the new one is verified (the link carries
    // the new address); an unverified one is simply replaced.
    let pending = email_changed && account.email_verified;
    state
        .store
        .update_profile(
            &account.id,
            &ProfileUpdate {
                name: name.as_str().to_string(),
                email: if pending {
                    account.email.clone()
                } else {
                    email.clone()
                },
                email_verified: account.email_verified && (pending || !email_changed),
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
        verify::send_email_link_to(state, &updated, &email, ctx.lang).await?;
        if pending {
            send_later(
                state,
                mails::email_change_requested(
                    &state.settings,
                    ctx.lang,
                    &account.email,
                    &account.username,
                    &email,
                ),
            )
            .await?;
        }
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
        return Err(Failure::new(FailureKind::Forbidden, "forbidden"));
    }
    confirm_password(state, account, &input.password, "password").await?;
    state
        .store
        .delete_account(&account.id, crate::clock::now())
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
        mails::account_deleted(&state.settings, ctx.lang, &account.email, &account.username),
    )
    .await?;
    Ok(())
}

/// Refuses a session limited to changing an expired password.
pub fn require_full(s: &session::ActiveSession) -> Result<(), Failure> {
    if s.password_change_only {
        Err(Failure::new(FailureKind::Forbidden, "password_expired"))
    } else {
        Ok(())
    }
}
