//! The JSON API under `/api/v1`, and its OpenAPI description at `/api/openapi.json`.

pub mod accounts;
// Online applications.
pub mod apply;
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
        // Online applications.
        apply::types,
        apply::my_cases,
        apply::member_start,
        apply::member_case,
        apply::member_save,
        apply::member_act,
        apply::member_change,
        apply::member_upload,
        apply::member_download,
        apply::member_detach,
        apply::review_queue,
        apply::review_csv,
        apply::review_start,
        apply::review_case,
        apply::review_save,
        apply::review_act,
        apply::review_change,
        apply::review_download,
        apply::member_print,
        apply::review_print,
        apply::org_cases,
        apply::org_start,
        apply::org_case,
        apply::org_save,
        apply::org_act,
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
        // Online applications.
        .route("/api/v1/applications", get(apply::types))
        .route(
            "/api/v1/applications/{type}/cases",
            post(apply::member_start),
        )
        .route("/api/v1/cases", get(apply::my_cases))
        .route("/api/v1/cases/{id}", get(apply::member_case))
        .route(
            "/api/v1/cases/{id}/pages/{page}",
            axum::routing::put(apply::member_save),
        )
        .route(
            "/api/v1/cases/{id}/actions/{action}",
            post(apply::member_act),
        )
        .route("/api/v1/cases/{id}/change", post(apply::member_change))
        .route("/api/v1/cases/{id}/attachments", post(apply::member_upload))
        .route(
            "/api/v1/cases/{id}/attachments/{attachment}",
            get(apply::member_download).delete(apply::member_detach),
        )
        .route(
            "/api/v1/review/{type}/cases",
            get(apply::review_queue).post(apply::review_start),
        )
        .route("/api/v1/review/{type}/cases.csv", get(apply::review_csv))
        .route("/api/v1/review/cases/{id}", get(apply::review_case))
        .route(
            "/api/v1/review/cases/{id}/pages/{page}",
            axum::routing::put(apply::review_save),
        )
        .route(
            "/api/v1/review/cases/{id}/actions/{action}",
            post(apply::review_act),
        )
        .route(
            "/api/v1/review/cases/{id}/change",
            post(apply::review_change),
        )
        .route(
            "/api/v1/review/cases/{id}/attachments/{attachment}",
            get(apply::review_download),
        )
        .route(
            "/api/v1/cases/{id}/prints/{print}",
            get(apply::member_print),
        )
        .route(
            "/api/v1/review/cases/{id}/prints/{print}",
            get(apply::review_print),
        )
        .route("/api/v1/orgs/{code}/cases", get(apply::org_cases))
        .route(
            "/api/v1/orgs/{code}/applications/{type}/cases",
            post(apply::org_start),
        )
        .route("/api/v1/orgs/{code}/cases/{id}", get(apply::org_case))
        .route(
            "/api/v1/orgs/{code}/cases/{id}/pages/{page}",
            axum::routing::put(apply::org_save),
        )
        .route(
            "/api/v1/orgs/{code}/cases/{id}/actions/{action}",
            post(apply::org_act),
        )
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
