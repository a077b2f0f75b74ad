//! Periodic clean-up of rows whose time is over.

use crate::{Store, StoreError};

impl Store {
    /// Deletes sessions past their absolute expiry, expired tokens, codes and CAPTCHA
    /// records, and sign-in failures of unknown names untouched for 180 days. Returns how many rows went.
    pub async fn purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for sql in [
            "DELETE FROM sessions WHERE expires_at <= $1",
            "DELETE FROM tokens WHERE expires_at <= $1",
            "DELETE FROM codes WHERE expires_at <= $1 AND budget_until <= $1",
            "DELETE FROM captcha_used WHERE expires_at <= $1",
        ] {
            total += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        total += sqlx::query("DELETE FROM login_phantoms WHERE updated_at <= $1")
            .bind(now - crate::PHANTOM_RETENTION_SECS)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(total)
    }
}
