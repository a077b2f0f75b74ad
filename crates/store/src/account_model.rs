//! The account types: what is stored, what registration and profile edits supply, and the
//! login-failure outcome; with row decoding and a `Debug` that never prints password hashes.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::rows::flag;

/// A member account as stored. (`Debug` leaves out the password hash.)
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// UUID v4, text.
    pub id: String,
    /// The username as registered (lookups are case-insensitive).
    pub username: String,
    /// Display name (any Unicode).
    pub name: String,
    /// Email address.
    pub email: String,
    /// Whether `email` was verified.
    pub email_verified: bool,
    /// Recovery mobile (`09xxxxxxxx`).
    pub mobile: Option<String>,
    /// Whether `mobile` was verified.
    pub mobile_verified: bool,
    /// National ID or resident-certificate number.
    pub national_id: Option<String>,
    /// Birthday, as the web layer formats it.
    pub birthday: Option<String>,
    /// Landline.
    pub landline: Option<String>,
    /// PHC-format password hash.
    pub password_hash: String,
    /// When the password was last set (unix seconds).
    pub password_changed_at: i64,
    /// Consecutive failed logins since the last success or reset.
    pub failed_logins: i64,
    /// Disabled (locked) until a password reset.
    pub disabled: bool,
    /// Registration time.
    pub created_at: i64,
    /// Last successful login.
    pub last_login_at: Option<i64>,
    /// When the inactivity warning was sent (cleared by a login).
    pub inactivity_warned_at: Option<i64>,
    /// Version of the terms accepted at registration.
    pub terms_version: String,
    /// When the terms were accepted.
    pub terms_accepted_at: i64,
    /// `member`, `organization` (an organization's own account, username = agency code) or
    /// `staff` (back office).
    pub kind: String,
}

/// Account kinds.
pub mod kind {
    /// A person (the default).
    pub const MEMBER: &str = "member";
    /// An organization's own password account (seed 000 機關端).
    pub const ORGANIZATION: &str = "organization";
    /// Back-office staff.
    pub const STAFF: &str = "staff";
}

/// What registration stores. The email and mobile start unverified; the password counts
/// as set at `created_at`. (`Debug` leaves out the password hash.)
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The username as typed (kept as registered; uniqueness is case-insensitive).
    pub username: String,
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Recovery mobile.
    pub mobile: Option<String>,
    /// National ID or resident-certificate number.
    pub national_id: Option<String>,
    /// Birthday.
    pub birthday: Option<String>,
    /// Landline.
    pub landline: Option<String>,
    /// PHC-format password hash.
    pub password_hash: String,
    /// Version of the accepted terms.
    pub terms_version: String,
    /// When the terms were accepted.
    pub terms_accepted_at: i64,
    /// Registration time (unix seconds).
    pub created_at: i64,
}

/// Every profile field but the username (a full replacement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileUpdate {
    /// Display name.
    pub name: String,
    /// Email address.
    pub email: String,
    /// Whether the (possibly new) email counts as verified.
    pub email_verified: bool,
    /// Recovery mobile.
    pub mobile: Option<String>,
    /// Whether the (possibly new) mobile counts as verified.
    pub mobile_verified: bool,
    /// National ID or resident-certificate number.
    pub national_id: Option<String>,
    /// Birthday.
    pub birthday: Option<String>,
    /// Landline.
    pub landline: Option<String>,
}

/// The outcome of [`Store::record_login_failure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailure {
    /// Consecutive failures now recorded (never beyond the count that disabled the account).
    pub failed_logins: i64,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether this very failure disabled it (true for exactly one caller).
    pub just_disabled: bool,
}

pub(crate) const ACCOUNT_COLUMNS: &str = "id, username, name, email, email_verified, mobile, \
     mobile_verified, national_id, birthday, landline, password_hash, password_changed_at, \
     failed_logins, disabled, created_at, last_login_at, inactivity_warned_at, terms_version, \
     terms_accepted_at, kind";

pub(crate) fn account_from_row(row: &AnyRow) -> sqlx::Result<Account> {
    Ok(Account {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        email_verified: flag(row, "email_verified")?,
        mobile: row.try_get("mobile")?,
        mobile_verified: flag(row, "mobile_verified")?,
        national_id: row.try_get("national_id")?,
        birthday: row.try_get("birthday")?,
        landline: row.try_get("landline")?,
        password_hash: row.try_get("password_hash")?,
        password_changed_at: row.try_get("password_changed_at")?,
        failed_logins: row.try_get("failed_logins")?,
        disabled: flag(row, "disabled")?,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
        inactivity_warned_at: row.try_get("inactivity_warned_at")?,
        terms_version: row.try_get("terms_version")?,
        terms_accepted_at: row.try_get("terms_accepted_at")?,
        kind: row.try_get("kind")?,
    })
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("kind", &self.kind)
            .field("email_verified", &self.email_verified)
            .field("mobile_verified", &self.mobile_verified)
            .field("password_hash", &"<redacted>")
            .field("password_changed_at", &self.password_changed_at)
            .field("failed_logins", &self.failed_logins)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .field("last_login_at", &self.last_login_at)
            .field("inactivity_warned_at", &self.inactivity_warned_at)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}
