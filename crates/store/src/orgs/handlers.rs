//! Handlers (經辦人) of organizations: add, modify, delete (scoped to the organization), the
//! paged and searchable list (offset paging on the `(agency_code, id)` index, see `bench/orgs`),
//! and the sign-in lookup by national ID.

use sqlx::Row;

use super::model::*;
use crate::error::is_unique_violation;
use crate::{Store, StoreError};

/// The result of writing a handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandlerWrite {
    Written(Handler),
    /// Another handler of the organization has this national ID.
    Duplicate,
    NotFound,
}

/// A handler's assignment as seen at sign-in: the handler row and the organization's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub handler: Handler,
    pub org_name: String,
}

fn written(r: Result<Option<sqlx::any::AnyRow>, sqlx::Error>) -> Result<HandlerWrite, StoreError> {
    match r {
        Ok(Some(row)) => Ok(HandlerWrite::Written(handler_from_row(&row)?)),
        Ok(None) => Ok(HandlerWrite::NotFound),
        Err(e) if is_unique_violation(&e) => Ok(HandlerWrite::Duplicate),
        Err(e) => Err(e.into()),
    }
}

impl Store {
    /// Adds a handler to a registered organization.
    pub async fn add_handler(
        &self,
        code: &str,
        h: &HandlerInput,
        now: i64,
    ) -> Result<HandlerWrite, StoreError> {
        let r = sqlx::query(&format!(
            "INSERT INTO org_handlers (agency_code, national_id, name, cert_serial, permissions, \
             created_at, updated_at) SELECT agency_code, $2, $3, $4, $5, $6, $6 \
             FROM organizations WHERE agency_code = $1 AND registered_at IS NOT NULL \
             RETURNING {HANDLER_COLUMNS}"
        ))
        .bind(code)
        .bind(&h.national_id)
        .bind(&h.name)
        .bind(&h.cert_serial)
        .bind(h.permissions.join(" "))
        .bind(now)
        .fetch_optional(&self.pool)
        .await;
        written(r)
    }

    /// Replaces a handler's fields.
    pub async fn update_handler(
        &self,
        code: &str,
        id: i64,
        h: &HandlerInput,
        now: i64,
    ) -> Result<HandlerWrite, StoreError> {
        let r = sqlx::query(&format!(
            "UPDATE org_handlers SET national_id = $3, name = $4, cert_serial = $5, \
             permissions = $6, updated_at = $7 WHERE agency_code = $1 AND id = $2 \
             RETURNING {HANDLER_COLUMNS}"
        ))
        .bind(code)
        .bind(id)
        .bind(&h.national_id)
        .bind(&h.name)
        .bind(&h.cert_serial)
        .bind(h.permissions.join(" "))
        .bind(now)
        .fetch_optional(&self.pool)
        .await;
        written(r)
    }

    /// Deletes a handler; returns it when it existed.
    pub async fn delete_handler(&self, code: &str, id: i64) -> Result<Option<Handler>, StoreError> {
        let row = sqlx::query(&format!(
            "DELETE FROM org_handlers WHERE agency_code = $1 AND id = $2 RETURNING {HANDLER_COLUMNS}"
        ))
        .bind(code)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(handler_from_row).transpose()?)
    }

    /// One handler of the organization.
    pub async fn handler(&self, code: &str, id: i64) -> Result<Option<Handler>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {HANDLER_COLUMNS} FROM org_handlers WHERE agency_code = $1 AND id = $2"
        ))
        .bind(code)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(handler_from_row).transpose()?)
    }

    /// The organization's handler with this national ID.
    pub async fn handler_by_national_id(
        &self,
        code: &str,
        national_id: &str,
    ) -> Result<Option<Handler>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {HANDLER_COLUMNS} FROM org_handlers WHERE agency_code = $1 AND national_id = $2"
        ))
        .bind(code)
        .bind(national_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(handler_from_row).transpose()?)
    }

    /// Page of the organization's handlers in the order they were added, optionally only
    /// those whose name or national ID contains `search`, with the total that match.
    pub async fn handlers_page(
        &self,
        code: &str,
        search: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> Result<HandlerPage, StoreError> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        let (filter, pattern) = match search {
            Some(s) => (
                " AND (name LIKE $2 ESCAPE '\\' OR national_id LIKE $3 ESCAPE '\\')",
                like_pattern(s),
            ),
            None => (" AND $2 = $3", String::new()),
        };
        // Deferred join: the page's ids come from the (agency_code, id) index alone (an
        // index-only scan skips the offset without touching the table), then only the page's
        // rows are read. LIMIT and OFFSET are integer literals (never user text): a prepared
        // statement's generic plan would otherwise guess the page size and scan the whole table
        // on PostgreSQL. (A window count in the same pass was tried: slower on SQLite.)
        // Measured by bench/orgs.
        let (limit, offset) = (limit.clamp(0, 1000), offset.max(0));
        let rows = sqlx::query(&format!(
            "SELECT {HANDLER_COLUMNS} FROM org_handlers WHERE id IN (SELECT id FROM org_handlers \
             WHERE agency_code = $1{filter} ORDER BY agency_code, id LIMIT {limit} OFFSET {offset}) \
             ORDER BY id"
        ))
        .bind(code)
        .bind(&pattern)
        .bind(pattern.to_uppercase())
        .fetch_all(&self.pool)
        .await?;
        let total: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM org_handlers WHERE agency_code = $1{filter}"
        ))
        .bind(code)
        .bind(&pattern)
        .bind(pattern.to_uppercase())
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        Ok(HandlerPage {
            items: rows
                .iter()
                .map(handler_from_row)
                .collect::<sqlx::Result<_>>()?,
            total,
        })
    }

    /// Every handler of the organization in the order they were added (the CSV export).
    pub async fn all_handlers(&self, code: &str) -> Result<Vec<Handler>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {HANDLER_COLUMNS} FROM org_handlers WHERE agency_code = $1 ORDER BY id"
        ))
        .bind(code)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(handler_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// Every assignment of a person (by national ID) in registered organizations, by agency code.
    pub async fn assignments_of(&self, national_id: &str) -> Result<Vec<Assignment>, StoreError> {
        let cols = HANDLER_COLUMNS
            .split(", ")
            .map(|c| format!("h.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {cols}, o.name AS org_name FROM org_handlers h \
             JOIN organizations o ON o.agency_code = h.agency_code \
             WHERE h.national_id = $1 AND o.registered_at IS NOT NULL ORDER BY h.agency_code"
        ))
        .bind(national_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Assignment {
                    handler: handler_from_row(row)?,
                    org_name: row.try_get("org_name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// How many handlers an organization has (for the back office's detail view).
    pub async fn org_handler_count(&self, code: &str) -> Result<i64, StoreError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM org_handlers WHERE agency_code = $1")
                .bind(code)
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?,
        )
    }
}
