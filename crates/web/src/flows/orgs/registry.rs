//! The organization registry: reading the operators' CSV (columns by header name; every bad row
//! reported with its line number, so the caller imports all or nothing), and the back office's
//! search, detail and edit (operators).

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::org::ids::org_name;
use tessera_core::org::{
    AgencyCode, BusinessId, InstitutionCode, OrgKind, OrganizationOid, PageRequest,
};
use tessera_core::{FieldError, Lang, message};
use tessera_store::Account;
use tessera_store::orgs::{OrgRecord, Organization, Upserted};
use utoipa::{IntoParams, ToSchema};

use super::queries::ReceiptView;
use crate::api::views::rfc3339;
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::{AppState, now};

/// The CSV columns.
pub const COLUMNS: [&str; 6] = [
    "agency_code",
    "name",
    "organization_oid",
    "business_id",
    "institution_code",
    "kind",
];

/// A refused row (or header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// 1-based line of the file.
    pub line: u64,
    pub field: String,
    pub code: String,
}

impl RowError {
    /// `line 3, agency_code: agency_code_invalid (機關代號為五碼…)`.
    pub fn describe(&self, lang: Lang) -> String {
        format!(
            "line {}, {}: {} ({})",
            self.line,
            self.field,
            self.code,
            message(&self.code, lang)
        )
    }
}

/// Entry fields as typed (CSV row or back-office form).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrgInput {
    #[serde(default)]
    pub agency_code: String,
    pub name: String,
    #[serde(default)]
    pub organization_oid: Option<String>,
    #[serde(default)]
    pub business_id: Option<String>,
    #[serde(default)]
    pub institution_code: Option<String>,
    pub kind: String,
}

/// Validates an entry; every failing field reported.
pub fn validate(input: &OrgInput) -> Result<OrgRecord, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<String, FieldError>| r.map_err(|e| errors.push(e)).ok();
    let opt = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let code = take(AgencyCode::parse(&input.agency_code).map(String::from));
    let name = take(org_name(&input.name));
    let oid = opt(&input.organization_oid)
        .and_then(|v| take(OrganizationOid::parse(&v).map(String::from)));
    let biz = opt(&input.business_id).and_then(|v| take(BusinessId::parse(&v).map(String::from)));
    let inst = opt(&input.institution_code)
        .and_then(|v| take(InstitutionCode::parse(&v).map(String::from)));
    let kind = take(OrgKind::parse(&input.kind).map(|k| k.as_str().to_owned()));
    let no_identifier = [
        &input.organization_oid,
        &input.business_id,
        &input.institution_code,
    ]
    .iter()
    .all(|v| opt(v).is_none());
    if no_identifier {
        errors.push(FieldError::new(
            "organization_oid",
            "org_identifier_required",
        ));
    }
    match (code, name, kind) {
        (Some(agency_code), Some(name), Some(kind)) if errors.is_empty() => Ok(OrgRecord {
            agency_code,
            name,
            organization_oid: oid,
            business_id: biz,
            institution_code: inst,
            kind,
        }),
        _ => Err(errors),
    }
}

/// Reads a registry CSV: a header row naming the columns (any order; `organization_oid`,
/// `business_id`, `institution_code` may be left out), then one organization per row. Returns
/// every record, or every error with its line: a caller imports nothing unless all are good.
pub fn parse_csv(data: &[u8]) -> Result<Vec<OrgRecord>, Vec<RowError>> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(data);
    let header_error = |field: &str, code: &str| {
        vec![RowError {
            line: 1,
            field: field.to_owned(),
            code: code.to_owned(),
        }]
    };
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect(),
        Err(_) => return Err(header_error("header", "malformed_request")),
    };
    if let Some(unknown) = headers.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(header_error(unknown, "csv_column_unknown"));
    }
    for required in ["agency_code", "name", "kind"] {
        if !headers.iter().any(|h| h == required) {
            return Err(header_error(required, "csv_column_missing"));
        }
    }
    let col = |row: &csv::StringRecord, name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .and_then(|i| row.get(i))
            .map(str::to_owned)
    };
    let (mut records, mut errors) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashMap::new();
    for result in reader.records() {
        let row = match result {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    field: "row".into(),
                    code: "csv_row_malformed".into(),
                });
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let input = OrgInput {
            agency_code: col(&row, "agency_code").unwrap_or_default(),
            name: col(&row, "name").unwrap_or_default(),
            organization_oid: col(&row, "organization_oid"),
            business_id: col(&row, "business_id"),
            institution_code: col(&row, "institution_code"),
            kind: col(&row, "kind").unwrap_or_default(),
        };
        match validate(&input) {
            Ok(r) => {
                if seen.insert(r.agency_code.clone(), line).is_some() {
                    errors.push(RowError {
                        line,
                        field: "agency_code".into(),
                        code: "csv_duplicate_agency_code".into(),
                    });
                }
                records.push(r);
            }
            Err(fields) => errors.extend(fields.into_iter().map(|f| RowError {
                line,
                field: f.field.into(),
                code: f.code.into(),
            })),
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else {
        Err(errors)
    }
}

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
        .ok_or_else(|| Failure::new(StatusCode::NOT_FOUND, "not_found"))?;
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
