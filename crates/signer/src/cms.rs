//! CMS SignedData (RFC 5652) for `signatureType: PKCS7`: the content attached by default, one
//! signer identified by issuer and serial, signed attributes (contentType, signingTime,
//! messageDigest) whose DER is what the key signs, and the signer certificate. Soft keys with
//! SHA-256 go through OpenSSL's CMS API; token keys (and the other hashes) are assembled here
//! so that only the digest of the signed attributes ever reaches the token.

use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::hash::hash;
use openssl::x509::X509;

use crate::backend::{HashAlg, KeyKind, KeySigner};
use crate::der::{self, tag};
use crate::error::SignerError;

const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_CONTENT_TYPE: &str = "1.2.840.113549.1.9.3";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

fn fail(msg: impl Into<String>) -> SignerError {
    SignerError::Sign {
        msg: msg.into(),
        ckr: 0,
    }
}

fn oid(dotted: &str) -> Result<Vec<u8>, SignerError> {
    der::oid(dotted).ok_or_else(|| fail(format!("bad OID {dotted}")))
}

fn ossl(e: openssl::error::ErrorStack) -> SignerError {
    fail(e.to_string())
}

/// A raw signature (`signatureType: PKCS1`): RSA PKCS#1 v1.5 or DER ECDSA over `content`.
pub fn raw_signature(
    signer: &dyn KeySigner,
    alg: HashAlg,
    content: &[u8],
) -> Result<Vec<u8>, SignerError> {
    let digest = hash(alg.md(), content).map_err(ossl)?;
    signer.sign_digest(alg, &digest)
}

/// A DER ContentInfo holding SignedData over `content`.
pub fn signed_data(
    signer: &dyn KeySigner,
    cert: &X509,
    alg: HashAlg,
    content: &[u8],
    attached: bool,
) -> Result<Vec<u8>, SignerError> {
    if let (Some(key), HashAlg::Sha256) = (signer.soft_key(), alg) {
        let mut flags = CMSOptions::BINARY;
        if !attached {
            flags |= CMSOptions::DETACHED;
        }
        let cms = CmsContentInfo::sign(Some(cert), Some(key), None, Some(content), flags)
            .map_err(ossl)?;
        return cms.to_der().map_err(ossl);
    }
    assemble(signer, cert, alg, content, attached)
}

fn utc_time_now() -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc();
    let text = format!(
        "{:02}{:02}{:02}{:02}{:02}{:02}Z",
        now.year().rem_euclid(100),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    der::tlv(tag::UTC_TIME, text.as_bytes())
}

fn attribute(oid_text: &str, value: &[u8]) -> Result<Vec<u8>, SignerError> {
    Ok(der::cons(
        tag::SEQUENCE,
        &[&oid(oid_text)?, &der::tlv(tag::SET, value)],
    ))
}

/// Builds SignedData by hand, the key signing the digest of the signed attributes.
pub fn assemble(
    signer: &dyn KeySigner,
    cert: &X509,
    alg: HashAlg,
    content: &[u8],
    attached: bool,
) -> Result<Vec<u8>, SignerError> {
    let digest = hash(alg.md(), content).map_err(ossl)?;
    let attrs = der::set_of(vec![
        attribute(OID_CONTENT_TYPE, &oid(OID_DATA)?)?,
        attribute(OID_SIGNING_TIME, &utc_time_now())?,
        attribute(OID_MESSAGE_DIGEST, &der::tlv(tag::OCTET_STRING, &digest))?,
    ]);
    let attrs_digest = hash(alg.md(), &attrs).map_err(ossl)?;
    let signature = signer.sign_digest(alg, &attrs_digest)?;

    let mut implicit_attrs = attrs.clone();
    if let Some(first) = implicit_attrs.first_mut() {
        *first = 0xa0;
    }
    let issuer = cert.issuer_name().to_der().map_err(ossl)?;
    let serial = cert.serial_number().to_bn().map_err(ossl)?.to_vec();
    let digest_alg = der::cons(tag::SEQUENCE, &[&oid(alg.oid())?]);
    let sig_alg = match signer.kind() {
        KeyKind::Rsa => der::cons(
            tag::SEQUENCE,
            &[&oid(OID_RSA_ENCRYPTION)?, &der::tlv(tag::NULL, &[])],
        ),
        KeyKind::Ec => der::cons(tag::SEQUENCE, &[&oid(alg.ecdsa_oid())?]),
    };
    let signer_info = der::cons(
        tag::SEQUENCE,
        &[
            &der::small_int(1),
            &der::cons(tag::SEQUENCE, &[&issuer, &der::uint(&serial)]),
            &digest_alg,
            &implicit_attrs,
            &sig_alg,
            &der::tlv(tag::OCTET_STRING, &signature),
        ],
    );
    let mut encap_parts = vec![oid(OID_DATA)?];
    if attached {
        encap_parts.push(der::tlv(0xa0, &der::tlv(tag::OCTET_STRING, content)));
    }
    let encap = der::tlv(tag::SEQUENCE, &encap_parts.concat());
    let cert_der = cert.to_der().map_err(ossl)?;
    let signed = der::cons(
        tag::SEQUENCE,
        &[
            &der::small_int(1),
            &der::tlv(tag::SET, &digest_alg),
            &encap,
            &der::tlv(0xa0, &cert_der),
            &der::tlv(tag::SET, &signer_info),
        ],
    );
    Ok(der::cons(
        tag::SEQUENCE,
        &[&oid(OID_SIGNED_DATA)?, &der::tlv(0xa0, &signed)],
    ))
}

#[cfg(test)]
mod tests {
    use openssl::asn1::Asn1Time;
    use openssl::cms::{CMSOptions, CmsContentInfo};
    use openssl::ec::{EcGroup, EcKey};
    use openssl::hash::MessageDigest;
    use openssl::nid::Nid;
    use openssl::pkey::{PKey, Private};
    use openssl::rsa::Rsa;
    use openssl::stack::Stack;
    use openssl::x509::{X509, X509NameBuilder};

    use super::*;
    use crate::backend::pkcs12::SoftKey;

    fn self_signed(key: &PKey<Private>) -> X509 {
        let mut name = X509NameBuilder::new().unwrap_or_else(|e| panic!("{e}"));
        name.append_entry_by_text("CN", "測試")
            .unwrap_or_else(|e| panic!("{e}"));
        let name = name.build();
        let mut b = X509::builder().unwrap_or_else(|e| panic!("{e}"));
        b.set_subject_name(&name).unwrap_or_else(|e| panic!("{e}"));
        b.set_issuer_name(&name).unwrap_or_else(|e| panic!("{e}"));
        b.set_pubkey(key).unwrap_or_else(|e| panic!("{e}"));
        let now = Asn1Time::days_from_now(0).unwrap_or_else(|e| panic!("{e}"));
        let later = Asn1Time::days_from_now(2).unwrap_or_else(|e| panic!("{e}"));
        b.set_not_before(&now).unwrap_or_else(|e| panic!("{e}"));
        b.set_not_after(&later).unwrap_or_else(|e| panic!("{e}"));
        b.sign(key, MessageDigest::sha256())
            .unwrap_or_else(|e| panic!("{e}"));
        b.build()
    }

    fn openssl_accepts(der: &[u8], cert: &X509, content: &[u8], attached: bool) {
        let mut cms = CmsContentInfo::from_der(der).unwrap_or_else(|e| panic!("{e}"));
        let mut certs = Stack::new().unwrap_or_else(|e| panic!("{e}"));
        certs.push(cert.clone()).unwrap_or_else(|e| panic!("{e}"));
        let flags = CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY;
        let mut out = Vec::new();
        let detached = (!attached).then_some(content);
        cms.verify(Some(&certs), None, detached, Some(&mut out), flags)
            .unwrap_or_else(|e| panic!("OpenSSL refused the SignedData: {e}"));
        assert_eq!(out, content);
    }

    #[test]
    fn assembled_signed_data_verifies_with_openssl_for_rsa_and_ec() {
        let rsa = PKey::from_rsa(Rsa::generate(2048).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let group =
            EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap_or_else(|e| panic!("{e}"));
        let ec = PKey::from_ec_key(EcKey::generate(&group).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        for (key, kind) in [(&rsa, KeyKind::Rsa), (&ec, KeyKind::Ec)] {
            let cert = self_signed(key);
            let signer = SoftKey { key, kind };
            for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
                for attached in [true, false] {
                    let der = assemble(&signer, &cert, alg, b"challenge", attached)
                        .unwrap_or_else(|e| panic!("{e}"));
                    openssl_accepts(&der, &cert, b"challenge", attached);
                }
            }
            let der = signed_data(&signer, &cert, HashAlg::Sha256, b"x", true)
                .unwrap_or_else(|e| panic!("{e}"));
            openssl_accepts(&der, &cert, b"x", true);
        }
    }

    #[test]
    fn tampered_content_fails_verification() {
        let rsa = PKey::from_rsa(Rsa::generate(2048).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
        let cert = self_signed(&rsa);
        let signer = SoftKey {
            key: &rsa,
            kind: KeyKind::Rsa,
        };
        let der = assemble(&signer, &cert, HashAlg::Sha256, b"challenge", false)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut cms = CmsContentInfo::from_der(&der).unwrap_or_else(|e| panic!("{e}"));
        let mut certs = Stack::new().unwrap_or_else(|e| panic!("{e}"));
        certs.push(cert).unwrap_or_else(|e| panic!("{e}"));
        let flags = CMSOptions::NO_SIGNER_CERT_VERIFY | CMSOptions::BINARY;
        assert!(
            cms.verify(Some(&certs), None, Some(b"challengE"), None, flags)
                .is_err()
        );
    }
}
