//! The token endpoint's code exchange, group-committed: the exchanges this node's tasks ask
//! for at the same moment are written by one transaction (`group_commit.rs`), in a handful
//! of statements whatever their number (`exchange_batch.rs`): spend the codes (one
//! `UPDATE … RETURNING`; of concurrent redeemers exactly one wins), read their grants with
//! the accounts' usability, run each caller's checks, store the accepted refresh tokens and
//! append the accepted issuances to the audit log — committed together, so a refresh token
//! exists exactly when its issuance is in the audit log.

use tokio::sync::oneshot;

use super::exchange_types::{CodeExchange, Exchanged};
use crate::{Store, StoreError};

/// Most exchanges written by one transaction.
pub(crate) const MAX_BATCH: usize = 64;

/// An exchange waiting for the writer, and where its outcome goes.
pub(crate) struct PendingExchange {
    pub(crate) exchange: CodeExchange,
    done: oneshot::Sender<Result<Exchanged, StoreError>>,
}

/// The node's queue of code exchanges.
pub(crate) type ExchangeQueue = crate::group_commit::GroupCommit<PendingExchange>;

impl Store {
    /// Spends the code of `x`, hands it, its grant and whether the account is usable to
    /// `x.check`, and — if the check accepts — stores `x.refresh` and appends the check's
    /// audit event, in one transaction shared with the exchanges of other tasks of this
    /// node. A code is spent whether or not the check accepts (single use, RFC 6749
    /// §4.1.2).
    pub async fn exchange_oidc_code(&self, x: CodeExchange) -> Result<Exchanged, StoreError> {
        let (done, rx) = oneshot::channel();
        let pending = PendingExchange { exchange: x, done };
        let pool = &self.writer;
        self.exchanges
            .submit(pending, rx, MAX_BATCH, {
                let pool = pool.clone();
                move |batch| {
                    let pool = pool.clone();
                    async move { write_and_answer(&pool, batch).await }
                }
            })
            .await
            .unwrap_or(Err(StoreError::Inconsistent("code exchange writer failed")))
    }
}

async fn write_and_answer(pool: &sqlx::AnyPool, batch: Vec<PendingExchange>) {
    let items: Vec<&CodeExchange> = batch.iter().map(|p| &p.exchange).collect();
    match super::exchange_batch::write(pool, &items).await {
        Ok(outcomes) => {
            for (p, outcome) in batch.into_iter().zip(outcomes) {
                let _ = p.done.send(Ok(outcome));
            }
        }
        Err(e) if batch.len() == 1 => {
            if let Some(p) = batch.into_iter().next() {
                let _ = p.done.send(Err(e));
            }
        }
        // Nothing of the batch is committed: each exchange again alone, with its own error.
        Err(_) => {
            for p in batch {
                let outcome = super::exchange_batch::write(pool, &[&p.exchange])
                    .await
                    .and_then(|mut o| {
                        o.pop()
                            .ok_or(StoreError::Inconsistent("code exchange wrote nothing"))
                    });
                let _ = p.done.send(outcome);
            }
        }
    }
}
