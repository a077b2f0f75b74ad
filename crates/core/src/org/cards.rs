//! Which organization cards can register (GCA, XCA, MOEACA, HCA institution) and how a card is
//! matched with the registry: by the identifier its kind carries.

use serde::{Deserialize, Serialize};

use crate::Lang;

/// The organization certificate kinds that can register (GCA, XCA, MOEACA, HCA institution)
/// and the identifier each carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgCardKind {
    /// GCA 機關憑證: organization OID.
    GcaAgency,
    /// XCA 組織及團體憑證: organization OID.
    XcaOrganization,
    /// MOEACA 工商憑證: business ID.
    MoeacaBusiness,
    /// HCA 醫事機構憑證: institution code.
    HcaInstitution,
}

impl OrgCardKind {
    /// From `tessera_pki`'s kind names; other kinds are not organization cards.
    pub fn from_cert_kind(kind: &str) -> Option<Self> {
        Some(match kind {
            "gca_agency" => OrgCardKind::GcaAgency,
            "xca_organization" => OrgCardKind::XcaOrganization,
            "moeaca_business" => OrgCardKind::MoeacaBusiness,
            "hca_institution" => OrgCardKind::HcaInstitution,
            _ => return None,
        })
    }

    /// 卡別 as 圖3-9 shows it.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (OrgCardKind::GcaAgency, Lang::ZhTw) => "機關憑證 (GCA)",
            (OrgCardKind::XcaOrganization, Lang::ZhTw) => "組織及團體憑證 (XCA)",
            (OrgCardKind::MoeacaBusiness, Lang::ZhTw) => "工商憑證 (MOEACA)",
            (OrgCardKind::HcaInstitution, Lang::ZhTw) => "醫事機構憑證 (HCA)",
            (OrgCardKind::GcaAgency, Lang::En) => "Agency certificate (GCA)",
            (OrgCardKind::XcaOrganization, Lang::En) => "Organization certificate (XCA)",
            (OrgCardKind::MoeacaBusiness, Lang::En) => "Business certificate (MOEACA)",
            (OrgCardKind::HcaInstitution, Lang::En) => "Medical institution certificate (HCA)",
        }
    }
}

/// The identifiers a card or a registry entry carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrgIds<'a> {
    pub organization_oid: Option<&'a str>,
    pub business_id: Option<&'a str>,
    pub institution_code: Option<&'a str>,
}

/// Whether a card of `kind` carrying `card` identifies the registry entry `registry`: the
/// identifier of the card's kind must be present on both and equal (OIDs exactly; business IDs
/// and institution codes ignoring case and surrounding space).
pub fn card_matches(kind: OrgCardKind, card: OrgIds<'_>, registry: OrgIds<'_>) -> bool {
    let same = |a: Option<&str>, b: Option<&str>| match (a, b) {
        (Some(a), Some(b)) => {
            let (a, b) = (a.trim(), b.trim());
            !a.is_empty() && a.eq_ignore_ascii_case(b)
        }
        _ => false,
    };
    match kind {
        OrgCardKind::GcaAgency | OrgCardKind::XcaOrganization => matches!(
            (card.organization_oid, registry.organization_oid),
            (Some(a), Some(b)) if !a.trim().is_empty() && a.trim() == b.trim()
        ),
        OrgCardKind::MoeacaBusiness => same(card.business_id, registry.business_id),
        OrgCardKind::HcaInstitution => same(card.institution_code, registry.institution_code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_match_by_the_identifier_of_their_kind() {
        let registry = OrgIds {
            organization_oid: Some("2.16.886.101.20003.20065"),
            business_id: Some("12345675"),
            institution_code: None,
        };
        let oid = |o| OrgIds {
            organization_oid: Some(o),
            ..OrgIds::default()
        };
        assert!(card_matches(
            OrgCardKind::GcaAgency,
            oid("2.16.886.101.20003.20065"),
            registry
        ));
        assert!(!card_matches(
            OrgCardKind::GcaAgency,
            oid("2.16.886.101.20003.20066"),
            registry
        ));
        // A business card's ID must be on the business card: an OID does not count.
        assert!(!card_matches(
            OrgCardKind::MoeacaBusiness,
            oid("2.16.886.101.20003.20065"),
            registry
        ));
        let biz = OrgIds {
            business_id: Some("12345675"),
            ..OrgIds::default()
        };
        assert!(card_matches(OrgCardKind::MoeacaBusiness, biz, registry));
        let hca = OrgIds {
            institution_code: Some("0401180014"),
            ..OrgIds::default()
        };
        assert!(
            !card_matches(OrgCardKind::HcaInstitution, hca, registry),
            "registry has none"
        );
        assert_eq!(OrgCardKind::from_cert_kind("moica_citizen"), None);
        assert_eq!(
            OrgCardKind::from_cert_kind("hca_institution"),
            Some(OrgCardKind::HcaInstitution)
        );
    }
}
