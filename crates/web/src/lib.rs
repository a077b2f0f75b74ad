//! Tessera's HTTP layer: translates requests into the use cases of `tessera_app` and back, as
//! pages (askama, zh-TW first) and as a JSON API with an OpenAPI description. Routes,
//! extractors, cookies, CSRF, security headers and assets live here; nothing else does.

pub mod api;
pub mod apply_who;
pub mod body_limit;
pub mod body_timeout;
pub mod client_ip;
pub mod context;
pub mod cookies;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod input;
pub mod metrics;
// OpenID Connect provider over HTTP.
pub mod oidc;
pub mod outbound;
pub mod pages;
pub mod session;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use tessera_app::settings::{HashParams, Settings};
pub use tessera_app::state::AppState;

/// The Content-Security-Policy: everything from this site only, except that scripts may
/// connect to the local signing component at `signer_origin` (a checked loopback origin).
fn csp(signer_origin: Option<&str>) -> String {
    let connect = match signer_origin {
        Some(o) => format!("'self' {o}"),
        None => "'self'".to_string(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; worker-src 'self' blob:; connect-src {connect}; \
frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    )
}

/// The page CSP as text (the OIDC consent and logout pages widen its `form-action`).
pub(crate) fn csp_for(settings: &Settings) -> String {
    csp(tessera_app::settings::signer_origin(&settings.signer_url)
        .ok()
        .as_deref())
}

/// The CSP header value; a signer address that is not a loopback origin is left out.
fn csp_header(settings: &Settings) -> HeaderValue {
    let origin = tessera_app::settings::signer_origin(&settings.signer_url)
        .map_err(|e| tracing::error!(error = %e, "signer_url ignored in the CSP"))
        .ok();
    HeaderValue::from_str(&csp(origin.as_deref()))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    // The pool may wait long for a connection; a health check must answer quickly.
    match tokio::time::timeout(std::time::Duration::from_secs(2), state.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n"),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
        Err(_) => {
            tracing::error!("health check: database did not answer within 2 s");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

fn header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

/// HSTS on an https site: browsers then never try plain http for a year, subdomains too.
fn hsts(settings: &Settings) -> Option<HeaderValue> {
    settings
        .base_url
        .starts_with("https://")
        .then(|| HeaderValue::from_static("max-age=31536000; includeSubDomains"))
}

/// The whole application: pages, API, health and metrics, with the security layers.
/// `/metrics` is here only when a bearer token guards it and no listener of its own serves it.
pub fn app(mut state: AppState) -> Router {
    if state.outbound.is_none() {
        // The use cases' requests to other services (upstream providers) go through this client.
        match outbound::HttpClient::new() {
            Ok(client) => state.outbound = Some(std::sync::Arc::new(client)),
            Err(e) => tracing::error!(error = %e, "outbound HTTP client unavailable"),
        }
    }
    let s = &state.settings;
    let mut routes = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .merge(oidc::router())
        .route("/healthz", get(healthz));
    if s.metrics_token.is_some() && !s.metrics_separate {
        routes = routes.route("/metrics", get(metrics::endpoint));
    }
    routes
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        // Called cross-site by relying parties; no cookie-authenticated state change.
        .merge(oidc::backchannel())
        // Text the database cannot store (NUL) is refused on every route, before any handler.
        .layer(middleware::from_fn_with_state(state.clone(), input::guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            body_timeout::layer,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client_ip::layer,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            csp_header(&state.settings),
        ))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("referrer-policy", "same-origin"))
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(header("cache-control", "no-store"))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("strict-transport-security"),
            hsts(&state.settings),
        ))
        .layer(middleware::from_fn(body_limit::layer))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// What the metrics listener (`metrics_listen`) serves: `/metrics` only, behind the bearer
/// token too when one is configured.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::endpoint))
        .layer(header("cache-control", "no-store"))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
