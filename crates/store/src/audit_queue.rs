//! Group commit for audit appends: events appended at the same time by this node's tasks are
//! written together, in one transaction, as one multi-row `INSERT`.
//!
//! The queueing and the choice of the writer are [`GroupCommit`]'s (`group_commit.rs`):
//! no timer, a lone append is written at once, under load batches of up to [`MAX_BATCH`]
//! form while the previous one commits. A caller returns only once its entry is committed,
//! so nothing is lost when a request answers; if a batch fails, each of its callers writes
//! its event alone and gets its own error. [`write_in`] appends inside another writer's
//! transaction (the token endpoint commits its issuance events with the refresh tokens, a
//! registration its entry with the account, its token and its mail).
//!
//! The chain's order still comes from the database (the `audit_head` row lock, see
//! `audit.rs`): batches from several nodes interleave but never fork the chain.

use sqlx::{Any, AnyConnection, AnyPool, Row};
use tokio::sync::oneshot;

use crate::StoreError;
use crate::audit_hash::entry_hash;
use crate::audit_model::{AUDIT_COLUMNS, AuditEntry, NewAuditEvent};
use crate::group_commit::GroupCommit;

/// Most events written by one transaction (11 parameters each, far below both backends'
/// limits on bound parameters).
pub(crate) const MAX_BATCH: usize = 64;

/// An event waiting for the writer, and where its entry goes (`None`: the batch failed).
pub(crate) struct Pending {
    event: NewAuditEvent,
    done: oneshot::Sender<Option<AuditEntry>>,
}

/// The node's queue of audit events.
pub(crate) type AuditQueue = GroupCommit<Pending>;

/// Appends `event`, batched with the events other tasks of this node are appending now.
pub(crate) async fn append(
    queue: &std::sync::Arc<AuditQueue>,
    pool: &AnyPool,
    event: &NewAuditEvent,
) -> Result<AuditEntry, StoreError> {
    let (done, rx) = oneshot::channel();
    let pending = Pending {
        event: event.clone(),
        done,
    };
    let written = queue
        .submit(pending, rx, MAX_BATCH, {
            let pool = pool.clone();
            move |batch| {
                let pool = pool.clone();
                async move { write_and_answer(&pool, batch).await }
            }
        })
        .await
        .flatten();
    match written {
        Some(entry) => Ok(entry),
        // The batch failed: alone, so that this event's own error is reported.
        None => write_batch(pool, std::slice::from_ref(event))
            .await?
            .pop()
            .ok_or(StoreError::Inconsistent("audit append wrote nothing")),
    }
}

async fn write_and_answer(pool: &AnyPool, batch: Vec<Pending>) {
    let events: Vec<NewAuditEvent> = batch.iter().map(|p| p.event.clone()).collect();
    match write_batch(pool, &events).await {
        Ok(entries) => {
            for (p, entry) in batch.into_iter().zip(entries) {
                let _ = p.done.send(Some(entry));
            }
        }
        // Each caller then writes its event alone and gets its own error.
        Err(_) => {
            for p in batch {
                let _ = p.done.send(None);
            }
        }
    }
}

/// Writes `events` as consecutive entries in one transaction: bump the head by their number
/// (taking the head's lock), chain their hashes, insert them in one statement, store the new
/// head hash.
pub(crate) async fn write_batch(
    pool: &AnyPool,
    events: &[NewAuditEvent],
) -> Result<Vec<AuditEntry>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = pool.begin().await?;
    let entries = write_in(&mut tx, events).await?;
    tx.commit().await?;
    Ok(entries)
}

/// Appends `events` inside the caller's transaction `conn` (see [`write_batch`]); the
/// caller commits. Used by writers that commit other rows with their audit entries.
pub(crate) async fn write_in(
    conn: &mut AnyConnection,
    events: &[NewAuditEvent],
) -> Result<Vec<AuditEntry>, StoreError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let n = events.len() as i64;
    let tx = conn;
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(n)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::Inconsistent("audit head missing"))?;
    let last_seq: i64 = head.try_get("seq")?;
    let mut prev_hash: String = head.try_get("hash")?;
    let mut entries = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let seq = last_seq - n + 1 + i as i64;
        let hash = entry_hash(&prev_hash, seq, event);
        entries.push(AuditEntry {
            seq,
            event: event.clone(),
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
    }
    let sql = insert_sql(entries.len());
    let mut q = sqlx::query::<Any>(&sql);
    for e in &entries {
        q = q
            .bind(e.seq)
            .bind(e.event.at)
            .bind(e.event.kind.clone())
            .bind(e.event.account_id.clone())
            .bind(e.event.username.clone())
            .bind(e.event.ip.clone())
            .bind(e.event.user_agent.clone())
            .bind(e.event.outcome.clone())
            .bind(e.event.detail.clone())
            .bind(e.prev_hash.clone())
            .bind(e.hash.clone());
    }
    // One statement per batch size: only sizes that occur get cached, at most MAX_BATCH.
    q.execute(&mut *tx).await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&prev_hash)
        .execute(&mut *tx)
        .await?;
    Ok(entries)
}

/// `INSERT INTO audit_log (…) VALUES ($1, …, $11), ($12, …)` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let mut sql = format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..11 {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * 11 + c + 1));
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::insert_sql;

    #[test]
    fn insert_numbers_every_parameter() {
        let one = insert_sql(1);
        assert!(one.ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"));
        let two = insert_sql(2);
        assert!(two.ends_with("$11), ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"));
    }
}
