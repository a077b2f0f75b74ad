//! Where email goes: a Maildir on disk (the zero-configuration default) or an SMTP server
//! given by URL (`smtp://` or `smtps://`, optionally with `user:password@`).

use crate::{Email, NotifyError, maildir, redact};
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;

/// Sender used unless [`Mailer::with_from`] says otherwise.
pub const DEFAULT_FROM: &str = "Tessera <no-reply@localhost>";

/// An email delivery method with its sender address.
#[derive(Clone)]
pub enum Mailer {
    /// Writes each message as a file into a Maildir (`tmp/`, `new/`, `cur/`).
    Maildir {
        /// The Maildir root.
        dir: PathBuf,
        /// The From mailbox.
        from: Mailbox,
    },
    /// Sends through an SMTP server.
    Smtp {
        /// The pooled transport (holds the credentials; never printed).
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The URL with its password hidden, for logs.
        redacted_url: String,
        /// The From mailbox.
        from: Mailbox,
    },
}

fn default_from() -> Mailbox {
    Mailbox::new(
        Some("Tessera".to_owned()),
        lettre::Address::new("no-reply", "localhost").expect("constant address is valid"),
    )
}

impl Mailer {
    /// Delivers into the Maildir at `dir` (created on first use).
    pub fn maildir(dir: impl Into<PathBuf>) -> Mailer {
        Mailer::Maildir {
            dir: dir.into(),
            from: default_from(),
        }
    }

    /// Delivers through the SMTP server at `url`: `smtp://host:port` (plain, for local
    /// relays), `smtp://host?tls=required` (STARTTLS), `smtps://user:pass@host:465` (TLS).
    pub fn smtp(url: &str) -> Result<Mailer, NotifyError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| NotifyError::SmtpUrl(e.to_string()))?
            .build();
        Ok(Mailer::Smtp {
            transport,
            redacted_url: redact::url(url),
            from: default_from(),
        })
    }

    /// Uses `from` ("Name <addr@host>" or "addr@host") as the sender.
    pub fn with_from(mut self, from: &str) -> Result<Mailer, NotifyError> {
        let mailbox: Mailbox = from
            .trim()
            .parse()
            .map_err(|_| NotifyError::InvalidAddress { which: "from" })?;
        match &mut self {
            Mailer::Maildir { from, .. } | Mailer::Smtp { from, .. } => *from = mailbox,
        }
        Ok(self)
    }

    /// The sender mailbox.
    pub fn from(&self) -> &Mailbox {
        match self {
            Mailer::Maildir { from, .. } | Mailer::Smtp { from, .. } => from,
        }
    }

    /// Sends one email.
    pub async fn send(&self, email: &Email) -> Result<(), NotifyError> {
        match self {
            Mailer::Maildir { dir, from } => {
                let formatted = email.to_message(from, true)?.formatted();
                // Maildir files use the local line ending.
                let bytes = crlf_to_lf(&formatted);
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || maildir::deliver(&dir, &bytes))
                    .await
                    .map_err(|_| NotifyError::Task)??;
                Ok(())
            }
            Mailer::Smtp {
                transport, from, ..
            } => {
                let message = email.to_message(from, false)?;
                transport.send(message).await.map_err(NotifyError::Smtp)?;
                Ok(())
            }
        }
    }
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter().peekable();
    while let Some(&b) = iter.next() {
        if b == b'\r' && iter.peek() == Some(&&b'\n') {
            continue;
        }
        out.push(b);
    }
    out
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Maildir { dir, from } => f
                .debug_struct("Maildir")
                .field("dir", dir)
                .field("from", &from.to_string())
                .finish(),
            Mailer::Smtp {
                redacted_url, from, ..
            } => f
                .debug_struct("Smtp")
                .field("url", redacted_url)
                .field("from", &from.to_string())
                .finish(),
        }
    }
}

impl std::fmt::Display for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Maildir { dir, .. } => write!(f, "maildir {}", dir.display()),
            Mailer::Smtp { redacted_url, .. } => write!(f, "smtp {redacted_url}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_sender_and_override() {
        let m = Mailer::maildir("/tmp/x");
        assert_eq!(m.from().to_string(), DEFAULT_FROM);
        let m = m.with_from("電子化政府 <gsp@example.gov.tw>").unwrap();
        assert_eq!(m.from().email.to_string(), "gsp@example.gov.tw");
        assert!(matches!(
            Mailer::maildir("/tmp/x").with_from("not an address"),
            Err(NotifyError::InvalidAddress { which: "from" })
        ));
    }

    #[test]
    fn crlf_becomes_lf() {
        assert_eq!(crlf_to_lf(b"a\r\nb\rc\r\n"), b"a\nb\rc\n");
    }
}
