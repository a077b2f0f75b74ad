//! 授權管理者自然人憑證確認 (圖3-8, 3-13, 3-25, 3-30, 3-35): the manager's national ID and citizen
//! card. The ID must pass its checksum and end in the card's last four digits. Registration and
//! manager replacement accept any citizen (a new manager); organization replacement and the
//! assignment need the registered manager's current card and ID. An assignment flow ends here:
//! both certificates proved, a short assignment session scoped to that organization opens.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::NationalId;
use tessera_core::org::flow::Event;
use tessera_core::org::{FlowKind, ManagerRule, Step};
use tessera_pki::CertKind;
use tessera_store::orgs::role;
use utoipa::ToSchema;

use super::MANAGER_PURPOSE;
use super::card::CardSnapshot;
use super::flow::{FlowView, Loaded, Notice, load, out_of_step};
use super::sessions::{self, Holder, Kind};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::cert::{Card, SignedAnswer, verify};
use crate::state::AppState;
use crate::text::rfc3339;

/// `POST /api/v1/org-flows/{flow}/manager-certificate`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ManagerCardInput {
    /// 授權管理者身分證統一編號.
    pub national_id: String,
    pub challenge_id: String,
    /// CMS SignedData over an `org-manager` challenge.
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// An assignment session opened (圖3-14's 使用者資訊).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub agency_code: String,
    pub org_name: String,
    pub manager_name: String,
    pub expires_at: Option<String>,
    pub notice: Notice,
}

/// The outcome of the manager step.
pub enum ManagerStep {
    /// Registration / replacement: on to the details.
    Next(Box<FlowView>),
    /// Assignment: the session is open (`Set-Cookie`).
    Assignment(AssignmentView, String),
}

async fn note(state: &AppState, ctx: &Ctx, outcome: &str, code: &str, card: &Card) {
    let mut detail = card.detail();
    detail["agency_code"] = json!(code);
    audit::record(
        state,
        AuditKind::OrgManagerChecked,
        Subject::default(),
        ctx,
        outcome,
        Some(detail),
    )
    .await;
}

/// Checks the manager's card for the flow.
pub async fn submit(
    state: &AppState,
    flow_id: &str,
    input: &ManagerCardInput,
    browser: &str,
    cert_binding: &str,
    ctx: &Ctx,
) -> Result<ManagerStep, Failure> {
    let mut f = load(state, flow_id, browser).await?;
    f.expect(&[Step::ManagerCertificate])?;
    let (Some(code), Some(org_card)) = (f.agency_code.clone(), f.data.org_card.clone()) else {
        return Err(out_of_step());
    };
    let typed = NationalId::parse(&input.national_id).map_err(Failure::field)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, cert_binding, MANAGER_PURPOSE, ctx).await?;
    if card.identity.kind != CertKind::MoicaCitizen {
        note(state, ctx, "refused_kind", &code, &card).await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_kind_not_accepted",
        ));
    }
    if !card.matches_national_id(typed.as_str()) {
        note(state, ctx, "refused_national_id_mismatch", &code, &card).await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "cert_national_id_mismatch",
        ));
    }
    let snapshot = CardSnapshot::of(&card);
    if f.kind.manager_rule() == ManagerRule::Current {
        let live = state.store.live_org_cert(&code, role::MANAGER).await?;
        let manager = state.store.org_manager(&code).await?;
        let current = live.is_some_and(|l| snapshot.is(&l.cert.issuer, &l.cert.serial))
            && manager.is_some_and(|m| m.national_id == typed.as_str());
        if !current {
            note(state, ctx, "refused_not_current", &code, &card).await;
            return Err(Failure::new(FailureKind::Forbidden, "org_manager_mismatch"));
        }
    }
    note(state, ctx, "ok", &code, &card).await;
    if f.kind == FlowKind::Assign {
        return open_assignment(state, &f, &code, &org_card, &snapshot, typed.as_str(), ctx).await;
    }
    let mut data = f.data.clone();
    data.manager_card = Some(snapshot);
    data.manager_national_id = Some(typed.to_string());
    f.advance(state, Event::ManagerAccepted, Some(code), data)
        .await?;
    Ok(ManagerStep::Next(Box::new(f.view(flow_id, ctx.lang, None))))
}

async fn open_assignment(
    state: &AppState,
    f: &Loaded,
    code: &str,
    org_card: &CardSnapshot,
    manager_card: &CardSnapshot,
    national_id: &str,
    ctx: &Ctx,
) -> Result<ManagerStep, Failure> {
    // One winner per flow; and the organization card must still be the current one (a
    // replacement may have finished between the two steps).
    let taken = state
        .store
        .take_org_flow(&f.id_hash, Step::ManagerCertificate.as_str(), now())
        .await?;
    let live = state.store.live_org_cert(code, role::ORGANIZATION).await?;
    if taken.is_none() || !live.is_some_and(|l| org_card.is(&l.cert.issuer, &l.cert.serial)) {
        return Err(out_of_step());
    }
    let (session, cookie) = sessions::start(
        state,
        Kind::Assignment,
        Holder {
            national_id,
            name: &manager_card.name,
            issuer: &manager_card.issuer,
            serial: &manager_card.serial,
            agency_code: Some(code),
        },
    )
    .await?;
    let manager = state.store.org_manager(code).await?;
    audit::record(
        state,
        AuditKind::OrgAssignmentOpened,
        Subject::username(national_id),
        ctx,
        "ok",
        Some(json!({ "agency_code": code, "org_serial": org_card.serial, "manager_serial": manager_card.serial })),
    )
    .await;
    let view = AssignmentView {
        agency_code: code.to_owned(),
        org_name: f.data.org_name.clone().unwrap_or_default(),
        manager_name: manager
            .map(|m| m.name)
            .unwrap_or_else(|| manager_card.name.clone()),
        expires_at: rfc3339(session.expires_at),
        notice: Notice::new(FlowKind::Assign.done_code(), ctx.lang),
    };
    Ok(ManagerStep::Assignment(view, cookie))
}
