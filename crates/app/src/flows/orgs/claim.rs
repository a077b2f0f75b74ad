//! The acting organization of a handler, for other parts of Tessera — the OpenID Connect
//! provider puts it in an `organization` claim. [`acting_organization`] reads the request's
//! handler session and answers the organization it acts for (agency code, name, OID, business
//! ID, institution code) and the permissions the handler holds there *now* (re-read from the
//! database, so a revoked grant disappears at the next token). No handler session, no chosen
//! organization, or a card renewed but not yet updated by the manager: `None`.

use crate::cookies::Cookies;
use serde::Serialize;
use tessera_core::org::CertSerial;
use utoipa::ToSchema;

use super::sessions::{self, Kind};
use crate::error::Failure;
use crate::state::AppState;

/// The value of an `organization` claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrganizationClaim {
    pub agency_code: String,
    pub name: String,
    pub organization_oid: Option<String>,
    pub business_id: Option<String>,
    pub institution_code: Option<String>,
    /// The handler's national ID.
    pub handler: String,
    /// Granted function ids that the configured tree still has.
    pub permissions: Vec<String>,
}

/// The acting organization of the request's handler session, if any (see the module docs).
pub async fn acting_organization(
    state: &AppState,
    cookies: &Cookies,
) -> Result<Option<OrganizationClaim>, Failure> {
    let Some(s) = sessions::load(state, cookies, Kind::Handler).await? else {
        return Ok(None);
    };
    let Some(code) = s.agency_code.as_deref() else {
        return Ok(None);
    };
    let Some(h) = state
        .store
        .handler_by_national_id(code, &s.national_id)
        .await?
    else {
        return Ok(None);
    };
    if !CertSerial::parse(&h.cert_serial).is_ok_and(|c| c.same_as(&s.serial)) {
        return Ok(None);
    }
    let Some(org) = state.store.organization(code).await? else {
        return Ok(None);
    };
    let tree = &state.settings.orgs.tree;
    Ok(Some(OrganizationClaim {
        agency_code: org.agency_code,
        name: org.name,
        organization_oid: org.organization_oid,
        business_id: org.business_id,
        institution_code: org.institution_code,
        handler: h.national_id,
        permissions: h
            .permissions
            .into_iter()
            .filter(|p| tree.function(p).is_some())
            .collect(),
    }))
}
