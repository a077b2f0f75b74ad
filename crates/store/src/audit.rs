//! The tamper-evident audit log: an append-only hash chain over every security event,
//! appended by all nodes in one global order.
//!
//! Appends run in one transaction that first bumps the one-row `audit_head` with
//! `UPDATE … RETURNING` — a row lock on PostgreSQL, the write lock on SQLite — so appends
//! from several nodes serialise and the chain never forks. A node's concurrent appends are
//! group-committed, several entries per transaction (`audit_queue.rs`). Editing, deleting or inserting
//! rows with raw SQL breaks the chain and [`Store::verify_audit_chain`] reports where.
//! (Someone able to rewrite the whole table and the head can recompute the chain; publish
//! [`Store::audit_head`] elsewhere from time to time to anchor it.) Audit entries outlive
//! account deletion: they are the security record.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit_hash::{GENESIS_HASH, entry_hash};
use crate::audit_model::{AUDIT_COLUMNS, AuditEntry, AuditVerify, NewAuditEvent};
use crate::{Store, StoreError};

fn entry_from_row(row: &AnyRow) -> sqlx::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: row.try_get("seq")?,
        event: NewAuditEvent {
            at: row.try_get("at")?,
            kind: row.try_get("kind")?,
            account_id: row.try_get("account_id")?,
            username: row.try_get("username")?,
            ip: row.try_get("ip")?,
            user_agent: row.try_get("user_agent")?,
            outcome: row.try_get("outcome")?,
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// How many entries verification reads per query.
const VERIFY_PAGE: i64 = 1000;

impl Store {
    /// Appends an event to the chain and returns the entry once it is committed. Events
    /// appended concurrently on this node share one transaction (`audit_queue.rs`).
    pub async fn append_audit(&self, event: &NewAuditEvent) -> Result<AuditEntry, StoreError> {
        crate::audit_queue::append(&self.audit, &self.writer, event).await
    }

    /// The newest `limit` entries, newest first; only those of `account_id` when given.
    pub async fn audit_entries(
        &self,
        account_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = match account_id {
            Some(account_id) => {
                sqlx::query(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE account_id = $1 \
                     ORDER BY seq DESC LIMIT $2"
                ))
                .bind(account_id)
                .bind(limit.max(0))
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1"
                ))
                .bind(limit.max(0))
                .fetch_all(&self.pool)
                .await?
            }
        };
        Ok(rows
            .iter()
            .map(entry_from_row)
            .collect::<sqlx::Result<_>>()?)
    }

    /// The chain's head: the last sequence number and hash (0 and 64 zeros when empty).
    /// Recording it outside the database anchors the chain.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::Inconsistent("audit head missing"))?;
        Ok((row.try_get("seq")?, row.try_get("hash")?))
    }

    /// Recomputes the whole chain and reports the first broken entry, if any. Safe to run
    /// while other nodes append: it checks the chain up to the head it reads first (an
    /// append writes its entry and the head in one transaction), then that no entry lies
    /// beyond the current head.
    pub async fn verify_audit_chain(&self) -> Result<AuditVerify, StoreError> {
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut entries = 0_u64;
        let mut first_bad_seq = None;
        let mut last_seq = 0_i64;
        let mut last_hash = GENESIS_HASH.to_owned();
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 \
                 ORDER BY seq LIMIT $3"
            ))
            .bind(last_seq)
            .bind(head_seq)
            .bind(VERIFY_PAGE)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let entry = entry_from_row(row)?;
                entries += 1;
                if first_bad_seq.is_none() {
                    let expected_seq = last_seq + 1;
                    if entry.seq != expected_seq {
                        first_bad_seq = Some(expected_seq); // a missing entry
                    } else if entry.prev_hash != last_hash
                        || entry.hash != entry_hash(&last_hash, entry.seq, &entry.event)
                    {
                        first_bad_seq = Some(entry.seq);
                    }
                }
                last_seq = entry.seq;
                last_hash = entry.hash;
            }
        }
        if first_bad_seq.is_none() {
            if last_seq < head_seq {
                first_bad_seq = Some(last_seq + 1); // entries missing at the end
            } else if last_hash != head_hash {
                first_bad_seq = Some(last_seq.max(1));
            }
        }
        if first_bad_seq.is_none() {
            // One statement, so one consistent view: no entry may lie outside 1..=head.
            let row = sqlx::query(
                "SELECT MIN(seq) AS seq FROM audit_log \
                 WHERE seq <= 0 OR seq > (SELECT seq FROM audit_head WHERE id = 1)",
            )
            .fetch_one(&self.pool)
            .await?;
            first_bad_seq = row.try_get::<Option<i64>, _>("seq")?;
        }
        Ok(AuditVerify {
            entries,
            first_bad_seq,
        })
    }
}
