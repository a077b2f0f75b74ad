//! Reads the parts of an X.509 certificate that OpenSSL's Rust API does not expose (raw
//! extensions, keyUsage bits, policies, subjectDirectoryAttributes, AIA and CRL distribution
//! points) straight from its DER, with the strict reader in `der`.

use crate::der::{self, Items, Tlv, tag};

pub const OID_KEY_USAGE: &str = "2.5.29.15";
pub const OID_BASIC_CONSTRAINTS: &str = "2.5.29.19";
pub const OID_CERT_POLICIES: &str = "2.5.29.32";
pub const OID_SUBJECT_DIR_ATTRS: &str = "2.5.29.9";
pub const OID_CRL_DP: &str = "2.5.29.31";
pub const OID_AIA: &str = "1.3.6.1.5.5.7.1.1";
pub const OID_AD_OCSP: &str = "1.3.6.1.5.5.7.48.1";

/// One certificate extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension<'a> {
    pub oid: String,
    pub critical: bool,
    pub value: &'a [u8],
}

/// The fields of a certificate this crate reads itself.
#[derive(Debug, Clone)]
pub struct CertInfo<'a> {
    /// Content octets of the serial INTEGER (two's complement, as encoded).
    pub serial: &'a [u8],
    /// DER of the issuer and subject Names.
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
    /// The subjectPublicKey BIT STRING's bits (without the unused-bits byte).
    pub public_key_bits: &'a [u8],
    pub extensions: Vec<Extension<'a>>,
}

/// Parses a certificate; `None` if its DER structure is not a certificate.
pub fn parse(cert_der: &[u8]) -> Option<CertInfo<'_>> {
    let cert = der::read_single(cert_der)?;
    if cert.tag != tag::SEQUENCE {
        return None;
    }
    let mut outer = Items::new(cert.content);
    let tbs = outer.expect(tag::SEQUENCE)?;
    let mut it = Items::new(tbs.content);
    it.optional(0xa0); // version
    let serial = it.expect(tag::INTEGER)?.content;
    it.expect(tag::SEQUENCE)?; // signature algorithm
    let issuer = it.expect(tag::SEQUENCE)?.raw;
    it.expect(tag::SEQUENCE)?; // validity
    let subject = it.expect(tag::SEQUENCE)?.raw;
    let spki = it.expect(tag::SEQUENCE)?;
    let mut spki_items = Items::new(spki.content);
    spki_items.expect(tag::SEQUENCE)?;
    let bits = spki_items.expect(tag::BIT_STRING)?.content;
    let public_key_bits = bits.get(1..)?;
    it.optional(0x81);
    it.optional(0x82);
    let mut extensions = Vec::new();
    if let Some(exts) = it.optional(0xa3) {
        let seq = der::read_single(exts.content)?;
        if seq.tag != tag::SEQUENCE {
            return None;
        }
        for ext in der::items(seq.content)? {
            extensions.push(parse_extension(&ext)?);
        }
    }
    if !it.finished_cleanly() {
        return None;
    }
    Some(CertInfo {
        serial,
        issuer,
        subject,
        public_key_bits,
        extensions,
    })
}

fn parse_extension<'a>(ext: &Tlv<'a>) -> Option<Extension<'a>> {
    if ext.tag != tag::SEQUENCE {
        return None;
    }
    let mut it = Items::new(ext.content);
    let oid = der::oid_to_string(it.expect(tag::OID)?.content)?;
    let critical = match it.optional(tag::BOOLEAN) {
        Some(b) => b.content == [0xff],
        None => false,
    };
    let value = it.expect(tag::OCTET_STRING)?.content;
    it.finished_cleanly().then_some(Extension {
        oid,
        critical,
        value,
    })
}

impl<'a> CertInfo<'a> {
    /// The extension with `oid`, if present.
    pub fn extension(&self, oid: &str) -> Option<&Extension<'a>> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    /// Serial number as lowercase hex without leading zero bytes.
    pub fn serial_hex(&self) -> String {
        let trimmed: &[u8] = match self.serial {
            [0, rest @ ..] if !rest.is_empty() => rest,
            s => s,
        };
        hex::encode(trimmed)
    }

    /// keyUsage bits: `Some(bits)` if present, `None` if absent,
    /// `Err(BadExtension)` if present but malformed.
    pub fn key_usage(&self) -> Result<Option<KeyUsage>, BadExtension> {
        let Some(ext) = self.extension(OID_KEY_USAGE) else {
            return Ok(None);
        };
        let bits = der::read_single(ext.value).ok_or(BadExtension)?;
        if bits.tag != tag::BIT_STRING || bits.content.is_empty() {
            return Err(BadExtension);
        }
        let first = bits.content.get(1).copied().unwrap_or(0);
        Ok(Some(KeyUsage {
            digital_signature: first & 0x80 != 0,
            non_repudiation: first & 0x40 != 0,
            key_cert_sign: first & 0x04 != 0,
        }))
    }

    /// Policy OIDs from certificatePolicies; empty if absent. `Err(BadExtension)` if malformed.
    pub fn policies(&self) -> Result<Vec<String>, BadExtension> {
        let Some(ext) = self.extension(OID_CERT_POLICIES) else {
            return Ok(Vec::new());
        };
        let seq = der::read_single(ext.value).ok_or(BadExtension)?;
        if seq.tag != tag::SEQUENCE {
            return Err(BadExtension);
        }
        let mut out = Vec::new();
        for info in der::items(seq.content).ok_or(BadExtension)? {
            let mut it = Items::new(info.content);
            let oid = it.expect(tag::OID).ok_or(BadExtension)?;
            out.push(der::oid_to_string(oid.content).ok_or(BadExtension)?);
        }
        Ok(out)
    }

    /// Attributes of subjectDirectoryAttributes as (OID, first decodable string value).
    pub fn directory_attributes(&self) -> Result<Vec<(String, String)>, BadExtension> {
        let Some(ext) = self.extension(OID_SUBJECT_DIR_ATTRS) else {
            return Ok(Vec::new());
        };
        let seq = der::read_single(ext.value).ok_or(BadExtension)?;
        if seq.tag != tag::SEQUENCE {
            return Err(BadExtension);
        }
        let mut out = Vec::new();
        for attr in der::items(seq.content).ok_or(BadExtension)? {
            if attr.tag != tag::SEQUENCE {
                return Err(BadExtension);
            }
            let mut it = Items::new(attr.content);
            let oid = der::oid_to_string(it.expect(tag::OID).ok_or(BadExtension)?.content)
                .ok_or(BadExtension)?;
            let values = it.expect(tag::SET).ok_or(BadExtension)?;
            let first = der::items(values.content)
                .ok_or(BadExtension)?
                .iter()
                .find_map(der::directory_string);
            if let Some(v) = first {
                out.push((oid, v));
            }
        }
        Ok(out)
    }

    /// Subject attributes (OID, string value) in order, e.g. 2.5.4.3 → CN.
    pub fn subject_attributes(&self) -> Vec<(String, String)> {
        name_attributes(self.subject).unwrap_or_default()
    }

    /// OCSP responder URIs from the AIA extension.
    pub fn ocsp_urls(&self) -> Vec<String> {
        let Some(ext) = self.extension(OID_AIA) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let Some(seq) = der::read_single(ext.value) else {
            return out;
        };
        for ad in der::items(seq.content).unwrap_or_default() {
            let mut it = Items::new(ad.content);
            let method = it
                .expect(tag::OID)
                .and_then(|o| der::oid_to_string(o.content));
            if method.as_deref() == Some(OID_AD_OCSP)
                && let Some(uri) = it.expect(0x86)
                && let Ok(s) = std::str::from_utf8(uri.content)
            {
                out.push(s.to_owned());
            }
        }
        out
    }

    /// CRL distribution point URIs (fullName URIs only).
    pub fn crl_urls(&self) -> Vec<String> {
        let Some(ext) = self.extension(OID_CRL_DP) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let Some(seq) = der::read_single(ext.value) else {
            return out;
        };
        for dp in der::items(seq.content).unwrap_or_default() {
            let Some(dpn) = Items::new(dp.content).optional(0xa0) else {
                continue;
            };
            let Some(full) = Items::new(dpn.content).optional(0xa0) else {
                continue;
            };
            for name in der::items(full.content).unwrap_or_default() {
                if name.tag == 0x86
                    && let Ok(s) = std::str::from_utf8(name.content)
                {
                    out.push(s.to_owned());
                }
            }
        }
        out
    }
}

/// A known extension is present but its DER is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed certificate extension")]
pub struct BadExtension;

/// keyUsage bits this crate cares about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyUsage {
    pub digital_signature: bool,
    pub non_repudiation: bool,
    pub key_cert_sign: bool,
}

/// Decodes a Name into (OID, string) pairs.
pub fn name_attributes(name_der: &[u8]) -> Option<Vec<(String, String)>> {
    let name = der::read_single(name_der)?;
    let mut out = Vec::new();
    for rdn in der::items(name.content)? {
        for atv in der::items(rdn.content)? {
            let mut it = Items::new(atv.content);
            let oid = der::oid_to_string(it.expect(tag::OID)?.content)?;
            let value = it.next()?;
            if let Some(s) = der::directory_string(&value) {
                out.push((oid, s));
            }
        }
    }
    Some(out)
}
