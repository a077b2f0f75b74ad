//! Failures of the use cases as HTTP answers: the one place where a failure's kind becomes an
//! HTTP status, and the JSON body `{error:{code,message,fields?}}` of the API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tessera_core::lang::Lang;

pub use tessera_app::error::{Failure, FailureKind};

/// The HTTP status of a failure of `kind`.
pub fn status(kind: FailureKind) -> StatusCode {
    match kind {
        FailureKind::Invalid => StatusCode::BAD_REQUEST,
        FailureKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        FailureKind::Forbidden => StatusCode::FORBIDDEN,
        FailureKind::NotFound => StatusCode::NOT_FOUND,
        FailureKind::Timeout => StatusCode::REQUEST_TIMEOUT,
        FailureKind::Conflict => StatusCode::CONFLICT,
        FailureKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        FailureKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        FailureKind::Locked => StatusCode::LOCKED,
        FailureKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        FailureKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        FailureKind::BadUpstream => StatusCode::BAD_GATEWAY,
        FailureKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// What the web layer does with a [`Failure`].
pub trait FailureExt {
    /// The failure's HTTP status.
    fn status(&self) -> StatusCode;
    /// Pairs the failure with a language so it can be sent as an API response.
    fn in_lang(self, lang: Lang) -> ApiError;
}

impl FailureExt for Failure {
    fn status(&self) -> StatusCode {
        status(self.kind)
    }

    fn in_lang(self, lang: Lang) -> ApiError {
        ApiError(self, lang)
    }
}

/// A failure in the language of the request, ready to be an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Failure, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status(), Json(self.0.body(self.1))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_kinds_are_4xx_and_ours_5xx() {
        use FailureKind::*;
        for kind in [
            Invalid,
            Unauthenticated,
            Forbidden,
            NotFound,
            Timeout,
            Conflict,
            TooLarge,
            Validation,
            Locked,
            RateLimited,
            Internal,
            BadUpstream,
            Unavailable,
        ] {
            assert_eq!(
                kind.is_client_error(),
                status(kind).is_client_error(),
                "{kind:?}"
            );
        }
    }
}
