//! JSON API: registration, the signed-in member's own account (read, edit, delete, password),
//! and email / mobile verification.

use crate::error::FailureExt;
use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::json::ApiJson;
use super::me::{Me, MeAny, MeExpiredOk, MeUnverifiedOk};
use super::views::{AccountView, CreatedView, ErrorBody, MeView, loa_str};
use crate::context::ReqCtx;
use crate::error::ApiError;
use crate::session::clear_cookie;
use tessera_app::flows::profile::{DeleteInput, PasswordChange, ProfileInput};
use tessera_app::flows::register::RegisterInput;
use tessera_app::flows::{login::password_expires_at, profile, register, verify};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

fn cookie(value: String) -> [(HeaderName, String); 1] {
    [(SET_COOKIE, value)]
}

/// Register a member account.
#[utoipa::path(post, path = "/api/v1/accounts", request_body = RegisterInput, tag = "accounts",
    responses((status = 201, body = CreatedView), (status = 422, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "username_unavailable")))]
pub async fn create(
    State(state): State<AppState>,
    ctx: ReqCtx,
    ApiJson(input): ApiJson<RegisterInput>,
) -> ApiResult<Response> {
    let a = register::register(&state, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let body = CreatedView {
        id: a.id,
        username: a.username,
        email_verified: a.email_verified,
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// The signed-in account and the session's level of assurance.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MeAny {
        session: s,
        account: a,
    }: MeAny,
) -> ApiResult<Json<MeView>> {
    let certs = state
        .store
        .account_certificates(&a.id, false)
        .await
        .map_err(|e| crate::error::Failure::from(e).in_lang(ctx.lang))?;
    Ok(Json(MeView {
        account: AccountView::new(&a, password_expires_at(&state, &a)),
        loa: loa_str(s.loa),
        password_change_required: s.password_change_only,
        email_verification_required: s.email_unverified,
        certificates: certs.iter().map(super::views::CertView::new).collect(),
    }))
}

/// Edit the profile (every field but the username).
#[utoipa::path(patch, path = "/api/v1/me", request_body = ProfileInput, tag = "accounts",
    responses((status = 200, body = AccountView), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MeUnverifiedOk { account: a, .. }: MeUnverifiedOk,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<AccountView>> {
    let lang = ctx.lang;
    let a = profile::update(&state, &a, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(Json(AccountView::new(&a, password_expires_at(&state, &a))))
}

/// Delete the account for good (password confirmation).
#[utoipa::path(delete, path = "/api/v1/me", request_body = DeleteInput, tag = "accounts",
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MeUnverifiedOk { account: a, .. }: MeUnverifiedOk,
    ApiJson(input): ApiJson<DeleteInput>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    profile::delete(&state, &a, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok((StatusCode::NO_CONTENT, cookie(clear_cookie(&state))).into_response())
}

/// Change the password (also the way out of an expired password).
#[utoipa::path(post, path = "/api/v1/me/password", request_body = PasswordChange, tag = "accounts",
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MeExpiredOk { account: a, .. }: MeExpiredOk,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let set = profile::change_password(&state, &a, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok((StatusCode::NO_CONTENT, cookie(set)).into_response())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenInput {
    pub token: String,
}

/// Confirm an email address with the token from the emailed link.
#[utoipa::path(post, path = "/api/v1/email-verifications", request_body = TokenInput, tag = "verification",
    responses((status = 204), (status = 400, body = ErrorBody, description = "token_invalid")))]
pub async fn verify_email(
    State(state): State<AppState>,
    ctx: ReqCtx,
    ApiJson(input): ApiJson<TokenInput>,
) -> ApiResult<StatusCode> {
    verify::confirm_email(&state, &input.token, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Send a new verification link to the address waiting for verification (the account's own,
/// or the new one it is changing to); nothing when none waits.
#[utoipa::path(post, path = "/api/v1/email-verifications/resend", tag = "verification",
    responses((status = 202), (status = 401, body = ErrorBody)))]
pub async fn resend_email(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MeUnverifiedOk { account: a, .. }: MeUnverifiedOk,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    verify::resend(&state, &a, lang)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(StatusCode::ACCEPTED)
}

/// Send a 6-digit code to the account's mobile.
#[utoipa::path(post, path = "/api/v1/mobile-verifications", tag = "verification",
    responses((status = 202), (status = 409, body = ErrorBody)))]
pub async fn send_mobile_code(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Me { account: a, .. }: Me,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    verify::send_mobile_code(&state, &a, lang)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CodeInput {
    pub code: String,
}

/// Confirm the mobile with the code.
#[utoipa::path(post, path = "/api/v1/mobile-verifications/confirm", request_body = CodeInput, tag = "verification",
    responses((status = 204), (status = 400, body = ErrorBody)))]
pub async fn confirm_mobile(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Me { account: a, .. }: Me,
    ApiJson(input): ApiJson<CodeInput>,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    verify::confirm_mobile(&state, &a, &input.code, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
