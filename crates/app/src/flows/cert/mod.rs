//! Certificate registration, sign-in, binding, unbinding, renewal and password reset (issue
//! 5; seeds 000 當事人 Q1–Q5, 004 二 Q4, 四 Q5, 六). The card signs a challenge issued here;
//! `tessera_pki` verifies the signature, chain, validity, policy and revocation; the flows
//! then apply the identity rules: the typed national ID must pass its checksum and end in
//! the certificate's last four digits, a certificate is bound to at most one account, and
//! binding always takes the account's password.
//!
//! Challenges are bound to the browser by a digest of its CSRF cookie (every client gets one
//! on its first request), single use, five minutes, and for one purpose.

pub mod binding;
pub mod institution;
pub mod login;
pub mod only;
pub mod pending;
pub mod register;
pub mod reset;
pub mod service;

use std::sync::Arc;

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_pki::challenge::{self, ChallengeError, ChallengeResponse};
use tessera_pki::profile::national_id_well_formed;
use tessera_pki::{CertKind, Identity, SignatureFormat, VerifyError};
use tessera_store::certs::NewBinding;
use utoipa::ToSchema;

pub use service::CertService;

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

/// The purposes a challenge may be issued for.
pub const PURPOSES: [&str; 4] = ["register", "login", "bind", "reset"];

/// `POST /api/v1/cert/challenges`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChallengeInput {
    /// `register`, `login`, `bind` or `reset`.
    pub purpose: String,
}

/// A challenge for the card to sign (HiPKI `tbs`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedChallenge {
    pub challenge_id: String,
    /// The bytes to sign, base64.
    pub tbs: String,
    /// RFC 3339.
    pub expires_at: String,
}

/// What the signer component answered: the challenge id, the CMS SignedData (base64, PEM or
/// DER) and, when the signature does not carry it, the certificate (`certb64`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignedAnswer {
    pub challenge_id: String,
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// The certificate service, or 503 `cert_unavailable` when no trust directory is configured.
pub fn service(state: &AppState) -> Result<Arc<CertService>, Failure> {
    state
        .pki
        .clone()
        .ok_or_else(|| Failure::new(FailureKind::Unavailable, "cert_unavailable"))
}

/// What a challenge is bound to: a digest of the browser's CSRF cookie.
pub fn browser_binding(csrf_token: &str) -> String {
    secrets::digest(&["cert-challenge", csrf_token])
}

/// Issues a challenge for `purpose` to the browser identified by `binding`.
pub async fn issue(
    state: &AppState,
    purpose: &str,
    binding: &str,
    ctx: &Ctx,
) -> Result<IssuedChallenge, Failure> {
    let svc = service(state)?;
    // Organization flows have their own purposes, one per card step.
    if !PURPOSES.contains(&purpose) && !crate::flows::orgs::purposes::PURPOSES.contains(&purpose) {
        return Err(Failure::bad_request("cert_purpose_invalid"));
    }
    within_limits(state, purpose, binding, ctx).await?;
    let c = challenge::issue(svc.challenges.as_ref(), purpose, binding, now())
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "certificate challenge not stored");
            Failure::internal()
        })?;
    audit::record(
        state,
        AuditKind::CertChallengeIssued,
        Subject::default(),
        ctx,
        "ok",
        Some(json!({ "purpose": purpose })),
    )
    .await;
    use base64::Engine;
    Ok(IssuedChallenge {
        challenge_id: c.id,
        tbs: base64::engine::general_purpose::STANDARD.encode(&c.bytes),
        expires_at: crate::text::rfc3339(c.expires_at).unwrap_or_default(),
    })
}

/// Challenge issuing is open to anyone, so it is limited per browser and per client address
/// (crate::flows::limits): 429 `cert_challenge_rate_limited`, audited.
async fn within_limits(
    state: &AppState,
    purpose: &str,
    binding: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let s = &state.settings;
    let over = crate::flows::limits::hit(
        state,
        ctx,
        "cert-challenge",
        Some(binding),
        s.cert_challenges_per_browser,
        s.cert_challenges_per_ip,
    )
    .await?;
    if let Some(over) = over {
        audit::record(
            state,
            AuditKind::CertChallengeIssued,
            Subject::default(),
            ctx,
            "rate_limited",
            Some(json!({ "purpose": purpose, "limit": over.as_str() })),
        )
        .await;
        return Err(Failure::new(
            FailureKind::RateLimited,
            "cert_challenge_rate_limited",
        ));
    }
    Ok(())
}

/// A verified card: the identity and the certificate's validity period.
#[derive(Debug, Clone)]
pub struct Card {
    /// What the certificate says (verified).
    pub identity: Identity,
    pub not_before: i64,
    pub not_after: i64,
}

impl Card {
    /// The binding of this card to `account_id`.
    pub fn binding(&self, account_id: &str) -> NewBinding {
        NewBinding {
            account_id: account_id.to_owned(),
            issuer: self.identity.issuer.clone(),
            serial: self.identity.serial.clone(),
            kind: self.identity.kind.as_str().to_owned(),
            subject: self.identity.subject.clone(),
            not_before: self.not_before,
            not_after: self.not_after,
            bound_at: now(),
        }
    }

    /// What the audit log keeps about the card.
    pub fn detail(&self) -> serde_json::Value {
        json!({
            "serial": self.identity.serial,
            "issuer": self.identity.issuer,
            "kind": self.identity.kind.as_str(),
        })
    }

    /// Whether `full_id` is a well-formed ID ending in this card's last four digits. MOICA
    /// citizen and HCA personnel certificates carry them; other kinds never match.
    pub fn matches_national_id(&self, full_id: &str) -> bool {
        let id = &self.identity;
        match id.kind {
            CertKind::MoicaCitizen => id.matches_national_id(full_id),
            CertKind::HcaPersonnel => {
                let typed = full_id.trim().to_ascii_uppercase();
                national_id_well_formed(&typed)
                    && id
                        .national_id_last4
                        .as_deref()
                        .is_some_and(|l4| typed.get(6..) == Some(l4))
            }
            _ => false,
        }
    }
}

/// The user-facing failure of a refused verification.
pub fn failure_of(e: &VerifyError) -> Failure {
    let (status, code) = match e {
        VerifyError::Malformed(_) => (FailureKind::Invalid, "cert_malformed"),
        VerifyError::SignatureInvalid(_) => {
            (FailureKind::Unauthenticated, "cert_signature_invalid")
        }
        VerifyError::ContentMismatch => (FailureKind::Unauthenticated, "cert_content_mismatch"),
        VerifyError::UntrustedChain(_) => (FailureKind::Forbidden, "cert_untrusted"),
        VerifyError::Expired => (FailureKind::Forbidden, "cert_expired"),
        VerifyError::NotYetValid => (FailureKind::Forbidden, "cert_not_yet_valid"),
        VerifyError::KeyUsage => (FailureKind::Forbidden, "cert_key_usage"),
        VerifyError::PolicyNotAllowed(_) => (FailureKind::Forbidden, "cert_policy_not_allowed"),
        VerifyError::Revoked(_) => (FailureKind::Forbidden, "cert_revoked"),
        VerifyError::RevocationUnknown(_) => (FailureKind::Unavailable, "cert_revocation_unknown"),
        VerifyError::ChallengeExpired => (FailureKind::Invalid, "cert_challenge_expired"),
        VerifyError::ChallengeReplayed => (FailureKind::Invalid, "cert_challenge_replayed"),
    };
    Failure::new(status, code)
}

/// Takes the challenge (single use) and verifies the card's answer for `purpose`. Refusals
/// are audited with their pki code.
pub async fn verify(
    state: &AppState,
    answer: &SignedAnswer,
    binding: &str,
    purpose: &str,
    ctx: &Ctx,
) -> Result<Card, Failure> {
    let svc = service(state)?;
    let response = ChallengeResponse {
        challenge_id: answer.challenge_id.trim().to_owned(),
        signature: answer.signature.trim().as_bytes().to_vec(),
        cert: answer.cert.as_deref().map(|c| c.trim().as_bytes().to_vec()),
        format: SignatureFormat::Cms,
    };
    let result = challenge::verify_challenge_response(
        &svc.verifier,
        svc.challenges.as_ref(),
        response,
        binding,
        purpose,
        now(),
    )
    .await;
    let verified = match result {
        Ok(v) => v,
        Err(ChallengeError::Refused(e)) => {
            audit::record(
                state,
                AuditKind::CertVerificationFailed,
                Subject::default(),
                ctx,
                e.code(),
                Some(json!({ "purpose": purpose, "detail": e.to_string() })),
            )
            .await;
            return Err(failure_of(&e));
        }
        Err(ChallengeError::Store(e)) => {
            tracing::error!(error = %e, "certificate challenge store failed");
            return Err(Failure::internal());
        }
    };
    Ok(Card {
        identity: verified.identity,
        not_before: verified.not_before,
        not_after: verified.not_after,
    })
}

/// A name as shown to someone who has not proved the account is theirs: 王小明 → 王○明.
pub fn masked_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "○".to_owned(),
        2 => format!("{}○", chars[0]),
        n => {
            let middle = "○".repeat(n - 2);
            format!("{}{middle}{}", chars[0], chars[n - 1])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::masked_name;

    #[test]
    fn names_are_masked_in_the_middle() {
        assert_eq!(masked_name("王小明"), "王○明");
        assert_eq!(masked_name("林明"), "林○");
        assert_eq!(masked_name("歐陽小美"), "歐○○美");
        assert_eq!(masked_name("A"), "○");
        assert_eq!(masked_name(""), "");
    }
}
