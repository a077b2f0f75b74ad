//! JSON API for upstream identity brokering: the configured providers (for a client to draw
//! 「使用 X 登入」 buttons; the sign-in itself is the browser's redirect flow at
//! `/upstream/{id}/start`), and the signed-in member's external-account links (管理外部帳號:
//! list, remove).

use crate::error::FailureExt;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::json::ApiPath;
use super::views::ErrorBody;
use crate::context::ReqCtx;
use crate::error::ApiError;
use crate::session::Authed;
use tessera_app::flows;
use tessera_app::flows::upstream::link::{self, LinkView};
use tessera_app::state::AppState;

type ApiResult<T> = Result<T, ApiError>;

/// A configured upstream provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProviderView {
    pub id: String,
    /// Its name in the request's language.
    pub name: String,
    /// Where a browser goes to sign in with it (add `?next=/local/path` to come back there).
    pub start_url: String,
}

/// The upstream OpenID providers people can sign in with.
#[utoipa::path(get, path = "/api/v1/upstream/providers", tag = "upstream",
    responses((status = 200, body = [ProviderView])))]
pub async fn providers(State(state): State<AppState>, ctx: ReqCtx) -> Json<Vec<ProviderView>> {
    Json(
        state
            .upstream
            .all()
            .iter()
            .map(|p| ProviderView {
                id: p.config.id.clone(),
                name: p.config.name(ctx.lang).to_owned(),
                start_url: state.url(&format!("/upstream/{}/start", p.config.id)),
            })
            .collect(),
    )
}

/// The external accounts linked to the signed-in account (管理外部帳號).
#[utoipa::path(get, path = "/api/v1/me/external-identities", tag = "upstream",
    responses((status = 200, body = [LinkView]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Authed(s): Authed,
) -> ApiResult<Json<Vec<LinkView>>> {
    let lang = ctx.lang;
    let a = flows::account(&state, &s.account_id)
        .await
        .map_err(|f| f.in_lang(lang))?;
    let links = link::links(&state, &a, lang)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(Json(links))
}

/// Remove a link; signing in with that external account then asks to link it again.
#[utoipa::path(delete, path = "/api/v1/me/external-identities/{id}", tag = "upstream",
    params(("id" = String, Path, description = "The link's id")),
    responses((status = 204), (status = 401, body = ErrorBody),
              (status = 404, body = ErrorBody, description = "upstream_link_not_found")))]
pub async fn remove(
    State(state): State<AppState>,
    ctx: ReqCtx,
    Authed(s): Authed,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    let a = flows::account(&state, &s.account_id)
        .await
        .map_err(|f| f.in_lang(lang))?;
    link::unlink(&state, &a, &id, &ctx)
        .await
        .map_err(|f| f.in_lang(lang))?;
    Ok(StatusCode::NO_CONTENT)
}
