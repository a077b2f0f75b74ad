//! JSON API for certificates: challenges, registration with the citizen certificate,
//! certificate sign-in (and certificate-only sessions), binding and unbinding. Password reset
//! by certificate is `POST /api/v1/password-resets` with `channel: "certificate"` (`auth.rs`).

use crate::error::FailureExt;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Serialize;
use tessera_core::loa::Loa;
use utoipa::ToSchema;

use super::json::{ApiJson, ApiPath};
use super::views::{AccountView, CertView, ErrorBody, loa_str};
use crate::context::ReqCtx;
use crate::csrf::CsrfToken;
use crate::error::{ApiError, Failure};
use crate::session::{Authed, MaybeSession};
use tessera_app::flows::cert::binding::{self, BindInput};
use tessera_app::flows::cert::login::{self, Candidate, CertLogin, CertLoginInput};
use tessera_app::flows::cert::only::{self, CertIdentityView};
use tessera_app::flows::cert::register::{self, CertRegisterInput};
use tessera_app::flows::cert::{self, ChallengeInput, IssuedChallenge};
use tessera_app::flows::{self, login::password_expires_at};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

fn browser(csrf: &CsrfToken) -> String {
    cert::browser_binding(&csrf.0)
}

/// `POST /api/v1/cert/registrations` success.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertRegisteredView {
    pub id: String,
    /// The national ID.
    pub username: String,
    pub email_verified: bool,
    pub certificate: CertView,
}

/// The verified card, as shown before binding.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardView {
    pub serial: String,
    pub name: String,
    pub kind: String,
    pub not_after: String,
}

/// `POST /api/v1/cert/session`: signed in (`account`, `loa`), or `binding_required` with the
/// accounts registered with the typed national ID.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertSessionView {
    pub binding_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<AccountView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loa: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<Candidate>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<CardView>,
    /// With `skip_binding`: a certificate-only session (no account) was started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_only: Option<CertIdentityView>,
}

/// `POST /api/v1/cert/bindings` success.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoundView {
    pub account: AccountView,
    pub certificate: CertView,
    /// The binding signed the user in (at level `certificate`).
    pub signed_in: bool,
}

/// Issue a challenge for the card to sign (5 minutes, single use, bound to this browser's
/// `tessera_csrf` cookie: send it back with the answer).
#[utoipa::path(post, path = "/api/v1/cert/challenges", request_body = ChallengeInput, tag = "certificate",
    responses((status = 201, body = IssuedChallenge),
              (status = 400, body = ErrorBody, description = "cert_purpose_invalid"),
              (status = 503, body = ErrorBody, description = "cert_unavailable")))]
pub async fn challenges(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<ChallengeInput>,
) -> ApiResult<Response> {
    let c = cert::issue(&state, input.purpose.trim(), &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::CREATED, Json(c)).into_response())
}

/// Register with the citizen certificate; the username is the national ID.
#[utoipa::path(post, path = "/api/v1/cert/registrations", request_body = CertRegisterInput, tag = "certificate",
    responses((status = 201, body = CertRegisteredView), (status = 422, body = ErrorBody),
              (status = 403, body = ErrorBody, description = "cert_national_id_mismatch, cert_revoked …"),
              (status = 409, body = ErrorBody, description = "cert_already_registered, cert_already_bound")))]
pub async fn registrations(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<CertRegisterInput>,
) -> ApiResult<Response> {
    let (a, c) = register::register(&state, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let body = CertRegisteredView {
        id: a.id,
        username: a.username,
        email_verified: a.email_verified,
        certificate: CertView::new(&c),
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Sign in with the certificate; an unbound one answers `binding_required`.
#[utoipa::path(post, path = "/api/v1/cert/session", request_body = CertLoginInput, tag = "certificate",
    responses((status = 200, body = CertSessionView),
              (status = 403, body = ErrorBody, description = "cert_national_id_mismatch, cert_revoked …"),
              (status = 423, body = ErrorBody, description = "account_locked")))]
pub async fn session(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    ApiJson(input): ApiJson<CertLoginInput>,
) -> ApiResult<Response> {
    let out = login::login(&state, &input, &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok(match out {
        CertLogin::SignedIn {
            set_cookie,
            account,
        } => {
            let body = CertSessionView {
                binding_required: false,
                account: Some(AccountView::new(
                    &account,
                    password_expires_at(&state, &account),
                )),
                loa: Some(loa_str(Loa::Certificate)),
                accounts: None,
                card: None,
                certificate_only: None,
            };
            ([(SET_COOKIE, set_cookie)], Json(body)).into_response()
        }
        CertLogin::BindingRequired { card, accounts } => Json(CertSessionView {
            binding_required: true,
            account: None,
            loa: None,
            accounts: Some(accounts),
            card: Some(CardView {
                serial: card.identity.serial.clone(),
                name: card.identity.name.clone(),
                kind: card.identity.kind.as_str().to_owned(),
                not_after: card.identity.not_after.clone(),
            }),
            certificate_only: None,
        })
        .into_response(),
        CertLogin::CertificateOnly {
            set_cookie,
            session,
        } => {
            let body = CertSessionView {
                binding_required: false,
                account: None,
                loa: Some(loa_str(Loa::Certificate)),
                accounts: None,
                card: None,
                certificate_only: Some(CertIdentityView::new(&session)),
            };
            ([(SET_COOKIE, set_cookie)], Json(body)).into_response()
        }
    })
}

/// The certificate-only session's identity (a holder who skipped binding), or 401.
#[utoipa::path(get, path = "/api/v1/cert/session", tag = "certificate",
    responses((status = 200, body = CertIdentityView), (status = 401, body = ErrorBody)))]
pub async fn identity(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
) -> ApiResult<Json<CertIdentityView>> {
    let s = only::load(&state, &crate::cookies::jar(&headers))
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    s.map(|s| Json(CertIdentityView::new(&s)))
        .ok_or_else(|| Failure::unauthenticated().in_lang(ctx.lang))
}

/// End the certificate-only session.
#[utoipa::path(delete, path = "/api/v1/cert/session", tag = "certificate", responses((status = 204)))]
pub async fn end_session(
    State(state): State<AppState>,
    ctx: ReqCtx,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let clear = only::end(&state, &crate::cookies::jar(&headers))
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}

/// Bind the certificate to an account with its password (to the session's account when
/// signed in; otherwise to `username`, which also signs in). Replaces a bound certificate of
/// the same kind (renewal).
#[utoipa::path(post, path = "/api/v1/cert/bindings", request_body = BindInput, tag = "certificate",
    responses((status = 200, body = BoundView),
              (status = 401, body = ErrorBody, description = "invalid_credentials, captcha_required"),
              (status = 403, body = ErrorBody, description = "cert_national_id_mismatch"),
              (status = 409, body = ErrorBody, description = "cert_already_bound"),
              (status = 423, body = ErrorBody, description = "account_locked")))]
pub async fn bind(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Extension(csrf): Extension<CsrfToken>,
    MaybeSession(s): MaybeSession,
    ApiJson(input): ApiJson<BindInput>,
) -> ApiResult<Response> {
    let s = s.filter(|s| !s.password_change_only);
    let b = binding::bind(&state, &input, s.as_ref(), &browser(&csrf), &ctx)
        .await
        .map_err(|f| f.in_lang(ctx.lang))?;
    let body = BoundView {
        account: AccountView::new(&b.account, password_expires_at(&state, &b.account)),
        certificate: CertView::new(&b.cert),
        signed_in: b.set_cookie.is_some(),
    };
    Ok(match b.set_cookie {
        Some(c) => ([(SET_COOKIE, c)], Json(body)).into_response(),
        None => Json(body).into_response(),
    })
}

/// Unbind a certificate from the signed-in account (解除憑證綁定).
#[utoipa::path(delete, path = "/api/v1/cert/bindings/{serial}", tag = "certificate",
    params(("serial" = String, Path, description = "Certificate serial, hex")),
    responses((status = 204, description = "Unbound; every session of the account ended and the cookie cleared (004 二 Q4)"),
        (status = 404, body = ErrorBody, description = "cert_not_bound")))]
pub async fn unbind(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Authed(s): Authed,
    ApiPath(serial): ApiPath<String>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let a = flows::account(&state, &s.account_id)
        .await
        .map_err(|f| f.in_lang(lang))?;
    binding::unbind(&state, &a, &serial, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    let clear = crate::session::clear_cookie(&state);
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}
