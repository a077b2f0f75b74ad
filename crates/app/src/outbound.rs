//! Requests Tessera itself sends to other services (an upstream OpenID provider's discovery
//! document, keys, token and userinfo endpoints), described as plain values. The use cases
//! say what to send; the web layer plugs in the HTTP client ([`Outbound`]) with its timeouts,
//! no redirects and a user agent, so this crate never depends on an HTTP library.

use std::future::Future;
use std::pin::Pin;

/// The method of an outbound request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// One outbound request.
#[derive(Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    /// Header names in lower case, with their values (an `authorization` value is a secret:
    /// it is never printed).
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
    /// The largest answer body read; a larger one fails with [`OutboundError::TooLarge`].
    pub max_body: usize,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Request {
    /// A GET of `url` accepting JSON.
    pub fn get_json(url: &str, max_body: usize) -> Self {
        Self {
            method: Method::Get,
            url: url.to_owned(),
            headers: vec![("accept", "application/json".to_owned())],
            body: None,
            max_body,
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// What the service answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer came.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    /// The service could not be reached, or did not answer in time.
    #[error("request failed: {0}")]
    Failed(String),
    /// The answer was larger than the request's `max_body`.
    #[error("answer larger than {0} bytes")]
    TooLarge(usize),
}

/// The future of [`Outbound::send`].
pub type Sending<'a> = Pin<Box<dyn Future<Output = Result<Answer, OutboundError>> + Send + 'a>>;

/// Sends outbound requests: the web layer's HTTP client, or a test's stand-in.
pub trait Outbound: Send + Sync {
    fn send(&self, request: Request) -> Sending<'_>;
}
