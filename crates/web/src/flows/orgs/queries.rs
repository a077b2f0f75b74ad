//! 查詢作業 (七): receipt records with 收件時間 in ROC form (圖3-39), the authorized list of
//! handlers and permissions with its CSV export, and the two card lookups — the organization
//! certificate's OID (圖3-41) and the citizen certificate's serial (圖3-43), each proved by a
//! signature of the card itself.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::ids::NationalId;
use tessera_core::org::flow::card_matches;
use tessera_core::org::{AgencyCode, OrgCardKind, OrgIds, ReceiptItem, roc};
use tessera_pki::CertKind;
use tessera_store::orgs::{Organization, Receipt};
use utoipa::ToSchema;

use super::guard::Via;
use crate::api::views::rfc3339;
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::cert::{SignedAnswer, verify};
use crate::state::AppState;

/// One receipt record (序號, 機關代號, 機關名稱, 收件時間, 註冊項目).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptView {
    pub seq: i64,
    pub agency_code: String,
    pub org_name: String,
    pub received_at: Option<String>,
    /// 「105年04月22日14點36分34秒」 (Asia/Taipei).
    pub received_at_roc: Option<String>,
    /// `first_registration`, `replace_org`, `replace_manager`, `replace_both`.
    pub item: String,
    /// 註冊項目 in the request's language.
    pub item_label: String,
}

impl ReceiptView {
    pub fn new(seq: i64, r: &Receipt, lang: Lang) -> Self {
        ReceiptView {
            seq,
            agency_code: r.agency_code.clone(),
            org_name: r.org_name.clone(),
            received_at: rfc3339(r.received_at),
            received_at_roc: roc::roc_datetime(r.received_at),
            item: r.item.clone(),
            item_label: ReceiptItem::parse(&r.item)
                .map(|i| i.label(lang).to_owned())
                .unwrap_or_default(),
        }
    }
}

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

/// The organization's receipt records, oldest first.
pub async fn receipts(
    state: &AppState,
    via: &Via,
    code: &str,
    ctx: &Ctx,
) -> Result<Vec<ReceiptView>, Failure> {
    let rows = state.store.org_receipts(code).await?;
    queried(state, ctx, via.actor(), "receipts", code).await;
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, r)| ReceiptView::new(i as i64 + 1, r, ctx.lang))
        .collect())
}

/// A granted function, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: String,
    pub name: String,
}

/// One handler of the authorized list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizedView {
    pub seq: i64,
    pub name: String,
    pub national_id: String,
    pub cert_serial: String,
    pub permissions: Vec<GrantView>,
}

/// 查詢已授權清單.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizedListView {
    pub agency_code: String,
    pub org_name: String,
    pub manager_name: Option<String>,
    pub handlers: Vec<AuthorizedView>,
}

/// The handlers and their permissions (names in the request's language).
pub async fn authorized(
    state: &AppState,
    via: &Via,
    org: &Organization,
    ctx: &Ctx,
) -> Result<AuthorizedListView, Failure> {
    let tree = &state.settings.orgs.tree;
    let handlers = state.store.all_handlers(&org.agency_code).await?;
    let manager = state.store.org_manager(&org.agency_code).await?;
    queried(state, ctx, via.actor(), "authorized_list", &org.agency_code).await;
    let name = |id: &str| {
        tree.function(id).map(|f| match ctx.lang {
            Lang::En => f.name_en.clone().unwrap_or_else(|| f.name.clone()),
            Lang::ZhTw => f.name.clone(),
        })
    };
    Ok(AuthorizedListView {
        agency_code: org.agency_code.clone(),
        org_name: org.name.clone(),
        manager_name: manager.map(|m| m.name),
        handlers: handlers
            .iter()
            .enumerate()
            .map(|(i, h)| AuthorizedView {
                seq: i as i64 + 1,
                name: h.name.clone(),
                national_id: h.national_id.clone(),
                cert_serial: h.cert_serial.clone(),
                permissions: h
                    .permissions
                    .iter()
                    .filter_map(|id| {
                        name(id).map(|n| GrantView {
                            id: id.clone(),
                            name: n,
                        })
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// A spreadsheet cell that cannot start a formula (CSV injection): `=+-@` and control
/// characters at the start get a leading apostrophe.
fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// The authorized list as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
/// Chinese correctly).
pub fn authorized_csv(list: &AuthorizedListView, lang: Lang) -> Result<Vec<u8>, Failure> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = match lang {
        Lang::ZhTw => [
            "序號",
            "機關代號",
            "機關名稱",
            "姓名",
            "身分證統一編號",
            "憑證序號",
            "功能權限",
        ],
        Lang::En => [
            "No.",
            "Agency code",
            "Organization",
            "Name",
            "National ID",
            "Certificate serial",
            "Functions",
        ],
    };
    let csv_err = |e: csv::Error| {
        tracing::error!(error = %e, "CSV export failed");
        Failure::internal()
    };
    w.write_record(header).map_err(csv_err)?;
    for h in &list.handlers {
        let perms: Vec<&str> = h.permissions.iter().map(|p| p.name.as_str()).collect();
        w.write_record([
            h.seq.to_string(),
            cell(&list.agency_code),
            cell(&list.org_name),
            cell(&h.name),
            cell(&h.national_id),
            cell(&h.cert_serial),
            cell(&perms.join("、")),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| csv_err(e.into_error().into()))
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
        .ok_or_else(|| Failure::new(StatusCode::FORBIDDEN, "org_cert_kind_not_accepted"))?;
    let org = state
        .store
        .organization(code.as_str())
        .await?
        .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "org_unknown_agency_code"))?;
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
            StatusCode::FORBIDDEN,
            "cert_kind_not_accepted",
        ));
    }
    if !card.matches_national_id(typed.as_str()) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
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
