//! Taiwan certificate profiles: which CA kind issued a certificate (from the real CAs' subject
//! DNs or a trust directory's `kinds.toml`), and the typed identity of a verified end-entity
//! certificate (name, serial, card number, subjectDirectoryAttributes values).

use serde::{Deserialize, Serialize};

use crate::certinfo::CertInfo;

/// The kind of a certificate holder, as other crates see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertKind {
    MoicaCitizen,
    GcaAgency,
    XcaOrganization,
    MoeacaBusiness,
    HcaPersonnel,
    HcaInstitution,
    Unknown,
}

impl CertKind {
    /// The snake_case name used in JSON, kinds.toml and the manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            CertKind::MoicaCitizen => "moica_citizen",
            CertKind::GcaAgency => "gca_agency",
            CertKind::XcaOrganization => "xca_organization",
            CertKind::MoeacaBusiness => "moeaca_business",
            CertKind::HcaPersonnel => "hca_personnel",
            CertKind::HcaInstitution => "hca_institution",
            CertKind::Unknown => "unknown",
        }
    }
}

/// The kind of an issuing CA. HCA issues both personnel and institution certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaKind {
    Moica,
    Gca,
    Xca,
    Moeaca,
    /// HCA; the leaf decides personnel vs institution.
    Hca,
    /// A CA configured to issue only one holder kind (from kinds.toml).
    Fixed(CertKind),
}

impl CaKind {
    /// Parses a kinds.toml value: a holder kind (`moica_citizen` …) or a CA name (`hca`).
    pub fn parse(text: &str) -> Option<CaKind> {
        Some(match text {
            "moica" | "moica_citizen" => CaKind::Moica,
            "gca" | "gca_agency" => CaKind::Gca,
            "xca" | "xca_organization" => CaKind::Xca,
            "moeaca" | "moeaca_business" => CaKind::Moeaca,
            "hca" => CaKind::Hca,
            "hca_personnel" => CaKind::Fixed(CertKind::HcaPersonnel),
            "hca_institution" => CaKind::Fixed(CertKind::HcaInstitution),
            _ => return None,
        })
    }
}

/// Recognises a real Taiwan GPKI CA from its subject attributes (every generation: the OU
/// names the CA, e.g. `C=TW, O=行政院, OU=內政部憑證管理中心`).
pub fn ca_kind_from_subject(attrs: &[(String, String)]) -> Option<CaKind> {
    let country_tw = attrs.iter().any(|(o, v)| o == "2.5.4.6" && v == "TW");
    if !country_tw {
        return None;
    }
    attrs
        .iter()
        .filter(|(o, _)| o == "2.5.4.11" || o == "2.5.4.3")
        .find_map(|(_, v)| {
            let v = v.as_str();
            if v.contains("內政部憑證管理中心") {
                Some(CaKind::Moica)
            } else if v.contains("組織及團體憑證管理中心") {
                Some(CaKind::Xca)
            } else if v.contains("工商憑證管理中心") {
                Some(CaKind::Moeaca)
            } else if v.contains("醫事憑證管理中心") {
                Some(CaKind::Hca)
            } else if v.contains("政府憑證管理中心") {
                Some(CaKind::Gca)
            } else {
                None
            }
        })
}

/// Which subjectDirectoryAttributes OIDs carry which value. Configuration, since some of these
/// OIDs are not officially confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileOids {
    pub national_id_last4: String,
    pub business_id: String,
    pub organization_oid: String,
    pub institution_code: String,
}

impl Default for ProfileOids {
    fn default() -> Self {
        ProfileOids {
            national_id_last4: "2.16.886.1.100.2.51".into(),
            business_id: "2.16.886.1.100.2.101".into(),
            organization_oid: "2.16.886.1.100.2.102".into(),
            institution_code: "2.16.886.1.100.2.111".into(),
        }
    }
}

/// The identity read from a verified end-entity certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub kind: CertKind,
    /// Subject common name.
    pub name: String,
    /// Certificate serial, lowercase hex.
    pub serial: String,
    /// Card number from the subject serialNumber attribute when it has the card form.
    pub card_number: Option<String>,
    pub national_id_last4: Option<String>,
    pub business_id: Option<String>,
    pub organization_oid: Option<String>,
    pub institution_code: Option<String>,
    /// End of validity, RFC 3339 (UTC).
    pub not_after: String,
    /// Subject DN as one line, for display and audit.
    pub subject: String,
    /// Issuer DN as one line.
    pub issuer: String,
}

impl Identity {
    /// True when `full_id` (typed by the user) is a well-formed national ID (or resident
    /// certificate number) whose last 4 characters equal the certificate's. Only MOICA
    /// certificates carry the digits; every other kind answers false.
    pub fn matches_national_id(&self, full_id: &str) -> bool {
        let Some(last4) = &self.national_id_last4 else {
            return false;
        };
        let id = full_id.trim().to_ascii_uppercase();
        self.kind == CertKind::MoicaCitizen
            && national_id_well_formed(&id)
            && id.len() == 10
            && id.get(6..).is_some_and(|tail| tail == last4.as_str())
    }
}

/// Checks the form and checksum of a Taiwan national ID (A123456789) or new-style resident
/// certificate number (A800000014); old-style ARC numbers (AB12345678) are checked by form.
pub fn national_id_well_formed(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 10 || !b[0].is_ascii_uppercase() {
        return false;
    }
    if b[1].is_ascii_uppercase() {
        return b[2..].iter().all(u8::is_ascii_digit);
    }
    if !b[1..].iter().all(u8::is_ascii_digit) || !matches!(b[1], b'1' | b'2' | b'8' | b'9') {
        return false;
    }
    national_id_checksum_ok(b)
}

/// Letter values of the national ID checksum, A..Z.
const LETTER_CODES: [u32; 26] = [
    10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35, 23, 24, 25, 26, 27, 28, 29, 32, 30,
    31, 33,
];

fn national_id_checksum_ok(b: &[u8]) -> bool {
    let code = LETTER_CODES[usize::from(b[0] - b'A')];
    let weights = [8u32, 7, 6, 5, 4, 3, 2, 1, 1];
    let mut sum = code / 10 + (code % 10) * 9;
    for (d, w) in b[1..].iter().zip(weights) {
        sum += u32::from(d - b'0') * w;
    }
    sum.is_multiple_of(10)
}

/// Completes a 9-character prefix (letter + 8 digits) with its check digit.
pub fn national_id_with_check_digit(prefix9: &str) -> Option<String> {
    (0..10u8)
        .map(|d| format!("{prefix9}{d}"))
        .find(|cand| national_id_well_formed(cand))
}

/// Builds the identity of a verified certificate issued by a CA of `ca_kind`.
pub fn extract_identity(
    info: &CertInfo<'_>,
    ca_kind: Option<CaKind>,
    oids: &ProfileOids,
    not_after: String,
    issuer_line: String,
) -> Result<Identity, crate::certinfo::BadExtension> {
    let subject = info.subject_attributes();
    let attrs = info.directory_attributes()?;
    let get = |oid: &str| attrs.iter().find(|(o, _)| o == oid).map(|(_, v)| v.clone());
    let national_id_last4 = get(&oids.national_id_last4)
        .filter(|v| v.len() == 4 && v.bytes().all(|c| c.is_ascii_digit()));
    let business_id = get(&oids.business_id);
    let organization_oid = get(&oids.organization_oid);
    let institution_code = get(&oids.institution_code);
    let name = subject
        .iter()
        .rev()
        .find(|(o, _)| o == "2.5.4.3")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let card_number = subject
        .iter()
        .find(|(o, v)| o == "2.5.4.5" && card_number_form(v))
        .map(|(_, v)| v.clone());
    let kind = match ca_kind {
        Some(CaKind::Moica) => CertKind::MoicaCitizen,
        Some(CaKind::Gca) => CertKind::GcaAgency,
        Some(CaKind::Xca) => CertKind::XcaOrganization,
        Some(CaKind::Moeaca) => CertKind::MoeacaBusiness,
        Some(CaKind::Hca) if national_id_last4.is_none() && institution_code.is_some() => {
            CertKind::HcaInstitution
        }
        Some(CaKind::Hca) => CertKind::HcaPersonnel,
        Some(CaKind::Fixed(k)) => k,
        None => CertKind::Unknown,
    };
    Ok(Identity {
        kind,
        name,
        serial: info.serial_hex(),
        card_number,
        national_id_last4,
        business_id,
        organization_oid,
        institution_code,
        not_after,
        subject: dn_line(&subject),
        issuer: issuer_line,
    })
}

/// Two letters followed by 14 digits.
fn card_number_form(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 16
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..].iter().all(u8::is_ascii_digit)
}

/// Formats attributes as `C=TW, O=…, CN=…`.
pub fn dn_line(attrs: &[(String, String)]) -> String {
    attrs
        .iter()
        .map(|(o, v)| {
            let short = match o.as_str() {
                "2.5.4.6" => "C",
                "2.5.4.10" => "O",
                "2.5.4.11" => "OU",
                "2.5.4.3" => "CN",
                "2.5.4.5" => "serialNumber",
                "2.5.4.7" => "L",
                "2.5.4.8" => "ST",
                other => other,
            };
            format!("{short}={v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_id_checksum() {
        assert!(national_id_well_formed("A123456789"));
        assert!(!national_id_well_formed("A123456788"));
        assert!(national_id_well_formed("A800000014"));
        assert!(!national_id_well_formed("A12345678"));
        assert_eq!(
            national_id_with_check_digit("A12345678").as_deref(),
            Some("A123456789")
        );
    }

    #[test]
    fn recognises_real_ca_dns() {
        let dn = |ou: &str| {
            vec![
                ("2.5.4.6".to_string(), "TW".to_string()),
                ("2.5.4.10".to_string(), "行政院".to_string()),
                ("2.5.4.11".to_string(), ou.to_string()),
            ]
        };
        assert_eq!(
            ca_kind_from_subject(&dn("內政部憑證管理中心")),
            Some(CaKind::Moica)
        );
        assert_eq!(
            ca_kind_from_subject(&dn("政府憑證管理中心")),
            Some(CaKind::Gca)
        );
        assert_eq!(
            ca_kind_from_subject(&dn("組織及團體憑證管理中心")),
            Some(CaKind::Xca)
        );
        assert_eq!(
            ca_kind_from_subject(&dn("工商憑證管理中心")),
            Some(CaKind::Moeaca)
        );
        assert_eq!(
            ca_kind_from_subject(&dn("衛生福利部醫事憑證管理中心")),
            Some(CaKind::Hca)
        );
        assert_eq!(ca_kind_from_subject(&dn("Some Other CA")), None);
    }
}
