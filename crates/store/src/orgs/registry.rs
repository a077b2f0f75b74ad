//! The organization registry: import in one transaction (re-import updates), single create or
//! edit, lookups and search; and what is registered for an organization (live certificates
//! with history, the manager, receipt records).

use sqlx::Row;

use super::model::*;
use crate::{Store, StoreError};

/// Inserts or updates one entry inside `conn`; tells which happened.
async fn upsert(
    conn: &mut sqlx::AnyConnection,
    r: &OrgRecord,
    now: i64,
) -> Result<Upserted, StoreError> {
    let existing = sqlx::query(
        "SELECT name, organization_oid, business_id, institution_code, kind \
         FROM organizations WHERE agency_code = $1",
    )
    .bind(&r.agency_code)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = existing else {
        sqlx::query(
            "INSERT INTO organizations (agency_code, name, organization_oid, business_id, \
             institution_code, kind, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&r.agency_code)
        .bind(&r.name)
        .bind(&r.organization_oid)
        .bind(&r.business_id)
        .bind(&r.institution_code)
        .bind(&r.kind)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        return Ok(Upserted::Created);
    };
    let same = row.try_get::<String, _>("name")? == r.name
        && row.try_get::<Option<String>, _>("organization_oid")? == r.organization_oid
        && row.try_get::<Option<String>, _>("business_id")? == r.business_id
        && row.try_get::<Option<String>, _>("institution_code")? == r.institution_code
        && row.try_get::<String, _>("kind")? == r.kind;
    if same {
        return Ok(Upserted::Unchanged);
    }
    sqlx::query(
        "UPDATE organizations SET name = $2, organization_oid = $3, business_id = $4, \
         institution_code = $5, kind = $6, updated_at = $7 WHERE agency_code = $1",
    )
    .bind(&r.agency_code)
    .bind(&r.name)
    .bind(&r.organization_oid)
    .bind(&r.business_id)
    .bind(&r.institution_code)
    .bind(&r.kind)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Upserted::Updated)
}

/// Whether an upsert created, changed or left an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    Unchanged,
}

impl Store {
    /// Imports entries in one transaction: all or nothing. Existing agency codes are updated.
    pub async fn import_organizations(
        &self,
        records: &[OrgRecord],
        now: i64,
    ) -> Result<ImportSummary, StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so SQLite takes its write lock at once.
        sqlx::query("UPDATE organizations SET kind = kind WHERE agency_code = ''")
            .execute(&mut *tx)
            .await?;
        let mut summary = ImportSummary::default();
        for r in records {
            match upsert(&mut tx, r, now).await? {
                Upserted::Created => summary.created += 1,
                Upserted::Updated => summary.updated += 1,
                Upserted::Unchanged => summary.unchanged += 1,
            }
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Creates or edits one entry (back office).
    pub async fn upsert_organization(
        &self,
        record: &OrgRecord,
        now: i64,
    ) -> Result<Upserted, StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = upsert(&mut tx, record, now).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// The entry with this agency code (uppercase).
    pub async fn organization(&self, code: &str) -> Result<Option<Organization>, StoreError> {
        let sql = format!("SELECT {ORG_COLUMNS} FROM organizations WHERE agency_code = $1");
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(org_from_row).transpose()?)
    }

    /// The entry with this institution code (e.g. a medical institution's 醫事機構代碼). The
    /// registry does not make institution codes unique: of several entries with the code, the
    /// one with the smallest agency code.
    pub async fn organization_by_institution_code(
        &self,
        code: &str,
    ) -> Result<Option<Organization>, StoreError> {
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organizations WHERE institution_code = $1 \
             ORDER BY agency_code LIMIT 1"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(org_from_row).transpose()?)
    }

    /// Entries whose agency code or name contains `text` (all when empty), by agency code,
    /// and how many match.
    pub async fn search_organizations(
        &self,
        text: &str,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<Organization>, i64), StoreError> {
        let pattern = like_pattern(text.trim());
        let filter = "WHERE agency_code LIKE $1 ESCAPE '\\' OR name LIKE $2 ESCAPE '\\'";
        let sql = format!(
            "SELECT {ORG_COLUMNS} FROM organizations {filter} \
             ORDER BY agency_code LIMIT $3 OFFSET $4"
        );
        let rows = sqlx::query(&sql)
            .bind(pattern.to_uppercase())
            .bind(&pattern)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        let items = rows
            .iter()
            .map(org_from_row)
            .collect::<sqlx::Result<Vec<_>>>()?;
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM organizations {filter}"))
            .bind(pattern.to_uppercase())
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok((items, total))
    }

    /// The live certificate of `role` (`organization` or `manager`).
    pub async fn live_org_cert(
        &self,
        code: &str,
        role: &str,
    ) -> Result<Option<OrgCert>, StoreError> {
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM org_certificates \
             WHERE agency_code = $1 AND role = $2 AND unbound_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(code)
            .bind(role)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(cert_from_row).transpose()?)
    }

    /// The agency code a live organization certificate is registered for.
    pub async fn org_of_certificate(
        &self,
        issuer: &str,
        serial: &str,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT agency_code FROM org_certificates WHERE issuer = $1 AND serial = $2 \
             AND role = 'organization' AND unbound_at IS NULL",
        )
        .bind(issuer)
        .bind(serial)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get("agency_code")).transpose()?)
    }

    /// Every certificate ever registered for the organization, oldest first.
    pub async fn org_cert_history(&self, code: &str) -> Result<Vec<OrgCert>, StoreError> {
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM org_certificates WHERE agency_code = $1 \
             ORDER BY bound_at, role, id"
        );
        let rows = sqlx::query(&sql).bind(code).fetch_all(&self.pool).await?;
        Ok(rows
            .iter()
            .map(cert_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// The manager's contact details.
    pub async fn org_manager(&self, code: &str) -> Result<Option<ManagerContact>, StoreError> {
        let row = sqlx::query(
            "SELECT national_id, name, email, phone, extension, notes FROM org_managers \
             WHERE agency_code = $1",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ManagerContact {
            national_id: row.try_get("national_id")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            phone: row.try_get("phone")?,
            extension: row.try_get("extension")?,
            notes: row.try_get("notes")?,
        }))
    }

    /// The organization's receipt records, oldest first.
    pub async fn org_receipts(&self, code: &str) -> Result<Vec<Receipt>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, agency_code, org_name, item, received_at, detail FROM org_receipts \
             WHERE agency_code = $1 ORDER BY received_at, id",
        )
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(receipt_from_row)
            .collect::<sqlx::Result<_>>()?)
    }
}
