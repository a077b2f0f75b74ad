//! Handler sign-in (要保機關作業 for 經辦人): the citizen card (purpose `org-handler`) and the
//! typed national ID, then the organizations that assigned this person. An assignment whose
//! certificate serial differs from the card's (renewed card, 展期或換卡) is refused until the
//! manager updates it. With one usable organization the session acts for it at once; with
//! several the handler picks one (and may switch later).

use crate::cookies::Cookies;
use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::NationalId;
use tessera_core::org::CertSerial;
use tessera_pki::CertKind;
use tessera_store::orgs::{Assignment, OrgSession};
use utoipa::ToSchema;

use super::sessions::{self, Holder, Kind};
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::cert::{SignedAnswer, verify};
use crate::state::AppState;
use crate::text::rfc3339;

/// The challenge purpose of handler sign-in.
pub const PURPOSE: &str = super::purposes::HANDLER_PURPOSE;

/// `POST /api/v1/org-handler/session`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HandlerLoginInput {
    pub challenge_id: String,
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
    pub national_id: String,
}

/// `PUT /api/v1/org-handler/session`: the organization to act for.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ChooseInput {
    pub agency_code: String,
}

/// One organization that assigned the handler.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignedOrg {
    pub agency_code: String,
    pub name: String,
    /// False when the card's serial differs from the assigned one (renewed card): the manager
    /// must update it before the handler can act for this organization.
    pub certificate_current: bool,
}

/// The handler session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandlerSessionView {
    pub name: String,
    pub national_id: String,
    /// The organization acted for; absent until chosen when several are possible.
    pub acting: Option<String>,
    pub organizations: Vec<AssignedOrg>,
    pub expires_at: Option<String>,
}

fn listed(assignments: &[Assignment], serial: &str) -> Vec<AssignedOrg> {
    assignments
        .iter()
        .map(|a| AssignedOrg {
            agency_code: a.handler.agency_code.clone(),
            name: a.org_name.clone(),
            certificate_current: CertSerial::parse(&a.handler.cert_serial)
                .is_ok_and(|s| s.same_as(serial)),
        })
        .collect()
}

fn view(s: &OrgSession, orgs: Vec<AssignedOrg>) -> HandlerSessionView {
    HandlerSessionView {
        name: s.name.clone(),
        national_id: s.national_id.clone(),
        acting: s.agency_code.clone(),
        organizations: orgs,
        expires_at: rfc3339(s.expires_at),
    }
}

/// Signs a handler in; returns the session and its `Set-Cookie`.
pub async fn login(
    state: &AppState,
    input: &HandlerLoginInput,
    cert_binding: &str,
    ctx: &Ctx,
) -> Result<(HandlerSessionView, String), Failure> {
    let typed = NationalId::parse(&input.national_id).map_err(Failure::field)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, cert_binding, PURPOSE, ctx).await?;
    let who = Subject::username(typed.as_str());
    let refuse = |outcome: &'static str, status: FailureKind, code: &'static str| {
        let detail = card.detail();
        async move {
            audit::record(
                state,
                AuditKind::OrgHandlerLogin,
                who,
                ctx,
                outcome,
                Some(detail),
            )
            .await;
            Failure::new(status, code)
        }
    };
    if card.identity.kind != CertKind::MoicaCitizen {
        return Err(refuse(
            "refused_kind",
            FailureKind::Forbidden,
            "cert_kind_not_accepted",
        )
        .await);
    }
    if !card.matches_national_id(typed.as_str()) {
        return Err(refuse(
            "refused_national_id_mismatch",
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        )
        .await);
    }
    let assignments = state.store.assignments_of(typed.as_str()).await?;
    let orgs = listed(&assignments, &card.identity.serial);
    let usable: Vec<&AssignedOrg> = orgs.iter().filter(|o| o.certificate_current).collect();
    if assignments.is_empty() {
        return Err(refuse(
            "refused_not_assigned",
            FailureKind::Forbidden,
            "org_handler_not_assigned",
        )
        .await);
    }
    if usable.is_empty() {
        return Err(refuse(
            "refused_cert_changed",
            FailureKind::Forbidden,
            "org_handler_cert_changed",
        )
        .await);
    }
    let acting = (usable.len() == 1).then(|| usable[0].agency_code.clone());
    let (session, cookie) = sessions::start(
        state,
        Kind::Handler,
        Holder {
            national_id: typed.as_str(),
            name: &card.identity.name,
            issuer: &card.identity.issuer,
            serial: &card.identity.serial,
            agency_code: acting.as_deref(),
        },
    )
    .await?;
    let mut detail = card.detail();
    detail["acting"] = json!(acting);
    detail["organizations"] = json!(orgs.iter().map(|o| &o.agency_code).collect::<Vec<_>>());
    audit::record(
        state,
        AuditKind::OrgHandlerLogin,
        who,
        ctx,
        "ok",
        Some(detail),
    )
    .await;
    Ok((view(&session, orgs), cookie))
}

/// The current handler session, or 401 `org_unauthenticated`.
pub async fn current(state: &AppState, cookies: &Cookies) -> Result<HandlerSessionView, Failure> {
    let s = sessions::load(state, cookies, Kind::Handler)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::Unauthenticated, "org_unauthenticated"))?;
    let assignments = state.store.assignments_of(&s.national_id).await?;
    Ok(view(&s, listed(&assignments, &s.serial)))
}

/// Chooses (or switches) the organization to act for: it must have assigned this person with
/// the card's current serial.
pub async fn choose(
    state: &AppState,
    cookies: &Cookies,
    input: &ChooseInput,
    ctx: &Ctx,
) -> Result<HandlerSessionView, Failure> {
    let mut s = sessions::load(state, cookies, Kind::Handler)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::Unauthenticated, "org_unauthenticated"))?;
    let code = input.agency_code.trim().to_ascii_uppercase();
    let assignments = state.store.assignments_of(&s.national_id).await?;
    let orgs = listed(&assignments, &s.serial);
    let pick = orgs.iter().find(|o| o.agency_code == code);
    let who = Subject::username(&s.national_id);
    match pick {
        Some(o) if o.certificate_current => {}
        Some(_) => {
            audit::record(
                state,
                AuditKind::OrgActingChosen,
                who,
                ctx,
                "refused_cert_changed",
                Some(json!({ "agency_code": code })),
            )
            .await;
            return Err(Failure::new(
                FailureKind::Forbidden,
                "org_handler_cert_changed",
            ));
        }
        None => {
            audit::record(
                state,
                AuditKind::OrgActingChosen,
                who,
                ctx,
                "refused_not_assigned",
                Some(json!({ "agency_code": code })),
            )
            .await;
            return Err(Failure::new(
                FailureKind::Forbidden,
                "org_permission_denied",
            ));
        }
    }
    state
        .store
        .set_org_session_agency(&s.id_hash, &code)
        .await?;
    audit::record(
        state,
        AuditKind::OrgActingChosen,
        who,
        ctx,
        "ok",
        Some(json!({ "agency_code": code })),
    )
    .await;
    s.agency_code = Some(code);
    Ok(view(&s, orgs))
}

/// Signs the handler out; returns the clearing cookie.
pub async fn logout(state: &AppState, cookies: &Cookies, ctx: &Ctx) -> Result<String, Failure> {
    let (ended, clear) = sessions::end(state, cookies, Kind::Handler).await?;
    if let Some(s) = ended {
        audit::record(
            state,
            AuditKind::OrgHandlerLogout,
            Subject::username(&s.national_id),
            ctx,
            "ok",
            None,
        )
        .await;
    }
    Ok(clear)
}
