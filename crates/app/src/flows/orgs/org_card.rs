//! 機關憑證確認 (圖3-5, 3-12, 3-24, 3-29, 3-34): the agency code and the organization card's
//! signature. For registration and organization-certificate replacement the card's OID /
//! business ID / institution code must equal the registry entry of that code; a mismatch asks
//! for contact details and files a review case (圖3-6), and every later attempt with that card
//! answers 「申請資料審核中…」 (圖3-7) until a reviewer approves it (after the configured wait).
//! Assignment and manager replacement need the organization's current certificate instead.

use crate::error::FailureKind;
use serde::Deserialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::{Email, Landline, PersonName};
use tessera_core::org::card_matches;
use tessera_core::org::flow::Event;
use tessera_core::org::{AgencyCode, FlowKind, OrgCardKind, OrgCardRule, OrgIds, Step};
use tessera_store::orgs::{NewReviewCase, Organization, role, status};
use utoipa::ToSchema;

use super::card::CardSnapshot;
use super::flow::{FlowView, Loaded, load};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::cert::{Card, SignedAnswer, verify};
use crate::flows::register::Checks;
use crate::state::AppState;

/// `POST /api/v1/org-flows/{flow}/org-certificate`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct OrgCardInput {
    /// 機關代號 (五碼).
    pub agency_code: String,
    pub challenge_id: String,
    /// CMS SignedData over the challenge (purpose from the flow's `challenge_purpose`).
    pub signature: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// `POST /api/v1/org-flows/{flow}/contact` (圖3-6: 姓名, 電話; and an email for the decision).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ContactInput {
    pub name: String,
    pub phone: String,
    pub email: String,
}

fn refused(code: &'static str) -> Failure {
    Failure::new(FailureKind::Forbidden, code)
}

async fn note(
    state: &AppState,
    ctx: &Ctx,
    kind: AuditKind,
    outcome: &str,
    code: &str,
    card: &Card,
) {
    let mut detail = card.detail();
    detail["agency_code"] = json!(code);
    audit::record(state, kind, Subject::default(), ctx, outcome, Some(detail)).await;
}

/// The registry entry of `code`, checked against what the flow kind needs.
pub async fn organization_for(
    state: &AppState,
    kind: FlowKind,
    code: &AgencyCode,
) -> Result<Organization, Failure> {
    let org = state
        .store
        .organization(code.as_str())
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "org_unknown_agency_code"))?;
    match (kind.needs_registered(), org.registered_at.is_some()) {
        (false, true) => Err(Failure::new(
            FailureKind::Conflict,
            "org_already_registered",
        )),
        (true, false) => Err(Failure::new(FailureKind::Conflict, "org_not_registered")),
        _ => Ok(org),
    }
}

/// What the registry comparison decided.
enum Verdict {
    Accepted,
    /// Mismatch with no decided-in-favour case: ask for contact details.
    NeedsReview,
    /// A case about this card is pending (or approved but not yet effective).
    Pending,
}

async fn against_registry(
    state: &AppState,
    org: &Organization,
    card: &CardSnapshot,
    kind: OrgCardKind,
) -> Result<Verdict, Failure> {
    let registry = OrgIds {
        organization_oid: org.organization_oid.as_deref(),
        business_id: org.business_id.as_deref(),
        institution_code: org.institution_code.as_deref(),
    };
    if card_matches(kind, card.ids(), registry) {
        return Ok(Verdict::Accepted);
    }
    let case = state
        .store
        .latest_review_for_card(&org.agency_code, &card.issuer, &card.serial)
        .await?;
    Ok(match case {
        Some(c) if c.status == status::PENDING => Verdict::Pending,
        Some(c) if c.status == status::APPROVED => {
            if c.effective_at.unwrap_or(0) <= now() {
                Verdict::Accepted
            } else {
                Verdict::Pending
            }
        }
        _ => Verdict::NeedsReview,
    })
}

/// Checks the organization card and moves the flow to the manager's card (or to contact).
pub async fn submit(
    state: &AppState,
    flow_id: &str,
    input: &OrgCardInput,
    browser: &str,
    cert_binding: &str,
    ctx: &Ctx,
) -> Result<FlowView, Failure> {
    let mut f = load(state, flow_id, browser).await?;
    f.expect(&[Step::OrgCertificate, Step::Contact])?;
    let code = AgencyCode::parse(&input.agency_code).map_err(Failure::field)?;
    let answer = SignedAnswer {
        challenge_id: input.challenge_id.clone(),
        signature: input.signature.clone(),
        cert: input.cert.clone(),
    };
    let card = verify(state, &answer, cert_binding, f.kind.org_card_purpose(), ctx).await?;
    let Some(card_kind) = OrgCardKind::from_cert_kind(card.identity.kind.as_str()) else {
        note(
            state,
            ctx,
            AuditKind::OrgCardChecked,
            "refused_kind",
            code.as_str(),
            &card,
        )
        .await;
        return Err(refused("org_cert_kind_not_accepted"));
    };
    let org = organization_for(state, f.kind, &code).await?;
    let snapshot = CardSnapshot::of(&card);
    let accepted = match f.kind.org_card_rule() {
        OrgCardRule::Current => {
            let live = state
                .store
                .live_org_cert(code.as_str(), role::ORGANIZATION)
                .await?;
            if !live.is_some_and(|l| snapshot.is(&l.cert.issuer, &l.cert.serial)) {
                note(
                    state,
                    ctx,
                    AuditKind::OrgCardChecked,
                    "refused_not_current",
                    code.as_str(),
                    &card,
                )
                .await;
                return Err(refused("org_cert_not_current"));
            }
            true
        }
        OrgCardRule::MatchRegistry => {
            let elsewhere = state
                .store
                .org_of_certificate(&snapshot.issuer, &snapshot.serial)
                .await?;
            if elsewhere.is_some_and(|other| other != code.as_str()) {
                note(
                    state,
                    ctx,
                    AuditKind::OrgCardChecked,
                    "refused_bound_elsewhere",
                    code.as_str(),
                    &card,
                )
                .await;
                return Err(Failure::new(
                    FailureKind::Conflict,
                    "org_cert_bound_elsewhere",
                ));
            }
            match against_registry(state, &org, &snapshot, card_kind).await? {
                Verdict::Accepted => true,
                Verdict::Pending => {
                    note(
                        state,
                        ctx,
                        AuditKind::OrgCardChecked,
                        "refused_review_pending",
                        code.as_str(),
                        &card,
                    )
                    .await;
                    return Err(refused("org_review_pending"));
                }
                Verdict::NeedsReview => false,
            }
        }
    };
    let mut data = f.data.clone();
    data.org_card = Some(snapshot);
    data.org_name = Some(org.name.clone());
    if accepted {
        f.advance(state, Event::OrgCardAccepted, Some(code.to_string()), data)
            .await?;
        note(
            state,
            ctx,
            AuditKind::OrgCardChecked,
            "ok",
            code.as_str(),
            &card,
        )
        .await;
        Ok(f.view(flow_id, ctx.lang, None))
    } else {
        f.advance(state, Event::OrgCardMismatch, Some(code.to_string()), data)
            .await?;
        note(
            state,
            ctx,
            AuditKind::OrgCardMismatch,
            "review_required",
            code.as_str(),
            &card,
        )
        .await;
        Ok(f.view(flow_id, ctx.lang, Some("org_review_required")))
    }
}

/// Files the review case with the applicant's contact details (圖3-6 確認 → 圖3-7).
pub async fn contact(
    state: &AppState,
    flow_id: &str,
    input: &ContactInput,
    browser: &str,
    ctx: &Ctx,
) -> Result<FlowView, Failure> {
    let mut f: Loaded = load(state, flow_id, browser).await?;
    f.expect(&[Step::Contact])?;
    let mut c = Checks::default();
    let name = c.take(PersonName::parse(&input.name));
    let phone = c.take(Landline::parse(&input.phone).map_err(|e| e.in_field("phone")));
    let email = c.take(Email::parse(&input.email));
    c.finish()?;
    let (Some(name), Some(phone), Some(email), Some(card), Some(code)) = (
        name,
        phone,
        email,
        f.data.org_card.clone(),
        f.agency_code.clone(),
    ) else {
        return Err(super::flow::out_of_step());
    };
    let case = state
        .store
        .create_review_case(&NewReviewCase {
            agency_code: code.clone(),
            card_kind: card.kind.clone(),
            issuer: card.issuer.clone(),
            serial: card.serial.clone(),
            subject: card.subject.clone(),
            card_name: card.name.clone(),
            card_oid: card.organization_oid.clone(),
            card_business_id: card.business_id.clone(),
            card_institution_code: card.institution_code.clone(),
            applicant_name: name.to_string(),
            applicant_phone: phone.to_string(),
            applicant_email: email.to_string(),
            lang: ctx.lang.as_str().to_owned(),
            created_at: now(),
        })
        .await?;
    let mut data = f.data.clone();
    data.review_id = Some(case.id.clone());
    data.review_filed_at = Some(now());
    data.review_email = Some(email.to_string());
    f.advance(state, Event::ContactGiven, Some(code.clone()), data)
        .await?;
    audit::record(
        state,
        AuditKind::OrgReviewRequested,
        Subject::default(),
        ctx,
        "ok",
        Some(json!({ "agency_code": code, "case": case.id, "serial": card.serial })),
    )
    .await;
    Ok(f.view(flow_id, ctx.lang, Some("org_review_pending")))
}
