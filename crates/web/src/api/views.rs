//! The JSON shapes the API answers with.

use serde::Serialize;
use tessera_core::loa::Loa;
use tessera_store::Account;
use utoipa::ToSchema;

pub use tessera_app::text::rfc3339;

/// The account as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: String,
    pub username: String,
    /// `member`, or `organization` for an organization's own account (username = agency code).
    pub kind: String,
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    pub mobile: Option<String>,
    pub mobile_verified: bool,
    pub national_id: Option<String>,
    pub birthday: Option<String>,
    pub landline: Option<String>,
    /// RFC 3339; absent when passwords never expire.
    pub password_expires_at: Option<String>,
    pub created_at: Option<String>,
    pub last_login_at: Option<String>,
}

impl AccountView {
    pub fn new(a: &Account, password_expires_at: Option<i64>) -> Self {
        Self {
            id: a.id.clone(),
            username: a.username.clone(),
            kind: a.kind.clone(),
            name: a.name.clone(),
            email: a.email.clone(),
            email_verified: a.email_verified,
            mobile: a.mobile.clone(),
            mobile_verified: a.mobile_verified,
            national_id: a.national_id.clone(),
            birthday: a.birthday.clone(),
            landline: a.landline.clone(),
            password_expires_at: password_expires_at.and_then(rfc3339),
            created_at: rfc3339(a.created_at),
            last_login_at: a.last_login_at.and_then(rfc3339),
        }
    }
}

/// `GET /api/v1/me`: the account plus the session's level of assurance.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub account: AccountView,
    /// `password`, `otp`, `nhi-card` or `certificate`.
    pub loa: String,
    /// The password expired: only the password change is open.
    pub password_change_required: bool,
    /// The email address must be verified first: until the link in the verification email is
    /// followed, only this account, its profile (the address included), resending the link,
    /// signing out and deleting the account are open; everything else answers 403
    /// `email_unverified`.
    pub email_verification_required: bool,
    /// Certificates bound to the account now.
    pub certificates: Vec<CertView>,
}

/// A bound certificate as its owner sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertView {
    /// Serial, lowercase hex (what `DELETE /api/v1/cert/bindings/{serial}` takes).
    pub serial: String,
    pub issuer: String,
    /// `moica_citizen`, `hca_personnel` …
    pub kind: String,
    pub subject: String,
    /// Validity, RFC 3339.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub bound_at: Option<String>,
}

impl CertView {
    pub fn new(c: &tessera_store::certs::BoundCert) -> Self {
        Self {
            serial: c.serial.clone(),
            issuer: c.issuer.clone(),
            kind: c.kind.clone(),
            subject: c.subject.clone(),
            not_before: rfc3339(c.not_before),
            not_after: rfc3339(c.not_after),
            bound_at: rfc3339(c.bound_at),
        }
    }
}

/// `POST /api/v1/session` success.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub account: AccountView,
    pub loa: String,
    pub password_expired: bool,
}

/// `POST /api/v1/accounts` success.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedView {
    pub id: String,
    pub username: String,
    pub email_verified: bool,
}

pub fn loa_str(l: Loa) -> String {
    l.as_str().to_string()
}

/// The error body of every failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_credentials`.
    pub code: String,
    /// Human message in the request's language (zh-TW by default).
    pub message: String,
    pub fields: Option<Vec<FieldErrorView>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorView {
    pub field: String,
    pub code: String,
    pub message: String,
}
