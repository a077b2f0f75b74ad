//! Reading cases: by id or number, their versions and history, a filer's or an
//! organization's cases, the review queue (keyset-paged, newest sent first), the bookings the
//! overlap rule compares, and the cases whose deadline has come.

use sqlx::{Any, Row};

use super::args::Args;
use super::model::*;
use crate::{Store, StoreError};

/// The `WHERE` clause of the review queue (without the keyset), its values numbered from
/// `$1`. `None` when the filter can match nothing (no counties).
fn queue_where(f: &QueueFilter, args: &mut Args) -> Option<String> {
    if f.counties.is_empty() {
        return None;
    }
    let mut clauses = vec![
        format!("type_id = {}", args.text(&f.type_id)),
        "submitted_at IS NOT NULL".to_owned(),
    ];
    let counties: Vec<String> = f.counties.iter().map(|c| args.text(c)).collect();
    let mut jurisdiction = vec![format!("county IN ({})", counties.join(", "))];
    if f.include_readable {
        jurisdiction.extend(
            counties
                .iter()
                .map(|p| format!("reader_counties LIKE '%,' || {p} || ',%'")),
        );
    }
    clauses.push(format!("({})", jurisdiction.join(" OR ")));
    if !f.statuses.is_empty() {
        let statuses: Vec<String> = f.statuses.iter().map(|s| args.text(s)).collect();
        clauses.push(format!("status IN ({})", statuses.join(", ")));
    }
    if let Some(from) = f.submitted_from {
        clauses.push(format!("submitted_at >= {}", args.int(from)));
    }
    if let Some(to) = f.submitted_to {
        clauses.push(format!("submitted_at < {}", args.int(to)));
    }
    if let Some(institution) = &f.institution {
        clauses.push(format!("institution = {}", args.text(institution)));
    }
    Some(clauses.join(" AND "))
}

impl Store {
    /// The case with this id.
    pub async fn case(&self, id: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = sqlx::query(&format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(case_from_row).transpose()?)
    }

    /// The case with this reference number.
    pub async fn case_by_number(&self, number: &str) -> Result<Option<CaseRecord>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
        ))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(case_from_row).transpose()?)
    }

    /// One version of a case's values.
    pub async fn case_version(
        &self,
        case_id: &str,
        version: i64,
    ) -> Result<Option<CaseVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT case_id, version, values_json, created_at, created_by FROM case_versions \
             WHERE case_id = $1 AND version = $2",
        )
        .bind(case_id)
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(CaseVersion {
            case_id: row.try_get("case_id")?,
            version: row.try_get("version")?,
            values_json: row.try_get("values_json")?,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by")?,
        }))
    }

    /// A case's history, oldest first.
    pub async fn case_events(&self, case_id: &str) -> Result<Vec<CaseEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at, actor_account_id, actor_role, on_behalf, action, from_status, \
             to_status, comment, deadline_at, effective_from FROM case_events \
             WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(event_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// Up to `limit` cases the account filed or that are about the person with
    /// `national_id`, most recently updated first.
    pub async fn cases_for_filer(
        &self,
        account_id: &str,
        national_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let rows = match national_id {
            Some(national_id) => {
                sqlx::query(&format!(
                    "SELECT {CASE_COLUMNS} FROM cases \
                     WHERE filer_account_id = $1 OR subject_national_id = $2 \
                     ORDER BY updated_at DESC, id DESC LIMIT $3"
                ))
                .bind(account_id)
                .bind(national_id)
                .bind(limit.max(0))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE filer_account_id = $1 \
                     ORDER BY updated_at DESC, id DESC LIMIT $2"
                ))
                .bind(account_id)
                .bind(limit.max(0))
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(cases_from_rows(&rows)?)
    }

    /// Up to `limit` cases filed for the organization, most recently updated first.
    pub async fn cases_for_org(
        &self,
        org_code: &str,
        limit: i64,
    ) -> Result<Vec<CaseRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE org_code = $1 \
             ORDER BY updated_at DESC, id DESC LIMIT $2"
        ))
        .bind(org_code)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(cases_from_rows(&rows)?)
    }

    /// A page of the review queue (see [`QueueFilter`]): sent cases, newest sent first
    /// (ties by id, descending), after `filter.before` when given. Cases never sent are never
    /// listed; a filter without counties lists nothing.
    pub async fn review_queue(&self, filter: &QueueFilter) -> Result<Vec<CaseRecord>, StoreError> {
        let mut args = Args::starting_at(1);
        let Some(mut filter_sql) = queue_where(filter, &mut args) else {
            return Ok(Vec::new());
        };
        if let Some((submitted_at, id)) = &filter.before {
            let (at, id) = (args.int(*submitted_at), args.text(id));
            filter_sql.push_str(&format!(" AND (submitted_at, id) < ({at}, {id})"));
        }
        let limit = args.int(filter.limit.max(0));
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {filter_sql} \
             ORDER BY submitted_at DESC, id DESC LIMIT {limit}"
        );
        let rows = args
            .bind(sqlx::query::<Any>(&sql))
            .fetch_all(&self.pool)
            .await?;
        Ok(cases_from_rows(&rows)?)
    }

    /// How many cases the review queue's filter matches (all pages).
    pub async fn count_queue(&self, filter: &QueueFilter) -> Result<i64, StoreError> {
        let mut args = Args::starting_at(1);
        let Some(filter_sql) = queue_where(filter, &mut args) else {
            return Ok(0);
        };
        let sql = format!("SELECT COUNT(*) AS n FROM cases WHERE {filter_sql}");
        let row = args
            .bind(sqlx::query::<Any>(&sql))
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// The bookings of cases of `type_id` for the person with `national_id`, with their
    /// case's number, but those of `exclude_case_id`; by start date.
    pub async fn bookings_of(
        &self,
        type_id: &str,
        national_id: &str,
        exclude_case_id: Option<&str>,
    ) -> Result<Vec<Booking>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.case_id, c.number, b.start_date, b.end_date, b.schedule \
             FROM case_bookings b JOIN cases c ON c.id = b.case_id \
             WHERE b.type_id = $1 AND b.national_id = $2 AND b.case_id <> $3 \
             ORDER BY b.start_date, b.case_id, b.position",
        )
        .bind(type_id)
        .bind(national_id)
        // No case id is empty: '' excludes nothing.
        .bind(exclude_case_id.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Booking {
                    case_id: row.try_get("case_id")?,
                    case_number: row.try_get("number")?,
                    start_date: row.try_get("start_date")?,
                    end_date: row.try_get("end_date")?,
                    schedule: row.try_get("schedule")?,
                })
            })
            .collect()
    }

    /// Up to `limit` cases whose deadline is at or before `now`, the oldest deadline first.
    pub async fn cases_due(&self, now: i64, limit: i64) -> Result<Vec<CaseRecord>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases \
             WHERE deadline_at IS NOT NULL AND deadline_at <= $1 \
             ORDER BY deadline_at, id LIMIT $2"
        ))
        .bind(now)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(cases_from_rows(&rows)?)
    }
}
