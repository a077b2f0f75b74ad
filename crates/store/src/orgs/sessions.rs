//! Organization sessions, shared by every node: a handler's session (signed in with the citizen
//! card, then acting for one organization) and the short assignment session a manager opens
//! with both certificates. Looked up by the SHA-256 of the cookie value; idle and absolute
//! timeouts applied in the same statement that touches the session.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// `handler` or `assignment`.
pub mod session_kind {
    pub const HANDLER: &str = "handler";
    pub const ASSIGNMENT: &str = "assignment";
}

/// A handler or assignment session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSession {
    pub id_hash: String,
    pub kind: String,
    /// The person signed in (handler, or the manager).
    pub national_id: String,
    pub name: String,
    /// The certificate used.
    pub issuer: String,
    pub serial: String,
    /// The organization acted for (a handler with several chooses after sign-in).
    pub agency_code: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

const COLUMNS: &str = "id_hash, kind, national_id, name, issuer, serial, agency_code, \
     created_at, last_seen_at, expires_at";

fn from_row(row: &AnyRow) -> sqlx::Result<OrgSession> {
    Ok(OrgSession {
        id_hash: row.try_get("id_hash")?,
        kind: row.try_get("kind")?,
        national_id: row.try_get("national_id")?,
        name: row.try_get("name")?,
        issuer: row.try_get("issuer")?,
        serial: row.try_get("serial")?,
        agency_code: row.try_get("agency_code")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
    })
}

impl Store {
    /// Stores a session.
    pub async fn create_org_session(&self, s: &OrgSession) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO org_sessions ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(&s.id_hash)
        .bind(&s.kind)
        .bind(&s.national_id)
        .bind(&s.name)
        .bind(&s.issuer)
        .bind(&s.serial)
        .bind(&s.agency_code)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The live session of `kind` with this hash; `None` when absent, of another kind, past
    /// its expiry or idle for `idle_secs` or more. The idle clock is written at most once a
    /// minute (a read per request, not a write).
    pub async fn org_session_if_live(
        &self,
        id_hash: &str,
        kind: &str,
        now: i64,
        idle_secs: i64,
    ) -> Result<Option<OrgSession>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM org_sessions WHERE id_hash = $1 AND kind = $2 \
             AND expires_at > $3 AND last_seen_at > $4"
        ))
        .bind(id_hash)
        .bind(kind)
        .bind(now)
        .bind(now.saturating_sub(idle_secs))
        .fetch_optional(&self.pool)
        .await?;
        let Some(mut s) = row.as_ref().map(from_row).transpose()? else {
            return Ok(None);
        };
        if now - s.last_seen_at >= crate::TOUCH_EVERY_SECS {
            sqlx::query("UPDATE org_sessions SET last_seen_at = $2 WHERE id_hash = $1")
                .bind(id_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
            s.last_seen_at = now;
        }
        Ok(Some(s))
    }

    /// Sets the organization a handler session acts for.
    pub async fn set_org_session_agency(
        &self,
        id_hash: &str,
        code: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE org_sessions SET agency_code = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(code)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a session. `true` when it existed.
    pub async fn delete_org_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM org_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
