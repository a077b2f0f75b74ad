//! Who is asking, from where, in which language: the request context as plain values, built
//! by the web layer from the request, for audit records and for the language of messages.

use tessera_core::lang::Lang;

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
