//! Registered relying parties.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::error::is_unique_violation;
use crate::rows::{flag, to_flag};
use crate::{Store, StoreError};

/// A registered client. (`Debug` leaves out the secret digest.)
#[derive(Clone, PartialEq, Eq)]
pub struct OidcClient {
    pub id: String,
    pub name: String,
    /// SHA-256 (hex) of the secret; `None` for public and private_key_jwt clients.
    pub secret_hash: Option<String>,
    /// `client_secret_basic`, `client_secret_post`, `private_key_jwt` or `none`.
    pub auth_method: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub consent_required: bool,
    pub allow_national_id: bool,
    /// `ES256` or `RS256`.
    pub id_token_alg: String,
    /// The client's public keys (JWKS JSON) for private_key_jwt.
    pub jwks: Option<String>,
    /// Pairwise sector; `None` = the client itself.
    pub sector: Option<String>,
    pub created_at: i64,
}

impl OidcClient {
    /// A public client (no secret; PKCE required).
    pub fn is_public(&self) -> bool {
        self.auth_method == "none"
    }
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("id", &self.id)
            .field("name", &self.name)
            .field(
                "secret_hash",
                &self.secret_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_method", &self.auth_method)
            .field("redirect_uris", &self.redirect_uris)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, name, secret_hash, auth_method, redirect_uris, \
     post_logout_redirect_uris, consent_required, allow_national_id, id_token_alg, jwks, \
     sector, created_at";

fn uris(row: &AnyRow, column: &str) -> sqlx::Result<Vec<String>> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn from_row(row: &AnyRow) -> sqlx::Result<OidcClient> {
    Ok(OidcClient {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        auth_method: row.try_get("auth_method")?,
        redirect_uris: uris(row, "redirect_uris")?,
        post_logout_redirect_uris: uris(row, "post_logout_redirect_uris")?,
        consent_required: flag(row, "consent_required")?,
        allow_national_id: flag(row, "allow_national_id")?,
        id_token_alg: row.try_get("id_token_alg")?,
        jwks: row.try_get("jwks")?,
        sector: row.try_get("sector")?,
        created_at: row.try_get("created_at")?,
    })
}

fn json(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".to_string())
}

impl Store {
    /// Registers a client. `StoreError::UsernameTaken` is never returned; a duplicate id is
    /// `StoreError::Inconsistent`.
    pub async fn create_oidc_client(&self, c: &OidcClient) -> Result<(), StoreError> {
        let sql = format!(
            "INSERT INTO oidc_clients ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        );
        let done = sqlx::query(&sql)
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.secret_hash)
            .bind(&c.auth_method)
            .bind(json(&c.redirect_uris))
            .bind(json(&c.post_logout_redirect_uris))
            .bind(to_flag(c.consent_required))
            .bind(to_flag(c.allow_national_id))
            .bind(&c.id_token_alg)
            .bind(&c.jwks)
            .bind(&c.sector)
            .bind(c.created_at)
            .execute(&self.pool)
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Inconsistent("client id taken")),
            Err(e) => Err(e.into()),
        }
    }

    /// The client with this id.
    pub async fn oidc_client(&self, id: &str) -> Result<Option<OidcClient>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM oidc_clients WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Every client, oldest first.
    pub async fn oidc_clients(&self) -> Result<Vec<OidcClient>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM oidc_clients ORDER BY created_at, id");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// Removes a client with its grants, codes, refresh tokens and consents. `true` when
    /// it existed.
    pub async fn delete_oidc_client(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM oidc_clients WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
