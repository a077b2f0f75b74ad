//! Certificate sign-in state every node must share: issued challenges (taken at most once,
//! atomically), certificates bound to accounts with their history (unbinding keeps the row
//! with `unbound_at`), "not mine" reports from the binding screen, and the lookups the flows
//! need (accounts by national ID, the account of a bound certificate); certificate-only
//! sessions in `sessions`.

mod pending;
mod sessions;

pub use pending::PendingCard;
pub use sessions::CertSession;

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::account_model::{ACCOUNT_COLUMNS, account_from_row};
use crate::error::is_unique_violation;
use crate::{Account, Store, StoreError};

/// An issued challenge (mirrors `tessera_pki::Challenge`, without depending on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertChallenge {
    /// Random identifier given to the browser.
    pub id: String,
    /// The bytes to be signed.
    pub bytes: Vec<u8>,
    /// `register`, `login`, `bind`, `reset` …
    pub purpose: String,
    /// Digest of what identifies the browser (its CSRF cookie).
    pub session_binding: String,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// A certificate bound (now or formerly) to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundCert {
    pub id: String,
    pub account_id: String,
    /// Issuer DN, one line.
    pub issuer: String,
    /// Serial, lowercase hex.
    pub serial: String,
    /// Holder kind (`moica_citizen`, `hca_personnel` …).
    pub kind: String,
    /// Subject DN, one line.
    pub subject: String,
    pub not_before: i64,
    pub not_after: i64,
    pub bound_at: i64,
    /// Set once unbound (by the owner, or replaced by a renewed certificate).
    pub unbound_at: Option<i64>,
    /// `unbound` (by the owner) or `replaced` (renewal).
    pub unbound_reason: Option<String>,
}

/// What binding a certificate supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBinding {
    pub account_id: String,
    pub issuer: String,
    pub serial: String,
    pub kind: String,
    pub subject: String,
    pub not_before: i64,
    pub not_after: i64,
    pub bound_at: i64,
}

/// The result of [`Store::bind_certificate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindOutcome {
    /// Bound; `replaced` lists the account's certificates of the same kind it superseded.
    Bound {
        cert: BoundCert,
        replaced: Vec<BoundCert>,
    },
    /// Already bound to this very account: nothing changed.
    AlreadyBound(BoundCert),
    /// Bound to another account: refused.
    BoundElsewhere,
}

/// A "this account is not mine" report, recorded for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertReport {
    pub id: String,
    pub account_id: String,
    pub reporter_issuer: String,
    pub reporter_serial: String,
    pub reporter_name: String,
    pub reported_at: i64,
}

const CERT_COLUMNS: &str = "id, account_id, issuer, serial, kind, subject, not_before, \
     not_after, bound_at, unbound_at, unbound_reason";

fn cert_from_row(row: &AnyRow) -> sqlx::Result<BoundCert> {
    Ok(BoundCert {
        id: row.try_get("id")?,
        account_id: row.try_get("account_id")?,
        issuer: row.try_get("issuer")?,
        serial: row.try_get("serial")?,
        kind: row.try_get("kind")?,
        subject: row.try_get("subject")?,
        not_before: row.try_get("not_before")?,
        not_after: row.try_get("not_after")?,
        bound_at: row.try_get("bound_at")?,
        unbound_at: row.try_get("unbound_at")?,
        unbound_reason: row.try_get("unbound_reason")?,
    })
}

impl Store {
    /// Stores an issued challenge.
    pub async fn insert_cert_challenge(&self, c: &CertChallenge) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cert_challenges (id, bytes_hex, purpose, session_binding, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&c.id)
        .bind(hex::encode(&c.bytes))
        .bind(&c.purpose)
        .bind(&c.session_binding)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes and returns a challenge in one statement: of concurrent takers (on any node)
    /// exactly one gets it. Expired ones are returned too, so the caller can say "expired".
    pub async fn take_cert_challenge(&self, id: &str) -> Result<Option<CertChallenge>, StoreError> {
        let row = sqlx::query(
            "DELETE FROM cert_challenges WHERE id = $1 \
             RETURNING id, bytes_hex, purpose, session_binding, expires_at",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let bytes_hex: String = row.try_get("bytes_hex")?;
        let bytes = hex::decode(&bytes_hex)
            .map_err(|_| StoreError::Inconsistent("challenge bytes are not hex"))?;
        Ok(Some(CertChallenge {
            id: row.try_get("id")?,
            bytes,
            purpose: row.try_get("purpose")?,
            session_binding: row.try_get("session_binding")?,
            expires_at: row.try_get("expires_at")?,
        }))
    }

    /// Deletes challenges that expired before `now`, expired certificate-only sessions and
    /// pending cards, and rate-limit windows older than a day.
    /// Returns how many rows went.
    pub async fn purge_cert_challenges(&self, now: i64) -> Result<u64, StoreError> {
        let mut total = 0;
        for sql in [
            "DELETE FROM cert_challenges WHERE expires_at < $1",
            "DELETE FROM cert_sessions WHERE expires_at <= $1",
            "DELETE FROM cert_pending WHERE expires_at <= $1",
        ] {
            total += sqlx::query(sql)
                .bind(now)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        total += self.purge_rate_limits(now - 86_400).await?;
        Ok(total)
    }

    /// Binds a certificate to an account. A live certificate of the same kind on that account
    /// is unbound with reason `replaced` (renewal: the history keeps the old serial).
    pub async fn bind_certificate(&self, b: &NewBinding) -> Result<BindOutcome, StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so SQLite takes its write lock at once (no upgrade from a read).
        sqlx::query("UPDATE certificates SET kind = kind WHERE account_id = $1")
            .bind(&b.account_id)
            .execute(&mut *tx)
            .await?;
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM certificates \
             WHERE issuer = $1 AND serial = $2 AND unbound_at IS NULL"
        );
        let live = sqlx::query(&sql)
            .bind(&b.issuer)
            .bind(&b.serial)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(row) = live {
            let cert = cert_from_row(&row)?;
            return Ok(if cert.account_id == b.account_id {
                BindOutcome::AlreadyBound(cert)
            } else {
                BindOutcome::BoundElsewhere
            });
        }
        let sql = format!(
            "UPDATE certificates SET unbound_at = $3, unbound_reason = 'replaced' \
             WHERE account_id = $1 AND kind = $2 AND unbound_at IS NULL RETURNING {CERT_COLUMNS}"
        );
        let replaced = sqlx::query(&sql)
            .bind(&b.account_id)
            .bind(&b.kind)
            .bind(b.bound_at)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(cert_from_row)
            .collect::<sqlx::Result<Vec<_>>>()?;
        let sql = format!(
            "INSERT INTO certificates (id, account_id, issuer, serial, kind, subject, \
             not_before, not_after, bound_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING {CERT_COLUMNS}"
        );
        let inserted = sqlx::query(&sql)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&b.account_id)
            .bind(&b.issuer)
            .bind(&b.serial)
            .bind(&b.kind)
            .bind(&b.subject)
            .bind(b.not_before)
            .bind(b.not_after)
            .bind(b.bound_at)
            .fetch_one(&mut *tx)
            .await;
        let row = match inserted {
            Ok(row) => row,
            // A concurrent binding of the same certificate won.
            Err(e) if is_unique_violation(&e) => return Ok(BindOutcome::BoundElsewhere),
            Err(e) => return Err(e.into()),
        };
        let cert = cert_from_row(&row)?;
        match tx.commit().await {
            Ok(()) => Ok(BindOutcome::Bound { cert, replaced }),
            Err(e) if is_unique_violation(&e) => Ok(BindOutcome::BoundElsewhere),
            Err(e) => Err(e.into()),
        }
    }

    /// Unbinds the account's live certificate with this serial (history kept). `true` when
    /// this call unbound it.
    pub async fn unbind_certificate(
        &self,
        account_id: &str,
        serial: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE certificates SET unbound_at = $3, unbound_reason = 'unbound' \
             WHERE account_id = $1 AND serial = $2 AND unbound_at IS NULL",
        )
        .bind(account_id)
        .bind(serial.to_ascii_lowercase())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The account's certificates: live ones only, or the whole history; oldest first.
    pub async fn account_certificates(
        &self,
        account_id: &str,
        include_history: bool,
    ) -> Result<Vec<BoundCert>, StoreError> {
        let filter = if include_history {
            ""
        } else {
            " AND unbound_at IS NULL"
        };
        let sql = format!(
            "SELECT {CERT_COLUMNS} FROM certificates WHERE account_id = $1{filter} \
             ORDER BY bound_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(cert_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// The account a live bound certificate belongs to.
    pub async fn account_by_certificate(
        &self,
        issuer: &str,
        serial: &str,
    ) -> Result<Option<Account>, StoreError> {
        let cols = ACCOUNT_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM accounts a JOIN certificates c ON c.account_id = a.id \
             WHERE c.issuer = $1 AND c.serial = $2 AND c.unbound_at IS NULL"
        );
        let row = sqlx::query(&sql)
            .bind(issuer)
            .bind(serial)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(account_from_row).transpose()?)
    }

    /// Live accounts registered with this national ID (compared upper-cased), oldest first.
    pub async fn accounts_by_national_id(
        &self,
        national_id: &str,
    ) -> Result<Vec<Account>, StoreError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE UPPER(national_id) = $1 \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(national_id.trim().to_ascii_uppercase())
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(account_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// Records that the holder of a certificate says `account_id` is not theirs.
    pub async fn report_not_mine(&self, r: &CertReport) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cert_reports (id, account_id, reporter_issuer, reporter_serial, \
             reporter_name, reported_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.id)
        .bind(&r.account_id)
        .bind(&r.reporter_issuer)
        .bind(&r.reporter_serial)
        .bind(&r.reporter_name)
        .bind(r.reported_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The reports about an account awaiting review, oldest first.
    pub async fn cert_reports(&self, account_id: &str) -> Result<Vec<CertReport>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, account_id, reporter_issuer, reporter_serial, reporter_name, \
             reported_at FROM cert_reports WHERE account_id = $1 AND reviewed_at IS NULL \
             ORDER BY reported_at, id",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CertReport {
                    id: row.try_get("id")?,
                    account_id: row.try_get("account_id")?,
                    reporter_issuer: row.try_get("reporter_issuer")?,
                    reporter_serial: row.try_get("reporter_serial")?,
                    reporter_name: row.try_get("reporter_name")?,
                    reported_at: row.try_get("reported_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}
