//! JSON API of one organization (`/api/v1/orgs/{code}/…`). Every handler here takes the guard
//! `Org<R>` (flows::orgs::guard): the request reaches the body only if the caller's identity
//! for that organization meets `R` — the manager's assignment session for the handler list,
//! a handler granted the function for the rest (or the manager / the organization's account
//! for Tessera's own queries).

use crate::error::FailureExt;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, LOCATION};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::json::{ApiJson, ApiPath, ApiQuery};
use crate::api::views::ErrorBody;
use crate::context::ReqCtx;
use crate::error::{ApiError, Failure};
use crate::extract::Org;
use tessera_app::flows::orgs::functions::{self, WorkspaceView};
use tessera_app::flows::orgs::guard::{
    AuthorizedList, EnterFunction, ManageHandlers, Receipts, Workspace,
};
use tessera_app::flows::orgs::handlers::{
    self, CardInfo, CardInfoInput, HandlerBody, HandlerListView, HandlerView, HandlerWritten,
    ListQuery,
};
use tessera_app::flows::orgs::queries::{self, AuthorizedListView, ReceiptView};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

fn handler_id(raw: &str) -> Result<i64, Failure> {
    raw.parse()
        .map_err(|_| Failure::new(crate::error::FailureKind::NotFound, "not_found"))
}

/// 授權經辦人清單: a page of handlers (10/25/50), searchable by name or ID, with the seed's
/// 「顯示第 1 至 10 項結果，共 N 項」. Manager only.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/handlers", tag = "organizations", params(("code" = String, Path), ListQuery),
    responses((status = 200, body = HandlerListView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "org_permission_denied")))]
pub async fn list_handlers(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<ManageHandlers>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<HandlerListView>> {
    handlers::list(&state, &org.org.agency_code, &org.org.name, &q, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// 新增授權經辦人 (新增成功). Manager only.
#[utoipa::path(post, path = "/api/v1/orgs/{code}/handlers", request_body = HandlerBody, tag = "organizations", params(("code" = String, Path)),
    responses((status = 201, body = HandlerWritten), (status = 409, body = ErrorBody, description = "org_handler_exists"), (status = 422, body = ErrorBody)))]
pub async fn add_handler(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<ManageHandlers>,
    ApiJson(body): ApiJson<HandlerBody>,
) -> ApiResult<Response> {
    let w = handlers::add(&state, &org.via, &org.org.agency_code, &body, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::CREATED, Json(w)).into_response())
}

/// One handler (the modify form). Manager only.
#[utoipa::path(get, path = "/api/v1/orgs/{code}/handlers/{id}", tag = "organizations", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = HandlerView), (status = 404, body = ErrorBody)))]
pub async fn get_handler(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<ManageHandlers>,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<HandlerView>> {
    async {
        let id = handler_id(&id)?;
        handlers::get(&state, &org.org.agency_code, id).await
    }
    .await
    .map(Json)
    .map_err(|f| f.in_lang(ctx.lang))
}

/// 修改授權經辦人 (修改成功), e.g. the new serial of a renewed card. Manager only.
#[utoipa::path(put, path = "/api/v1/orgs/{code}/handlers/{id}", request_body = HandlerBody, tag = "organizations", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = HandlerWritten), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_handler(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<ManageHandlers>,
    ApiPath((_, id)): ApiPath<(String, String)>,
    ApiJson(body): ApiJson<HandlerBody>,
) -> ApiResult<Json<HandlerWritten>> {
    async {
        let id = handler_id(&id)?;
        handlers::update(&state, &org.via, &org.org.agency_code, id, &body, &ctx).await
    }
    .await
    .map(Json)
    .map_err(|f| f.in_lang(ctx.lang))
}

/// 刪除授權經辦人 (刪除成功; the page asks 「您確定刪除這筆資料?」 first). Manager only.
#[utoipa::path(delete, path = "/api/v1/orgs/{code}/handlers/{id}", tag = "organizations", params(("code" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = HandlerWritten), (status = 404, body = ErrorBody)))]
pub async fn delete_handler(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<ManageHandlers>,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<HandlerWritten>> {
    async {
        let id = handler_id(&id)?;
        handlers::delete(&state, &org.via, &org.org.agency_code, id, &ctx).await
    }
    .await
    .map(Json)
    .map_err(|f| f.in_lang(ctx.lang))
}

/// 讀取憑證: the serial and name of the certificate read from a handler's card. Manager only.
#[utoipa::path(post, path = "/api/v1/orgs/{code}/card-info", request_body = CardInfoInput, tag = "organizations", params(("code" = String, Path)),
    responses((status = 200, body = CardInfo), (status = 422, body = ErrorBody)))]
pub async fn card_info(
    ctx: ReqCtx,
    _org: Org<ManageHandlers>,
    ApiJson(input): ApiJson<CardInfoInput>,
) -> ApiResult<Json<CardInfo>> {
    handlers::card_info(&input.cert)
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// 查詢憑證註冊收件紀錄 (圖3-39), oldest first, 收件時間 in ROC form. Permission
/// `tessera.receipts` (or the manager / the organization's account).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/receipts", tag = "organizations", params(("code" = String, Path)),
    responses((status = 200, body = [ReceiptView]), (status = 403, body = ErrorBody)))]
pub async fn receipts(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<Receipts>,
) -> ApiResult<Json<Vec<ReceiptView>>> {
    queries::receipts(&state, &org.via, &org.org.agency_code, &ctx)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// `?format=csv` for the export.
#[derive(Debug, Deserialize, IntoParams)]
pub struct FormatQuery {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// 查詢已授權清單: handlers and their permissions; `?format=csv` downloads it. Permission
/// `tessera.authorized_list` (or the manager / the organization's account).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/authorized", tag = "organizations", params(("code" = String, Path), FormatQuery),
    responses((status = 200, body = AuthorizedListView, description = "JSON, or text/csv with ?format=csv"), (status = 403, body = ErrorBody)))]
pub async fn authorized(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<AuthorizedList>,
    ApiQuery(q): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let list = queries::authorized(&state, &org.via, &org.org, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    if q.format.as_deref() != Some("csv") {
        return Ok(Json(list).into_response());
    }
    let body = queries::authorized_csv(&list, ctx.lang).map_err(|f| f.in_lang(ctx.lang))?;
    let disposition = format!(
        "attachment; filename=\"authorized-{}.csv\"",
        org.org.agency_code
    );
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// The handler's workspace: the functions granted in this organization (nothing else).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/workspace", tag = "organizations", params(("code" = String, Path)),
    responses((status = 200, body = WorkspaceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "org_select_required")))]
pub async fn workspace(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<Workspace>,
) -> Json<WorkspaceView> {
    Json(functions::workspace(
        &state,
        &org.via,
        &org.org.agency_code,
        &org.org.name,
        ctx.lang,
    ))
}

/// Enter a function: 303 to its downstream service, if the handler holds it (audited).
#[utoipa::path(get, path = "/api/v1/orgs/{code}/functions/{function}", tag = "organizations",
    params(("code" = String, Path), ("function" = String, Path)),
    responses((status = 303, description = "Location: the function's service"), (status = 403, body = ErrorBody, description = "org_permission_denied")))]
pub async fn enter_function(
    State(state): State<AppState>,
    ctx: ReqCtx,
    org: Org<EnterFunction>,
    ApiPath((_, function)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let url = functions::enter(&state, &org.via, &org.org.agency_code, &function, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, url)]).into_response())
}
