//! Identifiers of organizations: the platform's five-character agency code (機關代號),
//! the government organization OID (機關 OID), the business ID (統一編號, with its check digit),
//! the HCA medical institution code (醫事機構代碼), the organization kind, names, telephone
//! extensions and notes.

use serde::{Deserialize, Serialize};

use crate::FieldError;
use crate::ids::{fold_ascii, string_newtype};

/// A five-character agency code (機關代號五碼): ASCII letters or digits, stored uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgencyCode(String);
string_newtype!(AgencyCode);

impl AgencyCode {
    /// Validates a code; spaces and full-width forms are folded, letters uppercased.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input).to_ascii_uppercase();
        if s.is_empty() {
            return Err(FieldError::new("agency_code", "agency_code_required"));
        }
        if s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(AgencyCode(s))
        } else {
            Err(FieldError::new("agency_code", "agency_code_invalid"))
        }
    }
}

/// A government organization OID such as `2.16.886.101.20003.20065`: dotted decimal arcs, the
/// first 0, 1 or 2, no leading zeros, at most 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrganizationOid(String);
string_newtype!(OrganizationOid);

impl OrganizationOid {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        let invalid = FieldError::new("organization_oid", "organization_oid_invalid");
        let arcs: Vec<&str> = s.split('.').collect();
        let arc_ok = |a: &&str| {
            !a.is_empty()
                && a.len() <= 20
                && a.bytes().all(|b| b.is_ascii_digit())
                && (a.len() == 1 || !a.starts_with('0'))
        };
        if s.len() > 128 || arcs.len() < 2 || !arcs.iter().all(arc_ok) {
            return Err(invalid);
        }
        if !matches!(arcs[0], "0" | "1" | "2") {
            return Err(invalid);
        }
        Ok(OrganizationOid(s))
    }
}

/// A business ID (統一編號): eight digits whose weighted digit sum is a multiple of 5 (the
/// rule since 2023, which also accepts every number valid under the older multiple-of-10 rule),
/// with the special case of a 7 in the seventh place.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusinessId(String);
string_newtype!(BusinessId);

impl BusinessId {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input);
        let invalid = FieldError::new("business_id", "business_id_invalid");
        if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid);
        }
        const WEIGHTS: [u32; 8] = [1, 2, 1, 2, 1, 2, 4, 1];
        let digits: Vec<u32> = s.bytes().map(|b| u32::from(b - b'0')).collect();
        let mut sum = 0;
        for (d, w) in digits.iter().zip(WEIGHTS) {
            let p = d * w;
            sum += p / 10 + p % 10;
        }
        // A 7 in the seventh place gives 28 → 10, which counts as either 1 or 0.
        let ok = sum.is_multiple_of(5) || (digits[6] == 7 && (sum + 1).is_multiple_of(5));
        if ok { Ok(BusinessId(s)) } else { Err(invalid) }
    }
}

/// An HCA medical institution code (醫事機構代碼): ten ASCII letters or digits, uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstitutionCode(String);
string_newtype!(InstitutionCode);

impl InstitutionCode {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input).to_ascii_uppercase();
        if s.len() == 10 && s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Ok(InstitutionCode(s))
        } else {
            Err(FieldError::new(
                "institution_code",
                "institution_code_invalid",
            ))
        }
    }
}

/// What kind of organization a registry entry is (descriptive; the certificate kinds that may
/// register follow from the identifiers the entry carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// 政府機關 (GCA agency certificate).
    Agency,
    /// 學校 (usually XCA).
    School,
    /// 團體 (XCA organization certificate).
    Organization,
    /// 公司行號 (MOEACA business certificate).
    Business,
    /// 醫事機構 (HCA institution certificate).
    Medical,
    /// 其他.
    Other,
}

impl OrgKind {
    pub const ALL: [OrgKind; 6] = [
        OrgKind::Agency,
        OrgKind::School,
        OrgKind::Organization,
        OrgKind::Business,
        OrgKind::Medical,
        OrgKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Agency => "agency",
            OrgKind::School => "school",
            OrgKind::Organization => "organization",
            OrgKind::Business => "business",
            OrgKind::Medical => "medical",
            OrgKind::Other => "other",
        }
    }

    /// Parses a stable name (case-insensitive).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let s = fold_ascii(input).to_ascii_lowercase();
        OrgKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(FieldError::new("kind", "org_kind_invalid"))
    }

    /// The zh-TW label.
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Agency => "政府機關",
            OrgKind::School => "學校",
            OrgKind::Organization => "團體",
            OrgKind::Business => "公司行號",
            OrgKind::Medical => "醫事機構",
            OrgKind::Other => "其他",
        }
    }
}

/// An organization's name: 1–100 characters, no control characters.
pub fn org_name(input: &str) -> Result<String, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(FieldError::new("name", "org_name_required"));
    }
    if s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(FieldError::new("name", "org_name_invalid"));
    }
    Ok(s.to_owned())
}

/// A telephone extension: 1–6 digits (blank means none).
pub fn extension(input: &str) -> Result<Option<String>, FieldError> {
    let s = fold_ascii(input);
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(Some(s))
    } else {
        Err(FieldError::new("extension", "extension_invalid"))
    }
}

/// Free-text notes (備註): at most 200 characters, no control characters but line breaks.
pub fn notes(input: &str) -> Result<Option<String>, FieldError> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = |c: char| c.is_control() && c != '\n' && c != '\r';
    if s.chars().count() > 200 || s.chars().any(bad) {
        return Err(FieldError::new("notes", "notes_invalid"));
    }
    Ok(Some(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, FieldError>) -> &'static str {
        r.err().map_or("ok", |e| e.code)
    }

    #[test]
    fn agency_codes() {
        assert_eq!(AgencyCode::parse(" a1b2c ").unwrap().as_str(), "A1B2C");
        assert_eq!(AgencyCode::parse("１２３４５").unwrap().as_str(), "12345");
        assert_eq!(code(AgencyCode::parse("")), "agency_code_required");
        for bad in ["1234", "123456", "12-45", "王1234", "12 45"] {
            assert_eq!(code(AgencyCode::parse(bad)), "agency_code_invalid", "{bad}");
        }
    }

    #[test]
    fn oids() {
        assert_eq!(
            code(OrganizationOid::parse("2.16.886.101.20003.20065")),
            "ok"
        );
        for bad in ["", "2", "3.1", "2..1", "2.016", "2.a", "2.16.", ".2.16"] {
            assert_eq!(
                code(OrganizationOid::parse(bad)),
                "organization_oid_invalid",
                "{bad}"
            );
        }
    }

    #[test]
    fn business_ids_with_check_digit() {
        // 12345675 is valid only through the seventh-digit-7 rule; 04595257 by the plain sum.
        for ok in ["12345675", "04595257", "22099131"] {
            assert_eq!(code(BusinessId::parse(ok)), "ok", "{ok}");
        }
        for bad in ["12345678", "1234567", "1234567a", "04595258"] {
            assert_eq!(code(BusinessId::parse(bad)), "business_id_invalid", "{bad}");
        }
    }

    #[test]
    fn institution_codes_and_kinds() {
        assert_eq!(
            InstitutionCode::parse("0401180014").unwrap().as_str(),
            "0401180014"
        );
        assert_eq!(
            code(InstitutionCode::parse("040118001")),
            "institution_code_invalid"
        );
        assert_eq!(OrgKind::parse(" Agency ").unwrap(), OrgKind::Agency);
        assert_eq!(code(OrgKind::parse("ministry")), "org_kind_invalid");
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::parse(k.as_str()), Ok(k));
        }
    }

    #[test]
    fn names_extensions_notes() {
        assert_eq!(org_name(" 國家發展委員會 ").unwrap(), "國家發展委員會");
        assert_eq!(code(org_name(" ")), "org_name_required");
        assert_eq!(code(org_name(&"機".repeat(101))), "org_name_invalid");
        assert_eq!(extension(" 5312 ").unwrap().as_deref(), Some("5312"));
        assert_eq!(extension("").unwrap(), None);
        assert_eq!(code(extension("1234567")), "extension_invalid");
        assert_eq!(
            notes("第一行\n第二行").unwrap().as_deref(),
            Some("第一行\n第二行")
        );
        assert_eq!(code(notes("a\u{0}b")), "notes_invalid");
    }
}
