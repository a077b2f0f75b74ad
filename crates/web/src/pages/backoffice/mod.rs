//! 後臺 (back office) pages under /admin: staff sign-in and sign-out, the home page, the
//! review queue (reviewers: case list, case detail, approve / reject with a reason) and the
//! organization registry (operators: search, detail, edit). Every handler takes the extractor
//! [`StaffPage<R>`], which applies the same staff check as the JSON API; every form carries the
//! CSRF token; the flows are those of `/api/v1/backoffice/…`. The OIDC client page
//! (`oidc/admin.rs`) sits behind the same guard with the operator role.

mod guard;
mod login;
mod orgs;
mod reviews;

use axum::Router;
use axum::routing::{get, post};

pub(crate) use guard::{Nav, StaffPage};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(login::home))
        .route("/admin/login", get(login::show).post(login::submit))
        .route("/admin/logout", post(login::logout))
        .route("/admin/reviews", get(reviews::list))
        .route("/admin/reviews/{id}", get(reviews::show))
        .route("/admin/reviews/{id}/approve", post(reviews::approve))
        .route("/admin/reviews/{id}/reject", post(reviews::reject))
        .route("/admin/orgs", get(orgs::search))
        .route("/admin/orgs/{code}", get(orgs::show).post(orgs::save))
}
