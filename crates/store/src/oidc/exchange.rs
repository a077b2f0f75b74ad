//! The token endpoint's code exchange, group-committed: the exchanges this node's tasks ask
//! for at the same moment are written by one transaction (`group_commit.rs`), in a handful
//! of statements whatever their number (`exchange_batch.rs`): spend the codes (one
//! `UPDATE … RETURNING`; of concurrent redeemers exactly one wins), read their grants with
//! the accounts' usability, run each caller's checks, store the accepted refresh tokens and
//! append the accepted issuances to the audit log — committed together, so a refresh token
//! exists exactly when its issuance is in the audit log.

use tokio::sync::oneshot;

use super::{Code, Grant, RefreshToken};
use crate::{NewAuditEvent, Store, StoreError};

/// Most exchanges written by one transaction.
pub(crate) const MAX_BATCH: usize = 64;

/// What the caller's checks see of a code just spent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub code: Code,
    pub grant: Grant,
    /// The grant's account exists and is not disabled.
    pub account_usable: bool,
}

/// The caller's checks of a code just spent: the audit event of the issuance if accepted,
/// else the reason it is refused. Runs inside the writer's transaction, so it must be
/// quick and must not wait on anything; it may run twice (a failed batch is retried item
/// by item).
pub type ExchangeCheck =
    Box<dyn Fn(&Redemption) -> Result<NewAuditEvent, &'static str> + Send + Sync>;

/// One code exchange to write.
pub struct CodeExchange {
    /// Digest of the code.
    pub code_hash: String,
    /// The time of the request (the code must not have expired by then).
    pub now: i64,
    /// The refresh token to store if the checks accept; its `grant_id` is the code's grant
    /// and its expiry is capped at the grant's.
    pub refresh: RefreshToken,
    pub check: ExchangeCheck,
}

impl std::fmt::Debug for CodeExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeExchange")
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// The outcome of [`Store::exchange_oidc_code`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exchanged {
    /// First use, accepted: the refresh token is stored and the issuance audited.
    Issued(Box<Redemption>),
    /// First use, refused by the caller's checks (the code stays spent; nothing stored).
    Refused(&'static str),
    /// The code was used before: revoke this grant.
    Reused { grant_id: String },
    /// Past its expiry, never used.
    Expired,
    /// Unknown (or its grant is gone).
    Unknown,
}

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
