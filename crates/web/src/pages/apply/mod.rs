//! 線上申辦 pages: the types offered and 「我的申辦案件」 (`index`), one form page of a case
//! (`fill`), the case with its history and the moves its viewer may take (`case`), the
//! attachments (`files`), and the reviewers' queue in the back office with its CSV export and
//! counter filing (`queue`). Every page is a view of `tessera_app::apply`'s use cases; who acts
//! is decided once here ([`who`]): a member's session, or a staff member's when the request
//! carries no member session, so reviewers use the same case page as filers.

mod case;
mod fields;
mod files;
mod fill;
mod index;
mod queue;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use tessera_app::apply::Who;
use tessera_app::flows::orgs::staff::{self, AnyStaff};
use tessera_app::state::AppState;

use super::home::MessagePage;
use super::layout::{PageCtx, redirect, render};
use super::member;
use super::reload::back_to;
use crate::cookies;
use crate::error::{Failure, FailureExt, FailureKind};
use crate::session::Open;

pub(crate) use queue::{QueueLink, queue_links};

/// The largest upload request taken by the attachment route: one file of up to 10 MiB
/// (`tessera_app::apply::files::MAX_MIB`) with its multipart framing and form fields.
const UPLOAD_LIMIT: usize = 12 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apply", get(index::show))
        .route(
            "/apply/{type_id}/start",
            post(index::start).get(back_to("/apply")),
        )
        .route("/apply/cases/{id}", get(case::show))
        .route(
            "/apply/cases/{id}/pages/{page}",
            get(fill::show).post(fill::save),
        )
        .route(
            "/apply/cases/{id}/act/{action}",
            post(case::act).get(to_case),
        )
        .route("/apply/cases/{id}/change", post(case::change).get(to_case))
        .route(
            "/apply/cases/{id}/attachments",
            post(files::upload)
                .get(to_case)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/apply/cases/{id}/attachments/{aid}", get(files::download))
        .route("/apply/cases/{id}/print/{print}", get(files::print))
        .route(
            "/apply/cases/{id}/attachments/{aid}/delete",
            post(files::remove).get(to_case),
        )
        .route("/admin/apply/{type_id}", get(queue::show))
        .route("/admin/apply/{type_id}/queue.csv", get(queue::csv))
        .route(
            "/admin/apply/{type_id}/start",
            post(queue::start).get(to_queue),
        )
}

/// Who acts on this request: the signed-in member (a full session; without one, the browser
/// is sent to sign in, a limited one to the page it may use), or — when the request carries a
/// staff session and no member session — the staff member with their roles and counties.
pub async fn who(state: &AppState, pc: &PageCtx, headers: &HeaderMap) -> Result<Who, Response> {
    if pc.any_session().is_none()
        && let Some(staff) = staff_who(state, pc, headers).await?
    {
        return Ok(staff);
    }
    let (session, account) = member::require(state, pc, Open::Full).await?;
    Ok(Who::Member {
        account: Box::new(account),
        loa: session.loa,
    })
}

/// The staff member of the request's staff session, with their counties; `None` when the
/// request carries no live staff session.
pub async fn staff_who(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
) -> Result<Option<Who>, Response> {
    let jar = cookies::jar(headers);
    if jar.get(staff::cookie_name(state)).is_none() {
        return Ok(None);
    }
    let path = pc.here.split('?').next().unwrap_or("");
    match staff::check::<AnyStaff>(state, &jar, path, &pc.ctx).await {
        Ok(s) => {
            let counties = state
                .store
                .staff_counties(&s.account.id)
                .await
                .map_err(|e| failed(pc, &Failure::from(e)))?;
            Ok(Some(Who::Staff {
                account: Box::new(s.account),
                roles: s.roles,
                counties,
            }))
        }
        Err(f) if f.kind == FailureKind::Unauthenticated => Ok(None),
        Err(f) => Err(failed(pc, &f)),
    }
}

/// A failure of an application use case as a page: 404 for a case or type that does not
/// exist for the viewer, 403 for a refusal, the failure's own status otherwise.
pub fn failed(pc: &PageCtx, f: &Failure) -> Response {
    let l = pc.l();
    let heading = match f.status() {
        StatusCode::NOT_FOUND => l.t("找不到資料", "Not found"),
        StatusCode::FORBIDDEN => l.t("無權使用此頁", "Not allowed"),
        _ => l.t("無法完成", "Something went wrong"),
    };
    let page = pc.page(heading);
    render(
        pc,
        f.status(),
        &MessagePage {
            page,
            heading,
            text: f.message(l.0),
        },
    )
}

/// Whether `id` may be put into a `Location` as it is: what a case id or a type id can be.
fn plain(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The path of a case's page.
fn case_path(id: &str) -> String {
    format!("/apply/cases/{id}")
}

/// `GET` of the paths a case page's forms post to (a reload, the language switch): the case
/// page (the list when the id is not one a case can have, so nothing odd is echoed).
async fn to_case(Path(p): Path<HashMap<String, String>>) -> Response {
    match p.get("id").filter(|id| plain(id)) {
        Some(id) => redirect(&case_path(id), &[]),
        None => redirect("/apply", &[]),
    }
}

/// `GET /admin/apply/{type}/start`: the queue the counter-filing button lives on.
async fn to_queue(Path(type_id): Path<String>) -> Response {
    if plain(&type_id) {
        redirect(&format!("/admin/apply/{type_id}"), &[])
    } else {
        redirect("/admin", &[])
    }
}

/// The flash message announcing that `action` was taken (the shipped type's actions; any
/// other says the status changed).
fn moved_flash(action: &str) -> &'static str {
    match action {
        "submit" => "apply_sent",
        "correct" => "apply_correction_sent",
        "return" => "apply_returned",
        "approve" => "apply_approved",
        "reject" => "apply_rejected",
        "withdraw" => "apply_withdrawn",
        "change" => "apply_change_sent",
        "cancel" => "apply_cancelled",
        _ => "apply_moved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_go_into_a_location() {
        assert!(plain("0f3a9c"));
        assert!(plain("medical-support"));
        assert!(!plain(""));
        assert!(!plain("報備-115-000001"));
        assert!(!plain("a/../b"));
        assert!(!plain(&"a".repeat(65)));
    }

    #[test]
    fn every_flash_the_pages_set_is_one_the_next_page_shows() {
        let moves = [
            "submit", "correct", "return", "approve", "reject", "withdraw", "change", "cancel",
            "other",
        ];
        let others = [
            "apply_draft_started",
            "apply_change_started",
            "apply_attachment_added",
            "apply_attachment_removed",
        ];
        for code in moves.into_iter().map(moved_flash).chain(others) {
            assert!(tessera_core::messages::is_known(code), "{code}");
            assert!(crate::pages::i18n::flash(code).is_some(), "{code}");
        }
    }
}
