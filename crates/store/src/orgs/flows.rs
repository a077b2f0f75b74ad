//! Multi-step flows kept server-side (registration, replacement, assignment): created, read
//! while live, and moved from one step to the next by compare-and-set, so a double submit or
//! two nodes racing can advance a flow only once.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A flow's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgFlow {
    /// SHA-256 of the flow id the browser holds.
    pub id_hash: String,
    pub kind: String,
    pub step: String,
    /// Digest of the browser's CSRF cookie: the flow answers only that browser.
    pub browser: String,
    pub agency_code: Option<String>,
    /// Step data, JSON (terms download time, the verified cards …).
    pub data: String,
    pub created_at: i64,
    pub expires_at: i64,
}

const FLOW_COLUMNS: &str =
    "id_hash, kind, step, browser, agency_code, data, created_at, expires_at";

fn flow_from_row(row: &AnyRow) -> sqlx::Result<OrgFlow> {
    Ok(OrgFlow {
        id_hash: row.try_get("id_hash")?,
        kind: row.try_get("kind")?,
        step: row.try_get("step")?,
        browser: row.try_get("browser")?,
        agency_code: row.try_get("agency_code")?,
        data: row.try_get("data")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

impl Store {
    /// Stores a new flow.
    pub async fn create_org_flow(&self, f: &OrgFlow) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO org_flows ({FLOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        ))
        .bind(&f.id_hash)
        .bind(&f.kind)
        .bind(&f.step)
        .bind(&f.browser)
        .bind(&f.agency_code)
        .bind(&f.data)
        .bind(f.created_at)
        .bind(f.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The flow, unless it expired by `now`.
    pub async fn org_flow(&self, id_hash: &str, now: i64) -> Result<Option<OrgFlow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {FLOW_COLUMNS} FROM org_flows WHERE id_hash = $1 AND expires_at > $2"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(flow_from_row).transpose()?)
    }

    /// Moves a live flow from step `from` to `to` with new data; `false` (nothing changed)
    /// when it is no longer at `from` or expired.
    pub async fn advance_org_flow(
        &self,
        id_hash: &str,
        from: &str,
        to: &str,
        agency_code: Option<&str>,
        data: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE org_flows SET step = $3, agency_code = $4, data = $5 \
             WHERE id_hash = $1 AND step = $2 AND expires_at > $6",
        )
        .bind(id_hash)
        .bind(from)
        .bind(to)
        .bind(agency_code)
        .bind(data)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a live flow at step `step` and returns it (one caller wins).
    pub async fn take_org_flow(
        &self,
        id_hash: &str,
        step: &str,
        now: i64,
    ) -> Result<Option<OrgFlow>, StoreError> {
        let row = sqlx::query(&format!(
            "DELETE FROM org_flows WHERE id_hash = $1 AND step = $2 AND expires_at > $3 \
             RETURNING {FLOW_COLUMNS}"
        ))
        .bind(id_hash)
        .bind(step)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(flow_from_row).transpose()?)
    }

    /// Cancels a flow. `true` when it existed.
    pub async fn delete_org_flow(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM org_flows WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes expired flows, organization sessions and staff sessions. Returns how many.
    pub async fn purge_org_state(&self, now: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for sql in [
            "DELETE FROM org_flows WHERE expires_at <= $1",
            "DELETE FROM org_sessions WHERE expires_at <= $1",
            "DELETE FROM staff_sessions WHERE expires_at <= $1",
        ] {
            total += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(total)
    }
}
