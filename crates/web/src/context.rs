//! Per-request context: the client's address, user agent and language, taken from the request
//! for audit records and for the language of every message.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{ACCEPT_LANGUAGE, USER_AGENT};
use axum::http::request::Parts;
use tessera_core::lang::Lang;

use crate::client_ip::ClientIp;
use crate::cookies;

/// Name of the cookie that remembers the language chosen with the switch.
pub const LANG_COOKIE: &str = "tessera_lang";

/// Who is asking, from where, in which language.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The browser, as a digest of its CSRF cookie (API clients without one: `None`); per-browser
    /// limits count under it.
    pub browser: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub lang: Lang,
}

impl Ctx {
    pub fn from_parts(parts: &Parts) -> Self {
        // The client behind trusted proxies (crate::client_ip), else the TCP peer.
        let ip = match parts.extensions.get::<ClientIp>() {
            Some(ClientIp(ip)) => Some(ip.to_string()),
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
        };
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        // The CSRF guard passes on the cookie it accepted (only `__Host-` prefixed on https, so a
        // sibling subdomain cannot choose the key a browser is counted under).
        let browser = parts
            .extensions
            .get::<crate::csrf::BrowserCookie>()
            .map(|c| crate::secrets::digest(&["browser", &c.0]));
        Self {
            browser,
            ip,
            user_agent,
            lang: lang_of(parts),
        }
    }
}

/// The language: the switch's cookie first, then `Accept-Language`, zh-TW by default.
pub fn lang_of(parts: &Parts) -> Lang {
    match cookies::get(&parts.headers, LANG_COOKIE).as_deref() {
        Some("en") => Lang::En,
        Some("zh-TW") => Lang::ZhTw,
        _ => parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or(Lang::ZhTw),
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ctx::from_parts(parts))
    }
}

/// Just the language of the request.
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(parts)))
    }
}
