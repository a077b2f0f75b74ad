//! Extractors for the JSON body, the path and the query whose rejections follow the API's
//! error contract (`400 malformed_request` as JSON) instead of axum's plain-text answers.

use crate::error::FailureExt;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::context::lang_of;
use crate::error::{ApiError, Failure};

fn malformed(parts: &Parts, rejection: &dyn std::fmt::Display) -> ApiError {
    tracing::debug!(%rejection, "malformed request");
    Failure::new(crate::error::FailureKind::Invalid, "malformed_request").in_lang(lang_of(parts))
}

/// Like `axum::extract::Path`, but a segment that cannot be decoded (invalid UTF-8, not a
/// number where one is needed) answers `400 malformed_request`.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(ApiPath(v)),
            Err(rejection) => Err(malformed(parts, &rejection)),
        }
    }
}

/// Like `axum::extract::Query`, but a query that does not fit answers `400
/// malformed_request`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(rejection) => Err(malformed(parts, &rejection)),
        }
    }
}

/// Like `axum::Json`, but a malformed body answers `{error:{code:"malformed_request",…}}`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        let req = Request::from_parts(parts, body);
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => {
                tracing::debug!(%rejection, "malformed JSON body");
                Err(
                    Failure::new(crate::error::FailureKind::Invalid, "malformed_request")
                        .in_lang(lang),
                )
            }
        }
    }
}
