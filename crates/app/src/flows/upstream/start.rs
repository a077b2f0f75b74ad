//! 「使用 X 登入」: starts an authorization request at the upstream. Fresh `state`, `nonce` and
//! PKCE verifier (256 bits each); the request is stored (hashed state, the browser's flow
//! cookie digest, purpose, where to go afterwards) for ten minutes, single use; the browser
//! is sent to the provider's authorization endpoint with `code_challenge_method=S256`.

use crate::error::FailureKind;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};
use tessera_core::audit::AuditKind;
use tessera_store::upstream_flow::UpstreamState;

use super::{FLOW_SECS, cookie, flow_cookie_name, hash, provider, record};
use crate::audit::Subject;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;
use crate::text::is_local_path;

/// What the request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Sign in (or, for an unlinked identity, bind or register).
    Login,
    /// Link the identity to the signed-in account.
    Link,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Link => "link",
        }
    }
}

/// Where to send the browser, and the flow cookie to set.
#[derive(Debug)]
pub struct Started {
    pub location: String,
    pub set_cookie: String,
}

/// The PKCE S256 challenge of a verifier (RFC 7636 4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Starts a request at provider `id`. `browser` is the request's flow cookie, if any (kept,
/// so requests started in two tabs both stay valid); `account_id` is the signed-in account
/// for `Purpose::Link`; `next` a local path to return to (anything else is dropped).
pub async fn start(
    state: &AppState,
    id: &str,
    purpose: Purpose,
    account_id: Option<&str>,
    next: Option<&str>,
    browser: Option<&str>,
    ctx: &Ctx,
) -> Result<Started, Failure> {
    let p = provider(state, id)?;
    let s = &state.settings;
    let browser = browser
        .filter(|b| b.len() == 43)
        .map(str::to_owned)
        .unwrap_or_else(secrets::token);
    let over = crate::flows::limits::hit(
        state,
        ctx,
        "upstream-start",
        Some(&hash("browser", &browser)),
        s.flow_starts_per_browser,
        s.flow_starts_per_ip,
    )
    .await?;
    if let Some(over) = over {
        let extra = json!({ "purpose": purpose.as_str(), "limit": over.as_str() });
        let who = Subject::default();
        record(
            state,
            AuditKind::UpstreamStarted,
            who,
            ctx,
            id,
            "rate_limited",
            Some(extra),
        )
        .await;
        return Err(Failure::new(
            FailureKind::RateLimited,
            "upstream_rate_limited",
        ));
    }
    let Some(http) = state.outbound.as_deref() else {
        tracing::error!(
            provider = id,
            "no outbound HTTP client: upstream sign-in unavailable"
        );
        return Err(Failure::new(
            FailureKind::BadUpstream,
            "upstream_unavailable",
        ));
    };
    let meta = match p.metadata(http).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(provider = id, error = %e, "upstream metadata unavailable");
            let who = Subject::default();
            record(
                state,
                AuditKind::UpstreamStarted,
                who,
                ctx,
                id,
                &e.reason(),
                None,
            )
            .await;
            return Err(Failure::new(
                FailureKind::BadUpstream,
                "upstream_unavailable",
            ));
        }
    };
    let (state_value, nonce, verifier) = (secrets::token(), secrets::token(), secrets::token());
    let next = next.filter(|n| is_local_path(n) && n.len() <= 1024);
    state
        .store
        .insert_upstream_state(&UpstreamState {
            state_hash: hash("state", &state_value),
            provider: id.to_owned(),
            browser_hash: hash("browser", &browser),
            nonce: nonce.clone(),
            code_verifier: verifier.clone(),
            purpose: purpose.as_str().to_owned(),
            account_id: account_id.map(str::to_owned),
            next_path: next.map(str::to_owned),
            expires_at: now() + FLOW_SECS,
        })
        .await?;
    let mut url = url::Url::parse(&meta.authorization_endpoint).map_err(|e| {
        tracing::error!(provider = id, error = %e, "authorization endpoint is not a URL");
        Failure::new(FailureKind::BadUpstream, "upstream_unavailable")
    })?;
    let c = &p.config;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &c.client_id)
        .append_pair("redirect_uri", &c.redirect_uri)
        .append_pair("scope", &c.scopes.join(" "))
        .append_pair("state", &state_value)
        .append_pair("nonce", &nonce)
        .append_pair("code_challenge", &s256(&verifier))
        .append_pair("code_challenge_method", "S256");
    let who = Subject {
        account_id,
        username: None,
    };
    let extra = json!({ "purpose": purpose.as_str() });
    record(
        state,
        AuditKind::UpstreamStarted,
        who,
        ctx,
        id,
        "ok",
        Some(extra),
    )
    .await;
    Ok(Started {
        location: url.into(),
        set_cookie: cookie(state, flow_cookie_name(state), Some(&browser)),
    })
}
