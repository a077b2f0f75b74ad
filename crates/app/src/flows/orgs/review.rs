//! The back-office review queue (reviewers): cases of organization cards that did not match
//! the registry, with the registry entry beside the card; approve (the card may register from
//! now or the next business day, as configured) or reject with a reason. Each case is decided
//! once; the applicant is told by email.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::org::PageRequest;
use tessera_store::orgs::{ReviewCase, status};
use utoipa::{IntoParams, ToSchema};

use super::mails;
use super::registry::OrgView;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::send_later;
use crate::state::AppState;
use crate::text::rfc3339;
use tessera_core::FieldError;
use tessera_store::Account;

/// A case as reviewers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    pub agency_code: String,
    /// `pending`, `approved`, `rejected`.
    pub status: String,
    pub card_kind: String,
    pub card_name: String,
    pub card_subject: String,
    pub card_serial: String,
    pub card_oid: Option<String>,
    pub card_business_id: Option<String>,
    pub card_institution_code: Option<String>,
    pub applicant_name: String,
    pub applicant_phone: String,
    pub applicant_email: String,
    pub created_at: Option<String>,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// From when an approval lets the card register.
    pub effective_at: Option<String>,
    /// The registry entry the card was compared with.
    pub registry: Option<OrgView>,
}

impl CaseView {
    fn new(c: &ReviewCase, registry: Option<OrgView>) -> Self {
        let n = &c.case;
        CaseView {
            id: c.id.clone(),
            agency_code: n.agency_code.clone(),
            status: c.status.clone(),
            card_kind: n.card_kind.clone(),
            card_name: n.card_name.clone(),
            card_subject: n.subject.clone(),
            card_serial: n.serial.clone(),
            card_oid: n.card_oid.clone(),
            card_business_id: n.card_business_id.clone(),
            card_institution_code: n.card_institution_code.clone(),
            applicant_name: n.applicant_name.clone(),
            applicant_phone: n.applicant_phone.clone(),
            applicant_email: n.applicant_email.clone(),
            created_at: rfc3339(n.created_at),
            reason: c.reason.clone(),
            decided_by: c.decided_by.clone(),
            decided_at: c.decided_at.and_then(rfc3339),
            effective_at: c.effective_at.and_then(rfc3339),
            registry,
        }
    }
}

/// `GET /api/v1/backoffice/reviews` query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct CasesQuery {
    /// `pending` (default), `approved`, `rejected` or `all`.
    pub status: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// A page of cases.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CasesView {
    pub items: Vec<CaseView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// `POST /api/v1/backoffice/reviews/{id}/reject`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RejectInput {
    /// Told to the applicant.
    pub reason: String,
}

/// The queue.
pub async fn list(state: &AppState, q: &CasesQuery) -> Result<CasesView, Failure> {
    let p = PageRequest::parse(q.page, q.per_page).map_err(Failure::field)?;
    let filter = match q.status.as_deref().unwrap_or(status::PENDING) {
        "all" => None,
        s @ (status::PENDING | status::APPROVED | status::REJECTED) => Some(s),
        _ => return Err(Failure::bad_request("malformed_request")),
    };
    let (cases, total) = state
        .store
        .review_cases(filter, p.offset(), i64::from(p.per_page))
        .await?;
    Ok(CasesView {
        items: cases.iter().map(|c| CaseView::new(c, None)).collect(),
        total,
        page: p.page,
        per_page: p.per_page,
    })
}

/// One case with its registry entry.
pub async fn show(state: &AppState, id: &str) -> Result<CaseView, Failure> {
    let c = state
        .store
        .review_case(id)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    let org = state.store.organization(&c.case.agency_code).await?;
    Ok(CaseView::new(&c, org.as_ref().map(OrgView::new)))
}

fn lang_of(case: &ReviewCase) -> Lang {
    Lang::from_tag(&case.case.lang).unwrap_or_default()
}

/// Approves or rejects a pending case and tells the applicant.
pub async fn decide(
    state: &AppState,
    staff: &Account,
    id: &str,
    reject: Option<&RejectInput>,
    ctx: &Ctx,
) -> Result<CaseView, Failure> {
    let reason = match reject {
        Some(r) => {
            let text = r.reason.trim();
            if text.is_empty() || text.chars().count() > 500 {
                return Err(Failure::field(FieldError::new(
                    "reason",
                    "review_reason_required",
                )));
            }
            Some(text.to_owned())
        }
        None => None,
    };
    let t = now();
    let (decision, effective) = match reason {
        Some(_) => (status::REJECTED, None),
        None => (
            status::APPROVED,
            Some(state.settings.orgs.approval_wait.effective_at(t)),
        ),
    };
    let decided = state
        .store
        .decide_review(
            id,
            decision,
            reason.as_deref(),
            &staff.username,
            t,
            effective,
        )
        .await?;
    let Some(c) = decided else {
        return Err(match state.store.review_case(id).await? {
            Some(_) => Failure::new(FailureKind::Conflict, "review_already_decided"),
            None => Failure::new(FailureKind::NotFound, "not_found"),
        });
    };
    audit::record(
        state,
        AuditKind::OrgReviewDecided,
        Subject::account(&staff.id, &staff.username),
        ctx,
        decision,
        Some(json!({ "case": c.id, "agency_code": c.case.agency_code, "serial": c.case.serial, "reason": c.reason })),
    )
    .await;
    let n = &c.case;
    let mail = match (&c.reason, c.effective_at) {
        (Some(reason), _) => mails::review_rejected(
            &state.settings,
            lang_of(&c),
            &n.applicant_email,
            &n.applicant_name,
            &n.agency_code,
            reason,
        ),
        (None, when) => mails::review_approved(
            &state.settings,
            lang_of(&c),
            &n.applicant_email,
            &n.applicant_name,
            &n.agency_code,
            when.unwrap_or(t),
            &state.url("/"),
        ),
    };
    send_later(state, mail).await?;
    let org = state.store.organization(&n.agency_code).await?;
    Ok(CaseView::new(&c, org.as_ref().map(OrgView::new)))
}
