//! The one failure type of the use cases: a domain kind (what sort of refusal), a stable
//! machine code that never changes, and the field errors behind it. The web layer maps the
//! kind to an HTTP status in one place and renders the code's message in the request's
//! language.

use serde_json::json;
use tessera_core::apply::FormError;
use tessera_core::field::FieldError;
use tessera_core::lang::Lang;
use tessera_core::messages::message;

/// What sort of failure: the caller's fault (and which), or ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The request is malformed or names something unusable (HTTP 400).
    Invalid,
    /// Nobody is signed in, or the credentials are wrong (401).
    Unauthenticated,
    /// Signed in, but not allowed to do this (403).
    Forbidden,
    /// The thing asked for does not exist (404).
    NotFound,
    /// The client took too long to send its request (408).
    Timeout,
    /// The request conflicts with the current state (409).
    Conflict,
    /// The request is larger than accepted (413).
    TooLarge,
    /// Well-formed, but some fields break the rules (422).
    Validation,
    /// The account or resource is locked (423).
    Locked,
    /// Too many attempts; try later (429).
    RateLimited,
    /// Something failed on our side (500).
    Internal,
    /// A service we depend on answered wrongly (502).
    BadUpstream,
    /// The function is off or a dependency is unreachable (503).
    Unavailable,
}

impl FailureKind {
    /// The caller's fault (the 4xx kinds), as opposed to ours or an upstream's.
    pub fn is_client_error(self) -> bool {
        !matches!(
            self,
            FailureKind::Internal | FailureKind::BadUpstream | FailureKind::Unavailable
        )
    }
}

/// A user-facing failure: what went wrong, in a code that never changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub code: &'static str,
    pub fields: Vec<FieldError>,
    /// Failures of an application form's fields (their ids come from the type's file).
    pub form: Vec<FormError>,
}

impl Failure {
    pub fn new(kind: FailureKind, code: &'static str) -> Self {
        Self {
            kind,
            code,
            fields: Vec::new(),
            form: Vec::new(),
        }
    }

    /// `validation_failed` carrying the offending fields.
    pub fn validation(fields: Vec<FieldError>) -> Self {
        Self {
            kind: FailureKind::Validation,
            code: "validation_failed",
            fields,
            form: Vec::new(),
        }
    }

    /// `validation_failed` carrying an application form's failed fields.
    pub fn form(form: Vec<FormError>) -> Self {
        Self {
            kind: FailureKind::Validation,
            code: "validation_failed",
            fields: Vec::new(),
            form,
        }
    }

    pub fn field(field: FieldError) -> Self {
        Self::validation(vec![field])
    }

    pub fn internal() -> Self {
        Self::new(FailureKind::Internal, "internal")
    }

    pub fn unauthenticated() -> Self {
        Self::new(FailureKind::Unauthenticated, "unauthenticated")
    }

    pub fn bad_request(code: &'static str) -> Self {
        Self::new(FailureKind::Invalid, code)
    }

    /// The message of the failure in `lang`.
    pub fn message(&self, lang: Lang) -> &'static str {
        message(self.code, lang)
    }

    /// The JSON body of the API's error contract: `{error:{code,message,fields?}}`.
    pub fn body(&self, lang: Lang) -> serde_json::Value {
        let mut error = json!({ "code": self.code, "message": self.message(lang) });
        if !self.fields.is_empty() || !self.form.is_empty() {
            error["fields"] = self
                .fields
                .iter()
                .map(|f| json!({ "field": f.field, "code": f.code, "message": f.message(lang) }))
                .chain(self.form.iter().map(
                    |f| json!({ "field": f.field, "code": f.code, "message": f.message(lang) }),
                ))
                .collect();
        }
        json!({ "error": error })
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
