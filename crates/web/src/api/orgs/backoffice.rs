//! JSON API of the back office (`/api/v1/backoffice/…`): staff sign-in (own session), the review
//! queue (reviewers) and the organization registry (operators). Every handler takes the
//! extractor `Staff<R>`, which refuses other roles (403 `staff_role_required`) and every
//! non-staff caller (401 `staff_unauthenticated`).

use crate::error::FailureExt;
use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api::json::{ApiJson, ApiPath, ApiQuery};
use crate::api::views::ErrorBody;
use crate::context::ReqCtx;
use crate::error::ApiError;
use crate::extract::Staff;
use tessera_app::flows::login::LoginInput;
use tessera_app::flows::orgs::registry::{
    self, OrgDetailView, OrgInput, OrgPageView, OrgView, SearchQuery,
};
use tessera_app::flows::orgs::review::{self, CaseView, CasesQuery, CasesView, RejectInput};
use tessera_app::flows::orgs::staff::{self, AnyStaff, Operator, Reviewer, StaffView};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// Back-office sign-in (staff accounts only; same lockout rules as members).
#[utoipa::path(post, path = "/api/v1/backoffice/session", request_body = LoginInput, tag = "back office",
    responses((status = 200, body = StaffView), (status = 401, body = ErrorBody, description = "invalid_credentials, captcha_required"),
              (status = 403, body = ErrorBody, description = "password_expired (reset by an operator)"),
              (status = 423, body = ErrorBody, description = "account_locked")))]
pub async fn login(
    State(state): State<AppState>,
    ctx: ReqCtx,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Response> {
    let (view, cookie) = staff::login(&state, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(([(SET_COOKIE, cookie)], Json(view)).into_response())
}

/// Who is signed in to the back office.
#[utoipa::path(get, path = "/api/v1/backoffice/session", tag = "back office",
    responses((status = 200, body = StaffView), (status = 401, body = ErrorBody)))]
pub async fn me(who: Staff<AnyStaff>) -> Json<StaffView> {
    Json(who.view())
}

/// Back-office sign-out.
#[utoipa::path(delete, path = "/api/v1/backoffice/session", tag = "back office", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let clear = staff::logout(&state, &crate::cookies::jar(&headers), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}

/// The review queue (pending cases by default). Reviewers.
#[utoipa::path(get, path = "/api/v1/backoffice/reviews", tag = "back office", params(CasesQuery),
    responses((status = 200, body = CasesView), (status = 403, body = ErrorBody, description = "staff_role_required")))]
pub async fn reviews(
    State(state): State<AppState>,
    ctx: ReqCtx,
    _who: Staff<Reviewer>,
    ApiQuery(q): ApiQuery<CasesQuery>,
) -> ApiResult<Json<CasesView>> {
    review::list(&state, &q)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// One case beside its registry entry. Reviewers.
#[utoipa::path(get, path = "/api/v1/backoffice/reviews/{id}", tag = "back office", params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub async fn review_case(
    State(state): State<AppState>,
    ctx: ReqCtx,
    _who: Staff<Reviewer>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    review::show(&state, &id)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Approve: the card may register (now, or from the next business day as configured); the
/// applicant is emailed. Reviewers.
#[utoipa::path(post, path = "/api/v1/backoffice/reviews/{id}/approve", tag = "back office", params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody, description = "review_already_decided")))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: ReqCtx,
    who: Staff<Reviewer>,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<CaseView>> {
    review::decide(&state, &who.account, &id, None, &ctx)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Reject with a reason, which is emailed to the applicant. Reviewers.
#[utoipa::path(post, path = "/api/v1/backoffice/reviews/{id}/reject", request_body = RejectInput, tag = "back office", params(("id" = String, Path)),
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<AppState>,
    ctx: ReqCtx,
    who: Staff<Reviewer>,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<RejectInput>,
) -> ApiResult<Json<CaseView>> {
    review::decide(&state, &who.account, &id, Some(&input), &ctx)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Search the registry by agency code or name. Operators.
#[utoipa::path(get, path = "/api/v1/backoffice/organizations", tag = "back office", params(SearchQuery),
    responses((status = 200, body = OrgPageView), (status = 403, body = ErrorBody)))]
pub async fn organizations(
    State(state): State<AppState>,
    ctx: ReqCtx,
    _who: Staff<Operator>,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<OrgPageView>> {
    registry::search(&state, &q)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// An organization: registry entry, manager, certificates with history, receipts. Operators.
#[utoipa::path(get, path = "/api/v1/backoffice/organizations/{code}", tag = "back office", params(("code" = String, Path)),
    responses((status = 200, body = OrgDetailView), (status = 404, body = ErrorBody)))]
pub async fn organization(
    State(state): State<AppState>,
    ctx: ReqCtx,
    _who: Staff<Operator>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<OrgDetailView>> {
    registry::detail(&state, &code, ctx.lang)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Create (201) or edit (200) a registry entry. Operators.
#[utoipa::path(put, path = "/api/v1/backoffice/organizations/{code}", request_body = OrgInput, tag = "back office", params(("code" = String, Path)),
    responses((status = 200, body = OrgView), (status = 201, body = OrgView), (status = 422, body = ErrorBody)))]
pub async fn save_organization(
    State(state): State<AppState>,
    ctx: ReqCtx,
    who: Staff<Operator>,
    ApiPath(code): ApiPath<String>,
    ApiJson(input): ApiJson<OrgInput>,
) -> ApiResult<Response> {
    let (created, view) = registry::save(&state, &who.account, &code, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}
