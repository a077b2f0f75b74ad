//! Signing keys, shared by all nodes, with rotation: the newest unretired key of an
//! algorithm signs; a retired key stays published until `publish_until`.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// A signing key. (`Debug` never prints the private key.)
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    /// `ES256` or `RS256`.
    pub alg: String,
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    /// The public key as a JWK (JSON).
    pub public_jwk: String,
    pub created_at: i64,
    pub retired_at: Option<i64>,
    pub publish_until: Option<i64>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("private_pem", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("retired_at", &self.retired_at)
            .field("publish_until", &self.publish_until)
            .finish()
    }
}

const COLUMNS: &str = "kid, alg, private_pem, public_jwk, created_at, retired_at, publish_until";

fn from_row(row: &AnyRow) -> sqlx::Result<SigningKey> {
    Ok(SigningKey {
        kid: row.try_get("kid")?,
        alg: row.try_get("alg")?,
        private_pem: row.try_get("private_pem")?,
        public_jwk: row.try_get("public_jwk")?,
        created_at: row.try_get("created_at")?,
        retired_at: row.try_get("retired_at")?,
        publish_until: row.try_get("publish_until")?,
    })
}

impl Store {
    /// Every key still published at `now` (active and retired), newest first.
    pub async fn oidc_keys(&self, now: i64) -> Result<Vec<SigningKey>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM oidc_keys WHERE publish_until IS NULL OR publish_until > $1 \
             ORDER BY created_at DESC, kid DESC"
        );
        let rows = sqlx::query(&sql).bind(now).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Adds a key as the active one of its algorithm and retires the previously active ones
    /// of that algorithm, which stay published until `publish_until`. One transaction.
    /// Returns the kids retired.
    pub async fn rotate_oidc_key(
        &self,
        key: &SigningKey,
        publish_until: i64,
    ) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let retired = sqlx::query(
            "UPDATE oidc_keys SET retired_at = $2, publish_until = $3 \
             WHERE alg = $1 AND retired_at IS NULL RETURNING kid",
        )
        .bind(&key.alg)
        .bind(key.created_at)
        .bind(publish_until)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("kid"))
        .collect::<Result<Vec<_>, _>>()?;
        let sql =
            format!("INSERT INTO oidc_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL, NULL)");
        sqlx::query(&sql)
            .bind(&key.kid)
            .bind(&key.alg)
            .bind(&key.private_pem)
            .bind(&key.public_jwk)
            .bind(key.created_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(retired)
    }

    /// Adds a key only when its algorithm has no active key yet (first start). Several
    /// nodes may race; each inserts at most one key and the newest signs.
    pub async fn add_oidc_key_if_none(&self, key: &SigningKey) -> Result<bool, StoreError> {
        let sql = format!(
            "INSERT INTO oidc_keys ({COLUMNS}) SELECT $1, $2, $3, $4, $5, NULL, NULL \
             WHERE NOT EXISTS (SELECT 1 FROM oidc_keys WHERE alg = $6 AND retired_at IS NULL)"
        );
        let done = sqlx::query(&sql)
            .bind(&key.kid)
            .bind(&key.alg)
            .bind(&key.private_pem)
            .bind(&key.public_jwk)
            .bind(key.created_at)
            .bind(&key.alg)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
