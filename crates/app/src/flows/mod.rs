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

/// Whether the emailed link carrying `token` for `purpose` can still be used (known, unused,
/// not expired), checked read-only: neither used up nor counted as a try. A link's page asks
/// before showing its form; only the holder of the random token can ask, and the answer names
/// no account.
pub async fn link_usable(state: &AppState, token: &str, purpose: &str) -> Result<bool, Failure> {
    let token = token.trim();
    if token.is_empty() {
        return Ok(false);
    }
    let hash = crate::secrets::digest(&[token]);
    Ok(state
        .store
        .token_is_live(&hash, purpose, crate::clock::now())
        .await?)
}

/// Trims an optional form value and turns an empty one into `None`.
pub fn opt(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}
