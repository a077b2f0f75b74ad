//! The flow engine: a registration, replacement or assignment flow lives in the database (every
//! node sees it), answers only the browser that started it (digest of its CSRF cookie), expires,
//! and moves only along `tessera_core::org::flow::next` by compare-and-set. Starting a flow shows
//! the terms with their page download time (網頁下載時間), which is stored; agreeing moves on,
//! declining ends the flow.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::org::flow::{Event, next};
use tessera_core::org::{FlowKind, Step, roc};
use tessera_store::orgs::OrgFlow;
use utoipa::ToSchema;

use super::card::{CardSnapshot, ManagerCardView, OrgCardView};
pub use super::views::{FlowView, Notice, ReviewFiledView, TermsView};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;
use crate::text::rfc3339;

/// What a flow keeps between steps (JSON in `org_flows.data`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FlowData {
    pub terms_version: Option<String>,
    /// 網頁下載時間: when the terms were shown.
    pub terms_shown_at: Option<i64>,
    pub terms_agreed_at: Option<i64>,
    pub org_card: Option<CardSnapshot>,
    /// The registry's name of the organization.
    pub org_name: Option<String>,
    pub manager_card: Option<CardSnapshot>,
    pub manager_national_id: Option<String>,
    /// The review case filed from this flow.
    pub review_id: Option<String>,
    /// When it was filed and where its decision goes.
    pub review_filed_at: Option<i64>,
    pub review_email: Option<String>,
}

/// A loaded flow.
pub struct Loaded {
    pub id_hash: String,
    pub kind: FlowKind,
    pub step: Step,
    pub agency_code: Option<String>,
    pub data: FlowData,
    pub expires_at: i64,
}

/// `POST /api/v1/org-flows`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct StartInput {
    pub kind: String,
}

/// `POST /api/v1/org-flows/{flow}/terms`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct TermsInput {
    /// 同意條款內容 (true) or 不同意 (false: the flow ends).
    pub agree: bool,
}

/// What a flow is bound to: a digest of the browser's CSRF cookie.
pub fn browser_binding(csrf: &str) -> String {
    secrets::digest(&["org-flow-browser", csrf])
}

fn id_hash(flow_id: &str) -> String {
    secrets::digest(&["org-flow", flow_id.trim()])
}

fn invalid() -> Failure {
    Failure::new(FailureKind::NotFound, "org_flow_invalid")
}

/// 409 `org_flow_step`: out of order, or someone else moved the flow first.
pub fn out_of_step() -> Failure {
    Failure::new(FailureKind::Conflict, "org_flow_step")
}

/// The live flow `flow_id` of this browser.
pub async fn load(state: &AppState, flow_id: &str, browser: &str) -> Result<Loaded, Failure> {
    let f = state.store.org_flow(&id_hash(flow_id), now()).await?;
    let Some(f) = f.filter(|f| secrets::same(&f.browser, browser)) else {
        return Err(invalid());
    };
    let (Some(kind), Some(step)) = (FlowKind::parse(&f.kind), Step::parse(&f.step)) else {
        return Err(invalid());
    };
    let data = serde_json::from_str(&f.data).map_err(|_| invalid())?;
    Ok(Loaded {
        id_hash: f.id_hash,
        kind,
        step,
        agency_code: f.agency_code,
        data,
        expires_at: f.expires_at,
    })
}

impl Loaded {
    /// Refuses unless the flow is at one of `steps`.
    pub fn expect(&self, steps: &[Step]) -> Result<(), Failure> {
        if steps.contains(&self.step) {
            Ok(())
        } else {
            Err(out_of_step())
        }
    }

    /// Moves the flow on after `event` (compare-and-set on the current step); updates `self`.
    pub async fn advance(
        &mut self,
        state: &AppState,
        event: Event,
        agency_code: Option<String>,
        data: FlowData,
    ) -> Result<(), Failure> {
        let to = next(self.kind, self.step, event).ok_or_else(out_of_step)?;
        let text = serde_json::to_string(&data).map_err(|_| Failure::internal())?;
        let moved = state
            .store
            .advance_org_flow(
                &self.id_hash,
                self.step.as_str(),
                to.as_str(),
                agency_code.as_deref(),
                &text,
                now(),
            )
            .await?;
        if !moved {
            return Err(out_of_step());
        }
        self.step = to;
        self.agency_code = agency_code;
        self.data = data;
        Ok(())
    }

    /// The client's view of the flow.
    pub fn view(&self, flow_id: &str, lang: Lang, notice: Option<&str>) -> FlowView {
        let d = &self.data;
        let code = self.agency_code.clone().unwrap_or_default();
        FlowView {
            flow_id: flow_id.trim().to_owned(),
            kind: self.kind.as_str().to_owned(),
            step: self.step.as_str().to_owned(),
            agency_code: self.agency_code.clone(),
            expires_at: rfc3339(self.expires_at),
            challenge_purpose: match self.step {
                Step::OrgCertificate | Step::Contact => {
                    Some(self.kind.org_card_purpose().to_owned())
                }
                Step::ManagerCertificate => Some(super::MANAGER_PURPOSE.to_owned()),
                _ => None,
            },
            terms: d.terms_version.as_ref().map(|v| TermsView {
                version: v.clone(),
                page_downloaded_at: d.terms_shown_at.and_then(rfc3339),
                page_downloaded_at_roc: d.terms_shown_at.and_then(roc::roc_datetime),
            }),
            organization: d
                .org_card
                .as_ref()
                .map(|c| OrgCardView::new(&code, d.org_name.as_deref().unwrap_or(""), c, lang)),
            manager: d
                .manager_card
                .as_ref()
                .map(|c| ManagerCardView::new(d.manager_national_id.as_deref().unwrap_or(""), c)),
            notice: notice.map(|c| Notice::new(c, lang)),
            review: d.review_id.as_ref().map(|id| ReviewFiledView {
                case_id: id.clone(),
                filed_at: d.review_filed_at.and_then(rfc3339),
                filed_at_roc: d.review_filed_at.and_then(roc::roc_datetime),
                email: d.review_email.clone().unwrap_or_default(),
            }),
        }
    }
}

/// Starts a flow of `kind` for this browser; returns the new flow id and its view.
pub async fn start(
    state: &AppState,
    input: &StartInput,
    browser: &str,
    ctx: &Ctx,
) -> Result<FlowView, Failure> {
    let kind = FlowKind::parse(input.kind.trim())
        .ok_or_else(|| Failure::bad_request("malformed_request"))?;
    let s = &state.settings;
    let over = crate::flows::limits::hit(
        state,
        ctx,
        "org-flow",
        Some(browser),
        s.flow_starts_per_browser,
        s.flow_starts_per_ip,
    )
    .await?;
    if let Some(over) = over {
        audit::record(
            state,
            AuditKind::OrgFlowStarted,
            Subject::default(),
            ctx,
            "rate_limited",
            Some(json!({ "kind": kind.as_str(), "limit": over.as_str() })),
        )
        .await;
        return Err(Failure::new(
            FailureKind::RateLimited,
            "org_flow_rate_limited",
        ));
    }
    let t = now();
    let flow_id = secrets::token();
    let mut data = FlowData::default();
    if kind.first_step() == Step::Terms {
        data.terms_version = Some(state.settings.orgs.terms_version.clone());
        data.terms_shown_at = Some(t);
    }
    let expires_at = t + state.settings.orgs.flow_ttl.as_secs() as i64;
    state
        .store
        .create_org_flow(&OrgFlow {
            id_hash: id_hash(&flow_id),
            kind: kind.as_str().to_owned(),
            step: kind.first_step().as_str().to_owned(),
            browser: browser.to_owned(),
            agency_code: None,
            data: serde_json::to_string(&data).map_err(|_| Failure::internal())?,
            created_at: t,
            expires_at,
        })
        .await?;
    audit::record(
        state,
        AuditKind::OrgFlowStarted,
        Subject::default(),
        ctx,
        "ok",
        Some(json!({ "kind": kind.as_str() })),
    )
    .await;
    let loaded = Loaded {
        id_hash: id_hash(&flow_id),
        kind,
        step: kind.first_step(),
        agency_code: None,
        data,
        expires_at,
    };
    Ok(loaded.view(&flow_id, ctx.lang, None))
}

/// Agrees to (moves on) or declines (ends) the terms. `None` when declined.
pub async fn answer_terms(
    state: &AppState,
    flow_id: &str,
    input: &TermsInput,
    browser: &str,
    ctx: &Ctx,
) -> Result<Option<FlowView>, Failure> {
    let mut f = load(state, flow_id, browser).await?;
    f.expect(&[Step::Terms])?;
    let detail = json!({ "kind": f.kind.as_str(), "terms_version": f.data.terms_version });
    if !input.agree {
        state.store.delete_org_flow(&f.id_hash).await?;
        audit::record(
            state,
            AuditKind::OrgTermsAnswered,
            Subject::default(),
            ctx,
            "declined",
            Some(detail),
        )
        .await;
        return Ok(None);
    }
    let mut data = f.data.clone();
    data.terms_agreed_at = Some(now());
    f.advance(state, Event::Agreed, None, data).await?;
    audit::record(
        state,
        AuditKind::OrgTermsAnswered,
        Subject::default(),
        ctx,
        "agreed",
        Some(detail),
    )
    .await;
    Ok(Some(f.view(flow_id, ctx.lang, None)))
}

/// The flow's current view.
pub async fn show(
    state: &AppState,
    flow_id: &str,
    browser: &str,
    lang: Lang,
) -> Result<FlowView, Failure> {
    Ok(load(state, flow_id, browser)
        .await?
        .view(flow_id, lang, None))
}

/// Cancels the flow (取消 / 退出).
pub async fn cancel(
    state: &AppState,
    flow_id: &str,
    browser: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let f = load(state, flow_id, browser).await?;
    state.store.delete_org_flow(&f.id_hash).await?;
    let detail =
        json!({ "kind": f.kind.as_str(), "step": f.step.as_str(), "agency_code": f.agency_code });
    audit::record(
        state,
        AuditKind::OrgFlowCancelled,
        Subject::default(),
        ctx,
        "ok",
        Some(detail),
    )
    .await;
    Ok(())
}
