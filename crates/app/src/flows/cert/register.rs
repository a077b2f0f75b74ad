//! Registration with a citizen certificate (000 當事人 Q1–Q5): the card signs, the user types
//! the full national ID (checksum, and it must end in the certificate's last four digits),
//! email, optional mobile and password; the account's username is the national ID, its name
//! the certificate's, and the certificate is bound to it. One such account per national ID.

use crate::error::FailureKind;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_core::ids::{Email, Mobile, NationalId};
use tessera_core::password::PasswordContext;
use tessera_pki::CertKind;
use tessera_store::certs::{BindOutcome, BoundCert};
use tessera_store::{Account, NewAccount, StoreError};
use utoipa::ToSchema;

use super::{SignedAnswer, verify};
use crate::audit::{self, Subject};
use crate::captcha;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::register::Checks;
use crate::flows::verify as email_verify;
use crate::state::AppState;

/// `POST /api/v1/cert/registrations`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CertRegisterInput {
    pub challenge_id: String,
    /// CMS SignedData over the challenge, base64.
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
    /// The full national ID; becomes the username.
    pub national_id: String,
    pub email: String,
    #[serde(default)]
    pub mobile: Option<String>,
    pub password: String,
    #[serde(default)]
    pub accept_terms: bool,
    #[serde(default)]
    pub captcha: Option<String>,
}

struct Valid {
    national_id: NationalId,
    email: Email,
    mobile: Option<Mobile>,
}

fn validate(state: &AppState, input: &CertRegisterInput) -> Result<Valid, Failure> {
    let mut c = Checks::default();
    let national_id = c.take(NationalId::parse(&input.national_id));
    let email = c.take(Email::parse(input.email.trim()));
    let mobile = c.take_opt(input.mobile.as_deref(), Mobile::parse);
    let id_text = national_id.as_ref().map(|n| n.as_str().to_owned());
    let ctx = PasswordContext {
        username: id_text.as_deref(),
        national_id: id_text.as_deref(),
        birthday: None,
    };
    c.take(state.settings.password_policy.check(&input.password, &ctx));
    if !input.accept_terms {
        c.0.push(FieldError {
            field: "accept_terms",
            code: "terms_required",
        });
    }
    c.finish()?;
    match (national_id, email) {
        (Some(national_id), Some(email)) => Ok(Valid {
            national_id,
            email,
            mobile,
        }),
        _ => Err(Failure::internal()),
    }
}

fn conflict(code: &'static str) -> Failure {
    Failure::new(FailureKind::Conflict, code)
}

/// Registers a citizen with the card; returns the account and the bound certificate.
pub async fn register(
    state: &AppState,
    input: &CertRegisterInput,
    binding: &str,
    ctx: &Ctx,
) -> Result<(Account, BoundCert), Failure> {
    super::service(state)?;
    let v = validate(state, input)?;
    captcha::check(state, input.captcha.as_deref())
        .await
        .map_err(captcha::form_failure)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, binding, "register", ctx).await?;
    let id = v.national_id.as_str();
    let refuse = |outcome: &'static str| {
        let detail = card.detail();
        async move {
            audit::record(
                state,
                AuditKind::CertRegistered,
                Subject::username(id),
                ctx,
                outcome,
                Some(detail),
            )
            .await;
        }
    };
    if card.identity.kind != CertKind::MoicaCitizen {
        refuse("refused_kind").await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_kind_not_accepted",
        ));
    }
    if !card.matches_national_id(id) {
        refuse("refused_national_id_mismatch").await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        ));
    }
    if state.store.username_reserved(id).await? {
        refuse("refused_already_registered").await;
        return Err(conflict("cert_already_registered"));
    }
    let issuer = &card.identity.issuer;
    if state
        .store
        .account_by_certificate(issuer, &card.identity.serial)
        .await?
        .is_some()
    {
        refuse("refused_cert_bound_elsewhere").await;
        return Err(conflict("cert_already_bound"));
    }
    let hash = state.hasher.hash(&input.password).await?;
    let t = now();
    let created = state
        .store
        .create_account(&NewAccount {
            username: id.to_owned(),
            name: card.identity.name.clone(),
            email: v.email.as_str().to_owned(),
            mobile: v.mobile.map(|m| m.as_str().to_owned()),
            national_id: Some(id.to_owned()),
            birthday: None,
            landline: None,
            password_hash: hash,
            terms_version: state.settings.terms_version.clone(),
            terms_accepted_at: t,
            created_at: t,
        })
        .await;
    let account = match created {
        Ok(a) => a,
        Err(StoreError::UsernameTaken) => {
            refuse("refused_already_registered").await;
            return Err(conflict("cert_already_registered"));
        }
        Err(e) => return Err(e.into()),
    };
    let cert = match state
        .store
        .bind_certificate(&card.binding(&account.id))
        .await?
    {
        BindOutcome::Bound { cert, .. } | BindOutcome::AlreadyBound(cert) => cert,
        BindOutcome::BoundElsewhere => {
            // Lost a race with another binding of this card: undo the registration.
            state.store.delete_account(&account.id, now()).await?;
            refuse("refused_cert_bound_elsewhere").await;
            return Err(conflict("cert_already_bound"));
        }
    };
    let mut detail = card.detail();
    detail["terms_version"] = json!(account.terms_version);
    audit::record(
        state,
        AuditKind::CertRegistered,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(detail),
    )
    .await;
    email_verify::send_email_link(state, &account, ctx.lang).await?;
    Ok((account, cert))
}
