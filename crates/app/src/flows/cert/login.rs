//! Certificate sign-in (004 六 Q1): a bound certificate signs its account in at level
//! `certificate`. An unbound one needs the typed national ID (checksum, last four digits):
//! the accounts registered with that ID are listed, names masked, for the binding step
//! (`binding.rs`), where the user proves one with its password.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::field::FieldError;
use tessera_core::ids::NationalId;
use tessera_core::loa::Loa;
use tessera_pki::CertKind;
use tessera_store::Account;
use tessera_store::certs::CertSession;
use utoipa::ToSchema;

use super::{Card, SignedAnswer, masked_name, verify};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::session;
use crate::state::AppState;

/// `POST /api/v1/cert/session`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CertLoginInput {
    pub challenge_id: String,
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
    /// Needed when the certificate is not bound yet.
    #[serde(default)]
    pub national_id: Option<String>,
    /// Unbound certificate: skip binding and take a certificate-only session (no account).
    #[serde(default)]
    pub skip_binding: bool,
}

/// An account the certificate's holder may bind to (name masked until proved).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    pub username: String,
    pub masked_name: String,
}

/// The outcome of a certificate sign-in.
pub enum CertLogin {
    SignedIn {
        set_cookie: String,
        account: Box<Account>,
    },
    BindingRequired {
        card: Box<Card>,
        accounts: Vec<Candidate>,
    },
    /// The holder skipped binding: a session without an account.
    CertificateOnly {
        set_cookie: String,
        session: Box<CertSession>,
    },
}

/// Refuses a verified card on an account that cannot sign in.
async fn locked(state: &AppState, account: &Account, card: &Card, ctx: &Ctx) -> Failure {
    audit::record(
        state,
        AuditKind::CertLoginFailed,
        Subject::account(&account.id, &account.username),
        ctx,
        "account_locked",
        Some(card.detail()),
    )
    .await;
    state.metrics.login("locked");
    Failure::new(FailureKind::Locked, "account_locked")
}

/// Signs `account` in at level `certificate` (the card was verified and is bound to it).
pub async fn sign_in(
    state: &AppState,
    account: &Account,
    card: &Card,
    ctx: &Ctx,
) -> Result<String, Failure> {
    if account.disabled || !state.store.record_login_success(&account.id, now()).await? {
        return Err(locked(state, account, card, ctx).await);
    }
    let set_cookie = session::start(
        state,
        &account.id,
        Loa::Certificate,
        false,
        ctx.ip.clone(),
        ctx.user_agent.clone(),
    )
    .await?;
    audit::record(
        state,
        AuditKind::CertLoginSucceeded,
        Subject::account(&account.id, &account.username),
        ctx,
        "ok",
        Some(card.detail()),
    )
    .await;
    state.metrics.login("ok");
    Ok(set_cookie)
}

/// Checks a typed national ID against the card: 422 when malformed, 403 when it does not
/// end in the certificate's digits (audited).
pub async fn check_national_id(
    state: &AppState,
    card: &Card,
    typed: Option<&str>,
    ctx: &Ctx,
) -> Result<NationalId, Failure> {
    let Some(typed) = typed.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(Failure::field(FieldError {
            field: "national_id",
            code: "national_id_required",
        }));
    };
    let id = NationalId::parse(typed).map_err(Failure::field)?;
    if !card.matches_national_id(id.as_str()) {
        audit::record(
            state,
            AuditKind::CertLoginFailed,
            Subject::default(),
            ctx,
            "national_id_mismatch",
            Some(card.detail()),
        )
        .await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        ));
    }
    Ok(id)
}

/// Signs in with the card, or lists the accounts it could be bound to.
pub async fn login(
    state: &AppState,
    input: &CertLoginInput,
    binding: &str,
    ctx: &Ctx,
) -> Result<CertLogin, Failure> {
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, binding, "login", ctx).await?;
    login_card(
        state,
        card,
        input.national_id.as_deref(),
        input.skip_binding,
        ctx,
    )
    .await
}

/// Signs a verified card in when it is bound (or is an HCA institution card, whose account is
/// made on first use). `Ok(None)`: a citizen or HCA personnel card that is not bound yet;
/// other kinds are refused with `cert_kind_not_accepted`.
pub async fn sign_in_bound(
    state: &AppState,
    card: &Card,
    ctx: &Ctx,
) -> Result<Option<(String, Account)>, Failure> {
    let bound = state
        .store
        .account_by_certificate(&card.identity.issuer, &card.identity.serial)
        .await?;
    if let Some(account) = bound {
        let set_cookie = sign_in(state, &account, card, ctx).await?;
        return Ok(Some((set_cookie, account)));
    }
    if card.identity.kind == CertKind::HcaInstitution {
        let account = super::institution::account_for(state, card, ctx).await?;
        let set_cookie = sign_in(state, &account, card, ctx).await?;
        return Ok(Some((set_cookie, account)));
    }
    if !matches!(
        card.identity.kind,
        CertKind::MoicaCitizen | CertKind::HcaPersonnel
    ) {
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_kind_not_accepted",
        ));
    }
    Ok(None)
}

/// The accounts registered with `national_id` (checked against the card), names masked,
/// without those listed in `removed`; the step is audited (`cert_binding_required`).
pub async fn candidates(
    state: &AppState,
    card: &Card,
    national_id: &str,
    removed: &[String],
    ctx: &Ctx,
) -> Result<Vec<Candidate>, Failure> {
    let accounts = list_candidates(state, national_id, removed).await?;
    let mut detail = card.detail();
    detail["accounts_found"] = json!(accounts.len());
    audit::record(
        state,
        AuditKind::CertBindingRequired,
        Subject::default(),
        ctx,
        "binding_required",
        Some(detail),
    )
    .await;
    Ok(accounts)
}

/// The accounts registered with `national_id`, names masked, without `removed` (no audit: for
/// showing the list again).
pub async fn list_candidates(
    state: &AppState,
    national_id: &str,
    removed: &[String],
) -> Result<Vec<Candidate>, Failure> {
    Ok(state
        .store
        .accounts_by_national_id(national_id)
        .await?
        .iter()
        .filter(|a| !removed.iter().any(|r| r.eq_ignore_ascii_case(&a.username)))
        .map(|a| Candidate {
            username: a.username.clone(),
            masked_name: masked_name(&a.name),
        })
        .collect())
}

/// The rest of a sign-in once the card is verified: a bound card signs in; an unbound one
/// needs the typed national ID, then either starts a certificate-only session (`skip`) or
/// lists the accounts it may bind to.
pub async fn login_card(
    state: &AppState,
    card: Card,
    national_id: Option<&str>,
    skip: bool,
    ctx: &Ctx,
) -> Result<CertLogin, Failure> {
    if let Some((set_cookie, account)) = sign_in_bound(state, &card, ctx).await? {
        return Ok(CertLogin::SignedIn {
            set_cookie,
            account: Box::new(account),
        });
    }
    let id = check_national_id(state, &card, national_id, ctx).await?;
    if skip {
        let (session, set_cookie) = super::only::start(state, &card, id.as_str(), ctx).await?;
        return Ok(CertLogin::CertificateOnly {
            set_cookie,
            session: Box::new(session),
        });
    }
    let accounts = candidates(state, &card, id.as_str(), &[], ctx).await?;
    Ok(CertLogin::BindingRequired {
        card: Box::new(card),
        accounts,
    })
}
