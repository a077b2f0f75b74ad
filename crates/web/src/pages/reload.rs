//! The GET side of page paths that only take a form post. A page a form post answered (a
//! refused card sign-in at `/login/certificate`, a wrong code at `/account/mobile/confirm`, …)
//! is asked for again with GET when the user reloads it, comes back to it or switches the
//! language; instead of a bare 405 the browser is sent (303) to the page the form lives on,
//! which shows the current state. A GET never does what the post does.

use std::future::{Ready, ready};

use axum::extract::Path;
use axum::response::Response;

use super::layout::redirect;

/// A GET handler that sends the browser to `to`, the page holding the form that posts here.
pub fn back_to(
    to: &'static str,
) -> impl FnOnce() -> Ready<Response> + Clone + Send + Sync + 'static {
    move || ready(redirect(to, &[]))
}

/// `GET /admin/reviews/{id}/approve` and `…/reject`: the case's page (the review list when
/// the id is not one a case can have, so nothing from the path is echoed into `Location`).
pub async fn review_case(Path(id): Path<String>) -> Response {
    let plain = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if plain {
        redirect(&format!("/admin/reviews/{id}"), &[])
    } else {
        redirect("/admin/reviews", &[])
    }
}
