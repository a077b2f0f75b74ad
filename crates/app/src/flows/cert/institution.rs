//! HCA institution cards (seed 001): an institution card signs in as its institution's
//! account — username `H` + the institution code, name from the certificate — created on first
//! use with the card bound and a random password nobody knows. A later card of the same
//! institution (換卡) replaces the bound one: the code in the certificate is the institution's
//! full identifier. A member account that merely has that username is never used.

use crate::error::FailureKind;
use tessera_core::audit::AuditKind;
use tessera_core::ids::Username;
use tessera_store::certs::BindOutcome;
use tessera_store::{Account, NewAccount, StoreError};

use super::Card;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

const KIND: &str = "hca_institution";

fn taken() -> Failure {
    Failure::new(FailureKind::Conflict, "cert_institution_account_taken")
}

/// The institution's account (created on first use) with this card bound.
pub async fn account_for(state: &AppState, card: &Card, ctx: &Ctx) -> Result<Account, Failure> {
    let username = card
        .identity
        .institution_code
        .as_deref()
        .and_then(|code| Username::parse(&format!("H{code}")).ok())
        .ok_or_else(|| Failure::new(FailureKind::Forbidden, "cert_kind_not_accepted"))?;
    let username = username.as_str().to_owned();
    let account = match state.store.account_by_username(&username).await? {
        Some(a) => {
            let history = state.store.account_certificates(&a.id, true).await?;
            if !history.iter().any(|c| c.kind == KIND) {
                return Err(taken());
            }
            a
        }
        None => {
            let hash = state.hasher.hash(&secrets::token()).await?;
            let t = now();
            let created = state
                .store
                .create_account(&NewAccount {
                    username: username.clone(),
                    name: card.identity.name.clone(),
                    email: String::new(),
                    mobile: None,
                    national_id: None,
                    birthday: None,
                    landline: None,
                    password_hash: hash,
                    terms_version: state.settings.terms_version.clone(),
                    terms_accepted_at: t,
                    created_at: t,
                })
                .await;
            match created {
                Ok(a) => {
                    audit::record(
                        state,
                        AuditKind::CertRegistered,
                        Subject::account(&a.id, &a.username),
                        ctx,
                        "ok_institution",
                        Some(card.detail()),
                    )
                    .await;
                    a
                }
                Err(StoreError::UsernameTaken) => return Err(taken()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let who = Subject::account(&account.id, &account.username);
    match state
        .store
        .bind_certificate(&card.binding(&account.id))
        .await?
    {
        BindOutcome::Bound { replaced, .. } => {
            let kind = if replaced.is_empty() {
                AuditKind::CertBound
            } else {
                AuditKind::CertReplaced
            };
            audit::record(state, kind, who, ctx, "ok_institution", Some(card.detail())).await;
        }
        BindOutcome::AlreadyBound(_) => {}
        BindOutcome::BoundElsewhere => {
            return Err(Failure::new(FailureKind::Conflict, "cert_already_bound"));
        }
    }
    Ok(account)
}
