//! Extractors for the use cases' guards: [`Org<R>`] (who acts for the organization of the
//! path's `code`) and [`Staff<R>`] (the back office's staff member holding a role). Each runs
//! the guard of `tessera_app` on the request's cookies and path and answers its refusal as an
//! API error; the extracted value dereferences to the guard's answer.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use tessera_app::flows::orgs::guard::{self, Asked, Requirement};
use tessera_app::flows::orgs::staff::{self, StaffRole};
use tessera_app::state::AppState;

use crate::context::ReqCtx;
use crate::cookies;
use crate::error::{ApiError, FailureExt};

/// Extractor: the caller for the organization named by the path's `code`, admitted by `R`.
pub struct Org<R: Requirement>(pub guard::Org<R>);

impl<R: Requirement> std::ops::Deref for Org<R> {
    type Target = guard::Org<R>;
    fn deref(&self) -> &guard::Org<R> {
        &self.0
    }
}

impl<R: Requirement> FromRequestParts<AppState> for Org<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ctx = ReqCtx::from_parts(parts);
        let params: HashMap<String, String> =
            Path::<HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map(|Path(p)| p)
                .unwrap_or_default();
        let jar = cookies::jar(&parts.headers);
        let asked = Asked {
            cookies: &jar,
            path: parts.uri.path(),
            params: &params,
        };
        guard::check::<R>(state, &asked, &ctx)
            .await
            .map(Org)
            .map_err(|f| f.in_lang(ctx.lang))
    }
}

/// Extractor: the signed-in staff member holding `R`'s role.
pub struct Staff<R: StaffRole>(pub staff::Staff<R>);

impl<R: StaffRole> std::ops::Deref for Staff<R> {
    type Target = staff::Staff<R>;
    fn deref(&self) -> &staff::Staff<R> {
        &self.0
    }
}

impl<R: StaffRole> FromRequestParts<AppState> for Staff<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ctx = ReqCtx::from_parts(parts);
        staff::check::<R>(state, &cookies::jar(&parts.headers), parts.uri.path(), &ctx)
            .await
            .map(Staff)
            .map_err(|f| f.in_lang(ctx.lang))
    }
}
