//! Who acts on an online application, as the JSON API establishes it: a member with a full
//! session ([`MemberWho`]), a back-office staff member with their roles and counties
//! ([`StaffWho`]), or someone acting for the organization of the path's `code` ([`OrgWho`]).
//! Each answers its refusal as an API error before the handler runs.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tessera_app::apply::Who;
use tessera_app::flows::orgs::guard::ActForOrg;
use tessera_app::flows::orgs::staff::AnyStaff;
use tessera_app::state::AppState;

use crate::api::me::Me;
use crate::context::lang_of;
use crate::error::{ApiError, Failure, FailureExt};
use crate::extract::{Org, Staff};

/// A member with a full session.
pub struct MemberWho(pub Who);

impl FromRequestParts<AppState> for MemberWho {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let me = Me::from_request_parts(parts, state).await?;
        Ok(MemberWho(Who::Member {
            account: Box::new(me.account),
            loa: me.session.loa,
        }))
    }
}

/// A signed-in staff member, with their counties.
pub struct StaffWho(pub Who);

impl FromRequestParts<AppState> for StaffWho {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let staff = Staff::<AnyStaff>::from_request_parts(parts, state).await?;
        let counties = state
            .store
            .staff_counties(&staff.account.id)
            .await
            .map_err(|e| Failure::from(e).in_lang(lang_of(parts)))?;
        Ok(StaffWho(Who::Staff {
            account: Box::new(staff.0.account.clone()),
            roles: staff.0.roles.clone(),
            counties,
        }))
    }
}

/// Someone acting for the organization of the path's `code`.
pub struct OrgWho(pub Who);

impl FromRequestParts<AppState> for OrgWho {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let org = Org::<ActForOrg>::from_request_parts(parts, state).await?;
        Ok(OrgWho(Who::Org {
            org: Box::new(org.0.org.clone()),
            via: Box::new(org.0.via.clone()),
        }))
    }
}
