//! Certificate, key, CRL and PKCS#12 construction for the test PKI, with OpenSSL's builders
//! and this crate's DER writer for the extensions OpenSSL has no builder for (policies,
//! subjectDirectoryAttributes, AIA, CRL distribution points, OCSP no-check).

use openssl::asn1::{Asn1Integer, Asn1Object, Asn1OctetString, Asn1Time};
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use openssl::x509::{
    X509, X509Builder, X509Crl, X509CrlBuilder, X509Extension, X509Name, X509NameBuilder,
    X509RevokedBuilder,
};

use crate::der::{self, encode, encode_parts, tag};

/// Key algorithm of a test certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Rsa2048,
    EcP256,
    EcP384,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::EcP256 => "ec-p256",
            KeyType::EcP384 => "ec-p384",
        }
    }
}

pub fn generate_key(kind: KeyType) -> Result<PKey<Private>, ErrorStack> {
    match kind {
        KeyType::Rsa2048 => PKey::from_rsa(Rsa::generate(2048)?),
        KeyType::EcP256 => {
            let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)
        }
        KeyType::EcP384 => {
            let group = EcGroup::from_curve_name(Nid::SECP384R1)?;
            PKey::from_ec_key(EcKey::generate(&group)?)
        }
    }
}

/// A name from (short name, value) pairs, e.g. `[("C","TW"),("O","行政院")]`.
pub fn name(parts: &[(&str, &str)]) -> Result<X509Name, ErrorStack> {
    let mut b = X509NameBuilder::new()?;
    for (k, v) in parts {
        b.append_entry_by_text(k, v)?;
    }
    Ok(b.build())
}

/// A random positive 16-byte serial whose first byte is 0x10..=0x7f (stable hex form).
pub fn random_serial() -> Result<Vec<u8>, ErrorStack> {
    let mut s = vec![0u8; 16];
    openssl::rand::rand_bytes(&mut s)?;
    s[0] = 0x10 + (s[0] % 0x70);
    Ok(s)
}

fn raw_ext(oid: &str, critical: bool, value: &[u8]) -> Result<X509Extension, ErrorStack> {
    let oid = Asn1Object::from_str(oid)?;
    let value = Asn1OctetString::new_from_bytes(value)?;
    X509Extension::new_from_der(&oid, critical, &value)
}

fn oid_tlv(oid: &str) -> Vec<u8> {
    der::encode_oid(oid).unwrap_or_default()
}

/// What a certificate should contain.
pub struct CertSpec<'a> {
    pub subject: &'a X509Name,
    pub serial: Vec<u8>,
    pub not_before: i64,
    pub not_after: i64,
    pub is_ca: bool,
    /// Leaf keyUsage: `true` = digitalSignature+nonRepudiation, `false` = keyEncipherment only.
    pub signing_usage: bool,
    pub ocsp_signer: bool,
    pub policies: &'a [&'a str],
    /// (OID, string tag, value) for subjectDirectoryAttributes.
    pub directory_attrs: &'a [(String, u8, String)],
    pub ocsp_url: Option<&'a str>,
    pub crl_url: Option<&'a str>,
}

/// Issues a certificate for `key` signed by `issuer` (None = self-signed).
pub fn issue(
    spec: &CertSpec<'_>,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
) -> Result<X509, ErrorStack> {
    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let serial_bn = BigNum::from_slice(&spec.serial)?;
    let serial = Asn1Integer::from_bn(&serial_bn)?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(spec.subject)?;
    match issuer {
        Some((cert, _)) => b.set_issuer_name(cert.subject_name())?,
        None => b.set_issuer_name(spec.subject)?,
    }
    b.set_pubkey(key)?;
    let not_before = Asn1Time::from_unix(spec.not_before)?;
    let not_after = Asn1Time::from_unix(spec.not_after)?;
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    if spec.is_ca {
        b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
        b.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()?,
        )?;
    } else {
        b.append_extension(BasicConstraints::new().critical().build()?)?;
        let mut ku = KeyUsage::new();
        ku.critical();
        if spec.signing_usage {
            ku.digital_signature().non_repudiation();
        } else {
            ku.key_encipherment();
        }
        b.append_extension(ku.build()?)?;
    }
    if spec.ocsp_signer {
        b.append_extension(ExtendedKeyUsage::new().other("OCSPSigning").build()?)?;
        b.append_extension(raw_ext(
            "1.3.6.1.5.5.7.48.1.5",
            false,
            &encode(tag::NULL, &[]),
        )?)?;
    }
    let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(issuer.map(|i| &**i.0), None))?;
    b.append_extension(ski)?;
    if let Some((cert, _)) = issuer {
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&b.x509v3_context(Some(cert), None))?;
        b.append_extension(aki)?;
    }
    if !spec.policies.is_empty() {
        let infos: Vec<Vec<u8>> = spec
            .policies
            .iter()
            .map(|p| encode(tag::SEQUENCE, &oid_tlv(p)))
            .collect();
        b.append_extension(raw_ext(
            "2.5.29.32",
            false,
            &encode(tag::SEQUENCE, &infos.concat()),
        )?)?;
    }
    if !spec.directory_attrs.is_empty() {
        let attrs: Vec<Vec<u8>> = spec
            .directory_attrs
            .iter()
            .map(|(oid, t, v)| {
                let value = encode(tag::SET, &encode(*t, v.as_bytes()));
                encode_parts(tag::SEQUENCE, &[&oid_tlv(oid), &value])
            })
            .collect();
        b.append_extension(raw_ext(
            "2.5.29.9",
            false,
            &encode(tag::SEQUENCE, &attrs.concat()),
        )?)?;
    }
    if let Some(url) = spec.ocsp_url {
        let ad = encode_parts(
            tag::SEQUENCE,
            &[
                &oid_tlv("1.3.6.1.5.5.7.48.1"),
                &encode(0x86, url.as_bytes()),
            ],
        );
        b.append_extension(raw_ext(
            "1.3.6.1.5.5.7.1.1",
            false,
            &encode(tag::SEQUENCE, &ad),
        )?)?;
    }
    if let Some(url) = spec.crl_url {
        let full_name = encode(0xa0, &encode(0x86, url.as_bytes()));
        let dp = encode(tag::SEQUENCE, &encode(0xa0, &full_name));
        b.append_extension(raw_ext("2.5.29.31", false, &encode(tag::SEQUENCE, &dp))?)?;
    }
    let signer = issuer.map(|i| i.1).unwrap_or(key);
    b.sign(signer, MessageDigest::sha256())?;
    Ok(b.build())
}

/// A CRL from `issuer` listing (serial, revocation time) pairs.
pub fn crl(
    issuer: &X509,
    key: &PKey<Private>,
    revoked: &[(Vec<u8>, i64)],
    this_update: i64,
    next_update: i64,
) -> Result<X509Crl, ErrorStack> {
    let mut b = X509CrlBuilder::new()?;
    b.set_issuer_name(issuer.subject_name())?;
    let (last, next) = (
        Asn1Time::from_unix(this_update)?,
        Asn1Time::from_unix(next_update)?,
    );
    b.set_last_update(&last)?;
    b.set_next_update(&next)?;
    let key_id = issuer
        .subject_key_id()
        .map(|k| k.as_slice().to_vec())
        .unwrap_or_default();
    let aki = encode(tag::SEQUENCE, &encode(0x80, &key_id));
    b.append_extension(raw_ext("2.5.29.35", false, &aki)?)?;
    let number = encode(tag::INTEGER, &[0x01]);
    b.append_extension(raw_ext("2.5.29.20", false, &number)?)?;
    for (serial, when) in revoked {
        let mut r = X509RevokedBuilder::new()?;
        let bn = BigNum::from_slice(serial)?;
        let serial = Asn1Integer::from_bn(&bn)?;
        let date = Asn1Time::from_unix(*when)?;
        r.set_serial_number(&serial)?;
        r.set_revocation_date(&date)?;
        b.add_revoked(r.build())?;
    }
    b.sign(key, MessageDigest::sha256())?;
    b.build()
}
