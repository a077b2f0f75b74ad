//! The organization pages (seed 003 chapter 3, 圖3-1 … 3-43): 機關憑證註冊 (first
//! registration), 憑證更換 (the three replacements) and the opening of 授權指派作業 as one URL
//! per step (`flow.rs`; each step's form and submission in `steps.rs`), the manager's handler
//! list and delete (`handlers.rs`) and add / modify (`handler_form.rs`), handler sign-in, the
//! choice of organization and the handler's workspace (`people.rs`), and the organization
//! services index with 查詢作業 (`queries.rs`; the card lookups and the authorized list in
//! `lookups.rs`). Every page calls the same flow functions as the
//! JSON API (`flows::orgs`); organization-scoped pages sit behind the same guard `Org<R>`, so
//! the server refuses what the page hides.

pub mod flow;
pub mod handler_form;
pub mod handlers;
pub mod lookups;
mod paths;
pub mod people;
pub mod queries;
mod steps;

use axum::Router;
use axum::routing::{get, post};

use super::home::failure_page;
use super::layout::PageCtx;
use super::reload::back_to;
use crate::error::ApiError;
use tessera_app::state::AppState;

/// The routes of the organization pages (merged into `pages::router`).
pub fn router() -> Router<AppState> {
    let step = || get(flow::show).post(flow::submit);
    Router::new()
        .route("/orgs", get(queries::index))
        .route("/orgs/receipts", get(queries::receipts_lookup))
        .route(
            "/orgs/register",
            post(flow::start_register).get(back_to("/orgs")),
        )
        .route(
            "/orgs/replace",
            post(flow::start_replace).get(back_to("/orgs")),
        )
        .route(
            "/orgs/assign",
            post(flow::start_assign).get(back_to("/orgs")),
        )
        .route("/orgs/register/{flow}/{step}", step())
        .route("/orgs/replace/{flow}/{step}", step())
        .route("/orgs/assign/{flow}/{step}", step())
        .route(
            "/orgs/assignment/end",
            post(handlers::end).get(back_to("/orgs")),
        )
        .route(
            "/orgs/handler/login",
            get(people::login_page).post(people::login),
        )
        .route("/orgs/handler", get(people::home))
        .route(
            "/orgs/handler/choose",
            post(people::choose).get(back_to("/orgs/handler")),
        )
        .route(
            "/orgs/handler/logout",
            post(people::logout).get(back_to("/orgs/handler")),
        )
        .route("/orgs/{code}/handlers", get(handlers::list))
        .route(
            "/orgs/{code}/handlers/new",
            get(handler_form::new_form).post(handler_form::add),
        )
        .route(
            "/orgs/{code}/handlers/{id}",
            get(handler_form::edit_form).post(handler_form::update),
        )
        .route(
            "/orgs/{code}/handlers/{id}/delete",
            get(handlers::delete_confirm).post(handlers::delete),
        )
        .route("/orgs/{code}/workspace", get(people::workspace))
        .route("/orgs/{code}/receipts", get(queries::receipts))
        .route("/orgs/{code}/authorized", get(lookups::authorized))
        .route(
            "/orgs/lookup/organization-certificate",
            get(lookups::org_form).post(lookups::org_submit),
        )
        .route(
            "/orgs/lookup/citizen-certificate",
            get(lookups::citizen_form).post(lookups::citizen_submit),
        )
}

/// A guard refusal (`Org<R>`) as a page with the same status and catalog message.
pub fn refused(pc: &PageCtx, e: ApiError) -> axum::response::Response {
    failure_page(pc, &e.0)
}
