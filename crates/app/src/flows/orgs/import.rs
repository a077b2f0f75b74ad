//! Reading the operators' registry CSV (columns by header name; every bad row reported with its
//! line number, so the caller imports all or nothing) and validating an entry (CSV row or
//! back-office form).

use serde::Deserialize;
use tessera_core::org::ids::org_name;
use tessera_core::org::{AgencyCode, BusinessId, InstitutionCode, OrgKind, OrganizationOid};
use tessera_core::{FieldError, Lang, message};
use tessera_store::orgs::OrgRecord;
use utoipa::ToSchema;

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
