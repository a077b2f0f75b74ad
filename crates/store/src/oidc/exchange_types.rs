//! What a code exchange is made of and what it comes to: the request ([`CodeExchange`] with
//! the caller's checks), what the checks see ([`Redemption`]) and the outcome ([`Exchanged`]).

use super::{Code, Grant, RefreshToken};
use crate::NewAuditEvent;

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
