//! CRL checks: a CRL counts only if its issuer name is the leaf issuer's subject, its signature
//! verifies with the issuer's key and the verification time lies between thisUpdate and
//! nextUpdate. Then the leaf's serial decides.

use openssl::x509::{CrlStatus, X509Crl, X509Ref};

use crate::timeutil::asn1_to_unix;

/// What one CRL says about a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrlAnswer {
    Good,
    Revoked,
    /// The CRL is not usable for this certificate at this time (issuer, signature, staleness).
    NotApplicable(String),
}

/// Parses a CRL in DER or PEM.
pub fn parse(bytes: &[u8]) -> Option<X509Crl> {
    X509Crl::from_der(bytes)
        .or_else(|_| X509Crl::from_pem(bytes))
        .ok()
}

/// The CRL's nextUpdate in Unix seconds, if any.
pub fn next_update(crl: &X509Crl) -> Option<i64> {
    crl.next_update().and_then(asn1_to_unix)
}

/// Checks `leaf` against `crl` issued by `issuer` at Unix time `at`, allowing `skew` seconds.
pub fn check(crl: &X509Crl, leaf: &X509Ref, issuer: &X509Ref, at: i64, skew: i64) -> CrlAnswer {
    let same_issuer = match (crl.issuer_name().to_der(), issuer.subject_name().to_der()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_issuer {
        return CrlAnswer::NotApplicable("issued by another CA".into());
    }
    let signed = issuer
        .public_key()
        .and_then(|k| crl.verify(&k))
        .unwrap_or(false);
    if !signed {
        return CrlAnswer::NotApplicable("CRL signature invalid".into());
    }
    check_verified(crl, leaf, at, skew)
}

/// Time window and serial lookup of a CRL whose issuer and signature are already verified.
pub fn check_verified(crl: &X509Crl, leaf: &X509Ref, at: i64, skew: i64) -> CrlAnswer {
    let Some(this_update) = asn1_to_unix(crl.last_update()) else {
        return CrlAnswer::NotApplicable("bad thisUpdate".into());
    };
    if this_update > at + skew {
        return CrlAnswer::NotApplicable("CRL issued after the verification time".into());
    }
    match next_update(crl) {
        Some(next) if next + skew >= at => {}
        _ => return CrlAnswer::NotApplicable("CRL stale (past nextUpdate)".into()),
    }
    let Ok(serial) = leaf.serial_number().to_owned() else {
        return CrlAnswer::NotApplicable("serial".into());
    };
    match crl.get_by_serial(&serial) {
        CrlStatus::NotRevoked => CrlAnswer::Good,
        CrlStatus::Revoked(entry) => {
            // A revocation dated after the verification time does not apply yet.
            let when = asn1_to_unix(entry.revocation_date()).unwrap_or(i64::MIN);
            if when <= at {
                CrlAnswer::Revoked
            } else {
                CrlAnswer::Good
            }
        }
        CrlStatus::RemoveFromCrl(_) => CrlAnswer::Good,
    }
}

/// True if `crl` might be `issuer`'s (cheap name comparison before signature work).
pub fn issued_by(crl: &X509Crl, issuer: &X509Ref) -> bool {
    matches!(
        (crl.issuer_name().to_der(), issuer.subject_name().to_der()),
        (Ok(a), Ok(b)) if a == b
    )
}
