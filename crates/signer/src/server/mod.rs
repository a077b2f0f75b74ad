//! The HTTP side: HiPKI's routes (`/popupForm`, `/sign`, `/pkcs11info`), the popup's own
//! helper routes (`/popup/*`), a Host check against DNS rebinding and security headers on
//! every answer. Token work runs on the blocking pool, one operation at a time per back end.

mod guard;
mod handlers;
mod popup;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::backend::Backend;
use crate::origins::Origins;

/// Shared by every request.
pub struct AppState {
    pub backend: Arc<dyn Backend>,
    pub origins: Arc<Origins>,
    /// Random per run; only the popup page served by this process knows it.
    pub popup_token: String,
    /// `http://127.0.0.1:PORT` etc.: the signer's own origins.
    pub own_origins: Vec<String>,
    /// Accepted Host header values.
    pub hosts: Vec<String>,
}

impl AppState {
    /// State for a listener on `addr`.
    pub fn new(backend: Arc<dyn Backend>, origins: Arc<Origins>, addr: SocketAddr) -> Self {
        let port = addr.port();
        let token = hex::encode(rand::random::<[u8; 32]>());
        let names = [
            "127.0.0.1".to_owned(),
            "localhost".to_owned(),
            "[::1]".to_owned(),
        ];
        AppState {
            backend,
            origins,
            popup_token: token,
            own_origins: names.iter().map(|n| format!("http://{n}:{port}")).collect(),
            hosts: names.iter().map(|n| format!("{n}:{port}")).collect(),
        }
    }
}

/// The router.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(popup::index))
        .route("/popupForm", get(popup::form))
        .route("/popup.js", get(popup::script))
        .route("/popup/status", post(popup::status))
        .route("/popup/approve", post(popup::approve))
        .route("/popup/cancel", post(popup::cancel))
        .route("/sign", post(handlers::sign).options(handlers::preflight))
        .route(
            "/pkcs11info",
            get(handlers::pkcs11info)
                .post(handlers::pkcs11info)
                .options(handlers::preflight),
        )
        .layer(middleware::from_fn_with_state(state.clone(), protect))
        .with_state(state)
}

async fn protect(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if !guard::host_ok(&state, req.headers()) {
        return (StatusCode::FORBIDDEN, "forbidden host").into_response();
    }
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
