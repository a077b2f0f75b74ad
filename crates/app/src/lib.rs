//! Tessera's use cases: registering and signing in (password, citizen and organization
//! certificates, upstream providers), the account, organizations and their handlers, the
//! OpenID Connect provider's decisions, with audit records, limits and mails. No HTTP types:
//! the web layer hands requests in as plain values ([`context::Ctx`], [`cookies::Cookies`])
//! and turns a [`error::Failure`]'s kind into a status.

pub mod apply;
pub mod audit;
pub mod captcha;
pub mod clock;
pub mod context;
pub mod cookies;
// Demo mode's card reader.
pub mod demo;
pub mod error;
pub mod flows;
pub mod hashing;
pub mod help;
pub mod mails;
pub mod metrics;
pub mod operator;
pub mod outbound;
pub mod secrets;
pub mod session;
pub mod settings;
pub mod state;
pub mod text;

pub use context::Ctx;
pub use error::{Failure, FailureKind};
pub use settings::{HashParams, Settings};
pub use state::AppState;
