//! JSON API of the organization flows: first registration, the three certificate replacements
//! and the opening of an authorization assignment, step by step (`/api/v1/org-flows/{flow}/…`),
//! and the function permission tree.

use crate::error::FailureExt;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::json::{ApiJson, ApiPath};
use crate::api::views::ErrorBody;
use crate::context::ReqCtx;
use crate::csrf::CsrfToken;
use crate::error::ApiError;
use tessera_app::flows::cert;
use tessera_app::flows::orgs::complete::{self, CompletedView, DetailsInput};
use tessera_app::flows::orgs::flow::{self, FlowView, StartInput, TermsInput, browser_binding};
use tessera_app::flows::orgs::functions::{GroupView, group_views};
use tessera_app::flows::orgs::manager::{self, AssignmentView, ManagerCardInput, ManagerStep};
use tessera_app::flows::orgs::org_card::{self, ContactInput, OrgCardInput};
use tessera_app::flows::orgs::sessions;
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

fn browser(csrf: &CsrfToken) -> String {
    browser_binding(&csrf.0)
}

/// Start a flow: `register` (首次註冊), `replace_org`, `replace_manager`, `replace_both`
/// (更換憑證) or `assign` (授權指派). The answer carries the `flow_id` for the next steps and,
/// for all but `assign`, the terms with their page download time (網頁下載時間).
#[utoipa::path(post, path = "/api/v1/org-flows", request_body = StartInput, tag = "organizations",
    responses((status = 201, body = FlowView), (status = 400, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<StartInput>,
) -> ApiResult<Response> {
    let v = flow::start(&state, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// The flow's current step and what it has confirmed so far (the summary of 圖3-9 at `details`).
#[utoipa::path(get, path = "/api/v1/org-flows/{flow}", tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 200, body = FlowView), (status = 404, body = ErrorBody, description = "org_flow_invalid")))]
pub async fn show(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<FlowView>> {
    flow::show(&state, &id, &browser(&csrf), ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Cancel the flow (取消 / 退出).
#[utoipa::path(delete, path = "/api/v1/org-flows/{flow}", tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")), responses((status = 204)))]
pub async fn cancel(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    flow::cancel(&state, &id, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// 同意條款內容 (moves on) or 不同意 (204: the flow ends).
#[utoipa::path(post, path = "/api/v1/org-flows/{flow}/terms", request_body = TermsInput, tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 200, body = FlowView), (status = 204, description = "declined"),
              (status = 409, body = ErrorBody, description = "org_flow_step")))]
pub async fn terms(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<TermsInput>,
) -> ApiResult<Response> {
    let v = flow::answer_terms(&state, &id, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(match v {
        Some(v) => Json(v).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// 機關憑證確認: agency code + the organization card's signature over a challenge of the
/// flow's `challenge_purpose`. A card that does not match the registry moves the flow to
/// `contact` with the notice `org_review_required`; while its case is pending every attempt
/// answers 403 `org_review_pending`.
#[utoipa::path(post, path = "/api/v1/org-flows/{flow}/org-certificate", request_body = OrgCardInput, tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 200, body = FlowView),
              (status = 403, body = ErrorBody, description = "org_review_pending, org_cert_kind_not_accepted, org_cert_not_current, cert_revoked …"),
              (status = 404, body = ErrorBody, description = "org_unknown_agency_code, org_flow_invalid"),
              (status = 409, body = ErrorBody, description = "org_already_registered, org_not_registered, org_cert_bound_elsewhere, org_flow_step")))]
pub async fn org_certificate(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<OrgCardInput>,
) -> ApiResult<Json<FlowView>> {
    let cert_binding = cert::browser_binding(&csrf.0);
    org_card::submit(&state, &id, &input, &browser(&csrf), &cert_binding, &ctx)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// 機關憑證註冊申請人確認: the applicant's name, phone and email; files the review case (202,
/// notice `org_review_pending`).
#[utoipa::path(post, path = "/api/v1/org-flows/{flow}/contact", request_body = ContactInput, tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 202, body = FlowView), (status = 422, body = ErrorBody)))]
pub async fn contact(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    let v = org_card::contact(&state, &id, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::ACCEPTED, Json(v)).into_response())
}

/// The manager step's answer: the flow moved to `details`, or (assignment) the session opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<FlowView>,
    /// Assignment flows: the assignment session (cookie `tessera_org_assign`) is open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignment: Option<AssignmentView>,
}

/// 自然人憑證確認: the manager's national ID + citizen card signature over an `org-manager`
/// challenge. An assignment flow ends here with the assignment session's cookie.
#[utoipa::path(post, path = "/api/v1/org-flows/{flow}/manager-certificate", request_body = ManagerCardInput, tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 200, body = ManagerAnswer),
              (status = 403, body = ErrorBody, description = "org_manager_mismatch, cert_national_id_mismatch, cert_kind_not_accepted …")))]
pub async fn manager_certificate(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ManagerCardInput>,
) -> ApiResult<Response> {
    let cert_binding = cert::browser_binding(&csrf.0);
    let step = manager::submit(&state, &id, &input, &browser(&csrf), &cert_binding, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(match step {
        ManagerStep::Next(v) => Json(ManagerAnswer {
            flow: Some(*v),
            assignment: None,
        })
        .into_response(),
        ManagerStep::Assignment(v, cookie) => (
            [(SET_COOKIE, cookie)],
            Json(ManagerAnswer {
                flow: None,
                assignment: Some(v),
            }),
        )
            .into_response(),
    })
}

/// 確認: the manager's contact details (and, for a first registration, the password of the
/// organization's account, username = agency code); binds the certificates and writes the
/// receipt record.
#[utoipa::path(post, path = "/api/v1/org-flows/{flow}/details", request_body = DetailsInput, tag = "organizations",
    params(("flow" = String, Path, description = "flow_id")),
    responses((status = 201, body = CompletedView), (status = 422, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "org_flow_step, org_already_registered, org_account_taken")))]
pub async fn details(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<DetailsInput>,
) -> ApiResult<Response> {
    let v = complete::submit(&state, &id, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// End the assignment session (退出).
#[utoipa::path(delete, path = "/api/v1/org-assignment", tag = "organizations", responses((status = 204)))]
pub async fn end_assignment(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let clear = sessions::end_assignment(&state, &crate::cookies::jar(&headers), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}

/// The function permission tree (功能選單) handlers can be granted, in the request's language.
#[utoipa::path(get, path = "/api/v1/org-permissions", tag = "organizations",
    responses((status = 200, body = [GroupView])))]
pub async fn permissions(State(state): State<AppState>, ctx: ReqCtx) -> Json<Vec<GroupView>> {
    Json(group_views(&state.settings.orgs.tree.groups, ctx.lang))
}
