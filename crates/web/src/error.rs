//! The one failure type of the flows, with its stable machine code, HTTP status and the
//! field errors behind it; rendered as JSON `{error:{code,message,fields?}}` for the API.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tessera_core::field::FieldError;
use tessera_core::lang::Lang;
use tessera_core::messages::message;

/// A user-facing failure: what went wrong, in a code that never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub fields: Vec<FieldError>,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        Self {
            status,
            code,
            fields: Vec::new(),
        }
    }

    /// 422 `validation_failed` carrying the offending fields.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "validation_failed",
            fields,
        }
    }

    pub fn field(field: FieldError) -> Self {
        Self::validation(vec![field])
    }

    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated")
    }

    pub fn bad_request(code: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code)
    }

    /// The message of the failure in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        message(self.code, lang)
    }

    /// The JSON body of the API's error contract.
    pub fn body(&self, lang: Lang) -> serde_json::Value {
        let mut error = json!({ "code": self.code, "message": self.message(lang) });
        if !self.fields.is_empty() {
            error["fields"] = self
                .fields
                .iter()
                .map(|f| json!({ "field": f.field, "code": f.code, "message": f.message(lang) }))
                .collect();
        }
        json!({ "error": error })
    }

    /// Pairs the failure with a language so it can be sent as an API response.
    pub fn in_lang(self, lang: Lang) -> ApiError {
        ApiError(self, lang)
    }
}

impl From<tessera_store::StoreError> for Failure {
    fn from(err: tessera_store::StoreError) -> Self {
        tracing::error!(error = %err, "storage failure");
        Failure::internal()
    }
}

impl From<tessera_notify::NotifyError> for Failure {
    fn from(err: tessera_notify::NotifyError) -> Self {
        tracing::error!(error = %err, "notification failure");
        Failure::internal()
    }
}

/// A failure in the language of the request, ready to be an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Failure, pub Lang);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status, Json(self.0.body(self.1))).into_response()
    }
}
