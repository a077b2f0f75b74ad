//! The organization types as stored, with their row decoders.

use sqlx::Row;
use sqlx::any::AnyRow;

/// A registry entry, with its registration state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    pub agency_code: String,
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    /// `agency`, `school`, `organization`, `business`, `medical`, `other`.
    pub kind: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Set by the first registration.
    pub registered_at: Option<i64>,
    /// The organization's own account (username = agency code).
    pub account_id: Option<String>,
}

/// What the registry import and the back office write (validated by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRecord {
    pub agency_code: String,
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    pub kind: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// `organization` (the organization card) or `manager` (the manager's citizen card).
pub mod role {
    pub const ORGANIZATION: &str = "organization";
    pub const MANAGER: &str = "manager";
}

/// A certificate as registered for an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRecord {
    pub issuer: String,
    /// Lowercase hex.
    pub serial: String,
    /// `tessera_pki` kind name (`gca_agency`, `moica_citizen` …).
    pub kind: String,
    pub subject: String,
    /// The certificate's CN.
    pub holder_name: String,
    pub card_number: Option<String>,
    /// The manager's national ID (manager certificates).
    pub national_id: Option<String>,
    pub not_before: i64,
    pub not_after: i64,
}

/// A registered certificate with its history fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgCert {
    pub id: String,
    pub agency_code: String,
    pub role: String,
    pub cert: CertRecord,
    pub bound_at: i64,
    pub unbound_at: Option<i64>,
    pub unbound_reason: Option<String>,
}

/// The authorization manager's contact details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerContact {
    pub national_id: String,
    pub name: String,
    pub email: String,
    /// Canonical landline digits.
    pub phone: String,
    pub extension: Option<String>,
    pub notes: Option<String>,
}

/// A receipt record (收件紀錄).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub id: i64,
    pub agency_code: String,
    /// The organization's name when the record was written.
    pub org_name: String,
    /// `first_registration`, `replace_org`, `replace_manager`, `replace_both`.
    pub item: String,
    pub received_at: i64,
    /// JSON.
    pub detail: Option<String>,
}

/// A handler (經辦人) of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    pub id: i64,
    pub agency_code: String,
    pub national_id: String,
    pub name: String,
    /// Lowercase hex without leading zeros.
    pub cert_serial: String,
    /// Granted function ids.
    pub permissions: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What adding or modifying a handler writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerInput {
    pub national_id: String,
    pub name: String,
    pub cert_serial: String,
    pub permissions: Vec<String>,
}

/// A page of handlers and the total matching the search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerPage {
    pub items: Vec<Handler>,
    pub total: i64,
}

pub(crate) const ORG_COLUMNS: &str = "agency_code, name, organization_oid, business_id, \
     institution_code, kind, created_at, updated_at, registered_at, account_id";

pub(crate) fn org_from_row(row: &AnyRow) -> sqlx::Result<Organization> {
    Ok(Organization {
        agency_code: row.try_get("agency_code")?,
        name: row.try_get("name")?,
        organization_oid: row.try_get("organization_oid")?,
        business_id: row.try_get("business_id")?,
        institution_code: row.try_get("institution_code")?,
        kind: row.try_get("kind")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        registered_at: row.try_get("registered_at")?,
        account_id: row.try_get("account_id")?,
    })
}

pub(crate) const CERT_COLUMNS: &str = "id, agency_code, role, issuer, serial, kind, subject, \
     holder_name, card_number, national_id, not_before, not_after, bound_at, unbound_at, \
     unbound_reason";

pub(crate) fn cert_from_row(row: &AnyRow) -> sqlx::Result<OrgCert> {
    Ok(OrgCert {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        role: row.try_get("role")?,
        cert: CertRecord {
            issuer: row.try_get("issuer")?,
            serial: row.try_get("serial")?,
            kind: row.try_get("kind")?,
            subject: row.try_get("subject")?,
            holder_name: row.try_get("holder_name")?,
            card_number: row.try_get("card_number")?,
            national_id: row.try_get("national_id")?,
            not_before: row.try_get("not_before")?,
            not_after: row.try_get("not_after")?,
        },
        bound_at: row.try_get("bound_at")?,
        unbound_at: row.try_get("unbound_at")?,
        unbound_reason: row.try_get("unbound_reason")?,
    })
}

pub(crate) const HANDLER_COLUMNS: &str =
    "id, agency_code, national_id, name, cert_serial, permissions, created_at, updated_at";

pub(crate) fn handler_from_row(row: &AnyRow) -> sqlx::Result<Handler> {
    let permissions: String = row.try_get("permissions")?;
    Ok(Handler {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        national_id: row.try_get("national_id")?,
        name: row.try_get("name")?,
        cert_serial: row.try_get("cert_serial")?,
        permissions: permissions.split_whitespace().map(str::to_owned).collect(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) fn receipt_from_row(row: &AnyRow) -> sqlx::Result<Receipt> {
    Ok(Receipt {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        org_name: row.try_get("org_name")?,
        item: row.try_get("item")?,
        received_at: row.try_get("received_at")?,
        detail: row.try_get("detail")?,
    })
}

/// `%…%` for LIKE with `\` escaping the wildcards in what the user typed.
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped: String = text
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}
