//! Persistence for Tessera behind one interface, on SQLite (the embedded default) and
//! PostgreSQL.
//!
//! One implementation over [`sqlx::AnyPool`] with one set of portable SQL (`$N`
//! placeholders, `ON CONFLICT`, `RETURNING`); only the DDL differs per backend
//! (`migrations/sqlite`, `migrations/postgres`). Times are unix seconds (`i64`), booleans
//! 0/1 integers. Everything several `tessera serve` nodes must agree on lives here:
//! accounts and their failure counters, sessions, single-use tokens and codes, used CAPTCHA
//! challenges, the audit log, the outbox of mail not yet sent, and online applications
//! (cases).
//!
//! Tests on both backends: see `testing` (feature `test-support`).

mod account_model;
mod accounts;
mod audit;
mod audit_hash;
mod audit_model;
// Group commit of audit appends (performance).
mod audit_queue;
mod captcha;
// Online applications (cases) and the counties of staff and organizations.
pub mod cases;
pub mod certs;
mod connect;
mod error;
mod group_commit;
mod login_gate;
// Upstream identity brokering.
pub mod external_identities;
mod maintenance;
mod outbox;
// OpenID Connect provider storage.
pub mod oidc;
// Rate limits shared by every node.
mod ratelimit;
mod rows;
mod secrets;
mod sessions;
mod tokens;
pub mod upstream_flow;
// Organizations and back-office staff.
pub mod orgs;
pub mod staff;

/// Organization and staff sessions write their idle clock at most this often (seconds).
pub(crate) const TOUCH_EVERY_SECS: i64 = 60;

#[cfg(feature = "test-support")]
pub mod testing;

pub use account_model::{Account, LoginFailure, NewAccount, ProfileUpdate, kind};
pub use accounts::AccountRecords;
pub use audit_model::{AuditEntry, AuditVerify, NewAuditEvent};
pub use connect::{Backend, Store, StoreOptions};
pub use error::StoreError;
pub use login_gate::{GateLimits, GateSubject, LoginGate, PHANTOM_RETENTION_SECS};
pub use outbox::{NewMail, OutboxMail};
pub use sessions::Session;
pub use tokens::Token;
