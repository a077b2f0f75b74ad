//! JSON API for people acting for organizations: handler sign-in with the citizen card and the
//! choice of the organization acted for, and the two card lookups of 七 (organization
//! certificate OID, citizen certificate serial).

use crate::error::FailureExt;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::api::json::ApiJson;
use crate::api::views::ErrorBody;
use crate::context::ReqCtx;
use crate::csrf::CsrfToken;
use crate::error::ApiError;
use tessera_app::flows::cert;
use tessera_app::flows::orgs::handler_login::{
    self, ChooseInput, HandlerLoginInput, HandlerSessionView,
};
use tessera_app::flows::orgs::lookups::{
    CitizenLookupInput, CitizenLookupView, OrgLookupInput, OrgLookupView,
};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// Handler sign-in: citizen card signature over an `org-handler` challenge + national ID.
/// Lists the organizations that assigned this person; with exactly one usable, the session acts
/// for it. Refused: `org_handler_not_assigned`, `org_handler_cert_changed` (renewed card not yet
/// updated by the manager).
#[utoipa::path(post, path = "/api/v1/org-handler/session", request_body = HandlerLoginInput, tag = "organizations",
    responses((status = 200, body = HandlerSessionView),
              (status = 403, body = ErrorBody, description = "org_handler_not_assigned, org_handler_cert_changed, cert_national_id_mismatch …")))]
pub async fn login(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<HandlerLoginInput>,
) -> ApiResult<Response> {
    let binding = cert::browser_binding(&csrf.0);
    let (view, cookie) = handler_login::login(&state, &input, &binding, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(([(SET_COOKIE, cookie)], Json(view)).into_response())
}

/// The handler session (who, the organization acted for, every assignment), or 401.
#[utoipa::path(get, path = "/api/v1/org-handler/session", tag = "organizations",
    responses((status = 200, body = HandlerSessionView), (status = 401, body = ErrorBody)))]
pub async fn current(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
) -> ApiResult<Json<HandlerSessionView>> {
    handler_login::current(&state, &crate::cookies::jar(&headers))
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Choose (or switch) the organization to act for.
#[utoipa::path(put, path = "/api/v1/org-handler/session", request_body = ChooseInput, tag = "organizations",
    responses((status = 200, body = HandlerSessionView), (status = 403, body = ErrorBody)))]
pub async fn choose(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ChooseInput>,
) -> ApiResult<Json<HandlerSessionView>> {
    handler_login::choose(&state, &crate::cookies::jar(&headers), &input, &ctx)
        .await
        .map(Json)
        .map_err(|f| f.in_lang(ctx.lang))
}

/// Handler sign-out.
#[utoipa::path(delete, path = "/api/v1/org-handler/session", tag = "organizations", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let clear = handler_login::logout(&state, &crate::cookies::jar(&headers), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}

/// 查詢機關憑證OID: the organization card (signature over an `org-lookup` challenge) and the
/// agency code; answers the card's name and identifiers and whether they match the registry.
#[utoipa::path(post, path = "/api/v1/org-lookups/organization-certificate", request_body = OrgLookupInput, tag = "organizations",
    responses((status = 200, body = OrgLookupView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn org_lookup(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<OrgLookupInput>,
) -> ApiResult<Json<OrgLookupView>> {
    tessera_app::flows::orgs::lookups::org_lookup(
        &state,
        &input,
        &cert::browser_binding(&csrf.0),
        &ctx,
    )
    .await
    .map(Json)
    .map_err(|f| f.in_lang(ctx.lang))
}

/// 查詢自然人憑證序號: the citizen card (signature over a `cert-lookup` challenge) and the
/// typed national ID; answers the name and serial to give the manager.
#[utoipa::path(post, path = "/api/v1/org-lookups/citizen-certificate", request_body = CitizenLookupInput, tag = "organizations",
    responses((status = 200, body = CitizenLookupView), (status = 403, body = ErrorBody)))]
pub async fn citizen_lookup(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<CitizenLookupInput>,
) -> ApiResult<Json<CitizenLookupView>> {
    tessera_app::flows::orgs::lookups::citizen_lookup(
        &state,
        &input,
        &cert::browser_binding(&csrf.0),
        &ctx,
    )
    .await
    .map(Json)
    .map_err(|f| f.in_lang(ctx.lang))
}
