//! 審核案件 (reviewers): the queue filtered by status, one case with the card's identifiers
//! beside the registry entry, and the decision — approve, or reject with a reason. The same
//! `flows::orgs::review` functions as `/api/v1/backoffice/reviews`; the applicant is emailed by
//! the flow.

use crate::error::FailureExt;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::guard::{Nav, StaffPage, failed};
use super::when;
use crate::error::Failure;
use crate::pages::i18n::L;
use crate::pages::layout::{Page, redirect, render};
use tessera_app::flows::orgs::review::{self, CaseView, CasesQuery, RejectInput};
use tessera_app::flows::orgs::staff::Reviewer;

/// The status filters of the queue, in order.
const STATUSES: [&str; 4] = ["pending", "approved", "rejected", "all"];

/// A status in the page's language.
pub fn status_label(l: L, status: &str) -> &'static str {
    match status {
        "pending" => l.t("待審核", "Pending"),
        "approved" => l.t("已核准", "Approved"),
        "rejected" => l.t("已退件", "Rejected"),
        _ => l.t("全部", "All"),
    }
}

/// A card kind (GCA, XCA, MOEACA, HCA …) in the page's language.
pub fn card_kind_label(l: L, kind: &str) -> &'static str {
    match kind {
        "gca_agency" => l.t("機關憑證（GCA）", "Agency certificate (GCA)"),
        "xca_organization" => l.t("組織及團體憑證（XCA）", "Organization certificate (XCA)"),
        "moeaca_business" => l.t("工商憑證（MOEACA）", "Business certificate (MOEACA)"),
        "hca_institution" => l.t("醫事機構憑證（HCA）", "Medical institution (HCA)"),
        "moica_citizen" => l.t("自然人憑證（MOICA）", "Citizen certificate (MOICA)"),
        _ => l.t("其他憑證", "Other certificate"),
    }
}

/// A case with its status and card kind in the page's language.
pub struct Row {
    pub c: CaseView,
    pub status: &'static str,
    pub kind: &'static str,
    /// Filed, decided, and from when an approval lets the card register, as staff read them.
    pub filed: String,
    pub decided: String,
    pub effective: String,
}

impl Row {
    fn new(l: L, c: CaseView) -> Self {
        Row {
            status: status_label(l, &c.status),
            kind: card_kind_label(l, &c.card_kind),
            filed: when(l, c.created_at.as_deref()),
            decided: when(l, c.decided_at.as_deref()),
            effective: when(l, c.effective_at.as_deref()),
            c,
        }
    }
}

/// One status filter link.
pub struct Filter {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "backoffice/reviews.html")]
struct ListPage {
    page: Page,
    staff: Option<Nav>,
    filters: Vec<Filter>,
    /// The current filter's label.
    current: &'static str,
    cases: Vec<Row>,
    total: i64,
    prev: String,
    next: String,
}

/// `GET /admin/reviews?status=…&page=…`.
pub async fn list(p: StaffPage<Reviewer>, Query(q): Query<ListQuery>) -> Response {
    let l = p.pc.l();
    let status = if STATUSES.contains(&q.status.as_str()) {
        q.status.clone()
    } else {
        "pending".to_owned()
    };
    let query = CasesQuery {
        status: Some(status.clone()),
        page: q.page,
        per_page: Some(25),
    };
    let cases = match review::list(&p.state, &query).await {
        Ok(c) => c,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let href = |s: &str, page: u32| format!("/admin/reviews?status={s}&page={page}");
    let shown = i64::from(cases.page) * i64::from(cases.per_page);
    let t = ListPage {
        page: p.pc.page(l.t("審核案件", "Review queue")),
        staff: p.nav(),
        filters: STATUSES
            .iter()
            .map(|s| Filter {
                href: href(s, 1),
                label: status_label(l, s),
                current: *s == status,
            })
            .collect(),
        prev: if cases.page > 1 {
            href(&status, cases.page - 1)
        } else {
            String::new()
        },
        next: if shown < cases.total {
            href(&status, cases.page + 1)
        } else {
            String::new()
        },
        current: status_label(l, &status),
        total: cases.total,
        cases: cases.items.into_iter().map(|c| Row::new(l, c)).collect(),
    };
    render(&p.pc, StatusCode::OK, &t)
}

#[derive(Template)]
#[template(path = "backoffice/review.html")]
struct CasePage {
    page: Page,
    staff: Option<Nav>,
    case: Row,
    /// Why the last decision was refused ("" when none).
    error: &'static str,
    reason: String,
    reason_error: &'static str,
}

/// The case page, after a refused decision with `failure` when given.
async fn case_page(
    p: &StaffPage<Reviewer>,
    id: &str,
    failure: Option<&Failure>,
    reason: &str,
) -> Response {
    let l = p.pc.l();
    let case = match review::show(&p.state, id).await {
        Ok(c) => c,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let lang = p.pc.ctx.lang;
    let reason_error = failure
        .and_then(|f| f.fields.iter().find(|e| e.field == "reason"))
        .map(|e| tessera_core::messages::message(e.code, lang))
        .unwrap_or("");
    let error = match failure {
        Some(f) if reason_error.is_empty() => f.message(lang),
        Some(_) => l.msg("validation_failed"),
        None => "",
    };
    let t = CasePage {
        page: p.pc.page(l.t("審核案件", "Review case")),
        staff: p.nav(),
        case: Row::new(l, case),
        error,
        reason: reason.to_owned(),
        reason_error,
    };
    let status = failure.map_or(StatusCode::OK, |f| f.status());
    render(&p.pc, status, &t)
}

/// `GET /admin/reviews/{id}`.
pub async fn show(p: StaffPage<Reviewer>, Path(id): Path<String>) -> Response {
    case_page(&p, &id, None, "").await
}

/// `POST /admin/reviews/{id}/approve`.
pub async fn approve(p: StaffPage<Reviewer>, Path(id): Path<String>) -> Response {
    match review::decide(&p.state, &p.staff.account, &id, None, &p.pc.ctx).await {
        Ok(c) => redirect(
            &format!("/admin/reviews/{}", c.id),
            &[p.pc.flash_cookie("review_approved")],
        ),
        Err(f) => case_page(&p, &id, Some(&f), "").await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RejectForm {
    reason: String,
}

/// `POST /admin/reviews/{id}/reject`.
pub async fn reject(
    p: StaffPage<Reviewer>,
    Path(id): Path<String>,
    Form(f): Form<RejectForm>,
) -> Response {
    let input = RejectInput {
        reason: f.reason.clone(),
    };
    match review::decide(&p.state, &p.staff.account, &id, Some(&input), &p.pc.ctx).await {
        Ok(c) => redirect(
            &format!("/admin/reviews/{}", c.id),
            &[p.pc.flash_cookie("review_rejected")],
        ),
        Err(e) => case_page(&p, &id, Some(&e), &f.reason).await,
    }
}
