//! The back-office pages' guard: the extractor [`StaffPage<R>`] gives a page handler its page
//! context and the signed-in staff member holding the role `R` needs — the same
//! `flows::orgs::staff::check` as the JSON API's `Staff<R>`, answered as pages: no staff
//! session → 303 to /admin/login (coming back afterwards); the wrong role → a 403 page (the
//! refusal is audited by the check). Also the header menu ([`Nav`]) and the message page.

use crate::error::FailureExt;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::response::Response;

use crate::pages::layout::{Page, PageCtx, is_local_path, redirect, render};
use tessera_app::flows::orgs::staff::{self, OPERATOR, REVIEWER, Staff, StaffRole};
use tessera_app::state::AppState;

/// The back-office header menu: who is signed in and which sections their roles open.
#[derive(Debug, Clone)]
pub struct Nav {
    pub name: String,
    pub reviewer: bool,
    pub operator: bool,
}

impl Nav {
    pub fn of<R: StaffRole>(s: &Staff<R>) -> Self {
        let has = |r: &str| s.roles.iter().any(|x| x == r);
        Nav {
            name: s.account.name.clone(),
            reviewer: has(REVIEWER),
            operator: has(OPERATOR),
        }
    }
}

/// A back-office page request: its page context and the staff member with `R`'s role.
pub struct StaffPage<R: StaffRole> {
    pub state: AppState,
    pub pc: PageCtx,
    pub staff: Staff<R>,
}

impl<R: StaffRole> StaffPage<R> {
    pub fn nav(&self) -> Option<Nav> {
        Some(Nav::of(&self.staff))
    }
}

/// Where the sign-in page sends staff back to: a back-office path, else the home page.
pub fn back_to(next: &str) -> &str {
    if is_local_path(next) && next.starts_with("/admin") && !next.starts_with("/admin/login") {
        next
    } else {
        "/admin"
    }
}

impl<R: StaffRole> FromRequestParts<AppState> for StaffPage<R> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let pc = PageCtx::from_request_parts(parts, state).await?;
        match staff::check::<R>(
            state,
            &crate::cookies::jar(&parts.headers),
            parts.uri.path(),
            &pc.ctx,
        )
        .await
        {
            Ok(staff) => Ok(StaffPage {
                state: state.clone(),
                pc,
                staff,
            }),
            Err(f) if f.status() == StatusCode::UNAUTHORIZED => {
                // Back to the page after sign-in; a refused post goes back to the home page.
                let back = if parts.method == Method::GET {
                    back_to(&pc.here)
                } else {
                    "/admin"
                };
                let next: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("next", back)
                    .finish();
                Err(redirect(&format!("/admin/login?{next}"), &[]))
            }
            Err(f) => {
                let l = pc.l();
                let heading = if f.code == "staff_role_required" {
                    l.t("無權使用此頁", "Not allowed")
                } else {
                    l.t("無法顯示此頁", "This page cannot be shown")
                };
                Err(message(
                    &pc,
                    None,
                    f.status(),
                    heading,
                    f.message(pc.ctx.lang),
                ))
            }
        }
    }
}

#[derive(Template)]
#[template(path = "backoffice/message.html")]
struct MessagePage {
    page: Page,
    staff: Option<Nav>,
    heading: &'static str,
    text: &'static str,
}

/// A back-office page saying `text` under `heading`.
pub fn message(
    pc: &PageCtx,
    staff: Option<Nav>,
    status: StatusCode,
    heading: &'static str,
    text: &'static str,
) -> Response {
    let t = MessagePage {
        page: pc.page(heading),
        staff,
        heading,
        text,
    };
    let status = if status.is_client_error() {
        status
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    render(pc, status, &t)
}

/// A failure of a back-office flow as a page (404 for unknown cases and organizations).
pub fn failed(pc: &PageCtx, staff: Option<Nav>, f: &crate::error::Failure) -> Response {
    let l = pc.l();
    let heading = if f.status() == StatusCode::NOT_FOUND {
        l.t("找不到資料", "Not found")
    } else {
        l.t("無法完成", "Something went wrong")
    };
    message(pc, staff, f.status(), heading, f.message(pc.ctx.lang))
}
