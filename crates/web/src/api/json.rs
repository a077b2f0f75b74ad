//! A JSON body extractor whose rejections follow the API's error contract.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::context::lang_of;
use crate::error::{ApiError, Failure};

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
                Err(Failure::new(StatusCode::BAD_REQUEST, "malformed_request").in_lang(lang))
            }
        }
    }
}
