//! The audit log's types and columns, shared by the reader and verifier (`audit.rs`), the
//! group-committing writer (`audit_queue.rs`) and the entry hash (`audit_hash.rs`), so that
//! none of them imports another in a circle.

/// A security event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    /// When (unix seconds).
    pub at: i64,
    /// What, e.g. `registration`, `login`, `lockout`, `password_reset`.
    pub kind: String,
    /// The account concerned, when known.
    pub account_id: Option<String>,
    /// The username given, when any.
    pub username: Option<String>,
    /// Client IP.
    pub ip: Option<String>,
    /// Client user agent.
    pub user_agent: Option<String>,
    /// Outcome, e.g. `ok`, `failed`, `denied`.
    pub outcome: String,
    /// Further details, JSON.
    pub detail: Option<String>,
}

/// A recorded audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// The event.
    pub event: NewAuditEvent,
    /// Hash (hex) of the previous entry; 64 zeros for the first.
    pub prev_hash: String,
    /// This entry's hash (hex), SHA-256 over the previous hash and a length-prefixed
    /// encoding of `seq` and the event (`tessera-audit-v1`).
    pub hash: String,
}

/// The result of [`Store::verify_audit_chain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditVerify {
    /// Entries read.
    pub entries: u64,
    /// The first sequence number where the chain is broken (edited, missing or extra
    /// entry, or a head that does not match the last entry); `None` when intact.
    pub first_bad_seq: Option<i64>,
}

pub(crate) const AUDIT_COLUMNS: &str =
    "seq, at, kind, account_id, username, ip, user_agent, outcome, detail, prev_hash, hash";
