//! JSON API: password sign-in and sign-out, password reset, and the CAPTCHA challenge.

use crate::error::FailureExt;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::json::ApiJson;
use super::views::{AccountView, ErrorBody, SessionView, loa_str};
use crate::context::ReqCtx;
use crate::csrf::CsrfToken;
use crate::error::ApiError;
use crate::session::{MaybeSession, clear_cookie};
use tessera_app::captcha;
use tessera_app::flows::login::{self, LoginInput, password_expires_at};
use tessera_app::flows::reset::{self, ResetComplete, ResetRequest};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// Sign in with username and password.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginInput, tag = "session",
    responses((status = 200, body = SessionView),
              (status = 401, body = ErrorBody, description = "invalid_credentials or captcha_required"),
              (status = 423, body = ErrorBody, description = "account_locked")))]
pub async fn login(
    State(state): State<AppState>,
    ctx: ReqCtx,
    ApiJson(input): ApiJson<LoginInput>,
) -> ApiResult<Response> {
    let ok = login::login(&state, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let body = SessionView {
        account: AccountView::new(&ok.account, password_expires_at(&state, &ok.account)),
        loa: loa_str(ok.loa),
        password_expired: ok.password_expired,
    };
    Ok(([(SET_COOKIE, ok.set_cookie)], Json(body)).into_response())
}

/// Sign out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ctx: ReqCtx,
    MaybeSession(s): MaybeSession,
) -> ApiResult<Response> {
    if let Some(s) = s {
        login::logout(&state, &s, &ctx)
            .await
            .map_err(|f| f.in_lang(ctx.lang))?;
    }
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear_cookie(&state))]).into_response())
}

/// Ask for a password reset by email link or SMS code (always 202), or reset at once with
/// the citizen certificate (`channel: "certificate"`, 204; unlocks the account).
#[utoipa::path(post, path = "/api/v1/password-resets", request_body = ResetRequest, tag = "password",
    responses((status = 202), (status = 204, description = "reset by certificate"),
              (status = 403, body = ErrorBody, description = "cert_national_id_mismatch")))]
pub async fn request_reset(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<ResetRequest>,
) -> ApiResult<StatusCode> {
    if input.channel == "certificate" {
        let binding = tessera_app::flows::cert::browser_binding(&csrf.0);
        tessera_app::flows::cert::reset::reset(&state, &input, &binding, &ctx)
            .await
            .map_err(|f| f.in_lang(ctx.lang))?;
        return Ok(StatusCode::NO_CONTENT);
    }
    reset::request(&state, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(StatusCode::ACCEPTED)
}

/// Set a new password with a link token or an SMS code.
#[utoipa::path(post, path = "/api/v1/password-resets/complete", request_body = ResetComplete, tag = "password",
    responses((status = 204), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn complete_reset(
    State(state): State<AppState>,
    ctx: ReqCtx,
    ApiJson(input): ApiJson<ResetComplete>,
) -> ApiResult<StatusCode> {
    reset::complete(&state, &input, &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(StatusCode::NO_CONTENT)
}

/// A fresh ALTCHA proof-of-work challenge (single use, 10 minutes).
#[utoipa::path(get, path = "/api/v1/captcha", tag = "captcha", responses((status = 200)))]
pub async fn captcha(State(state): State<AppState>, ctx: ReqCtx) -> ApiResult<Response> {
    let c = captcha::issue(&state).map_err(|f| f.in_lang(ctx.lang))?;
    Ok(([(CACHE_CONTROL, "no-store")], Json(c)).into_response())
}
