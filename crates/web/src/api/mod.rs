//! The JSON API under `/api/v1`, and its OpenAPI description at `/api/openapi.json`.

pub mod accounts;
pub mod auth;
pub mod cert;
pub mod doc;
pub mod json;
pub mod me;
pub mod views;
// Upstream identity brokering.
pub mod upstream;
// Organizations and the back office.
pub mod orgs;

use axum::Json;
use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

use tessera_app::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tessera API",
        description = "Identity, certificate and delegation platform. Every error body is {error:{code,message,fields?}}, the message in the request's language (Accept-Language; zh-TW by default). Cookie-authenticated state-changing requests need a same-origin Origin header or the X-CSRF-Token header. Text must not contain the NUL character (U+0000): a request with one anywhere (path, query, body) is refused with 400 malformed_request before it is handled, and audited."
    ),
    paths(
        accounts::create,
        accounts::me,
        accounts::update,
        accounts::delete,
        accounts::change_password,
        accounts::verify_email,
        accounts::resend_email,
        accounts::send_mobile_code,
        accounts::confirm_mobile,
        auth::login,
        auth::logout,
        auth::request_reset,
        auth::complete_reset,
        auth::captcha,
        cert::challenges,
        cert::registrations,
        cert::session,
        cert::identity,
        cert::end_session,
        cert::bind,
        cert::unbind,
        // Upstream identity brokering.
        upstream::providers,
        upstream::list,
        upstream::remove,
    )
)]
pub struct ApiDoc;

/// The document with the organizations' part and what `doc` completes.
async fn openapi() -> Json<&'static serde_json::Value> {
    Json(doc::document())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/accounts", post(accounts::create))
        .route(
            "/api/v1/me",
            get(accounts::me)
                .patch(accounts::update)
                .delete(accounts::delete),
        )
        .route("/api/v1/me/password", post(accounts::change_password))
        .route("/api/v1/email-verifications", post(accounts::verify_email))
        .route(
            "/api/v1/email-verifications/resend",
            post(accounts::resend_email),
        )
        .route(
            "/api/v1/mobile-verifications",
            post(accounts::send_mobile_code),
        )
        .route(
            "/api/v1/mobile-verifications/confirm",
            post(accounts::confirm_mobile),
        )
        .route("/api/v1/session", post(auth::login).delete(auth::logout))
        .route("/api/v1/password-resets", post(auth::request_reset))
        .route(
            "/api/v1/password-resets/complete",
            post(auth::complete_reset),
        )
        .route("/api/v1/captcha", get(auth::captcha))
        .route("/api/v1/cert/challenges", post(cert::challenges))
        .route("/api/v1/cert/registrations", post(cert::registrations))
        .route(
            "/api/v1/cert/session",
            post(cert::session)
                .get(cert::identity)
                .delete(cert::end_session),
        )
        .route("/api/v1/cert/bindings", post(cert::bind))
        .route("/api/v1/cert/bindings/{serial}", delete(cert::unbind))
        // Upstream identity brokering.
        .route("/api/v1/upstream/providers", get(upstream::providers))
        .route("/api/v1/me/external-identities", get(upstream::list))
        .route(
            "/api/v1/me/external-identities/{id}",
            delete(upstream::remove),
        )
        // Organizations and the back office.
        .merge(orgs::router())
}
