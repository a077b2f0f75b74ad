//! The one guard of every organization-scoped endpoint (`/api/v1/orgs/{code}/…`): [`check`]
//! (behind the web layer's `Org<R>` extractor) finds who the caller is *for that organization* — the authorization manager's
//! assignment session, a handler session acting for it (the handler row re-read on every
//! request, its certificate serial compared with the session's), or the organization's own
//! account — and lets the request through only if the requirement `R` allows that identity.
//! Handlers get exactly the functions granted to them; refusals are audited. A handler whose
//! card was renewed is told so (`org_handler_cert_changed`) until the manager updates it.

use std::collections::HashMap;
use std::marker::PhantomData;

use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::org::permissions::{AUTHORIZED_LIST, RECEIPTS};
use tessera_core::org::{AgencyCode, CertSerial, PermissionTree};
use tessera_store::orgs::{Handler, OrgSession, Organization};
use tessera_store::{Account, kind};

use super::sessions::{self, Kind};
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::cookies::Cookies;
use crate::error::{Failure, FailureKind};
use crate::state::AppState;

/// How the caller acts for the organization.
#[derive(Debug, Clone)]
pub enum Via {
    /// The authorization manager, in an assignment session opened with both certificates.
    Manager(OrgSession),
    /// The organization's own password account (seed 000 機關端).
    OrgAccount(Box<Account>),
    /// A handler acting for the organization, with their current grant.
    Handler {
        session: OrgSession,
        handler: Box<Handler>,
    },
}

impl Via {
    /// `manager`, `org_account` or `handler`.
    pub fn name(&self) -> &'static str {
        match self {
            Via::Manager(_) => "manager",
            Via::OrgAccount(_) => "org_account",
            Via::Handler { .. } => "handler",
        }
    }

    /// Who, for the audit log: a national ID or the organization's username.
    pub fn actor(&self) -> &str {
        match self {
            Via::Manager(s) => &s.national_id,
            Via::OrgAccount(a) => &a.username,
            Via::Handler { session, .. } => &session.national_id,
        }
    }

    fn handler_has(&self, tree: &PermissionTree, id: &str) -> bool {
        matches!(self, Via::Handler { handler, .. } if tree.allows(&handler.permissions, id))
    }
}

/// What an endpoint needs.
pub trait Requirement: Send + Sync + 'static {
    /// For the audit log.
    const NAME: &'static str;
    /// Whether `via` may; `function` is the `{function}` path parameter, if any.
    fn allows(via: &Via, tree: &PermissionTree, function: Option<&str>) -> bool;
}

/// Managing handlers: the manager only.
pub struct ManageHandlers;
/// 查詢憑證註冊收件紀錄: the manager, the organization's account, or a handler granted it.
pub struct Receipts;
/// 查詢已授權清單 (and its CSV): the manager, the organization's account, or a handler granted it.
pub struct AuthorizedList;
/// The handler's workspace (their granted functions): handlers.
pub struct Workspace;
/// Entering the function `{function}`: a handler granted that function.
pub struct EnterFunction;
/// Acting for the organization in an online application: anyone who acts for it; what they
/// may file is the application type's rule (`apply::cases::may_file`).
pub struct ActForOrg;

impl Requirement for ActForOrg {
    const NAME: &'static str = "applications";
    fn allows(_: &Via, _: &PermissionTree, _: Option<&str>) -> bool {
        true
    }
}

impl Requirement for ManageHandlers {
    const NAME: &'static str = "manage_handlers";
    fn allows(via: &Via, _: &PermissionTree, _: Option<&str>) -> bool {
        matches!(via, Via::Manager(_))
    }
}

impl Requirement for Receipts {
    const NAME: &'static str = RECEIPTS;
    fn allows(via: &Via, tree: &PermissionTree, _: Option<&str>) -> bool {
        matches!(via, Via::Manager(_) | Via::OrgAccount(_)) || via.handler_has(tree, RECEIPTS)
    }
}

impl Requirement for AuthorizedList {
    const NAME: &'static str = AUTHORIZED_LIST;
    fn allows(via: &Via, tree: &PermissionTree, _: Option<&str>) -> bool {
        matches!(via, Via::Manager(_) | Via::OrgAccount(_))
            || via.handler_has(tree, AUTHORIZED_LIST)
    }
}

impl Requirement for Workspace {
    const NAME: &'static str = "workspace";
    fn allows(via: &Via, _: &PermissionTree, _: Option<&str>) -> bool {
        matches!(via, Via::Handler { .. })
    }
}

impl Requirement for EnterFunction {
    const NAME: &'static str = "function";
    fn allows(via: &Via, tree: &PermissionTree, function: Option<&str>) -> bool {
        function.is_some_and(|f| via.handler_has(tree, f))
    }
}

/// The caller, allowed by `R` for the organization of the path.
pub struct Org<R: Requirement> {
    pub org: Organization,
    pub via: Via,
    _need: PhantomData<R>,
}

/// What the request carries, for one agency code.
#[derive(Default)]
struct Found {
    vias: Vec<Via>,
    /// Some organization identity, but not for this code (or no longer valid).
    elsewhere: bool,
    cert_changed: bool,
    needs_choice: bool,
}

async fn gather(state: &AppState, cookies: &Cookies, code: &str) -> Result<Found, Failure> {
    let mut found = Found::default();
    if let Some(s) = sessions::load(state, cookies, Kind::Assignment).await? {
        if s.agency_code.as_deref() == Some(code) {
            found.vias.push(Via::Manager(s));
        } else {
            found.elsewhere = true;
        }
    }
    if let Some(s) = sessions::load(state, cookies, Kind::Handler).await? {
        match s.agency_code.as_deref() {
            None => found.needs_choice = true,
            Some(acting) if acting != code => found.elsewhere = true,
            Some(_) => match state
                .store
                .handler_by_national_id(code, &s.national_id)
                .await?
            {
                Some(h)
                    if CertSerial::parse(&h.cert_serial).is_ok_and(|c| c.same_as(&s.serial)) =>
                {
                    found.vias.push(Via::Handler {
                        session: s,
                        handler: Box::new(h),
                    });
                }
                Some(_) => found.cert_changed = true,
                None => found.elsewhere = true,
            },
        }
    }
    if let Some((s, a)) = crate::session::load_with_account(state, cookies).await?
        && s.is_full()
        && a.kind == kind::ORGANIZATION
    {
        if a.username.eq_ignore_ascii_case(code) && !a.disabled {
            found.vias.push(Via::OrgAccount(Box::new(a)));
        } else {
            found.elsewhere = true;
        }
    }
    Ok(found)
}

async fn deny(
    state: &AppState,
    ctx: &Ctx,
    path: &str,
    code: &str,
    need: &str,
    who: Option<&Via>,
    outcome: &str,
) {
    audit::record(
        state,
        AuditKind::OrgAccessDenied,
        who.map(|v| Subject::username(v.actor()))
            .unwrap_or_default(),
        ctx,
        outcome,
        Some(json!({
            "agency_code": code, "requirement": need, "path": path,
            "via": who.map(Via::name),
        })),
    )
    .await;
}

/// What the guard reads of a request: its cookies, its path (for the audit record) and the
/// path's parameters (`code`, and `function` where the route has one).
pub struct Asked<'a> {
    pub cookies: &'a Cookies,
    pub path: &'a str,
    pub params: &'a HashMap<String, String>,
}

/// The caller for the organization of the request's `code`, if `R` lets them through: 404
/// for an unknown organization, 401/403/409 (audited) for a caller it cannot admit.
pub async fn check<R: Requirement>(
    state: &AppState,
    asked: &Asked<'_>,
    ctx: &Ctx,
) -> Result<Org<R>, Failure> {
    let (params, parts) = (asked.params, asked);
    let Some(code) = params.get("code").and_then(|c| AgencyCode::parse(c).ok()) else {
        return Err(Failure::new(FailureKind::NotFound, "not_found"));
    };
    let code = code.as_str();
    let function = params.get("function").map(String::as_str);
    let found = gather(state, parts.cookies, code).await?;
    if found.vias.is_empty() {
        let (status, reason) = if found.cert_changed {
            (FailureKind::Forbidden, "org_handler_cert_changed")
        } else if found.needs_choice && !found.elsewhere {
            (FailureKind::Conflict, "org_select_required")
        } else if found.elsewhere || found.needs_choice {
            (FailureKind::Forbidden, "org_permission_denied")
        } else {
            return Err(Failure::new(
                FailureKind::Unauthenticated,
                "org_unauthenticated",
            ));
        };
        deny(state, ctx, parts.path, code, R::NAME, None, reason).await;
        return Err(Failure::new(status, reason));
    }
    let tree = state.settings.orgs.tree.clone();
    let Some(via) = found
        .vias
        .iter()
        .find(|v| R::allows(v, &tree, function))
        .cloned()
    else {
        deny(
            state,
            ctx,
            parts.path,
            code,
            R::NAME,
            found.vias.first(),
            "org_permission_denied",
        )
        .await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "org_permission_denied",
        ));
    };
    let org = state
        .store
        .organization(code)
        .await?
        .filter(|o| o.registered_at.is_some())
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    Ok(Org {
        org,
        via,
        _need: PhantomData,
    })
}
