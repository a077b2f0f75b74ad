//! The certificate pages: 憑證註冊 (`register.rs`), 憑證登入 with the binding steps
//! (`login.rs`) and the certificate-only page (`only.rs`), 會員中心's 憑證綁定 / renewal / 解除憑證綁定
//! (`account.rs`) and 使用自然人憑證重設密碼/解鎖 (`reset.rs`). Every page is rendered here;
//! the only script is `cert-sign.js`, which has the card sign a challenge through the local
//! signer and posts the form (see `docs/certificates.md`). What they share: the signed fields
//! of a posted form, the signing box of a template, and the failure message of a step.

pub mod account;
pub mod login;
pub mod only;
pub mod register;
pub mod reset;

use serde::Deserialize;

use super::assets;
use super::i18n::L;
use crate::error::Failure;
use tessera_app::flows::cert::SignedAnswer;
use tessera_app::state::AppState;

/// The fields `cert-sign.js` fills in before the form is posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Signed {
    pub challenge_id: String,
    pub signature: String,
    pub cert: String,
}

impl Signed {
    /// The card's answer, or `cert_signature_required` when the form came without one (no
    /// JavaScript, or posted before signing).
    pub fn answer(&self) -> Result<SignedAnswer, Failure> {
        if self.challenge_id.trim().is_empty() || self.signature.trim().is_empty() {
            return Err(Failure::bad_request("cert_signature_required"));
        }
        Ok(SignedAnswer {
            challenge_id: self.challenge_id.clone(),
            signature: self.signature.clone(),
            cert: Some(self.cert.clone()).filter(|c| !c.trim().is_empty()),
        })
    }
}

/// What a template needs to put a signing box in a form (`partials/cert_sign.html`) and the
/// script and texts on the page (`partials/cert_texts.html`).
pub struct SignBox {
    /// Challenge purpose: `register`, `login`, `bind`, `reset`.
    pub purpose: &'static str,
    /// The signer's origin (the CSP allows it).
    pub signer_url: String,
    pub script: String,
    /// Whether certificate sign-in is configured at all (otherwise the pages say so).
    pub available: bool,
}

impl SignBox {
    pub fn new(state: &AppState, purpose: &'static str) -> Self {
        Self {
            purpose,
            signer_url: state.settings.signer_url.clone(),
            script: assets::url("cert-sign.js"),
            available: state.pki.is_some(),
        }
    }
}

/// A step's failure as one message for the page ("" when none).
pub fn message(l: L, failure: Option<&Failure>) -> &'static str {
    match failure {
        Some(f) => match f.fields.first() {
            Some(field) => l.msg(field.code),
            None => l.msg(f.code),
        },
        None => "",
    }
}
