//! Self-hosted ALTCHA proof-of-work CAPTCHA: challenges signed with the server's secret,
//! solutions verified and then recorded in the database so each one is used once, on any node.

use altcha::{CreateChallengeOptions, Payload, VerifySolutionOptions, create_challenge};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;

use crate::clock::now;
use crate::error::Failure;
use crate::state::AppState;

/// How long a challenge may be solved and submitted.
pub const CHALLENGE_TTL_SECS: i64 = 600;

fn key_secret(secret: &str) -> String {
    // A second secret derived from the first, for the deterministic-mode key signature.
    format!("{secret}/key")
}

/// A new signed challenge, serialised as the ALTCHA widget expects it.
pub fn issue(state: &AppState) -> Result<altcha::Challenge, Failure> {
    let s = &state.settings;
    let max = s.captcha_max_counter.max(2);
    let counter = rand::rng().random_range(max / 2..=max);
    create_challenge(CreateChallengeOptions {
        algorithm: "PBKDF2/SHA-256".to_string(),
        cost: s.captcha_cost.max(1),
        counter: Some(counter),
        expires_at: Some(now() + CHALLENGE_TTL_SECS),
        hmac_signature_secret: Some(s.captcha_secret.clone()),
        hmac_key_signature_secret: Some(key_secret(&s.captcha_secret)),
        ..Default::default()
    })
    .map_err(|e| {
        tracing::error!(error = %e, "captcha challenge creation failed");
        Failure::internal()
    })
}

/// Why a CAPTCHA payload was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Invalid,
}

/// Verifies the widget's payload (base64 JSON of challenge + solution) and consumes it.
pub async fn check(state: &AppState, payload: Option<&str>) -> Result<(), Refusal> {
    let raw = payload
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .ok_or(Refusal::Missing)?;
    let bytes = STANDARD.decode(raw).map_err(|_| Refusal::Invalid)?;
    let payload: Payload = serde_json::from_slice(&bytes).map_err(|_| Refusal::Invalid)?;
    let secret = state.settings.captcha_secret.as_str();
    let key_secret = key_secret(secret);
    let result = altcha::verify_solution(VerifySolutionOptions {
        hmac_key_signature_secret: Some(key_secret),
        ..VerifySolutionOptions::new(&payload.challenge, &payload.solution, secret)
    })
    .map_err(|_| Refusal::Invalid)?;
    if !result.verified {
        return Err(Refusal::Invalid);
    }
    // Signed and verified, so the signature identifies this challenge; record it once.
    let key = payload.challenge.signature.ok_or(Refusal::Invalid)?;
    let expires = payload
        .challenge
        .parameters
        .expires_at
        .unwrap_or(now() + CHALLENGE_TTL_SECS);
    match state.store.mark_captcha_used(&key, expires).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(Refusal::Invalid),
        Err(e) => {
            tracing::error!(error = %e, "captcha replay check failed");
            Err(Refusal::Invalid)
        }
    }
}

/// The failure for a refused CAPTCHA in forms other than login (422 with the field).
pub fn form_failure(refusal: Refusal) -> Failure {
    let code = match refusal {
        Refusal::Missing => "captcha_required",
        Refusal::Invalid => "captcha_invalid",
    };
    Failure::field(tessera_core::field::FieldError {
        field: "captcha",
        code,
    })
}
