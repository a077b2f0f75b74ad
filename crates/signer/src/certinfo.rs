//! Turns a certificate found on a token into the `/pkcs11info` entry pages expect: base64 DER,
//! keyUsage names joined by `|` (HiPKI style, e.g. `digitalSignature|nonRepudiation`), serial,
//! subject and issuer DN text and the validity dates (RFC 3339).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use openssl::asn1::{Asn1Time, Asn1TimeRef};
use openssl::x509::{X509, X509NameRef};

use crate::backend::TokenCert;
use crate::protocol::CertJson;

const USAGE_NAMES: [&str; 9] = [
    "digitalSignature",
    "nonRepudiation",
    "keyEncipherment",
    "dataEncipherment",
    "keyAgreement",
    "keyCertSign",
    "cRLSign",
    "encipherOnly",
    "decipherOnly",
];

/// keyUsage names of a DER certificate, `|`-joined; empty without the extension.
pub fn usage(der: &[u8]) -> String {
    let Some(bits) = crate::der::key_usage(der) else {
        return String::new();
    };
    USAGE_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join("|")
}

/// A DN as `C=TW, O=…, CN=…` in certificate order.
pub fn dn_text(name: &X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn rfc3339(t: &Asn1TimeRef) -> String {
    let Ok(epoch) = Asn1Time::from_unix(0) else {
        return String::new();
    };
    let Ok(diff) = epoch.diff(t) else {
        return String::new();
    };
    let secs = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The `/pkcs11info` entry of a token certificate; `None` if it is not a certificate.
pub fn describe(cert: &TokenCert) -> Option<CertJson> {
    let x = X509::from_der(&cert.der).ok()?;
    let sn = x
        .serial_number()
        .to_bn()
        .ok()
        .and_then(|b| b.to_hex_str().ok().map(|s| s.to_string()))
        .unwrap_or_default();
    Some(CertJson {
        certb64: STANDARD.encode(&cert.der),
        label: cert.label.clone(),
        usage: usage(&cert.der),
        sn,
        subject_dn: dn_text(x.subject_name()),
        issuer_dn: dn_text(x.issuer_name()),
        not_before: rfc3339(x.not_before()),
        not_after: rfc3339(x.not_after()),
        keyidb64: STANDARD.encode(&cert.key_id),
    })
}
