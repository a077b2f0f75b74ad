//! Structural reading of a CMS SignedData (RFC 5652) to find the one signer, its identifier,
//! the bundled certificates and the signed messageDigest. OpenSSL then checks the signature
//! itself; this module only decides *which* certificate must have made it.

use crate::der::{self, Items, tag};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const OID_MESSAGE_DIGEST: &str = "1.2.840.113549.1.9.4";

/// How the SignerInfo names its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignerId<'a> {
    IssuerSerial { issuer: &'a [u8], serial: &'a [u8] },
    KeyId(&'a [u8]),
}

/// What this crate needs from a SignedData.
#[derive(Debug, Clone)]
pub struct SignedDataInfo<'a> {
    pub certificates: Vec<&'a [u8]>,
    pub signer: SignerId<'a>,
    pub digest_oid: String,
    pub message_digest: Option<&'a [u8]>,
    pub has_content: bool,
    /// The attached content, if any.
    pub content: Option<&'a [u8]>,
    /// The same ContentInfo re-encoded without its certificates (they are not signed), so
    /// OpenSSL need not decode them again.
    pub without_certs: Vec<u8>,
}

/// Parses a ContentInfo holding a SignedData with exactly one SignerInfo.
pub fn parse(input: &[u8]) -> Result<SignedDataInfo<'_>, String> {
    let ci = der::read_single(input).ok_or("not a single DER value")?;
    if ci.tag != tag::SEQUENCE {
        return Err("ContentInfo is not a SEQUENCE".into());
    }
    let mut it = Items::new(ci.content);
    let ctype = it.expect(tag::OID).ok_or("missing content type")?;
    if der::oid_to_string(ctype.content).as_deref() != Some(OID_SIGNED_DATA) {
        return Err("content type is not signedData".into());
    }
    let explicit = it.expect(0xa0).ok_or("missing SignedData")?;
    let sd = der::read_single(explicit.content).ok_or("bad SignedData")?;
    let mut sd_items = Items::new(sd.content);
    let version = sd_items.expect(tag::INTEGER).ok_or("missing version")?;
    let digest_algs = sd_items
        .expect(tag::SET)
        .ok_or("missing digestAlgorithms")?;
    let encap = sd_items
        .expect(tag::SEQUENCE)
        .ok_or("missing encapContentInfo")?;
    let mut encap_items = Items::new(encap.content);
    encap_items.expect(tag::OID).ok_or("missing eContentType")?;
    let content = match encap_items.optional(0xa0) {
        Some(explicit) => {
            let octets = der::read_single(explicit.content).ok_or("bad eContent")?;
            if octets.tag != tag::OCTET_STRING {
                return Err("eContent is not a primitive OCTET STRING".into());
            }
            Some(octets.content)
        }
        None => None,
    };
    let has_content = content.is_some();
    let mut certificates = Vec::new();
    if let Some(certs) = sd_items.optional(0xa0) {
        for c in der::items(certs.content).ok_or("bad certificates")? {
            if c.tag == tag::SEQUENCE {
                certificates.push(c.raw);
            }
        }
    }
    let crls = sd_items.optional(0xa1);
    let infos = sd_items.expect(tag::SET).ok_or("missing signerInfos")?;
    let crls_raw: &[u8] = crls.map(|c| c.raw).unwrap_or(&[]);
    let stripped = der::encode_parts(
        tag::SEQUENCE,
        &[version.raw, digest_algs.raw, encap.raw, crls_raw, infos.raw],
    );
    let without_certs =
        der::encode_parts(tag::SEQUENCE, &[ctype.raw, &der::encode(0xa0, &stripped)]);
    if !sd_items.finished_cleanly() {
        return Err("trailing data in SignedData".into());
    }
    let infos = der::items(infos.content).ok_or("bad signerInfos")?;
    let [info] = infos.as_slice() else {
        return Err(format!("expected one signer, found {}", infos.len()));
    };
    let mut si = Items::new(info.content);
    si.expect(tag::INTEGER)
        .ok_or("missing SignerInfo version")?;
    let sid = si.next().ok_or("missing sid")?;
    let signer = match sid.tag {
        tag::SEQUENCE => {
            let mut ias = Items::new(sid.content);
            let issuer = ias.expect(tag::SEQUENCE).ok_or("bad issuer")?.raw;
            let serial = ias.expect(tag::INTEGER).ok_or("bad serial")?.content;
            SignerId::IssuerSerial { issuer, serial }
        }
        0x80 => SignerId::KeyId(sid.content),
        _ => return Err("unknown signer identifier".into()),
    };
    let digest_alg = si.expect(tag::SEQUENCE).ok_or("missing digestAlgorithm")?;
    let digest_oid = Items::new(digest_alg.content)
        .expect(tag::OID)
        .and_then(|o| der::oid_to_string(o.content))
        .ok_or("bad digestAlgorithm")?;
    let mut message_digest = None;
    if let Some(attrs) = si.optional(0xa0) {
        for attr in der::items(attrs.content).ok_or("bad signedAttrs")? {
            let mut a = Items::new(attr.content);
            let oid = a
                .expect(tag::OID)
                .and_then(|o| der::oid_to_string(o.content));
            if oid.as_deref() == Some(OID_MESSAGE_DIGEST) {
                let values = a.expect(tag::SET).ok_or("bad messageDigest")?;
                let v = der::read_single(values.content).ok_or("bad messageDigest value")?;
                message_digest = Some(v.content);
            }
        }
    }
    Ok(SignedDataInfo {
        certificates,
        signer,
        digest_oid,
        message_digest,
        has_content,
        content,
        without_certs,
    })
}

impl SignerId<'_> {
    /// True when `cert_der` is the certificate this identifier names.
    pub fn matches(&self, cert_der: &[u8]) -> bool {
        let Some(info) = crate::certinfo::parse(cert_der) else {
            return false;
        };
        match self {
            SignerId::IssuerSerial { issuer, serial } => {
                info.issuer == *issuer && info.serial == *serial
            }
            SignerId::KeyId(kid) => info
                .extension("2.5.29.14")
                .and_then(|e| der::read_single(e.value))
                .is_some_and(|v| v.content == *kid),
        }
    }
}
