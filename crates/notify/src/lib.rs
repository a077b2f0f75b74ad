//! Outgoing notices: email to a Maildir (default) or over SMTP, SMS to a JSON-lines file
//! (default) or an HTTP gateway.

mod email;
mod error;
mod maildir;
mod mailer;
mod redact;
mod sms;

pub use email::Email;
pub use error::NotifyError;
pub use mailer::{DEFAULT_FROM, Mailer};
pub use sms::{GATEWAY_TIMEOUT, Sms, SmsSender};
