//! The card lookups of 查詢作業 (七): the organization certificate's name and OID (圖3-40, 3-41)
//! and the citizen certificate's serial (圖3-42, 3-43), each proved by a signature of the card
//! itself over a challenge of its own purpose (`org-lookup`, `cert-lookup`).

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::NationalId;
use tessera_core::org::{AgencyCode, OrgCardKind, OrgIds, card_matches};
use tessera_pki::CertKind;
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::cert::{SignedAnswer, verify};
use crate::state::AppState;

async fn queried(state: &AppState, ctx: &Ctx, who: &str, what: &str, code: &str) {
    audit::record(
        state,
        AuditKind::OrgQueried,
        Subject::username(who),
        ctx,
        "ok",
        Some(json!({ "query": what, "agency_code": code })),
    )
    .await;
}

/// `POST /api/v1/org-lookups/organization-certificate` (圖3-40).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrgLookupInput {
    pub agency_code: String,
    pub challenge_id: String,
    /// CMS SignedData over an `org-lookup` challenge.
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// 機關憑證OID查詢結果 (圖3-41).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgLookupView {
    /// 機關名稱 as the certificate states it.
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    pub card_kind: String,
    pub serial: String,
    pub not_after: String,
    /// Whether the card's identifier equals the registry entry of the agency code.
    pub matches_registry: bool,
}

/// Reads the organization card's identifiers (proved by its signature).
pub async fn org_lookup(
    state: &AppState,
    input: &OrgLookupInput,
    cert_binding: &str,
    ctx: &Ctx,
) -> Result<OrgLookupView, Failure> {
    let code = AgencyCode::parse(&input.agency_code).map_err(Failure::field)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, cert_binding, "org-lookup", ctx).await?;
    let kind = OrgCardKind::from_cert_kind(card.identity.kind.as_str())
        .ok_or_else(|| Failure::new(FailureKind::Forbidden, "org_cert_kind_not_accepted"))?;
    let org = state
        .store
        .organization(code.as_str())
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "org_unknown_agency_code"))?;
    let i = &card.identity;
    let ids = OrgIds {
        organization_oid: i.organization_oid.as_deref(),
        business_id: i.business_id.as_deref(),
        institution_code: i.institution_code.as_deref(),
    };
    let registry = OrgIds {
        organization_oid: org.organization_oid.as_deref(),
        business_id: org.business_id.as_deref(),
        institution_code: org.institution_code.as_deref(),
    };
    let view = OrgLookupView {
        name: i.name.clone(),
        organization_oid: i.organization_oid.clone(),
        business_id: i.business_id.clone(),
        institution_code: i.institution_code.clone(),
        card_kind: i.kind.as_str().to_owned(),
        serial: i.serial.clone(),
        not_after: i.not_after.clone(),
        matches_registry: card_matches(kind, ids, registry),
    };
    queried(
        state,
        ctx,
        code.as_str(),
        "organization_certificate",
        code.as_str(),
    )
    .await;
    Ok(view)
}

/// `POST /api/v1/org-lookups/citizen-certificate` (圖3-42).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CitizenLookupInput {
    pub national_id: String,
    pub challenge_id: String,
    /// CMS SignedData over a `cert-lookup` challenge.
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// 查詢自然人憑證結果 (圖3-43).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitizenLookupView {
    pub name: String,
    pub serial: String,
    pub card_number: Option<String>,
    pub not_after: String,
}

/// Reads a citizen card's serial (to give the manager for 授權指派).
pub async fn citizen_lookup(
    state: &AppState,
    input: &CitizenLookupInput,
    cert_binding: &str,
    ctx: &Ctx,
) -> Result<CitizenLookupView, Failure> {
    let typed = NationalId::parse(&input.national_id).map_err(Failure::field)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, cert_binding, "cert-lookup", ctx).await?;
    if card.identity.kind != CertKind::MoicaCitizen {
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_kind_not_accepted",
        ));
    }
    if !card.matches_national_id(typed.as_str()) {
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        ));
    }
    queried(state, ctx, typed.as_str(), "citizen_certificate", "").await;
    let i = &card.identity;
    Ok(CitizenLookupView {
        name: i.name.clone(),
        serial: i.serial.clone(),
        card_number: i.card_number.clone(),
        not_after: i.not_after.clone(),
    })
}
