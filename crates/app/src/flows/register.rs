//! Member registration (004 一 Q1, Q3): field rules, password policy, terms, CAPTCHA, a unique
//! never-reusable username, then the email-verification link.

use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_core::ids::{Birthday, Email, Landline, Mobile, NationalId, PersonName, Username};
use tessera_core::password::PasswordContext;
use tessera_store::{Account, AccountRecords, NewAccount, StoreError, Token, kind};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::captcha;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::{opt, outbox, verify};
use crate::mails;
use crate::secrets;
use crate::state::AppState;

/// What a registrant submits.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RegisterInput {
    pub username: String,
    pub password: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub national_id: Option<String>,
    /// YYYY-MM-DD, optional; used to refuse passwords containing it.
    #[serde(default)]
    pub birthday: Option<String>,
    #[serde(default)]
    pub landline: Option<String>,
    #[serde(default)]
    pub accept_terms: bool,
    /// The ALTCHA widget's payload.
    #[serde(default)]
    pub captcha: Option<String>,
}

/// Collects the errors of several fields before answering.
#[derive(Default)]
pub struct Checks(pub Vec<FieldError>);

impl Checks {
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }

    pub fn take_opt<T>(
        &mut self,
        v: Option<&str>,
        parse: impl Fn(&str) -> Result<T, FieldError>,
    ) -> Option<T> {
        opt(v).and_then(|s| self.take(parse(s)))
    }

    /// An optional birthday, which must not lie in the future.
    pub fn birthday(&mut self, v: Option<&str>) -> Option<Birthday> {
        let b = self.take_opt(v, Birthday::parse)?;
        let today = time::OffsetDateTime::now_utc().date();
        let today = (today.year(), u8::from(today.month()), today.day());
        if (i32::from(b.year()), b.month(), b.day()) > today {
            self.0.push(FieldError {
                field: "birthday",
                code: "birthday_in_future",
            });
            return None;
        }
        Some(b)
    }

    pub fn finish(self) -> Result<(), Failure> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Failure::validation(self.0))
        }
    }
}

/// Validated registration data.
struct Valid {
    username: Username,
    name: PersonName,
    email: Email,
    mobile: Option<Mobile>,
    national_id: Option<NationalId>,
    birthday: Option<Birthday>,
    landline: Option<Landline>,
}

fn validate(state: &AppState, input: &RegisterInput) -> Result<Valid, Failure> {
    let mut c = Checks::default();
    let username = c.take(Username::parse(input.username.trim()));
    let name = c.take(PersonName::parse(&input.name));
    let email = c.take(Email::parse(input.email.trim()));
    let mobile = c.take_opt(input.mobile.as_deref(), Mobile::parse);
    let national_id = c.take_opt(input.national_id.as_deref(), NationalId::parse);
    let birthday = c.birthday(input.birthday.as_deref());
    let landline = c.take_opt(input.landline.as_deref(), Landline::parse);
    let birthday_text = birthday.as_ref().map(Birthday::as_string);
    let ctx = PasswordContext {
        username: Some(input.username.trim()),
        national_id: national_id.as_ref().map(|n| n.as_str()),
        birthday: birthday_text.as_deref(),
    };
    c.take(state.settings.password_policy.check(&input.password, &ctx));
    if !input.accept_terms {
        c.0.push(FieldError {
            field: "accept_terms",
            code: "terms_required",
        });
    }
    c.finish()?;
    match (username, name, email) {
        (Some(username), Some(name), Some(email)) => Ok(Valid {
            username,
            name,
            email,
            mobile,
            national_id,
            birthday,
            landline,
        }),
        _ => Err(Failure::internal()),
    }
}

/// Registers a member and mails the verification link: the account, its audit entry, the
/// link's token and the queued mail are committed in one transaction.
pub async fn register(
    state: &AppState,
    input: &RegisterInput,
    ctx: &Ctx,
) -> Result<Account, Failure> {
    let v = validate(state, input)?;
    // An agency code in the registry is its organization's future username.
    if state
        .store
        .organization(&v.username.as_str().to_ascii_uppercase())
        .await?
        .is_some()
    {
        return Err(Failure::new(
            crate::error::FailureKind::Conflict,
            "username_unavailable",
        ));
    }
    captcha::check(state, input.captcha.as_deref())
        .await
        .map_err(captcha::form_failure)?;
    let hash = state.hasher.hash(&input.password).await?;
    let t = now();
    // The verification link's token and mail, committed with the account and its audit
    // entry: a registration is all of them or nothing (a node may stop at any instant).
    let token = secrets::token();
    let link = state.url(&format!("/verify-email?token={token}"));
    let records = AccountRecords {
        audit: vec![audit::event(
            AuditKind::AccountRegistered,
            Subject::username(v.username.as_str()),
            ctx,
            "ok",
            Some(json!({ "terms_version": state.settings.terms_version })),
        )],
        tokens: vec![Token {
            hash: secrets::digest(&[&token]),
            purpose: verify::EMAIL_PURPOSE.to_string(),
            account_id: String::new(),
            data: Some(v.email.as_str().to_string()),
            expires_at: t + verify::EMAIL_TTL,
        }],
        mail: vec![outbox::outbox_mail(&mails::verify_email(
            &state.settings,
            ctx.lang,
            v.email.as_str(),
            v.name.as_str(),
            &link,
        ))],
    };
    let created = state
        .store
        .create_account_with(
            &NewAccount {
                username: v.username.as_str().to_string(),
                password_hash: hash,
                name: v.name.as_str().to_string(),
                email: v.email.as_str().to_string(),
                mobile: v.mobile.map(|m| m.as_str().to_string()),
                national_id: v.national_id.map(|n| n.as_str().to_string()),
                birthday: v.birthday.map(|b| b.as_string()),
                landline: v.landline.map(|l| l.as_str().to_string()),
                terms_version: state.settings.terms_version.clone(),
                terms_accepted_at: t,
                created_at: t,
            },
            kind::MEMBER,
            &records,
        )
        .await;
    let account = match created {
        Ok((account, mail_ids)) => {
            outbox::send_now(state, mail_ids);
            account
        }
        Err(StoreError::UsernameTaken) => {
            audit::record(
                state,
                AuditKind::AccountRegistered,
                Subject::username(v.username.as_str()),
                ctx,
                "refused_username_unavailable",
                None,
            )
            .await;
            return Err(Failure::new(
                crate::error::FailureKind::Conflict,
                "username_unavailable",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(account)
}
