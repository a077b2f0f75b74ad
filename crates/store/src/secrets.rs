//! Secrets that every node must share, such as the CAPTCHA signing key: created once by the
//! first node that asks, then read by all.

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// The secret called `name`; created with 256 random bits when it does not exist yet.
    /// Concurrent first calls on several nodes all get the same value.
    pub async fn shared_secret(&self, name: &str) -> Result<String, StoreError> {
        let candidate = hex::encode(rand::random::<[u8; 32]>());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        sqlx::query(
            "INSERT INTO shared_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&candidate)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM shared_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("value")?)
    }
}
