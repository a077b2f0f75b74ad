//! The mail outbox: outgoing email kept in the database until it is sent, so that a message
//! a request has committed outlives the node that was to send it.
//!
//! A row is written by [`Store::enqueue_mail`], or inside another writer's transaction with
//! the rows it concerns ([`Store::create_account_with`]). Sending starts with a claim: one
//! `UPDATE … RETURNING` that counts the attempt and moves the row's `next_attempt_at` past a
//! lease, and that only matches while the row is due. Of several tasks or nodes claiming at
//! once exactly one gets a row, on SQLite (writers serialise) and on PostgreSQL alike (the
//! losing `UPDATE` waits for the winner's row lock, re-checks its condition against the
//! winner's row and matches nothing) — one portable statement, no `FOR UPDATE SKIP LOCKED`.
//! The claimer then deletes the row ([`Store::delete_mail`]) or sets its next try
//! ([`Store::retry_mail`]); a node that stops in between leaves the row to whoever claims
//! it once the lease has run out. The retry schedule is the caller's (`tessera-web`).
//!
//! A row holds the message as it will be sent, links included: it lives only until sent, and
//! [`NewMail`]'s `Debug` leaves the body out.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Store, StoreError};

/// An email to send: one plain-text message. (`Debug` leaves out the body, which may carry
/// single-use links.)
#[derive(Clone, PartialEq, Eq)]
pub struct NewMail {
    /// Recipient address.
    pub to: String,
    /// Subject, any Unicode.
    pub subject: String,
    /// Plain-text body, any Unicode.
    pub body_text: String,
}

impl std::fmt::Debug for NewMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field(
                "body_text",
                &format_args!("<{} bytes>", self.body_text.len()),
            )
            .finish()
    }
}

/// A row of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMail {
    /// UUID v4, text.
    pub id: String,
    /// The message.
    pub mail: NewMail,
    /// When it was queued (unix seconds).
    pub created_at: i64,
    /// Sends begun so far; for a claimed row, this one included.
    pub attempts: i64,
    /// When the row is (next) due; for a claimed row, when its lease ends.
    pub next_attempt_at: i64,
    /// Why the last send failed.
    pub last_error: Option<String>,
}

const COLUMNS: &str =
    "id, recipient, subject, body_text, created_at, attempts, next_attempt_at, last_error";

fn from_row(row: &AnyRow) -> sqlx::Result<OutboxMail> {
    Ok(OutboxMail {
        id: row.try_get("id")?,
        mail: NewMail {
            to: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            body_text: row.try_get("body_text")?,
        },
        created_at: row.try_get("created_at")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: row.try_get("next_attempt_at")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Queues `mail`, due at once, inside the caller's transaction `conn`; returns the row's id.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    mail: &NewMail,
    now: i64,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, body_text, created_at, attempts, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, 0, $5)",
    )
    .bind(&id)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.body_text)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
    /// Queues `mail`, due at once; returns the row's id. Committed when this returns.
    pub async fn enqueue_mail(&self, mail: &NewMail, now: i64) -> Result<String, StoreError> {
        let mut conn = self.pool.acquire().await?;
        insert(&mut conn, mail, now).await
    }

    /// Claims the row `id` if it is due at `now`: counts the attempt and holds the row until
    /// `lease_until`. `None` when it is gone (sent) or not due (claimed by another sender,
    /// or waiting for its next try).
    pub async fn claim_mail(
        &self,
        id: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<OutboxMail>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $3 \
             WHERE id = $1 AND next_attempt_at <= $2 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(now)
        .bind(lease_until)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Claims the row that has been due longest at `now`, as [`Store::claim_mail`] does.
    /// `None` when no row is due — or, rarely, when another sender took the chosen row in
    /// the same instant (the caller simply tries again later).
    pub async fn claim_due_mail(
        &self,
        now: i64,
        lease_until: i64,
    ) -> Result<Option<OutboxMail>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = $2 \
             WHERE id = (SELECT id FROM mail_outbox WHERE next_attempt_at <= $1 \
                         ORDER BY next_attempt_at, created_at LIMIT 1) \
             AND next_attempt_at <= $1 RETURNING {COLUMNS}"
        ))
        .bind(now)
        .bind(lease_until)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Removes the row `id` (sent, or given up). `false` when it was already gone.
    pub async fn delete_mail(&self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM mail_outbox WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed send of the row `id` claimed at its attempt `attempts`: due again at
    /// `next_attempt_at`, with `error` (the delivery error; never the message). `false` when
    /// the row is gone or was claimed again since (that claim decides).
    pub async fn retry_mail(
        &self,
        id: &str,
        attempts: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE mail_outbox SET next_attempt_at = $3, last_error = $4 \
             WHERE id = $1 AND attempts = $2",
        )
        .bind(id)
        .bind(attempts)
        .bind(next_attempt_at)
        .bind(error)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Up to `limit` rows waiting to be sent, the next due first.
    pub async fn outbox(&self, limit: i64) -> Result<Vec<OutboxMail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM mail_outbox ORDER BY next_attempt_at, created_at LIMIT $1"
        ))
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(from_row).collect::<sqlx::Result<_>>()?)
    }
}
