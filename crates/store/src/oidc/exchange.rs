//! The token endpoint's code exchange in as few database round trips as the portable SQL
//! allows, all on one pooled connection: spend the code (one `UPDATE … RETURNING`; of
//! concurrent redeemers exactly one wins), read its grant with the account's usability (one
//! `SELECT`), and — when the caller's checks accept — store the refresh token (one
//! `INSERT`). Three statements instead of the five pool round trips of
//! [`Store::redeem_oidc_code`] + account lookup + [`Store::add_oidc_refresh`].

use sqlx::Row;

use super::grants::{GRANT_COLUMNS, grant_from_row};
use super::{Code, Grant, RefreshToken};
use crate::{Store, StoreError};

/// What the caller's checks see of a code just spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub code: Code,
    pub grant: Grant,
    /// The grant's account exists and is not disabled.
    pub account_usable: bool,
}

/// The outcome of [`Store::exchange_oidc_code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchanged<E> {
    /// First use, accepted: the refresh token is stored.
    Issued(Box<Redemption>),
    /// First use, refused by the caller's checks (the code stays spent; nothing stored).
    Refused(E),
    /// The code was used before: revoke this grant.
    Reused { grant_id: String },
    /// Past its expiry, never used.
    Expired,
    /// Unknown (or its grant is gone).
    Unknown,
}

impl Store {
    /// Spends the code `hash` and hands it, its grant and whether the account is usable to
    /// `check`, which either refuses (`Err`) or returns the refresh token to store for the
    /// grant. A code is spent whether or not `check` accepts (single use, RFC 6749 §4.1.2).
    pub async fn exchange_oidc_code<E>(
        &self,
        hash: &str,
        now: i64,
        check: impl FnOnce(&Redemption) -> Result<RefreshToken, E>,
    ) -> Result<Exchanged<E>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(
            "UPDATE oidc_codes SET used_at = $2 \
             WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING hash, grant_id, redirect_uri, code_challenge, nonce, expires_at",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            let row = sqlx::query("SELECT grant_id, used_at FROM oidc_codes WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&mut *conn)
                .await?;
            return Ok(match row {
                None => Exchanged::Unknown,
                Some(r) => match r.try_get::<Option<i64>, _>("used_at")? {
                    Some(_) => Exchanged::Reused {
                        grant_id: r.try_get("grant_id")?,
                    },
                    None => Exchanged::Expired,
                },
            });
        };
        let code = Code {
            hash: row.try_get("hash")?,
            grant_id: row.try_get("grant_id")?,
            redirect_uri: row.try_get("redirect_uri")?,
            code_challenge: row.try_get("code_challenge")?,
            nonce: row.try_get("nonce")?,
            expires_at: row.try_get("expires_at")?,
        };
        // A missing account counts as disabled (it cascades the grant away anyway).
        let sql = format!(
            "SELECT {GRANT_COLUMNS}, COALESCE((SELECT a.disabled FROM accounts a \
             WHERE a.id = oidc_grants.account_id), 1) AS account_disabled \
             FROM oidc_grants WHERE id = $1"
        );
        let Some(row) = sqlx::query(&sql)
            .bind(&code.grant_id)
            .fetch_optional(&mut *conn)
            .await?
        else {
            return Ok(Exchanged::Unknown);
        };
        let redemption = Redemption {
            grant: grant_from_row(&row)?,
            account_usable: row.try_get::<i64, _>("account_disabled")? == 0,
            code,
        };
        let rt = match check(&redemption) {
            Ok(rt) => rt,
            Err(e) => return Ok(Exchanged::Refused(e)),
        };
        sqlx::query(
            "INSERT INTO oidc_refresh_tokens (hash, grant_id, created_at, expires_at, used_at) \
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&rt.hash)
        .bind(&redemption.grant.id)
        .bind(rt.created_at)
        .bind(rt.expires_at.min(redemption.grant.expires_at))
        .execute(&mut *conn)
        .await?;
        Ok(Exchanged::Issued(Box::new(redemption)))
    }
}
