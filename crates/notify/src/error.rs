//! Errors of notice delivery. No variant carries a URL, credential or message content, so
//! they are safe to log.

use std::path::PathBuf;

/// Why a notice could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// An email address (`which` is "from" or "to") is not a valid mailbox.
    #[error("invalid {which} email address")]
    InvalidAddress {
        /// "from" or "to".
        which: &'static str,
    },
    /// The message could not be assembled.
    #[error("cannot build the email message: {0}")]
    Build(#[from] lettre::error::Error),
    /// The SMTP URL is malformed or uses an unsupported scheme (credentials never shown).
    #[error("invalid SMTP URL: {0}")]
    SmtpUrl(String),
    /// The SMTP server refused the message or could not be reached.
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[source] lettre::transport::smtp::Error),
    /// A file or directory operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done ("write", "rename", "create directory", …).
        action: &'static str,
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The SMS gateway URL is malformed or not http(s).
    #[error("invalid SMS gateway URL")]
    GatewayUrl,
    /// The SMS gateway could not be reached or timed out (URL stripped).
    #[cfg(feature = "http-gateway")]
    #[error("SMS gateway request failed: {0}")]
    Http(#[source] reqwest::Error),
    /// The SMS gateway answered with a non-success status.
    #[error("SMS gateway answered HTTP {0}")]
    GatewayStatus(u16),
    /// A blocking file task panicked or was cancelled.
    #[error("background file task failed")]
    Task,
}

impl NotifyError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| NotifyError::Io {
            action,
            path,
            source,
        }
    }
}

#[cfg(feature = "http-gateway")]
impl From<reqwest::Error> for NotifyError {
    fn from(e: reqwest::Error) -> Self {
        // reqwest errors carry the request URL, which may hold a token: drop it.
        NotifyError::Http(e.without_url())
    }
}
