//! Tessera's domain rules, free of IO: identifiers (usernames, national ID numbers, mobiles),
//! the password policy, lockout rules, levels of assurance and the user-facing message catalog.

pub mod apply;
pub mod audit;
pub mod field;
pub mod ids;
pub mod lang;
pub mod loa;
pub mod lockout;
pub mod messages;
pub mod oidc;
pub mod org;
pub mod password;
pub mod policy;

pub use audit::{AuditKind, AuditOutcome};
pub use field::FieldError;
pub use ids::{
    Birthday, Email, Landline, Mobile, NationalId, NationalIdKind, PersonName, Username,
};
pub use lang::Lang;
pub use loa::Loa;
pub use lockout::LockoutPolicy;
pub use messages::message;
pub use password::{PasswordContext, PasswordPolicy};
