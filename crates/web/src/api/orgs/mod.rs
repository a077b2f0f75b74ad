//! The organizations' JSON API: flows, one organization's endpoints behind the
//! permission guard, handler sign-in, the card lookups, and the back office. Merged into the
//! main router and OpenAPI document by `api::router` / `api::openapi`.

pub mod backoffice;
pub mod flows;
pub mod people;
pub mod scoped;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use tessera_app::state::AppState;

/// The organizations' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(paths(
    flows::start,
    flows::show,
    flows::cancel,
    flows::terms,
    flows::org_certificate,
    flows::contact,
    flows::manager_certificate,
    flows::details,
    flows::end_assignment,
    flows::permissions,
    scoped::list_handlers,
    scoped::add_handler,
    scoped::get_handler,
    scoped::update_handler,
    scoped::delete_handler,
    scoped::card_info,
    scoped::receipts,
    scoped::authorized,
    scoped::workspace,
    scoped::enter_function,
    people::login,
    people::current,
    people::choose,
    people::logout,
    people::org_lookup,
    people::citizen_lookup,
    backoffice::login,
    backoffice::me,
    backoffice::logout,
    backoffice::reviews,
    backoffice::review_case,
    backoffice::approve,
    backoffice::reject,
    backoffice::organizations,
    backoffice::organization,
    backoffice::save_organization,
))]
pub struct OrgApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/org-flows", post(flows::start))
        .route(
            "/api/v1/org-flows/{flow}",
            get(flows::show).delete(flows::cancel),
        )
        .route("/api/v1/org-flows/{flow}/terms", post(flows::terms))
        .route(
            "/api/v1/org-flows/{flow}/org-certificate",
            post(flows::org_certificate),
        )
        .route("/api/v1/org-flows/{flow}/contact", post(flows::contact))
        .route(
            "/api/v1/org-flows/{flow}/manager-certificate",
            post(flows::manager_certificate),
        )
        .route("/api/v1/org-flows/{flow}/details", post(flows::details))
        .route(
            "/api/v1/org-assignment",
            axum::routing::delete(flows::end_assignment),
        )
        .route("/api/v1/org-permissions", get(flows::permissions))
        .route(
            "/api/v1/orgs/{code}/handlers",
            get(scoped::list_handlers).post(scoped::add_handler),
        )
        .route(
            "/api/v1/orgs/{code}/handlers/{id}",
            get(scoped::get_handler)
                .put(scoped::update_handler)
                .delete(scoped::delete_handler),
        )
        .route("/api/v1/orgs/{code}/card-info", post(scoped::card_info))
        .route("/api/v1/orgs/{code}/receipts", get(scoped::receipts))
        .route("/api/v1/orgs/{code}/authorized", get(scoped::authorized))
        .route("/api/v1/orgs/{code}/workspace", get(scoped::workspace))
        .route(
            "/api/v1/orgs/{code}/functions/{function}",
            get(scoped::enter_function),
        )
        .route(
            "/api/v1/org-handler/session",
            post(people::login)
                .get(people::current)
                .put(people::choose)
                .delete(people::logout),
        )
        .route(
            "/api/v1/org-lookups/organization-certificate",
            post(people::org_lookup),
        )
        .route(
            "/api/v1/org-lookups/citizen-certificate",
            post(people::citizen_lookup),
        )
        .route(
            "/api/v1/backoffice/session",
            post(backoffice::login)
                .get(backoffice::me)
                .delete(backoffice::logout),
        )
        .route("/api/v1/backoffice/reviews", get(backoffice::reviews))
        .route(
            "/api/v1/backoffice/reviews/{id}",
            get(backoffice::review_case),
        )
        .route(
            "/api/v1/backoffice/reviews/{id}/approve",
            post(backoffice::approve),
        )
        .route(
            "/api/v1/backoffice/reviews/{id}/reject",
            post(backoffice::reject),
        )
        .route(
            "/api/v1/backoffice/organizations",
            get(backoffice::organizations),
        )
        .route(
            "/api/v1/backoffice/organizations/{code}",
            get(backoffice::organization).put(backoffice::save_organization),
        )
}
