//! 授權指派作業's pages (五, 圖3-14 … 3-22), for the authorization manager's assignment session
//! only (guard `ManageHandlers`): the handler list (10/25/50 per page, search by name or ID,
//! 「顯示第 1 至 10 項結果，共 N 項」), 刪除 after 「您確定刪除這筆資料?」, and 結束授權指派
//! (新增 and 修改 are in `handler_form.rs`). Writes call `flows::orgs::handlers` like the API.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::refused;
use crate::error::{ApiError, Failure};
use crate::extract::Org;
use tessera_app::flows::orgs::guard::ManageHandlers;
use tessera_app::flows::orgs::handlers::{self, HandlerListView, HandlerView, ListQuery};
use tessera_app::flows::orgs::sessions;
use tessera_app::state::AppState;

/// The extractor of every page here: the manager's assignment session, or the refusal.
pub(super) type Manager = Result<Org<ManageHandlers>, ApiError>;

#[derive(Template)]
#[template(path = "orgs/handlers.html")]
struct ListPage {
    page: Page,
    list: HandlerListView,
    q: String,
    prev: String,
    next: String,
    per_pages: [u32; 3],
}

fn list_url(code: &str, page: u32, per_page: u32, q: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("page", &page.to_string())
        .append_pair("per_page", &per_page.to_string())
        .append_pair("q", q)
        .finish();
    format!("/orgs/{code}/handlers?{query}")
}

/// `GET /orgs/{code}/handlers?page=&per_page=&q=`: 授權經辦人清單.
pub async fn list(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let l = pc.l();
    let code = org.org.agency_code.clone();
    let list = match handlers::list(&state, &code, &org.org.name, &q, pc.ctx.lang).await {
        Ok(v) => v,
        Err(f) => return failure_page(&pc, &f),
    };
    let text = q.q.clone().unwrap_or_default();
    let prev = if list.page > 1 {
        list_url(&code, list.page - 1, list.per_page, &text)
    } else {
        String::new()
    };
    let next = if list.to < list.total {
        list_url(&code, list.page + 1, list.per_page, &text)
    } else {
        String::new()
    };
    let t = ListPage {
        page: pc.page(l.t("授權指派作業", "Authorization assignment")),
        list,
        q: text,
        prev,
        next,
        per_pages: [10, 25, 50],
    };
    render(&pc, StatusCode::OK, &t)
}

pub(super) fn handler_id(raw: &str) -> Result<i64, Failure> {
    raw.parse()
        .map_err(|_| Failure::new(crate::error::FailureKind::NotFound, "not_found"))
}

/// The manager's agency code and its handler `id`, or the page that says why not (refused
/// assignment session, unknown handler).
pub(super) async fn managed_handler(
    state: &AppState,
    pc: &PageCtx,
    org: Manager,
    id: &str,
) -> Result<(String, HandlerView), Response> {
    let org = org.map_err(|e| refused(pc, e))?;
    let code = org.org.agency_code.clone();
    let found = match handler_id(id) {
        Ok(id) => handlers::get(state, &code, id).await,
        Err(f) => Err(f),
    };
    found.map(|h| (code, h)).map_err(|f| failure_page(pc, &f))
}

#[derive(Template)]
#[template(path = "orgs/handler_delete.html")]
struct DeletePage {
    page: Page,
    code: String,
    handler: HandlerView,
}

/// `GET /orgs/{code}/handlers/{id}/delete`: 「您確定刪除這筆資料?」.
pub async fn delete_confirm(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    match managed_handler(&state, &pc, org, &id).await {
        Ok((code, handler)) => {
            let l = pc.l();
            let t = DeletePage {
                page: pc.page(l.t("刪除授權經辦人", "Delete a handler")),
                code,
                handler,
            };
            render(&pc, StatusCode::OK, &t)
        }
        Err(r) => r,
    }
}

/// `POST /orgs/{code}/handlers/{id}/delete`: 刪除 (刪除成功).
pub async fn delete(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let code = org.org.agency_code.clone();
    let done = match handler_id(&id) {
        Ok(id) => handlers::delete(&state, &org.via, &code, id, &pc.ctx).await,
        Err(f) => Err(f),
    };
    match done {
        Ok(_) => redirect(
            &format!("/orgs/{code}/handlers"),
            &[pc.flash_cookie("org_handler_deleted")],
        ),
        Err(f) => failure_page(&pc, &f),
    }
}

/// `POST /orgs/assignment/end`: 結束授權指派 (the assignment session ends).
pub async fn end(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    match sessions::end_assignment(&state, &crate::cookies::jar(&headers), &pc.ctx).await {
        Ok(clear) => redirect("/orgs", &[clear, pc.flash_cookie("org_signed_out")]),
        Err(f) => failure_page(&pc, &f),
    }
}
