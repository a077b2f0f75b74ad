//! A verified card as an organization flow keeps it between steps (in the flow's JSON data) and
//! shows it on the summary screens (圖3-9: code, name, OID, serial, card number, DN, validity,
//! card kind; the manager's ID, serial, card number, DN, validity).

use serde::{Deserialize, Serialize};
use tessera_core::Lang;
use tessera_core::org::{OrgCardKind, OrgIds};
use tessera_store::orgs::CertRecord;
use utoipa::ToSchema;

use crate::flows::cert::Card;
use crate::text::rfc3339;

/// What a flow remembers of a verified card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardSnapshot {
    /// `tessera_pki` kind name.
    pub kind: String,
    pub issuer: String,
    pub serial: String,
    pub subject: String,
    /// CN.
    pub name: String,
    pub card_number: Option<String>,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    pub not_before: i64,
    pub not_after: i64,
}

impl CardSnapshot {
    pub fn of(card: &Card) -> Self {
        let i = &card.identity;
        CardSnapshot {
            kind: i.kind.as_str().to_owned(),
            issuer: i.issuer.clone(),
            serial: i.serial.clone(),
            subject: i.subject.clone(),
            name: i.name.clone(),
            card_number: i.card_number.clone(),
            organization_oid: i.organization_oid.clone(),
            business_id: i.business_id.clone(),
            institution_code: i.institution_code.clone(),
            not_before: card.not_before,
            not_after: card.not_after,
        }
    }

    /// The identifiers the registry is compared with.
    pub fn ids(&self) -> OrgIds<'_> {
        OrgIds {
            organization_oid: self.organization_oid.as_deref(),
            business_id: self.business_id.as_deref(),
            institution_code: self.institution_code.as_deref(),
        }
    }

    /// The stored form; `national_id` for a manager's card.
    pub fn record(&self, national_id: Option<&str>) -> CertRecord {
        CertRecord {
            issuer: self.issuer.clone(),
            serial: self.serial.clone(),
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            holder_name: self.name.clone(),
            card_number: self.card_number.clone(),
            national_id: national_id.map(str::to_owned),
            not_before: self.not_before,
            not_after: self.not_after,
        }
    }

    /// Whether this is the certificate `(issuer, serial)`.
    pub fn is(&self, issuer: &str, serial: &str) -> bool {
        self.issuer == issuer && self.serial == serial
    }
}

/// 機關(組織)憑證資訊.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgCardView {
    pub agency_code: String,
    /// The registry's name of the organization.
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    pub serial: String,
    pub card_number: Option<String>,
    /// Subject DN.
    pub subject: String,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    /// `gca_agency`, `xca_organization`, `moeaca_business`, `hca_institution`.
    pub card_kind: String,
    /// 卡別, in the request's language.
    pub card_kind_label: String,
}

impl OrgCardView {
    pub fn new(code: &str, org_name: &str, c: &CardSnapshot, lang: Lang) -> Self {
        OrgCardView {
            agency_code: code.to_owned(),
            name: org_name.to_owned(),
            organization_oid: c.organization_oid.clone(),
            business_id: c.business_id.clone(),
            institution_code: c.institution_code.clone(),
            serial: c.serial.clone(),
            card_number: c.card_number.clone(),
            subject: c.subject.clone(),
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
            card_kind: c.kind.clone(),
            card_kind_label: OrgCardKind::from_cert_kind(&c.kind)
                .map(|k| k.label(lang).to_owned())
                .unwrap_or_default(),
        }
    }
}

/// 授權管理者自然人憑證資訊.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagerCardView {
    pub national_id: String,
    /// The certificate's CN.
    pub name: String,
    pub serial: String,
    pub card_number: Option<String>,
    pub subject: String,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
}

impl ManagerCardView {
    pub fn new(national_id: &str, c: &CardSnapshot) -> Self {
        ManagerCardView {
            national_id: national_id.to_owned(),
            name: c.name.clone(),
            serial: c.serial.clone(),
            card_number: c.card_number.clone(),
            subject: c.subject.clone(),
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
        }
    }
}
