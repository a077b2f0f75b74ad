//! The boundary through which the `organization` claim learns the organization a signed-in
//! member acts for as a handler.
//!
//! [`acting_organization`] is asked once, when an authorization code is issued; its answer is
//! stored with the grant and released as the `organization` claim (scope `organization`):
//! `{"code": "<5-character agency code>", "oid": "<organization OID or null>",
//! "permissions": ["<function permission id>", …]}`.
//!
//! The organization comes from a handler session (`tessera_org_handler`, signed in with the
//! citizen card) in the same browser, read by `flows::orgs::acting_organization` — which
//! re-reads the handler's grant and refuses a card renewed but not yet updated. It is released
//! only when the handler is the same person as the member who signs in: the handler's national
//! ID must equal the account's. A handler session of someone else in the browser (a shared
//! counter PC) never lends its organization to another member's tokens.

use crate::cookies::Cookies;
use serde::{Deserialize, Serialize};

use crate::error::Failure;
use crate::flows::orgs;
use crate::session::ActiveSession;
use crate::state::AppState;

/// The organization a handler acts for, as released in the `organization` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActingOrganization {
    /// The platform's 5-character agency code (機關代號).
    pub code: String,
    /// The government OID of the organization (機關 OID), when known.
    pub oid: Option<String>,
    /// Ids of the function permissions granted to the handler.
    pub permissions: Vec<String>,
}

/// Do the account's and the handler's national IDs name the same person?
fn same_person(account_id: Option<&str>, handler_id: &str) -> bool {
    account_id.is_some_and(|a| !a.is_empty() && a.trim().eq_ignore_ascii_case(handler_id.trim()))
}

/// The organization the member of `session` acts for through a handler session carried by
/// the same request (`cookies`), if any and only if it is the same person.
pub async fn acting_organization(
    state: &AppState,
    session: &ActiveSession,
    cookies: &Cookies,
) -> Result<Option<ActingOrganization>, Failure> {
    let Some(claim) = orgs::acting_organization(state, cookies).await? else {
        return Ok(None);
    };
    let Some(account) = state.store.account_by_id(&session.account_id).await? else {
        return Ok(None);
    };
    if !same_person(account.national_id.as_deref(), &claim.handler) {
        tracing::info!(
            agency_code = %claim.agency_code,
            "handler session of another person: organization claim left out"
        );
        return Ok(None);
    }
    Ok(Some(ActingOrganization {
        code: claim.agency_code,
        oid: claim.organization_oid,
        permissions: claim.permissions,
    }))
}

#[cfg(test)]
mod tests {
    use super::same_person;

    #[test]
    fn only_the_same_national_id_is_the_same_person() {
        assert!(same_person(Some("A123456789"), "A123456789"));
        assert!(same_person(Some("a123456789"), "A123456789"));
        assert!(!same_person(Some("A123456789"), "B123456789"));
        assert!(!same_person(None, "A123456789"));
        assert!(!same_person(Some(""), ""));
    }
}
