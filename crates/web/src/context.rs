//! The request context of the use cases ([`tessera_app::context::Ctx`]) taken from an HTTP
//! request: the client's address, user agent, browser and language.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{ACCEPT_LANGUAGE, USER_AGENT};
use axum::http::request::Parts;
use tessera_core::lang::Lang;

use crate::client_ip::ClientIp;
use crate::cookies;

pub use tessera_app::context::{Ctx, LANG_COOKIE};

/// The CSRF cookie the browser sent (under this site's name for it), set on the request by
/// the CSRF guard; it identifies the browser for per-browser limits. Absent when the request
/// carried none.
#[derive(Debug, Clone)]
pub struct BrowserCookie(pub String);

/// Extractor: the use cases' [`Ctx`] of this request (dereferences to it).
#[derive(Debug, Clone)]
pub struct ReqCtx(pub Ctx);

impl std::ops::Deref for ReqCtx {
    type Target = Ctx;
    fn deref(&self) -> &Ctx {
        &self.0
    }
}

impl ReqCtx {
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
            .get::<BrowserCookie>()
            .map(|c| tessera_app::secrets::digest(&["browser", &c.0]));
        Self(Ctx {
            browser,
            ip,
            user_agent,
            lang: lang_of(parts),
        })
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

impl<S: Send + Sync> FromRequestParts<S> for ReqCtx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqCtx::from_parts(parts))
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
