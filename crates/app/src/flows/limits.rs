//! Limits on anonymous actions that make the server keep state (certificate
//! challenges, organization flows, upstream sign-in requests): without them anyone could fill
//! the database from one browser or one address. Counted in the database (`hit_rate_limit`),
//! so a limit holds across nodes; 0 turns a limit off. Each caller audits and answers 429 with
//! its own code.

use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;

/// Which limit a request went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    Browser,
    Ip,
}

impl Over {
    /// As recorded in the audit detail (`limit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Over::Browser => "browser",
            Over::Ip => "ip",
        }
    }
}

/// Counts one `scope` action for `browser` (a cookie digest, when the browser has one) and for
/// the client address; `Some` names the first limit now exceeded.
pub async fn hit(
    state: &AppState,
    ctx: &Ctx,
    scope: &str,
    browser: Option<&str>,
    per_browser: u32,
    per_ip: u32,
) -> Result<Option<Over>, Failure> {
    hit_in(state, ctx, scope, browser, (per_browser, per_ip), 60).await
}

/// Like [`hit`] over a window of `window` seconds; limits are (per browser, per address).
pub async fn hit_in(
    state: &AppState,
    ctx: &Ctx,
    scope: &str,
    browser: Option<&str>,
    (per_browser, per_ip): (u32, u32),
    window: i64,
) -> Result<Option<Over>, Failure> {
    let t = now();
    let mut keys = Vec::with_capacity(2);
    if let Some(b) = browser.filter(|_| per_browser > 0) {
        keys.push((format!("{scope}:browser:{b}"), per_browser, Over::Browser));
    }
    if let Some(ip) = ctx.ip.as_deref().filter(|_| per_ip > 0) {
        keys.push((format!("{scope}:ip:{ip}"), per_ip, Over::Ip));
    }
    for (key, limit, over) in keys {
        if state.store.hit_rate_limit(&key, window, t).await? > i64::from(limit) {
            return Ok(Some(over));
        }
    }
    Ok(None)
}

/// Counts one action of `scope` against one account (at most `limit` per `window` seconds);
/// `true` when this one is over the limit. Callers that must not reveal whether an account
/// exists drop the action silently instead of answering differently.
pub async fn hit_account(
    state: &AppState,
    scope: &str,
    account_id: &str,
    limit: u32,
    window: i64,
) -> Result<bool, Failure> {
    if limit == 0 {
        return Ok(false);
    }
    let key = format!("{scope}:account:{account_id}");
    Ok(state.store.hit_rate_limit(&key, window, now()).await? > i64::from(limit))
}
