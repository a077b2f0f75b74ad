//! Prometheus metrics: HTTP requests and latencies, logins by outcome, lockouts.
//!
//! `/metrics` is not public: it is served on a listener of its own (`metrics_listen`, see
//! [`crate::metrics_app`]) or, on the main listener, only to a caller presenting the configured
//! bearer token (`metrics_token`). With neither configured the main listener answers 404.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
pub use tessera_app::metrics::{Metrics, MetricsToken};

use crate::error::FailureExt;
use tessera_app::state::AppState;

/// Middleware recording each request's count and latency by matched route.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    state
        .metrics
        .request(method, route, response.status().as_u16(), start.elapsed());
    response
}

/// Whether `headers` carry `Authorization: Bearer <token>` (compared in constant time).
fn presented(token: &MetricsToken, headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.get(..7)
                .filter(|s| s.eq_ignore_ascii_case("bearer "))
                .map(|_| v[7..].trim())
        })
        .is_some_and(|p| token.matches(p))
}

/// `GET /metrics`: the text exposition, to a caller with the token when one is configured.
pub async fn endpoint(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.settings.metrics_token
        && !presented(token, &headers)
    {
        tracing::warn!("metrics request without the right bearer token refused");
        let mut resp = tessera_app::error::Failure::unauthenticated()
            .in_lang(tessera_core::lang::Lang::En)
            .into_response();
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"tessera-metrics\""),
        );
        return resp;
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
