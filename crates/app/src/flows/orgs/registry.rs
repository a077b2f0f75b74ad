//! The organization registry in the back office (operators): search, detail and edit. Reading
//! the operators' CSV is `import.rs`.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::org::PageRequest;
use tessera_store::Account;
use tessera_store::orgs::{Organization, Upserted};
use utoipa::{IntoParams, ToSchema};

pub use super::import::{OrgInput, validate};
use super::queries::ReceiptView;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;
use crate::text::rfc3339;

/// A registry entry as the back office shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgView {
    pub agency_code: String,
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    pub kind: String,
    pub registered: bool,
    pub registered_at: Option<String>,
    pub updated_at: Option<String>,
}

impl OrgView {
    pub fn new(o: &Organization) -> Self {
        OrgView {
            agency_code: o.agency_code.clone(),
            name: o.name.clone(),
            organization_oid: o.organization_oid.clone(),
            business_id: o.business_id.clone(),
            institution_code: o.institution_code.clone(),
            kind: o.kind.clone(),
            registered: o.registered_at.is_some(),
            registered_at: o.registered_at.and_then(rfc3339),
            updated_at: rfc3339(o.updated_at),
        }
    }
}

/// `GET /api/v1/backoffice/organizations` query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct SearchQuery {
    /// Part of an agency code or name.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of registry entries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgPageView {
    pub items: Vec<OrgView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A certificate registered for the organization (live or history).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgCertView {
    /// `organization` or `manager`.
    pub role: String,
    pub serial: String,
    pub kind: String,
    pub subject: String,
    pub holder_name: String,
    pub national_id: Option<String>,
    pub not_after: Option<String>,
    pub bound_at: Option<String>,
    pub unbound_at: Option<String>,
    pub unbound_reason: Option<String>,
}

/// The authorization manager's contact details.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ManagerView {
    pub national_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub extension: Option<String>,
    pub notes: Option<String>,
}

/// Everything about one organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrgDetailView {
    pub registry: OrgView,
    pub account_username: Option<String>,
    pub manager: Option<ManagerView>,
    pub certificates: Vec<OrgCertView>,
    pub receipts: Vec<ReceiptView>,
    pub handler_count: i64,
}

/// Registry search (operators).
pub async fn search(state: &AppState, q: &SearchQuery) -> Result<OrgPageView, Failure> {
    let p = PageRequest::parse(q.page, q.per_page).map_err(Failure::field)?;
    let (items, total) = state
        .store
        .search_organizations(
            q.q.as_deref().unwrap_or(""),
            p.offset(),
            i64::from(p.per_page),
        )
        .await?;
    Ok(OrgPageView {
        items: items.iter().map(OrgView::new).collect(),
        total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// One organization with its registration.
pub async fn detail(state: &AppState, code: &str, lang: Lang) -> Result<OrgDetailView, Failure> {
    let code = code.trim().to_ascii_uppercase();
    let org = state
        .store
        .organization(&code)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    let account = match &org.account_id {
        Some(id) => state.store.account_by_id(id).await?.map(|a| a.username),
        None => None,
    };
    let manager = state.store.org_manager(&code).await?.map(|m| ManagerView {
        national_id: m.national_id,
        name: m.name,
        email: m.email,
        phone: m.phone,
        extension: m.extension,
        notes: m.notes,
    });
    let certificates = state
        .store
        .org_cert_history(&code)
        .await?
        .into_iter()
        .map(|c| OrgCertView {
            role: c.role,
            serial: c.cert.serial,
            kind: c.cert.kind,
            subject: c.cert.subject,
            holder_name: c.cert.holder_name,
            national_id: c.cert.national_id,
            not_after: rfc3339(c.cert.not_after),
            bound_at: rfc3339(c.bound_at),
            unbound_at: c.unbound_at.and_then(rfc3339),
            unbound_reason: c.unbound_reason,
        })
        .collect();
    let receipts = state.store.org_receipts(&code).await?;
    Ok(OrgDetailView {
        registry: OrgView::new(&org),
        account_username: account,
        manager,
        certificates,
        receipts: receipts
            .iter()
            .enumerate()
            .map(|(i, r)| ReceiptView::new(i as i64 + 1, r, lang))
            .collect(),
        handler_count: state.store.org_handler_count(&code).await?,
    })
}

/// Creates or edits an entry (operators). `true` when created.
pub async fn save(
    state: &AppState,
    staff: &Account,
    code: &str,
    input: &OrgInput,
    ctx: &Ctx,
) -> Result<(bool, OrgView), Failure> {
    let mut input = input.clone();
    input.agency_code = code.to_owned();
    let record = validate(&input).map_err(Failure::validation)?;
    let done = state.store.upsert_organization(&record, now()).await?;
    audit::record(
        state,
        AuditKind::OrgRegistryEdited,
        Subject::account(&staff.id, &staff.username),
        ctx,
        match done {
            Upserted::Created => "created",
            Upserted::Updated => "updated",
            Upserted::Unchanged => "unchanged",
        },
        Some(json!({
            "agency_code": record.agency_code, "name": record.name, "organization_oid": record.organization_oid,
            "business_id": record.business_id, "institution_code": record.institution_code, "kind": record.kind,
        })),
    )
    .await;
    let org = state
        .store
        .organization(&record.agency_code)
        .await?
        .ok_or_else(Failure::internal)?;
    Ok((done == Upserted::Created, OrgView::new(&org)))
}
