//! Grants and single-use authorization codes. A grant is one authorization: the tokens its
//! code issued and every refresh token rotated from it (a family, `refresh.rs`). Reuse of a
//! used code is reported so the caller revokes the grant, which ends the whole family.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Store, StoreError};

/// One authorization of a client by an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub account_id: String,
    pub scope: String,
    pub acr: String,
    pub auth_time: i64,
    /// JSON of the acting organization, if any.
    pub organization: Option<String>,
    pub created_at: i64,
    /// End of the family: no refresh token of it lives longer.
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

impl Grant {
    /// Neither revoked nor past its lifetime at `now`.
    pub fn is_live(&self, now: i64) -> bool {
        self.revoked_at.is_none() && self.expires_at > now
    }
}

/// An authorization code (stored by digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub hash: String,
    pub grant_id: String,
    pub redirect_uri: String,
    /// PKCE S256 challenge.
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub expires_at: i64,
}

/// The outcome of redeeming a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// First use: the code and its grant.
    Ok(Box<Code>, Box<Grant>),
    /// The code was used before: revoke this grant.
    Reused { grant_id: String },
    /// Past its expiry, never used.
    Expired,
    /// Unknown.
    Unknown,
}

pub(super) const GRANT_COLUMNS: &str = "id, client_id, account_id, scope, acr, auth_time, organization, \
     created_at, expires_at, revoked_at, revoked_reason";

/// A code from a row with the columns `hash, grant_id, redirect_uri, code_challenge, nonce,
/// expires_at`.
pub(super) fn code_from_row(row: &AnyRow) -> sqlx::Result<Code> {
    Ok(Code {
        hash: row.try_get("hash")?,
        grant_id: row.try_get("grant_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        code_challenge: row.try_get("code_challenge")?,
        nonce: row.try_get("nonce")?,
        expires_at: row.try_get("expires_at")?,
    })
}

pub(super) fn grant_from_row(row: &AnyRow) -> sqlx::Result<Grant> {
    Ok(Grant {
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        account_id: row.try_get("account_id")?,
        scope: row.try_get("scope")?,
        acr: row.try_get("acr")?,
        auth_time: row.try_get("auth_time")?,
        organization: row.try_get("organization")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_reason: row.try_get("revoked_reason")?,
    })
}

impl Store {
    /// Stores a grant and the code that will redeem it, in one transaction.
    pub async fn issue_oidc_code(&self, grant: &Grant, code: &Code) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let sql = format!(
            "INSERT INTO oidc_grants ({GRANT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL)"
        );
        sqlx::query(&sql)
            .bind(&grant.id)
            .bind(&grant.client_id)
            .bind(&grant.account_id)
            .bind(&grant.scope)
            .bind(&grant.acr)
            .bind(grant.auth_time)
            .bind(&grant.organization)
            .bind(grant.created_at)
            .bind(grant.expires_at)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO oidc_codes (hash, grant_id, redirect_uri, code_challenge, nonce, \
             expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&code.hash)
        .bind(&code.grant_id)
        .bind(&code.redirect_uri)
        .bind(&code.code_challenge)
        .bind(&code.nonce)
        .bind(code.expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Redeems a code: marks it used in one statement (of concurrent redeemers exactly one
    /// wins) and returns it with its grant; says whether it was used before or expired.
    pub async fn redeem_oidc_code(&self, hash: &str, now: i64) -> Result<Redeemed, StoreError> {
        let row = sqlx::query(
            "UPDATE oidc_codes SET used_at = $2 \
             WHERE hash = $1 AND used_at IS NULL AND expires_at > $2 \
             RETURNING hash, grant_id, redirect_uri, code_challenge, nonce, expires_at",
        )
        .bind(hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            let row = sqlx::query("SELECT grant_id, used_at FROM oidc_codes WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?;
            return Ok(match row {
                None => Redeemed::Unknown,
                Some(r) => match r.try_get::<Option<i64>, _>("used_at")? {
                    Some(_) => Redeemed::Reused {
                        grant_id: r.try_get("grant_id")?,
                    },
                    None => Redeemed::Expired,
                },
            });
        };
        let code = code_from_row(&row)?;
        match self.oidc_grant(&code.grant_id).await? {
            Some(grant) => Ok(Redeemed::Ok(Box::new(code), Box::new(grant))),
            None => Ok(Redeemed::Unknown),
        }
    }

    /// The grant with this id.
    pub async fn oidc_grant(&self, id: &str) -> Result<Option<Grant>, StoreError> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM oidc_grants WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(grant_from_row).transpose()?)
    }

    /// Revokes a grant (every token of its family). `true` when this call revoked it.
    pub async fn revoke_oidc_grant(
        &self,
        id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE oidc_grants SET revoked_at = $2, revoked_reason = $3 \
             WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every live grant of `account_id` for `client_id`. Returns how many.
    pub async fn revoke_oidc_grants_of(
        &self,
        account_id: &str,
        client_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE oidc_grants SET revoked_at = $3, revoked_reason = $4 \
             WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Revokes every live grant of `account_id`, of every client (e.g. at a password reset).
    /// Returns how many.
    pub async fn revoke_oidc_grants_of_account(
        &self,
        account_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE oidc_grants SET revoked_at = $2, revoked_reason = $3 \
             WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
