//! Key stores the signer can use: any PKCS#11 module (smart cards through HiCOS, HCA, OpenSC;
//! SoftHSM2 in tests) and a PKCS#12 soft token for development and demo mode. A back end
//! lists readers and certificates and lends a signing key for one operation after the PIN.

pub mod pkcs11;
pub mod pkcs12;

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use crate::error::{PinState, SignerError};
use crate::pin::Pin;

/// Hash algorithm of a signature (`hashAlgorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlg {
    /// Parses HiPKI's names (`SHA256`, `SHA-256`, case-insensitive); `None` when unsupported.
    pub fn parse(name: &str) -> Option<HashAlg> {
        match name.to_ascii_uppercase().replace('-', "").as_str() {
            "SHA256" => Some(HashAlg::Sha256),
            "SHA384" => Some(HashAlg::Sha384),
            "SHA512" => Some(HashAlg::Sha512),
            _ => None,
        }
    }

    pub fn md(self) -> MessageDigest {
        match self {
            HashAlg::Sha256 => MessageDigest::sha256(),
            HashAlg::Sha384 => MessageDigest::sha384(),
            HashAlg::Sha512 => MessageDigest::sha512(),
        }
    }

    /// The digest algorithm's OID.
    pub fn oid(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "2.16.840.1.101.3.4.2.1",
            HashAlg::Sha384 => "2.16.840.1.101.3.4.2.2",
            HashAlg::Sha512 => "2.16.840.1.101.3.4.2.3",
        }
    }

    /// ecdsa-with-SHAxxx OID.
    pub fn ecdsa_oid(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "1.2.840.10045.4.3.2",
            HashAlg::Sha384 => "1.2.840.10045.4.3.3",
            HashAlg::Sha512 => "1.2.840.10045.4.3.4",
        }
    }

    /// The DER DigestInfo prefix for RSA PKCS#1 v1.5 (RFC 8017 §9.2 note 1).
    pub fn digest_info_prefix(self) -> &'static [u8] {
        match self {
            HashAlg::Sha256 => &[
                0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x01, 0x05, 0x00, 0x04, 0x20,
            ],
            HashAlg::Sha384 => &[
                0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x02, 0x05, 0x00, 0x04, 0x30,
            ],
            HashAlg::Sha512 => &[
                0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                0x03, 0x05, 0x00, 0x04, 0x40,
            ],
        }
    }
}

/// The kind of a signing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    Ec,
}

/// A key lent for one operation.
pub trait KeySigner {
    fn kind(&self) -> KeyKind;
    /// Signs a precomputed digest: RSA PKCS#1 v1.5 (with DigestInfo) or DER-encoded ECDSA.
    fn sign_digest(&self, alg: HashAlg, digest: &[u8]) -> Result<Vec<u8>, SignerError>;
    /// The private key itself, only for soft tokens (lets OpenSSL build the CMS).
    fn soft_key(&self) -> Option<&PKey<Private>> {
        None
    }
}

/// Which reader and key a request asks for (`slotDescription`, `keyidb64`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub slot_description: Option<String>,
    pub key_id: Option<Vec<u8>>,
}

/// A certificate found on a token.
#[derive(Debug, Clone)]
pub struct TokenCert {
    pub der: Vec<u8>,
    pub label: String,
    pub key_id: Vec<u8>,
}

/// A token in a reader.
#[derive(Debug, Clone)]
pub struct TokenReport {
    pub serial_number: String,
    pub label: String,
    pub pin_state: PinState,
    pub certs: Vec<TokenCert>,
}

/// A reader (PKCS#11 slot) and the token in it, if any.
#[derive(Debug, Clone)]
pub struct SlotReport {
    pub description: String,
    pub token: Option<TokenReport>,
}

/// The result of an operation run with a token's key.
#[derive(Debug)]
pub struct Signed {
    pub value: Vec<u8>,
    pub cert: X509,
    pub card_sn: String,
}

/// The operation a caller runs with the lent key and its certificate.
pub type SignOp<'a> = dyn FnMut(&dyn KeySigner, &X509) -> Result<Vec<u8>, SignerError> + 'a;

/// A key store.
pub trait Backend: Send + Sync {
    /// Readers and tokens; certificates only when `with_certs`.
    fn slots(&self, with_certs: bool) -> Result<Vec<SlotReport>, SignerError>;
    /// Logs in with `pin` (once: a refused PIN is never retried) and runs `op` with the
    /// selected signing key.
    fn sign_with(
        &self,
        sel: &Selection,
        pin: &Pin,
        op: &mut SignOp<'_>,
    ) -> Result<Signed, SignerError>;
}

/// True when a certificate may make signatures (keyUsage digitalSignature or
/// nonRepudiation, or no keyUsage at all).
pub fn can_sign(cert_der: &[u8]) -> bool {
    crate::der::key_usage(cert_der).is_none_or(|ku| ku & 0b11 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hipki_hash_names() {
        assert_eq!(HashAlg::parse("SHA256"), Some(HashAlg::Sha256));
        assert_eq!(HashAlg::parse("sha-384"), Some(HashAlg::Sha384));
        assert_eq!(HashAlg::parse("SHA1"), None);
        assert_eq!(HashAlg::Sha512.digest_info_prefix().len(), 19);
    }
}
