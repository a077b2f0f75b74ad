//! Upstream sign-ins in flight, shared by every node: the `state` of an authorization request
//! (with its nonce, PKCE verifier and the browser it belongs to), taken at most once at the
//! callback; and verified external identities that have no account yet, waiting for their
//! holder to bind one with a password or to register. Both expire; [`Store::purge_upstream`]
//! removes the stale ones.

use sqlx::Row;

use crate::rows::{flag, to_flag};
use crate::{Store, StoreError};

/// An authorization request sent to an upstream. (`Debug` leaves out the nonce and verifier.)
#[derive(Clone, PartialEq, Eq)]
pub struct UpstreamState {
    /// SHA-256 (hex) of the `state` value.
    pub state_hash: String,
    /// The configured provider's id.
    pub provider: String,
    /// Digest of the browser's flow cookie.
    pub browser_hash: String,
    pub nonce: String,
    /// PKCE `code_verifier`.
    pub code_verifier: String,
    /// `login` or `link`.
    pub purpose: String,
    /// For `link`: the signed-in account the identity is to be linked to.
    pub account_id: Option<String>,
    /// A local path to go to afterwards.
    pub next_path: Option<String>,
    pub expires_at: i64,
}

impl std::fmt::Debug for UpstreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamState")
            .field("provider", &self.provider)
            .field("purpose", &self.purpose)
            .field("account_id", &self.account_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// A verified external identity with no account yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingIdentity {
    /// SHA-256 (hex) of the cookie value.
    pub id_hash: String,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// Whether the upstream said it verified `email`.
    pub email_verified: bool,
    pub name: Option<String>,
    pub next_path: Option<String>,
    pub expires_at: i64,
}

const STATE_COLUMNS: &str = "state_hash, provider, browser_hash, nonce, code_verifier, purpose, \
     account_id, next_path, expires_at";
const PENDING_COLUMNS: &str =
    "id_hash, provider, issuer, subject, email, email_verified, name, next_path, expires_at";

impl Store {
    /// Stores an authorization request.
    pub async fn insert_upstream_state(&self, s: &UpstreamState) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO upstream_states ({STATE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        sqlx::query(&sql)
            .bind(&s.state_hash)
            .bind(&s.provider)
            .bind(&s.browser_hash)
            .bind(&s.nonce)
            .bind(&s.code_verifier)
            .bind(&s.purpose)
            .bind(&s.account_id)
            .bind(&s.next_path)
            .bind(s.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes and returns a request in one statement: of concurrent callbacks (on any node)
    /// exactly one gets it. Expired ones are returned too, so the caller can say "expired".
    pub async fn take_upstream_state(
        &self,
        state_hash: &str,
    ) -> Result<Option<UpstreamState>, StoreError> {
        let sql =
            format!("DELETE FROM upstream_states WHERE state_hash = $1 RETURNING {STATE_COLUMNS}");
        let row = sqlx::query(&sql)
            .bind(state_hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(UpstreamState {
            state_hash: row.try_get("state_hash")?,
            provider: row.try_get("provider")?,
            browser_hash: row.try_get("browser_hash")?,
            nonce: row.try_get("nonce")?,
            code_verifier: row.try_get("code_verifier")?,
            purpose: row.try_get("purpose")?,
            account_id: row.try_get("account_id")?,
            next_path: row.try_get("next_path")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Stores a verified identity waiting for an account.
    pub async fn insert_upstream_pending(&self, p: &PendingIdentity) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO upstream_pending ({PENDING_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        );
        sqlx::query(&sql)
            .bind(&p.id_hash)
            .bind(&p.provider)
            .bind(&p.issuer)
            .bind(&p.subject)
            .bind(&p.email)
            .bind(to_flag(p.email_verified))
            .bind(&p.name)
            .bind(&p.next_path)
            .bind(p.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The waiting identity with this hash, unless it expired by `now`.
    pub async fn upstream_pending(
        &self,
        id_hash: &str,
        now: i64,
    ) -> Result<Option<PendingIdentity>, StoreError> {
        let sql = format!(
            "SELECT {PENDING_COLUMNS} FROM upstream_pending WHERE id_hash = $1 AND expires_at > $2"
        );
        let row = sqlx::query(&sql)
            .bind(id_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(PendingIdentity {
            id_hash: row.try_get("id_hash")?,
            provider: row.try_get("provider")?,
            issuer: row.try_get("issuer")?,
            subject: row.try_get("subject")?,
            email: row.try_get("email")?,
            email_verified: flag(&row, "email_verified")?,
            name: row.try_get("name")?,
            next_path: row.try_get("next_path")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Deletes a waiting identity (once bound or registered). `true` for exactly one caller.
    pub async fn delete_upstream_pending(&self, id_hash: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM upstream_pending WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes expired requests and waiting identities. Returns how many rows went.
    pub async fn purge_upstream(&self, now: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for sql in [
            "DELETE FROM upstream_states WHERE expires_at <= $1",
            "DELETE FROM upstream_pending WHERE expires_at <= $1",
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
