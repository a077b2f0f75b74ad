//! Upstream identity brokering (seed 004 二 Q6–Q7): 「使用 Google 登入」 with any
//! OpenID provider configured in `[[upstream]]`. Tessera is a strict relying party: the
//! authorization code flow with PKCE (S256), `state` and `nonce` bound to the browser and
//! kept in the database (single use, ten minutes, shared by every node), the RFC 9207 `iss`
//! parameter, and a fully checked ID token (`id_token`). Then:
//!
//! - a linked external identity signs in (level `password`);
//! - an unlinked one waits (ten minutes) for its holder to bind an existing account with that
//!   account's username and password — checked exactly like a sign-in, and the password must
//!   not be expired (004 二 Q6) — or to register a new account, pre-filled from the upstream;
//! - a signed-in member may link an identity from 會員中心 › 管理外部帳號, and remove links there.
//!
//! Every step is audited (`upstream_*` kinds); refusals name the check that failed.

pub mod callback;
pub mod config;
pub mod fetch;
pub mod id_token;
pub mod link;
pub mod provider;
pub mod registry;
pub mod start;

use std::sync::Arc;

use crate::cookies::Cookies;
use crate::error::FailureKind;
use cookie::SameSite;
use serde_json::json;
use tessera_core::audit::AuditKind;

pub use config::{ProviderConfig, UpstreamConfig};
pub use provider::Provider;
pub use registry::Upstreams;

use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::cookies;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

/// How long an authorization request, and a verified identity waiting for an account, live.
pub const FLOW_SECS: i64 = 600;

/// The provider `id`, or 404 `upstream_unknown_provider`.
pub fn provider(state: &AppState, id: &str) -> Result<Arc<Provider>, Failure> {
    state
        .upstream
        .get(id)
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "upstream_unknown_provider"))
}

/// The cookie that binds authorization requests to this browser.
pub fn flow_cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_upstream"
    } else {
        "tessera_upstream"
    }
}

/// The cookie that names a verified identity waiting for an account.
pub fn pending_cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_upstream_pending"
    } else {
        "tessera_upstream_pending"
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax (it must come back on the provider's
/// redirect), `FLOW_SECS` long, or removed with `value = None`.
pub fn cookie(state: &AppState, name: &str, value: Option<&str>) -> String {
    cookies::build(
        name,
        value.unwrap_or(""),
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(if value.is_some() { FLOW_SECS } else { 0 }),
    )
}

/// The request's waiting-identity cookie value, if any.
pub fn pending_cookie(state: &AppState, cookies: &Cookies) -> Option<String> {
    cookies
        .get(pending_cookie_name(state))
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// What a cookie value is stored as.
pub fn hash(purpose: &str, value: &str) -> String {
    secrets::digest(&["upstream", purpose, value])
}

/// Records a step; `outcome` is `ok…` or the name of the check that refused it.
pub async fn record(
    state: &AppState,
    kind: AuditKind,
    who: Subject<'_>,
    ctx: &Ctx,
    provider: &str,
    outcome: &str,
    extra: Option<serde_json::Value>,
) {
    let mut detail = json!({ "provider": provider });
    if let Some(serde_json::Value::Object(m)) = extra {
        for (k, v) in m {
            detail[k] = v;
        }
    }
    audit::record(state, kind, who, ctx, outcome, Some(detail)).await;
}
