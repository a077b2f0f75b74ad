//! Reading a provider's answers: JSON objects of bounded size (a non-2xx answer keeps only
//! its OAuth `error` code), endpoint URLs that pass the configuration's URL rule, and the
//! error type with the stable reasons the audit log records.

use serde_json::{Map, Value};

use super::config::url_allowed;
use crate::outbound::{Answer, OutboundError};

/// Largest answer read from a provider.
pub const MAX_BODY: usize = 512 * 1024;

/// Why talking to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{what}: request failed: {source}")]
    Http {
        what: &'static str,
        source: OutboundError,
    },
    #[error("{what}: answered HTTP {status} {error:?}")]
    Status {
        what: &'static str,
        status: u16,
        /// The OAuth `error` code of the answer, when it had one.
        error: Option<String>,
    },
    #[error("{what}: invalid answer: {why}")]
    Invalid { what: &'static str, why: String },
}

impl FetchError {
    /// Stable text for the audit log: `token_endpoint_status_400_invalid_grant` etc.
    pub fn reason(&self) -> String {
        match self {
            FetchError::Http { what, .. } => format!("{what}_unreachable"),
            FetchError::Status {
                what,
                status,
                error,
            } => {
                let code: String = error
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .take(40)
                    .collect();
                format!("{what}_status_{status}_{code}")
            }
            FetchError::Invalid { what, .. } => format!("{what}_invalid"),
        }
    }

    /// Whether the provider itself is unwell (network, 5xx) rather than refusing us.
    pub fn is_unavailable(&self) -> bool {
        match self {
            FetchError::Http { .. } => true,
            FetchError::Status { status, .. } => *status >= 500,
            FetchError::Invalid { .. } => false,
        }
    }
}

pub fn invalid(what: &'static str, why: impl Into<String>) -> FetchError {
    FetchError::Invalid {
        what,
        why: why.into(),
    }
}

/// Reads a JSON object answer (the client read at most `MAX_BODY` bytes); non-2xx becomes
/// `Status`.
pub fn json_object(
    what: &'static str,
    answer: Result<Answer, OutboundError>,
) -> Result<Map<String, Value>, FetchError> {
    let answer = match answer {
        Ok(a) => a,
        Err(OutboundError::TooLarge(_)) => return Err(invalid(what, "answer too large")),
        Err(source) => return Err(FetchError::Http { what, source }),
    };
    let parsed = serde_json::from_slice::<Map<String, Value>>(&answer.body);
    if !answer.is_success() {
        let error = parsed
            .ok()
            .and_then(|m| m.get("error").and_then(Value::as_str).map(str::to_owned));
        return Err(FetchError::Status {
            what,
            status: answer.status,
            error,
        });
    }
    parsed.map_err(|e| invalid(what, format!("not a JSON object: {e}")))
}

pub fn endpoint(
    what: &'static str,
    explicit: &Option<String>,
    doc: &Map<String, Value>,
    key: &str,
) -> Result<Option<String>, FetchError> {
    let url = explicit
        .clone()
        .or_else(|| doc.get(key).and_then(Value::as_str).map(str::to_owned));
    if let Some(u) = &url {
        url_allowed(u).map_err(|why| invalid(what, why))?;
    }
    Ok(url)
}
