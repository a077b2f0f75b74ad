//! CAPTCHA replay protection: a solved challenge is accepted once, on any node.

use crate::{Store, StoreError};

impl Store {
    /// Records a solved CAPTCHA challenge (`key`, e.g. its signature or salt) until
    /// `expires_at`. `true` when newly recorded; `false` means a replay.
    pub async fn mark_captcha_used(&self, key: &str, expires_at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO captcha_used (challenge, expires_at) VALUES ($1, $2) \
             ON CONFLICT (challenge) DO NOTHING",
        )
        .bind(key)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
