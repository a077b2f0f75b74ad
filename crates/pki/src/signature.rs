//! Signature checks with OpenSSL: CMS SignedData (attached or detached content; RSA PKCS#1
//! v1.5 and PSS, ECDSA; SHA-256/384/512) and the signer component's raw PKCS#1 mode. The
//! signed content must equal the expected challenge byte for byte.

use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::hash::{MessageDigest, hash};
use openssl::pkey::Id;
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use openssl::stack::Stack;
use openssl::x509::X509;
use serde::{Deserialize, Serialize};

use crate::certcache::CertCache;
use crate::cms;
use crate::error::VerifyError;

/// The signer certificate and any other certificates bundled with the signature.
#[derive(Debug)]
pub struct SignerOutcome {
    pub signer: X509,
    pub bundled: Vec<X509>,
}

/// Hash of a raw signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestAlg {
    #[default]
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    fn md(self) -> MessageDigest {
        match self {
            DigestAlg::Sha256 => MessageDigest::sha256(),
            DigestAlg::Sha384 => MessageDigest::sha384(),
            DigestAlg::Sha512 => MessageDigest::sha512(),
        }
    }
}

/// Padding of a raw RSA signature (ignored for EC keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RsaPadding {
    #[default]
    Pkcs1,
    Pss,
}

fn md_for_oid(oid: &str) -> Option<MessageDigest> {
    Some(match oid {
        "2.16.840.1.101.3.4.2.1" => MessageDigest::sha256(),
        "2.16.840.1.101.3.4.2.2" => MessageDigest::sha384(),
        "2.16.840.1.101.3.4.2.3" => MessageDigest::sha512(),
        _ => return None,
    })
}

/// Verifies a CMS SignedData over `expected`. `external_cert` (DER), if given, must be the
/// certificate the SignerInfo names.
pub fn verify_cms(
    cms_der: &[u8],
    expected: &[u8],
    external_cert: Option<&[u8]>,
    certs_cache: &CertCache,
) -> Result<SignerOutcome, VerifyError> {
    let info = cms::parse(cms_der).map_err(VerifyError::Malformed)?;
    let md = md_for_oid(&info.digest_oid)
        .ok_or_else(|| VerifyError::malformed(format!("digest {}", info.digest_oid)))?;
    let signer_der: &[u8] = match external_cert {
        Some(ext) => {
            certs_cache.get(ext)?;
            if !info.signer.matches(ext) {
                return Err(VerifyError::SignatureInvalid(
                    "the supplied certificate is not the signer's".into(),
                ));
            }
            ext
        }
        None => info
            .certificates
            .iter()
            .copied()
            .find(|c| info.signer.matches(c))
            .ok_or_else(|| VerifyError::malformed("no signer certificate"))?,
    };
    let signer = certs_cache.get(signer_der)?;
    let bundled = info
        .certificates
        .iter()
        .filter(|c| **c != signer_der)
        .filter_map(|c| certs_cache.get(c).ok())
        .collect();
    let mut content = CmsContentInfo::from_der(&info.without_certs)
        .map_err(|_| VerifyError::malformed("CMS structure"))?;
    let mut certs = Stack::new().map_err(|e| VerifyError::Malformed(e.to_string()))?;
    certs
        .push(signer.clone())
        .map_err(|e| VerifyError::Malformed(e.to_string()))?;
    let flags = CMSOptions::NOINTERN | CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY;
    if info.has_content {
        let mut out = Vec::new();
        content
            .verify(Some(&certs), None, None, Some(&mut out), flags)
            .map_err(|e| VerifyError::SignatureInvalid(e.to_string()))?;
        if out != expected {
            return Err(VerifyError::ContentMismatch);
        }
    } else if let Err(e) = content.verify(Some(&certs), None, Some(expected), None, flags) {
        // Tell "valid signature over other content" from "bad signature" by the signed digest.
        let digest_differs = match (info.message_digest, hash(md, expected)) {
            (Some(signed), Ok(ours)) => signed != &ours[..],
            _ => false,
        };
        return Err(if digest_differs {
            VerifyError::ContentMismatch
        } else {
            VerifyError::SignatureInvalid(e.to_string())
        });
    }
    Ok(SignerOutcome { signer, bundled })
}

/// Verifies a raw signature (PKCS#1 v1.5, PSS or ECDSA) over `expected` with `cert_der`.
pub fn verify_raw(
    signature: &[u8],
    cert_der: &[u8],
    expected: &[u8],
    digest: DigestAlg,
    padding: RsaPadding,
    certs_cache: &CertCache,
) -> Result<SignerOutcome, VerifyError> {
    let signer = certs_cache.get(cert_der)?;
    let key = signer
        .public_key()
        .map_err(|_| VerifyError::malformed("public key"))?;
    let bad = |e: openssl::error::ErrorStack| VerifyError::SignatureInvalid(e.to_string());
    let mut verifier = Verifier::new(digest.md(), &key).map_err(bad)?;
    if key.id() == Id::RSA && padding == RsaPadding::Pss {
        verifier.set_rsa_padding(Padding::PKCS1_PSS).map_err(bad)?;
        verifier
            .set_rsa_pss_saltlen(RsaPssSaltlen::custom(-2))
            .map_err(bad)?;
    }
    match verifier.verify_oneshot(signature, expected) {
        Ok(true) => Ok(SignerOutcome {
            signer,
            bundled: Vec::new(),
        }),
        Ok(false) if signs_other_content(&key, signature, expected, digest, padding) => {
            Err(VerifyError::ContentMismatch)
        }
        Ok(false) => Err(VerifyError::SignatureInvalid("signature mismatch".into())),
        Err(e) => Err(bad(e)),
    }
}

/// For RSA PKCS#1 v1.5 the signed digest can be recovered: a well-formed DigestInfo with the
/// expected algorithm but another digest means a valid signature over other content.
fn signs_other_content(
    key: &openssl::pkey::PKey<openssl::pkey::Public>,
    signature: &[u8],
    expected: &[u8],
    digest: DigestAlg,
    padding: RsaPadding,
) -> bool {
    if key.id() != Id::RSA || padding != RsaPadding::Pkcs1 {
        return false;
    }
    let Ok(rsa) = key.rsa() else {
        return false;
    };
    let mut buf = vec![0u8; rsa.size() as usize];
    let Ok(n) = rsa.public_decrypt(signature, &mut buf, Padding::PKCS1) else {
        return false;
    };
    let Some(info) = buf.get(..n).and_then(crate::der::read_single) else {
        return false;
    };
    let mut it = crate::der::Items::new(info.content);
    let alg = it.expect(crate::der::tag::SEQUENCE);
    let signed = it.expect(crate::der::tag::OCTET_STRING);
    let alg_oid = alg
        .and_then(|a| crate::der::Items::new(a.content).expect(crate::der::tag::OID))
        .and_then(|o| crate::der::oid_to_string(o.content));
    let ours = hash(digest.md(), expected);
    match (alg_oid, signed, ours) {
        (Some(oid), Some(signed), Ok(ours)) => {
            md_for_oid(&oid).is_some_and(|m| m.type_() == digest.md().type_())
                && signed.content != &ours[..]
        }
        _ => false,
    }
}
