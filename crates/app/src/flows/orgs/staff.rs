//! Back-office staff (後臺): `staff` accounts (created by `tessera admin staff add`) sign in with
//! username and password under the same lockout rules as members, into their own session
//! (`tessera_staff_session`, table `staff_sessions`): a member or organization cookie never
//! opens the back office and a staff cookie never opens member pages. Roles: `reviewer` (the
//! review queue) and `operator` (the organization registry); the extractor [`Staff<R>`] lets a
//! request through only with the role `R` needs.

use std::marker::PhantomData;

use crate::cookies::Cookies;
use crate::error::FailureKind;
use cookie::SameSite;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tessera_core::audit::AuditKind;
use tessera_store::staff::StaffSession;
use tessera_store::{Account, kind};
use utoipa::ToSchema;

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::cookies;
use crate::error::Failure;
use crate::flows::login::{LoginInput, authenticate};
use crate::secrets;
use crate::state::AppState;

/// The roles staff may hold.
pub const ROLES: [&str; 2] = [REVIEWER, OPERATOR];
/// Decides review cases.
pub const REVIEWER: &str = "reviewer";
/// Maintains the organization registry.
pub const OPERATOR: &str = "operator";

/// The staff cookie's name.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_staff_session"
    } else {
        "tessera_staff_session"
    }
}

fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// A signed-in staff member.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffView {
    pub username: String,
    pub name: String,
    pub roles: Vec<String>,
}

/// Signs staff in; returns who and the `Set-Cookie`. An expired password is refused
/// (`password_expired`): an operator resets it with `tessera admin staff reset-password`.
pub async fn login(
    state: &AppState,
    input: &LoginInput,
    ctx: &Ctx,
) -> Result<(StaffView, String), Failure> {
    let (account, expired) = authenticate(state, input, ctx, &[kind::STAFF]).await?;
    let who = Subject::account(&account.id, &account.username);
    if expired {
        audit::record(
            state,
            AuditKind::LoginFailed,
            who,
            ctx,
            "staff_password_expired",
            None,
        )
        .await;
        return Err(Failure::new(FailureKind::Forbidden, "password_expired"));
    }
    let raw = secrets::token();
    let t = now();
    state
        .store
        .create_staff_session(&StaffSession {
            id_hash: hash_id(&raw),
            account_id: account.id.clone(),
            created_at: t,
            last_seen_at: t,
            expires_at: t + state.settings.session_absolute.as_secs() as i64,
        })
        .await?;
    audit::record(
        state,
        AuditKind::LoginSucceeded,
        who,
        ctx,
        "ok_staff",
        Some(json!({ "realm": "back_office" })),
    )
    .await;
    state.metrics.login("ok");
    let roles = state.store.staff_roles(&account.id).await?;
    let cookie = cookies::build(
        cookie_name(state),
        &raw,
        SameSite::Strict,
        state.settings.secure_cookies(),
        None,
    );
    Ok((
        StaffView {
            username: account.username,
            name: account.name,
            roles,
        },
        cookie,
    ))
}

/// Signs staff out; returns the clearing cookie.
pub async fn logout(state: &AppState, cookies: &Cookies, ctx: &Ctx) -> Result<String, Failure> {
    if let Some(raw) = cookies.get(cookie_name(state))
        && state.store.delete_staff_session(&hash_id(&raw)).await?
    {
        audit::record(
            state,
            AuditKind::Logout,
            Subject::default(),
            ctx,
            "ok_staff",
            None,
        )
        .await;
    }
    Ok(cookies::build(
        cookie_name(state),
        "",
        SameSite::Strict,
        state.settings.secure_cookies(),
        Some(0),
    ))
}

/// What a back-office endpoint needs.
pub trait StaffRole: Send + Sync + 'static {
    /// The role, or `None` for any staff member.
    const ROLE: Option<&'static str>;
}

/// Any signed-in staff member.
pub struct AnyStaff;
/// A reviewer.
pub struct Reviewer;
/// An operator.
pub struct Operator;

impl StaffRole for AnyStaff {
    const ROLE: Option<&'static str> = None;
}
impl StaffRole for Reviewer {
    const ROLE: Option<&'static str> = Some(REVIEWER);
}
impl StaffRole for Operator {
    const ROLE: Option<&'static str> = Some(OPERATOR);
}

/// The signed-in staff member, holding the role `R` needs.
pub struct Staff<R: StaffRole> {
    pub account: Account,
    pub roles: Vec<String>,
    _role: PhantomData<R>,
}

impl<R: StaffRole> Staff<R> {
    pub fn view(&self) -> StaffView {
        StaffView {
            username: self.account.username.clone(),
            name: self.account.name.clone(),
            roles: self.roles.clone(),
        }
    }
}

/// The request's staff member holding `R`'s role: 401 `staff_unauthenticated` without a live
/// staff session, 403 `staff_role_required` (audited) without the role. The JSON extractor
/// and the back-office pages (which answer with a page instead) both use it.
pub async fn check<R: StaffRole>(
    state: &AppState,
    cookies: &Cookies,
    path: &str,
    ctx: &Ctx,
) -> Result<Staff<R>, Failure> {
    let unauthenticated = || Failure::new(FailureKind::Unauthenticated, "staff_unauthenticated");
    let raw = cookies
        .get(cookie_name(state))
        .ok_or_else(unauthenticated)?;
    let idle = state.settings.session_idle.as_secs() as i64;
    let s = state
        .store
        .staff_session_if_live(&hash_id(&raw), now(), idle)
        .await?
        .ok_or_else(unauthenticated)?;
    let account = state
        .store
        .account_by_id(&s.account_id)
        .await?
        .filter(|a| a.kind == kind::STAFF && !a.disabled)
        .ok_or_else(unauthenticated)?;
    let roles = state.store.staff_roles(&account.id).await?;
    if let Some(role) = R::ROLE
        && !roles.iter().any(|r| r == role)
    {
        audit::record(
            state,
            AuditKind::OrgAccessDenied,
            Subject::account(&account.id, &account.username),
            ctx,
            "staff_role_required",
            Some(json!({ "needs": role, "roles": roles, "path": path })),
        )
        .await;
        return Err(Failure::new(FailureKind::Forbidden, "staff_role_required"));
    }
    Ok(Staff {
        account,
        roles,
        _role: PhantomData,
    })
}
