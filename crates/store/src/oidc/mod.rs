//! Storage of the OpenID Connect provider, shared by every node: registered clients
//! (`clients`), signing keys with rotation (`keys`), pending authorization requests, grants
//! with their single-use codes and rotating refresh tokens (`grants`; the token endpoint's
//! code exchange on one connection in `exchange`), consents and used
//! client-assertion ids (`consents`). Secrets (client secrets, codes, refresh tokens) are
//! stored only as SHA-256 digests made by the caller.

mod clients;
mod consents;
mod exchange;
mod exchange_batch;
mod exchange_types;
mod grants;
mod keys;
mod refresh;
mod requests;

pub use clients::OidcClient;
pub use consents::ConsentRow;
pub(crate) use exchange::ExchangeQueue;
pub use exchange_types::{CodeExchange, ExchangeCheck, Exchanged, Redemption};
pub use grants::{Code, Grant, Redeemed};
pub use keys::SigningKey;
pub use refresh::{RefreshToken, Rotated};
pub use requests::AuthRequest;

use crate::{Store, StoreError};

impl Store {
    /// Deletes expired OpenID Connect rows: requests, codes, refresh tokens, grants past
    /// their family lifetime, assertion ids, keys no longer published. Returns how many.
    pub async fn purge_oidc(&self, now: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for sql in [
            "DELETE FROM oidc_auth_requests WHERE expires_at <= $1",
            // Used codes are kept an hour past expiry so a late replay is still recognised.
            "DELETE FROM oidc_codes WHERE expires_at <= $1 - 3600",
            "DELETE FROM oidc_refresh_tokens WHERE expires_at <= $1",
            "DELETE FROM oidc_grants WHERE expires_at <= $1",
            "DELETE FROM oidc_assertions WHERE expires_at <= $1",
            "DELETE FROM oidc_keys WHERE publish_until IS NOT NULL AND publish_until <= $1",
        ] {
            total += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(total)
    }
}
