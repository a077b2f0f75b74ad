//! The boundary through which the `organization` claim learns the organization a session's
//! handler acts for (issue 6 plugs in here).
//!
//! [`acting_organization`] is asked once, when an authorization code is issued; its answer is
//! stored with the grant and released as the `organization` claim (scope `organization`):
//! `{"code": "<5-character agency code>", "oid": "<organization OID or null>",
//! "permissions": ["<function permission id>", …]}`. Until organizations exist, no session
//! acts for one and the claim is left out.

use serde::{Deserialize, Serialize};

use crate::error::Failure;
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

/// The organization `session` acts for, if any. Default: none.
pub async fn acting_organization(
    _state: &AppState,
    _session: &ActiveSession,
) -> Result<Option<ActingOrganization>, Failure> {
    Ok(None)
}
