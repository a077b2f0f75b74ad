//! Who is calling: the Host header must name the loopback listener (this defeats DNS
//! rebinding), and the Origin header decides between the signer's own popup page, an
//! approved site (which also gets CORS headers) and everyone else (refused, no CORS).

use axum::http::{HeaderMap, HeaderValue, header};

use super::AppState;

/// The kind of caller, from the request headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No Origin header: a top-level navigation or a non-browser client.
    NoOrigin,
    /// The signer's own popup page (Origin is the signer's own origin).
    OwnPage,
    /// An approved site.
    Approved(String),
    /// Anyone else.
    Refused(String),
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// True when the Host header names this listener (127.0.0.1, localhost or [::1] and its port).
pub fn host_ok(state: &AppState, headers: &HeaderMap) -> bool {
    header_str(headers, "host").is_some_and(|h| {
        let h = h.to_ascii_lowercase();
        state.hosts.contains(&h)
    })
}

/// Classifies the caller by its Origin header.
pub fn caller(state: &AppState, headers: &HeaderMap) -> Caller {
    let Some(origin) = header_str(headers, "origin") else {
        return Caller::NoOrigin;
    };
    let normalized = crate::origins::normalize(origin);
    if normalized
        .as_ref()
        .is_some_and(|o| state.own_origins.contains(o))
    {
        return Caller::OwnPage;
    }
    if state.origins.is_approved(origin) {
        Caller::Approved(normalized.unwrap_or_else(|| origin.to_owned()))
    } else {
        Caller::Refused(origin.to_owned())
    }
}

/// True when the request comes from the signer's own popup page holding this run's token.
pub fn own_page_with_token(state: &AppState, headers: &HeaderMap) -> bool {
    caller(state, headers) == Caller::OwnPage
        && header_str(headers, "x-tessera-popup").is_some_and(|t| {
            t.len() == state.popup_token.len()
                && openssl::memcmp::eq(t.as_bytes(), state.popup_token.as_bytes())
        })
}

/// The site the popup says it works for (`X-Tessera-Site`, the opener's postMessage origin).
pub fn popup_site(headers: &HeaderMap) -> Option<String> {
    header_str(headers, "x-tessera-site").map(str::to_owned)
}

/// CORS headers for an approved origin.
pub fn cors(headers: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}
