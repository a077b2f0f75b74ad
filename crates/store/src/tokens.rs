//! Single-use tokens (email verification and reset links) and short codes (SMS), both
//! consumed atomically so that exactly one of many concurrent users wins.

use sqlx::Row;

use crate::{Store, StoreError};

/// A single-use token. Store only a hash of what the link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Hash (e.g. SHA-256 hex) of the secret in the link.
    pub hash: String,
    /// What it is for, e.g. `email-verification`, `password-reset`.
    pub purpose: String,
    /// The account it acts on.
    pub account_id: String,
    /// Purpose-specific data (e.g. the email address being verified).
    pub data: Option<String>,
    /// Expiry (unix seconds).
    pub expires_at: i64,
}

/// Stores `token` inside the caller's transaction `conn` (see [`Store::create_token`]).
pub(crate) async fn insert_token(
    conn: &mut sqlx::AnyConnection,
    token: &Token,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO tokens (hash, purpose, account_id, data, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&token.hash)
    .bind(&token.purpose)
    .bind(&token.account_id)
    .bind(&token.data)
    .bind(token.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Stores a token.
    pub async fn create_token(&self, token: &Token) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert_token(&mut conn, token).await
    }

    /// Consumes a token: deletes and returns it if it exists for `purpose` and has not
    /// expired. One statement; of many concurrent takers exactly one gets it.
    pub async fn take_token(
        &self,
        hash: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Option<Token>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3 \
             RETURNING hash, purpose, account_id, data, expires_at",
        )
        .bind(hash)
        .bind(purpose)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Token {
            hash: row.try_get("hash")?,
            purpose: row.try_get("purpose")?,
            account_id: row.try_get("account_id")?,
            data: row.try_get("data")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Whether a token exists for `purpose` and has not expired, without consuming it (a link's
    /// landing page checks it before showing its form). Read-only: asking changes nothing.
    pub async fn token_is_live(
        &self,
        hash: &str,
        purpose: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT 1 AS live FROM tokens WHERE hash = $1 AND purpose = $2 AND expires_at > $3",
        )
        .bind(hash)
        .bind(purpose)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// The data of an account's newest live token for `purpose` (e.g. the address a pending
    /// email verification link was sent to).
    pub async fn live_token_data(
        &self,
        account_id: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT data FROM tokens WHERE account_id = $1 AND purpose = $2 AND expires_at > $3 \
             ORDER BY expires_at DESC LIMIT 1",
        )
        .bind(account_id)
        .bind(purpose)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(row.try_get("data")?),
            None => Ok(None),
        }
    }

    /// Deletes an account's tokens for `purpose` (e.g. older reset links once a new one is
    /// sent or the password is reset). Returns how many.
    pub async fn delete_tokens(&self, account_id: &str, purpose: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM tokens WHERE account_id = $1 AND purpose = $2")
            .bind(account_id)
            .bind(purpose)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Stores a short code for (account, purpose), replacing any previous one. Its tries come
    /// from a budget that a resend does not refill: while the budget's window (opened by the
    /// first code, `budget_secs` long) lasts, a new code keeps the tries the old one had left
    /// (or `attempts`, if fewer). Only a code used successfully, or the window's end, brings
    /// fresh tries, so guesses are not multiplied by asking for codes again.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_code(
        &self,
        account_id: &str,
        purpose: &str,
        code_hash: &str,
        expires_at: i64,
        attempts: i64,
        now: i64,
        budget_secs: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO codes (account_id, purpose, code_hash, expires_at, attempts, budget_until) \
             VALUES ($1, $2, $3, $4, $5, $7) \
             ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
             expires_at = excluded.expires_at, \
             attempts = CASE WHEN codes.budget_until > $6 AND codes.attempts < excluded.attempts \
                        THEN codes.attempts ELSE excluded.attempts END, \
             budget_until = CASE WHEN codes.budget_until > $6 THEN codes.budget_until \
                            ELSE excluded.budget_until END",
        )
        .bind(account_id)
        .bind(purpose)
        .bind(code_hash)
        .bind(expires_at)
        .bind(attempts)
        .bind(now)
        .bind(now + budget_secs.max(0))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Spends one attempt on the code for (account, purpose) and returns its hash and the
    /// attempts left after this one; `None` when there is no code, it expired, or no
    /// attempt is left. The caller compares in constant time and, on a match, calls
    /// [`Store::delete_code`] (whose `true` marks the one winner).
    pub async fn try_code(
        &self,
        account_id: &str,
        purpose: &str,
        now: i64,
    ) -> Result<Option<(String, i64)>, StoreError> {
        let row = sqlx::query(
            "UPDATE codes SET attempts = attempts - 1 \
             WHERE account_id = $1 AND purpose = $2 AND attempts > 0 AND expires_at > $3 \
             RETURNING code_hash, attempts",
        )
        .bind(account_id)
        .bind(purpose)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((row.try_get("code_hash")?, row.try_get("attempts")?)))
    }

    /// Deletes the code for (account, purpose). `true` for exactly one caller.
    pub async fn delete_code(&self, account_id: &str, purpose: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM codes WHERE account_id = $1 AND purpose = $2")
            .bind(account_id)
            .bind(purpose)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
