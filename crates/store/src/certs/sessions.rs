//! Certificate-only sessions: a verified holder who skipped binding, identified by national ID
//! and certificate, without an account. Looked up by the hash of the cookie value; expired
//! ones are never returned and are purged with the expired challenges.

use sqlx::Row;

use crate::{Store, StoreError};

/// A certificate-only session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSession {
    /// SHA-256 (hex) of the cookie value.
    pub id_hash: String,
    pub national_id: String,
    /// The certificate's subject name.
    pub name: String,
    pub issuer: String,
    pub serial: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// Stores a certificate-only session.
    pub async fn create_cert_session(&self, s: &CertSession) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cert_sessions (id_hash, national_id, name, issuer, serial, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.id_hash)
        .bind(&s.national_id)
        .bind(&s.name)
        .bind(&s.issuer)
        .bind(&s.serial)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session with this hash, unless it expired by `now`.
    pub async fn cert_session(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<CertSession>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, national_id, name, issuer, serial, created_at, expires_at \
             FROM cert_sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(CertSession {
            id_hash: row.try_get("id_hash")?,
            national_id: row.try_get("national_id")?,
            name: row.try_get("name")?,
            issuer: row.try_get("issuer")?,
            serial: row.try_get("serial")?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Ends a certificate-only session. `true` when it existed.
    pub async fn delete_cert_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM cert_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
