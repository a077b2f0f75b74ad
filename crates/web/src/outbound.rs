//! The HTTP client behind the use cases' outbound requests ([`tessera_app::outbound`]): short
//! timeouts, no redirects followed (a provider's answer cannot send Tessera elsewhere),
//! Tessera's user agent, and answers read only up to the request's size limit.

use std::time::Duration;

use tessera_app::outbound::{Answer, Method, Outbound, OutboundError, Request, Sending};

/// The reqwest client Tessera sends its own requests with.
pub struct HttpClient(reqwest::Client);

impl HttpClient {
    pub fn new() -> Result<Self, reqwest::Error> {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Tessera/", env!("CARGO_PKG_VERSION")))
            .build()
            .map(Self)
    }

    async fn exchange(&self, request: Request) -> Result<Answer, OutboundError> {
        // reqwest's errors carry the URL, which may hold a token: it is dropped.
        let failed = |e: reqwest::Error| OutboundError::Failed(e.without_url().to_string());
        let mut req = match request.method {
            Method::Get => self.0.get(&request.url),
            Method::Post => self.0.post(&request.url),
        };
        for (name, value) in &request.headers {
            req = req.header(*name, value);
        }
        if let Some(body) = request.body {
            req = req.body(body);
        }
        let mut resp = req.send().await.map_err(failed)?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > request.max_body {
                return Err(OutboundError::TooLarge(request.max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    }
}

impl Outbound for HttpClient {
    fn send(&self, request: Request) -> Sending<'_> {
        Box::pin(self.exchange(request))
    }
}
