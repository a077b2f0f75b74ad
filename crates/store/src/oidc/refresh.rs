//! Refresh tokens: stored by digest, rotated at every use in one transaction; a rotated token
//! presented again is reported so the caller revokes its family (the grant).

use sqlx::Row;

use super::Grant;
use super::grants::{GRANT_COLUMNS, grant_from_row};
use crate::{Store, StoreError};

/// A refresh token (stored by digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub hash: String,
    pub grant_id: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The outcome of rotating a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotated {
    /// The old token is spent, the new one stored: the grant it belongs to.
    Ok(Box<Grant>),
    /// The token was rotated before: revoke this grant (the family).
    Reused { grant_id: String },
    /// Unknown or expired.
    Invalid,
}

impl Store {
    /// Stores a refresh token.
    pub async fn add_oidc_refresh(&self, t: &RefreshToken) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_refresh_tokens (hash, grant_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&t.hash)
        .bind(&t.grant_id)
        .bind(t.created_at)
        .bind(t.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Rotates a refresh token: spends `old_hash` (one statement; exactly one of concurrent
    /// callers wins) and stores `new` in the same family, in one transaction.
    pub async fn rotate_oidc_refresh(
        &self,
        old_hash: &str,
        new: &RefreshToken,
        now: i64,
    ) -> Result<Rotated, StoreError> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "UPDATE oidc_refresh_tokens SET used_at = $2 \
             WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING grant_id",
        )
        .bind(old_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            let row =
                sqlx::query("SELECT grant_id, used_at FROM oidc_refresh_tokens WHERE hash = $1")
                    .bind(old_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
            tx.commit().await?;
            return Ok(match row {
                Some(r) if r.try_get::<Option<i64>, _>("used_at")?.is_some() => Rotated::Reused {
                    grant_id: r.try_get("grant_id")?,
                },
                _ => Rotated::Invalid,
            });
        };
        let grant_id: String = row.try_get("grant_id")?;
        let sql = format!("SELECT {GRANT_COLUMNS} FROM oidc_grants WHERE id = $1");
        let grant = sqlx::query(&sql)
            .bind(&grant_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(grant_from_row)
            .transpose()?;
        let Some(grant) = grant.filter(|g| g.is_live(now)) else {
            tx.commit().await?;
            return Ok(Rotated::Invalid);
        };
        sqlx::query(
            "INSERT INTO oidc_refresh_tokens (hash, grant_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&new.hash)
        .bind(&grant.id)
        .bind(new.created_at)
        .bind(new.expires_at.min(grant.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Rotated::Ok(Box::new(grant)))
    }

    /// The grant of a live (unused, unexpired) refresh token, for revocation and
    /// introspection.
    pub async fn oidc_refresh_grant(
        &self,
        hash: &str,
        now: i64,
    ) -> Result<Option<(Grant, i64)>, StoreError> {
        let row = sqlx::query(
            "SELECT grant_id, expires_at FROM oidc_refresh_tokens \
             WHERE hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let grant_id: String = row.try_get("grant_id")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        Ok(self.oidc_grant(&grant_id).await?.map(|g| (g, expires_at)))
    }
}
