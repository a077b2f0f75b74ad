//! Authorization requests kept while the member signs in, steps up or consents.

use sqlx::Row;

use crate::{Store, StoreError};

/// An authorization request waiting for sign-in, step-up or consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub id: String,
    pub client_id: String,
    /// The validated request, JSON.
    pub params: String,
    /// `prompt=login`: only a sign-in at or after this time serves the request.
    pub login_after: Option<i64>,
    pub expires_at: i64,
}

impl Store {
    /// Stores a pending authorization request.
    pub async fn create_oidc_request(&self, r: &AuthRequest) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_auth_requests (id, client_id, params, login_after, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&r.id)
        .bind(&r.client_id)
        .bind(&r.params)
        .bind(r.login_after)
        .bind(r.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The pending request with this id, unless expired.
    pub async fn oidc_request(
        &self,
        id: &str,
        now: i64,
    ) -> Result<Option<AuthRequest>, StoreError> {
        let row = sqlx::query(
            "SELECT id, client_id, params, login_after, expires_at FROM oidc_auth_requests \
             WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(AuthRequest {
            id: row.try_get("id")?,
            client_id: row.try_get("client_id")?,
            params: row.try_get("params")?,
            login_after: row.try_get("login_after")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Deletes a pending request once answered. `true` for exactly one caller.
    pub async fn delete_oidc_request(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM oidc_auth_requests WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
