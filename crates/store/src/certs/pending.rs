//! The verified card a browser holds between the steps of a certificate sign-in (the pages:
//! national ID → the accounts registered with it → password): stored under the SHA-256 of a
//! cookie, for a few minutes, so the holder signs (types the PIN) once. The identity is kept
//! as the JSON the caller gives (the store does not depend on tessera-pki).

use sqlx::Row;

use crate::{Store, StoreError};

/// A verified card waiting for the next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingCard {
    /// SHA-256 (hex) of the cookie value.
    pub id_hash: String,
    /// The verified identity, JSON.
    pub identity: String,
    pub not_before: i64,
    pub not_after: i64,
    /// The typed national ID, once it matched the certificate.
    pub national_id: Option<String>,
    /// Usernames the holder removed from the list ("not mine").
    pub removed: Vec<String>,
    pub expires_at: i64,
}

impl Store {
    /// Stores a pending card (replacing one under the same hash).
    pub async fn put_pending_card(&self, p: &PendingCard) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cert_pending WHERE id_hash = $1")
            .bind(&p.id_hash)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO cert_pending (id_hash, identity, not_before, not_after, national_id, \
             removed, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&p.id_hash)
        .bind(&p.identity)
        .bind(p.not_before)
        .bind(p.not_after)
        .bind(&p.national_id)
        .bind(p.removed.join(" "))
        .bind(p.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The pending card under this hash, unless it expired by `now`.
    pub async fn pending_card(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<PendingCard>, StoreError> {
        let row = sqlx::query(
            "SELECT id_hash, identity, not_before, not_after, national_id, removed, expires_at \
             FROM cert_pending WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let removed: String = row.try_get("removed")?;
        Ok(Some(PendingCard {
            id_hash: row.try_get("id_hash")?,
            identity: row.try_get("identity")?,
            not_before: row.try_get("not_before")?,
            not_after: row.try_get("not_after")?,
            national_id: row.try_get("national_id")?,
            removed: removed.split_whitespace().map(str::to_owned).collect(),
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Records the matched national ID and the removed usernames of a pending card.
    pub async fn update_pending_card(
        &self,
        id_hash: &str,
        national_id: Option<&str>,
        removed: &[String],
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE cert_pending SET national_id = $2, removed = $3 WHERE id_hash = $1",
        )
        .bind(id_hash)
        .bind(national_id)
        .bind(removed.join(" "))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes a pending card away (used up or abandoned). `true` when it existed.
    pub async fn delete_pending_card(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM cert_pending WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
