//! Review cases: organization cards whose identifier did not match the registry, filed with the
//! applicant's contact details, decided once (approve / reject with a reason) by a reviewer.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// `pending`, `approved`, `rejected`.
pub mod status {
    pub const PENDING: &str = "pending";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
}

/// What filing a case stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReviewCase {
    pub agency_code: String,
    pub card_kind: String,
    pub issuer: String,
    pub serial: String,
    pub subject: String,
    pub card_name: String,
    pub card_oid: Option<String>,
    pub card_business_id: Option<String>,
    pub card_institution_code: Option<String>,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub applicant_email: String,
    /// The applicant's language (`zh-TW` / `en`), for the decision mail.
    pub lang: String,
    pub created_at: i64,
}

/// A case as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewCase {
    pub id: String,
    pub case: NewReviewCase,
    pub status: String,
    pub reason: Option<String>,
    pub decided_at: Option<i64>,
    /// Username of the reviewer.
    pub decided_by: Option<String>,
    /// From when an approval lets the card register (the configured wait).
    pub effective_at: Option<i64>,
}

const COLUMNS: &str = "id, agency_code, card_kind, issuer, serial, subject, card_name, card_oid, \
     card_business_id, card_institution_code, applicant_name, applicant_phone, applicant_email, \
     lang, status, reason, created_at, decided_at, decided_by, effective_at";

fn case_from_row(row: &AnyRow) -> sqlx::Result<ReviewCase> {
    Ok(ReviewCase {
        id: row.try_get("id")?,
        case: NewReviewCase {
            agency_code: row.try_get("agency_code")?,
            card_kind: row.try_get("card_kind")?,
            issuer: row.try_get("issuer")?,
            serial: row.try_get("serial")?,
            subject: row.try_get("subject")?,
            card_name: row.try_get("card_name")?,
            card_oid: row.try_get("card_oid")?,
            card_business_id: row.try_get("card_business_id")?,
            card_institution_code: row.try_get("card_institution_code")?,
            applicant_name: row.try_get("applicant_name")?,
            applicant_phone: row.try_get("applicant_phone")?,
            applicant_email: row.try_get("applicant_email")?,
            lang: row.try_get("lang")?,
            created_at: row.try_get("created_at")?,
        },
        status: row.try_get("status")?,
        reason: row.try_get("reason")?,
        decided_at: row.try_get("decided_at")?,
        decided_by: row.try_get("decided_by")?,
        effective_at: row.try_get("effective_at")?,
    })
}

fn cases(rows: &[AnyRow]) -> Result<Vec<ReviewCase>, StoreError> {
    Ok(rows
        .iter()
        .map(case_from_row)
        .collect::<sqlx::Result<_>>()?)
}

impl Store {
    /// Files a pending case.
    pub async fn create_review_case(&self, c: &NewReviewCase) -> Result<ReviewCase, StoreError> {
        let row = sqlx::query(&format!(
            "INSERT INTO org_reviews ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, 'pending', NULL, $15, NULL, NULL, NULL) RETURNING {COLUMNS}"
        ))
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&c.agency_code)
        .bind(&c.card_kind)
        .bind(&c.issuer)
        .bind(&c.serial)
        .bind(&c.subject)
        .bind(&c.card_name)
        .bind(&c.card_oid)
        .bind(&c.card_business_id)
        .bind(&c.card_institution_code)
        .bind(&c.applicant_name)
        .bind(&c.applicant_phone)
        .bind(&c.applicant_email)
        .bind(&c.lang)
        .bind(c.created_at)
        .fetch_one(&self.pool)
        .await?;
        Ok(case_from_row(&row)?)
    }

    /// The newest case about this card for this agency code.
    pub async fn latest_review_for_card(
        &self,
        code: &str,
        issuer: &str,
        serial: &str,
    ) -> Result<Option<ReviewCase>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM org_reviews WHERE agency_code = $1 AND issuer = $2 \
             AND serial = $3 ORDER BY created_at DESC, id DESC LIMIT 1"
        ))
        .bind(code)
        .bind(issuer)
        .bind(serial)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(case_from_row).transpose()?)
    }

    /// Cases with `status` (all when `None`), oldest first, and how many there are.
    pub async fn review_cases(
        &self,
        status: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<ReviewCase>, i64), StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM org_reviews WHERE ($1 = '' OR status = $1) \
             ORDER BY created_at, id LIMIT $2 OFFSET $3"
        ))
        .bind(status.unwrap_or(""))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        let total: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM org_reviews WHERE ($1 = '' OR status = $1)")
                .bind(status.unwrap_or(""))
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
        Ok((cases(&rows)?, total))
    }

    /// One case.
    pub async fn review_case(&self, id: &str) -> Result<Option<ReviewCase>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM org_reviews WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(case_from_row).transpose()?)
    }

    /// Decides a pending case (`approved` or `rejected`); `None` when it is not pending any
    /// more (decided once, whatever races).
    pub async fn decide_review(
        &self,
        id: &str,
        decision: &str,
        reason: Option<&str>,
        by: &str,
        at: i64,
        effective_at: Option<i64>,
    ) -> Result<Option<ReviewCase>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE org_reviews SET status = $2, reason = $3, decided_by = $4, decided_at = $5, \
             effective_at = $6 WHERE id = $1 AND status = 'pending' RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(decision)
        .bind(reason)
        .bind(by)
        .bind(at)
        .bind(effective_at)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(case_from_row).transpose()?)
    }
}
