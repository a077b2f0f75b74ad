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

pub(crate) use guard::{Nav, StaffPage, failed, message};

use crate::pages::i18n::L;
use crate::pages::reload::{back_to, review_case};
use tessera_app::state::AppState;

/// An RFC 3339 time of the flows' views as staff read it, in Asia/Taipei: the ROC form on
/// zh-TW pages (「115年11月30日23點39分40秒」, as the receipts), `2026-11-30 23:39:40 (UTC+8)`
/// on English ones; "" when absent or unreadable.
pub(crate) fn when(l: L, rfc3339: Option<&str>) -> String {
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;
    let Some(t) = rfc3339.and_then(|s| OffsetDateTime::parse(s, &Rfc3339).ok()) else {
        return String::new();
    };
    let unix = t.unix_timestamp();
    let shown = if l.is_en() {
        tessera_core::org::roc::taipei_datetime(unix)
    } else {
        tessera_core::org::roc::roc_datetime(unix)
    };
    shown.unwrap_or_default()
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(login::home))
        .route("/admin/login", get(login::show).post(login::submit))
        .route("/admin/logout", post(login::logout).get(back_to("/admin")))
        .route("/admin/reviews", get(reviews::list))
        .route("/admin/reviews/{id}", get(reviews::show))
        .route(
            "/admin/reviews/{id}/approve",
            post(reviews::approve).get(review_case),
        )
        .route(
            "/admin/reviews/{id}/reject",
            post(reviews::reject).get(review_case),
        )
        .route("/admin/orgs", get(orgs::search))
        .route("/admin/orgs/{code}", get(orgs::show).post(orgs::save))
}
