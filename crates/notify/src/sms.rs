//! SMS delivery: one JSON line per message appended to a file (the default, read by tests
//! and operators), or a JSON POST to an HTTP gateway.

use crate::NotifyError;
#[cfg(feature = "http-gateway")]
use crate::redact;
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// How long an HTTP gateway may take to answer.
pub const GATEWAY_TIMEOUT: Duration = Duration::from_secs(10);

/// One text message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sms {
    /// Recipient mobile, e.g. `0911123456`.
    pub to: String,
    /// Message text.
    pub text: String,
}

/// An SMS delivery method.
#[derive(Clone)]
pub enum SmsSender {
    /// Appends `{"to","text","at"}` JSON lines to this file.
    File(PathBuf),
    /// POSTs `{"to","text"}` as JSON to a gateway.
    #[cfg(feature = "http-gateway")]
    Http {
        /// The gateway URL (may hold credentials; never printed).
        url: reqwest::Url,
        /// HTTP client with the [`GATEWAY_TIMEOUT`].
        client: reqwest::Client,
    },
}

#[derive(Serialize)]
struct FileLine<'a> {
    to: &'a str,
    text: &'a str,
    at: String,
}

impl SmsSender {
    /// Appends to the JSON-lines file at `path` (created with its directory on first use).
    pub fn file(path: impl Into<PathBuf>) -> SmsSender {
        SmsSender::File(path.into())
    }

    /// Posts to the gateway at `url` (http or https).
    #[cfg(feature = "http-gateway")]
    pub fn http(url: &str) -> Result<SmsSender, NotifyError> {
        let url = reqwest::Url::parse(url).map_err(|_| NotifyError::GatewayUrl)?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(NotifyError::GatewayUrl);
        }
        let client = reqwest::Client::builder()
            .timeout(GATEWAY_TIMEOUT)
            .build()
            .map_err(NotifyError::from)?;
        Ok(SmsSender::Http { url, client })
    }

    /// Sends one message.
    pub async fn send(&self, sms: &Sms) -> Result<(), NotifyError> {
        match self {
            SmsSender::File(path) => {
                let at = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let mut line = serde_json::to_vec(&FileLine {
                    to: &sms.to,
                    text: &sms.text,
                    at,
                })
                .map_err(|e| NotifyError::io("encode", path)(e.into()))?;
                line.push(b'\n');
                let path = path.clone();
                tokio::task::spawn_blocking(move || append_line(&path, &line))
                    .await
                    .map_err(|_| NotifyError::Task)?
            }
            #[cfg(feature = "http-gateway")]
            SmsSender::Http { url, client } => {
                let response = client.post(url.clone()).json(sms).send().await?;
                let status = response.status();
                if status.is_success() {
                    Ok(())
                } else {
                    Err(NotifyError::GatewayStatus(status.as_u16()))
                }
            }
        }
    }
}

/// Appends `line` with a single write on a file opened in append mode, so concurrent
/// writers (threads or processes) never interleave within a line.
fn append_line(path: &std::path::Path, line: &[u8]) -> Result<(), NotifyError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(NotifyError::io("create directory", parent))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(NotifyError::io("open", path))?;
    let written = file
        .write(line)
        .map_err(NotifyError::io("append to", path))?;
    if written != line.len() {
        return Err(NotifyError::io("append to", path)(std::io::Error::from(
            std::io::ErrorKind::WriteZero,
        )));
    }
    Ok(())
}

impl std::fmt::Debug for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsSender::File(path) => f.debug_tuple("File").field(path).finish(),
            #[cfg(feature = "http-gateway")]
            SmsSender::Http { url, .. } => f
                .debug_struct("Http")
                .field("url", &redact::url(url.as_str()))
                .finish(),
        }
    }
}

impl std::fmt::Display for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SmsSender::File(path) => write!(f, "file {}", path.display()),
            #[cfg(feature = "http-gateway")]
            SmsSender::Http { url, .. } => write!(f, "http {}", redact::url(url.as_str())),
        }
    }
}
