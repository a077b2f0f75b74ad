//! Rate limits shared by every node: one row per key counting hits in a fixed window, bumped by
//! one atomic upsert that also starts a new window once the old one is over. Callers choose
//! the keys (e.g. `cert-challenge:ip:203.0.113.9`) and compare the returned count with their
//! limit.

use sqlx::Row;

use crate::{Store, StoreError};

impl Store {
    /// Counts one hit on `key` in the window of `window_secs` that contains `now`; returns the
    /// number of hits in that window, this one included.
    pub async fn hit_rate_limit(
        &self,
        key: &str,
        window_secs: i64,
        now: i64,
    ) -> Result<i64, StoreError> {
        let window = window_secs.max(1);
        let start = now - now.rem_euclid(window);
        let row = sqlx::query(
            "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             hits = CASE WHEN rate_limits.window_start = excluded.window_start \
                    THEN rate_limits.hits + 1 ELSE 1 END, \
             window_start = excluded.window_start \
             RETURNING hits",
        )
        .bind(key)
        .bind(start)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("hits")?)
    }

    /// Takes back one hit on `key` in the window that contains `now` (an attempt counted in
    /// advance that turned out not to count, e.g. a sign-in whose password was right).
    pub async fn refund_rate_limit(
        &self,
        key: &str,
        window_secs: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let window = window_secs.max(1);
        let start = now - now.rem_euclid(window);
        sqlx::query(
            "UPDATE rate_limits SET hits = hits - 1 \
             WHERE key = $1 AND window_start = $2 AND hits > 0",
        )
        .bind(key)
        .bind(start)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes rate-limit rows whose window started before `before`.
    pub async fn purge_rate_limits(&self, before: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }
}
