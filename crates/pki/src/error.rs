//! The verification failure type: one variant per stable failure code, each with a zh-TW
//! message for people and an English message for logs. Codes never change once published.

use serde::Serialize;

/// Why a signature, certificate or challenge was refused. `code()` is the stable identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Input could not be decoded (bad DER/PEM/base64, missing parts, unsupported structure).
    #[error("malformed input: {0}")]
    Malformed(String),
    /// The cryptographic signature does not verify with the signer's certificate.
    #[error("signature invalid: {0}")]
    SignatureInvalid(String),
    /// The signature is valid but over different content than the issued challenge.
    #[error("signed content does not equal the expected challenge")]
    ContentMismatch,
    /// No chain to a configured trust anchor (unknown CA, self-signed leaf, bad CA cert …).
    #[error("untrusted chain: {0}")]
    UntrustedChain(String),
    /// A certificate in the chain expired before the verification time.
    #[error("certificate expired")]
    Expired,
    /// A certificate in the chain is not valid yet at the verification time.
    #[error("certificate not yet valid")]
    NotYetValid,
    /// The signer certificate may not make signatures (keyUsage).
    #[error("key usage does not allow signing")]
    KeyUsage,
    /// The signer certificate carries no policy allowed for this purpose.
    #[error("certificate policy not allowed for purpose {0}")]
    PolicyNotAllowed(String),
    /// The certificate was revoked (OCSP or CRL).
    #[error("certificate revoked ({0})")]
    Revoked(String),
    /// Revocation status could not be established and the CA's policy is fail-closed.
    #[error("revocation status unknown: {0}")]
    RevocationUnknown(String),
    /// The challenge expired before it was used.
    #[error("challenge expired")]
    ChallengeExpired,
    /// The challenge was already used, never issued, or belongs to another session/purpose.
    #[error("challenge already used or unknown")]
    ChallengeReplayed,
}

/// Every stable failure code, in the order.
pub const ALL_CODES: [&str; 12] = [
    "malformed",
    "signature_invalid",
    "content_mismatch",
    "untrusted_chain",
    "expired",
    "not_yet_valid",
    "key_usage",
    "policy_not_allowed",
    "revoked",
    "revocation_unknown",
    "challenge_expired",
    "challenge_replayed",
];

impl VerifyError {
    /// The stable machine-readable failure code.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::SignatureInvalid(_) => "signature_invalid",
            VerifyError::ContentMismatch => "content_mismatch",
            VerifyError::UntrustedChain(_) => "untrusted_chain",
            VerifyError::Expired => "expired",
            VerifyError::NotYetValid => "not_yet_valid",
            VerifyError::KeyUsage => "key_usage",
            VerifyError::PolicyNotAllowed(_) => "policy_not_allowed",
            VerifyError::Revoked(_) => "revoked",
            VerifyError::RevocationUnknown(_) => "revocation_unknown",
            VerifyError::ChallengeExpired => "challenge_expired",
            VerifyError::ChallengeReplayed => "challenge_replayed",
        }
    }

    /// The message shown to people (zh-TW).
    pub fn message(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "簽章資料格式錯誤，無法解析。",
            VerifyError::SignatureInvalid(_) => "簽章驗證失敗。",
            VerifyError::ContentMismatch => "簽章內容與本次驗證碼不符。",
            VerifyError::UntrustedChain(_) => "憑證非由受信任的憑證管理中心簽發。",
            VerifyError::Expired => "憑證已逾有效期限。",
            VerifyError::NotYetValid => "憑證尚未生效。",
            VerifyError::KeyUsage => "此憑證的金鑰用途不允許簽章。",
            VerifyError::PolicyNotAllowed(_) => "此類憑證不適用於本項服務。",
            VerifyError::Revoked(_) => "憑證已被廢止。",
            VerifyError::RevocationUnknown(_) => "目前無法確認憑證狀態，請稍後再試。",
            VerifyError::ChallengeExpired => "驗證碼已逾時，請重新操作。",
            VerifyError::ChallengeReplayed => "驗證碼已使用或無效，請重新操作。",
        }
    }

    /// The message in English (for logs and English UI).
    pub fn message_en(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "The signature data is malformed.",
            VerifyError::SignatureInvalid(_) => "The signature does not verify.",
            VerifyError::ContentMismatch => "The signed content does not match the challenge.",
            VerifyError::UntrustedChain(_) => "The certificate was not issued by a trusted CA.",
            VerifyError::Expired => "The certificate has expired.",
            VerifyError::NotYetValid => "The certificate is not valid yet.",
            VerifyError::KeyUsage => "The certificate's key usage does not allow signing.",
            VerifyError::PolicyNotAllowed(_) => "This kind of certificate is not accepted here.",
            VerifyError::Revoked(_) => "The certificate has been revoked.",
            VerifyError::RevocationUnknown(_) => "The certificate status could not be checked.",
            VerifyError::ChallengeExpired => "The challenge has expired.",
            VerifyError::ChallengeReplayed => "The challenge was already used or is unknown.",
        }
    }

    /// A serialisable summary `{code, message, detail}` for APIs and `--json`.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.message(),
            detail: self.to_string(),
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        VerifyError::Malformed(what.into())
    }
}

/// The JSON shape of a failure.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: &'static str,
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_distinct_messages() {
        let all = [
            VerifyError::Malformed(String::new()),
            VerifyError::SignatureInvalid(String::new()),
            VerifyError::ContentMismatch,
            VerifyError::UntrustedChain(String::new()),
            VerifyError::Expired,
            VerifyError::NotYetValid,
            VerifyError::KeyUsage,
            VerifyError::PolicyNotAllowed(String::new()),
            VerifyError::Revoked(String::new()),
            VerifyError::RevocationUnknown(String::new()),
            VerifyError::ChallengeExpired,
            VerifyError::ChallengeReplayed,
        ];
        let codes: Vec<_> = all.iter().map(VerifyError::code).collect();
        assert_eq!(codes, ALL_CODES);
        let zh: std::collections::HashSet<_> = all.iter().map(VerifyError::message).collect();
        assert_eq!(zh.len(), all.len());
    }
}
