//! The account flows of the foundation, shared by the JSON API and the pages: registration,
//! verification, sign-in, password reset, profile, deletion and the inactive-account job;
//! certificate registration, sign-in, binding and reset (`cert`); sign-in with upstream
//! OpenID providers and external-account links (`upstream`).

pub mod cert;
pub mod inactive;
pub mod limits;
pub mod login;
// Organizations and the back office.
pub mod orgs;
// OpenID Connect provider.
pub mod oidc;
pub mod outbox;
pub mod profile;
pub mod register;
pub mod reset;
pub mod upstream;
pub mod verify;

pub use outbox::send_later;
use tessera_store::Account;

use crate::error::Failure;
use crate::state::AppState;

/// The account behind a session, or 401 when it no longer exists.
pub async fn account(state: &AppState, id: &str) -> Result<Account, Failure> {
    state
        .store
        .account_by_id(id)
        .await?
        .ok_or_else(Failure::unauthenticated)
}

/// Trims an optional form value and turns an empty one into `None`.
pub fn opt(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}
