//! Consents remembered per account and client (with the scopes granted), and the ids of
//! client assertions already seen (private_key_jwt replay protection).

use sqlx::Row;

use crate::error::is_unique_violation;
use crate::{Store, StoreError};

/// A consent, with the client's name for the member's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentRow {
    pub client_id: String,
    pub client_name: String,
    pub scope: String,
    pub granted_at: i64,
}

impl Store {
    /// The scopes `account_id` consented to for `client_id`, if any.
    pub async fn oidc_consent(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT scope FROM oidc_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.try_get("scope")).transpose()?)
    }

    /// Remembers a consent, replacing an earlier one for the same client.
    pub async fn put_oidc_consent(
        &self,
        account_id: &str,
        client_id: &str,
        scope: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO oidc_consents (account_id, client_id, scope, granted_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, client_id) \
             DO UPDATE SET scope = excluded.scope, granted_at = excluded.granted_at",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(scope)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The account's consents, newest first.
    pub async fn oidc_consents_of(&self, account_id: &str) -> Result<Vec<ConsentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.client_id, k.name, c.scope, c.granted_at FROM oidc_consents c \
             JOIN oidc_clients k ON k.id = c.client_id WHERE c.account_id = $1 \
             ORDER BY c.granted_at DESC, c.client_id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ConsentRow {
                    client_id: r.try_get("client_id")?,
                    client_name: r.try_get("name")?,
                    scope: r.try_get("scope")?,
                    granted_at: r.try_get("granted_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    /// Forgets a consent. `true` when it existed.
    pub async fn delete_oidc_consent(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let done =
            sqlx::query("DELETE FROM oidc_consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a client assertion's `jti` until it expires. `false` when it was seen
    /// before (a replay), on any node.
    pub async fn record_oidc_assertion(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO oidc_assertions (client_id, jti, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(client_id)
        .bind(jti)
        .bind(expires_at)
        .execute(&self.pool)
        .await;
        match done {
            Ok(_) => Ok(true),
            Err(e) if is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
