//! The signer's failure type. Every variant maps to a HiPKI `ret_code` and, for token
//! failures, the PKCS#11 return value reported as `last_error`. Messages never contain a PIN.

use crate::codes;

/// What the token said about the user PIN's remaining tries (PKCS#11 token flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PinState {
    /// No warning from the token.
    Ok,
    /// `CKF_USER_PIN_COUNT_LOW`: at least one wrong PIN was entered.
    CountLow,
    /// `CKF_USER_PIN_FINAL_TRY`: one more wrong PIN locks the card.
    FinalTry,
    /// `CKF_USER_PIN_LOCKED`: the PIN is locked; only the issuer can unlock it.
    Locked,
}

impl PinState {
    /// Tries left when the token says so exactly (final try = 1, locked = 0).
    pub fn tries_left(self) -> Option<u32> {
        match self {
            PinState::FinalTry => Some(1),
            PinState::Locked => Some(0),
            PinState::Ok | PinState::CountLow => None,
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum SignerError {
    #[error("request is not valid JSON: {0}")]
    BadJson(String),
    #[error("bad parameter: {0}")]
    BadParam(String),
    #[error("unsupported func {0:?}")]
    UnsupportedFunc(String),
    #[error("no data to be signed")]
    NoTbs,
    #[error("tbs is not valid base64")]
    Base64,
    #[error("unsupported signature type or hash algorithm: {0}")]
    SignType(String),
    #[error("site {0} is not approved")]
    SiteNotAllowed(String),
    #[error("no PIN given")]
    NoPin,
    #[error("cancelled by the user")]
    Cancelled,
    #[error("PKCS#11 module cannot be loaded: {0}")]
    ModuleLoad(String),
    #[error("no card reader")]
    NoReader,
    #[error("no card in any reader")]
    NoCard,
    #[error("reader information: {0}")]
    ReaderInfo(String),
    #[error("session: {0}")]
    Session(String),
    /// Login refused by the token; `ckr` is the PKCS#11 return value.
    #[error("login failed (CKR 0x{ckr:X})")]
    Login { ckr: u64, pin: PinState },
    #[error("no matching certificate")]
    CertNotFound,
    #[error("no matching private key")]
    KeyNotFound,
    #[error("reading the certificate failed: {0}")]
    Cert(String),
    #[error("PKCS#12 file cannot be read: {0}")]
    Pfx(String),
    /// The token or library failed while signing; `ckr` when it came from PKCS#11.
    #[error("signing failed: {msg}")]
    Sign { msg: String, ckr: u64 },
}

impl SignerError {
    /// The HiPKI `ret_code`.
    pub fn ret_code(&self) -> u32 {
        match self {
            SignerError::BadJson(_) => codes::BAD_JSON,
            SignerError::BadParam(_) => codes::BAD_PARAM,
            SignerError::UnsupportedFunc(_) => codes::UNSUPPORTED_FUNC,
            SignerError::NoTbs => codes::NO_TBS,
            SignerError::Base64 => codes::BASE64_DECODE,
            SignerError::SignType(_) => codes::SIGN_TYPE,
            SignerError::SiteNotAllowed(_) => codes::SITE_NOT_ALLOWED,
            SignerError::NoPin => codes::NO_PIN,
            SignerError::Cancelled => codes::CANCELLED,
            SignerError::ModuleLoad(_) => codes::MODULE_LOAD_FAILED,
            SignerError::NoReader => codes::NO_READER,
            SignerError::NoCard => codes::NO_CARD,
            SignerError::ReaderInfo(_) => codes::READER_INFO_FAILED,
            SignerError::Session(_) => codes::SESSION_FAILED,
            SignerError::Login { .. } => codes::LOGIN_FAILED,
            SignerError::CertNotFound => codes::CERT_NOT_FOUND,
            SignerError::KeyNotFound => codes::KEY_NOT_FOUND,
            SignerError::Cert(_) => codes::CERT_FAILED,
            SignerError::Pfx(_) => codes::PFX_INIT_FAILED,
            SignerError::Sign { .. } => codes::SIGN_FAILED,
        }
    }

    /// The PKCS#11 return value for `last_error` (0 when none).
    pub fn last_error(&self) -> u64 {
        match self {
            SignerError::Login { ckr, .. } | SignerError::Sign { ckr, .. } => *ckr,
            _ => 0,
        }
    }

    /// The PIN state the token reported along with this failure.
    pub fn pin_state(&self) -> Option<PinState> {
        match self {
            SignerError::Login { pin, .. } => Some(*pin),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_failure_carries_pkcs11_code() {
        let e = SignerError::Login {
            ckr: codes::CKR_PIN_INCORRECT,
            pin: PinState::FinalTry,
        };
        assert_eq!(e.ret_code(), codes::LOGIN_FAILED);
        assert_eq!(e.last_error(), 0xA0);
        assert_eq!(e.pin_state().and_then(PinState::tries_left), Some(1));
        assert_eq!(SignerError::NoCard.ret_code(), 0x76000006);
        assert_eq!(SignerError::NoCard.last_error(), 0);
    }
}
