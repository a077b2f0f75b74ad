//! The step pages of 機關憑證註冊 (四, 圖3-3 … 3-10), 憑證更換 (六, 圖3-23 … 3-37) and the
//! opening of 授權指派作業 (五, 圖3-12 … 3-14): one URL per step,
//! `/orgs/{register|replace|assign}/{flow}/{terms|org-certificate|contact|manager-certificate|details}`.
//! The flow lives in the database (`flows::orgs::flow`), bound to this browser; a page shows
//! only the flow's current step (another step's URL is redirected there on GET and refused with
//! `org_flow_step` on POST). Card steps sign through `cert-sign.js`.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use tessera_core::org::FlowKind;

use super::super::cert::SignBox;
use super::super::form::Form;
use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::progress::ProgressView;
use super::paths::{binding, kind_label, step_slug, step_url};
use super::steps::{StepForm, fields, step};
use crate::error::Failure;
use tessera_app::flows::orgs::MANAGER_PURPOSE;
use tessera_app::flows::orgs::card::{ManagerCardView, OrgCardView};
use tessera_app::flows::orgs::flow::{self as org_flow, FlowView, ReviewFiledView, StartInput};
use tessera_app::state::AppState;

async fn start(state: &AppState, pc: &PageCtx, kind: &str) -> Response {
    let input = StartInput {
        kind: kind.to_owned(),
    };
    match org_flow::start(state, &input, &binding(pc), &pc.ctx).await {
        Ok(v) => redirect(&step_url(&v), &[]),
        Err(f) => failure_page(pc, &f),
    }
}

/// `POST /orgs/register`: 首次註冊 begins with the terms (their download time is stored).
pub async fn start_register(State(state): State<AppState>, pc: PageCtx) -> Response {
    start(&state, &pc, "register").await
}

/// `POST /orgs/assign`: 授權指派作業 begins with the organization card.
pub async fn start_assign(State(state): State<AppState>, pc: PageCtx) -> Response {
    start(&state, &pc, "assign").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplaceForm {
    kind: String,
}

/// `POST /orgs/replace {kind}`: one of the three replacements.
pub async fn start_replace(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<ReplaceForm>,
) -> Response {
    match v.kind.as_str() {
        k @ ("replace_org" | "replace_manager" | "replace_both") => start(&state, &pc, k).await,
        _ => failure_page(&pc, &Failure::bad_request("malformed_request")),
    }
}

#[derive(Template)]
#[template(path = "orgs/flow.html")]
struct FlowPage {
    page: Page,
    flow: FlowView,
    step: &'static str,
    action: String,
    form: Form,
    sign: SignBox,
    organization: Option<OrgCardView>,
    manager: Option<ManagerCardView>,
    progress: Option<ProgressView>,
    /// The review case just filed: the page is its end page instead of the step's form.
    filed: Option<ReviewFiledView>,
}

/// `?filed=1`: the review request's end page (after the contact step).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FiledQuery {
    filed: Option<String>,
}

fn page(
    state: &AppState,
    pc: &PageCtx,
    flow: FlowView,
    v: &StepForm,
    failure: Option<&Failure>,
    filed: bool,
) -> Response {
    let l = pc.l();
    let step = step_slug(&flow.step);
    let mut form = fields(l, state, step, &flow, v);
    let status = match failure {
        Some(f) if f.code == "password_mismatch" => {
            form.field_error(l, "password_confirm", f.code);
            f.status()
        }
        Some(f) => {
            form.fail(l, f);
            f.status()
        }
        None => StatusCode::OK,
    };
    let purpose = match (step, FlowKind::parse(&flow.kind)) {
        ("manager-certificate", _) => MANAGER_PURPOSE,
        (_, Some(k)) => k.org_card_purpose(),
        (_, None) => "",
    };
    let filed = if filed && failure.is_none() && step == "org-certificate" {
        flow.review.clone()
    } else {
        None
    };
    let t = FlowPage {
        page: pc.page(kind_label(l, &flow.kind)),
        step,
        action: step_url(&flow),
        form,
        sign: SignBox::new(state, purpose),
        organization: flow.organization.clone(),
        manager: flow.manager.clone(),
        progress: filed
            .is_none()
            .then(|| ProgressView::org_flow(&flow.kind, &flow.step, l.0))
            .flatten(),
        filed,
        flow,
    };
    render(pc, status, &t)
}

/// `GET /orgs/{section}/{flow}/{step}`: the current step (another step's URL leads there).
pub async fn show(
    State(state): State<AppState>,
    pc: PageCtx,
    uri: Uri,
    Path((id, _)): Path<(String, String)>,
    Query(q): Query<FiledQuery>,
) -> Response {
    let flow = match org_flow::show(&state, &id, &binding(&pc), pc.ctx.lang).await {
        Ok(v) => v,
        Err(f) => return failure_page(&pc, &f),
    };
    let here = step_url(&flow);
    if uri.path() != here {
        return redirect(&here, &[]);
    }
    let filed = q.filed.as_deref() == Some("1");
    page(&state, &pc, flow, &StepForm::default(), None, filed)
}

/// `POST /orgs/{section}/{flow}/{step}`: submits the current step.
pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    uri: Uri,
    Path((id, _)): Path<(String, String)>,
    PostForm(v): PostForm<StepForm>,
) -> Response {
    let flow = match org_flow::show(&state, &id, &binding(&pc), pc.ctx.lang).await {
        Ok(v) => v,
        Err(f) => return failure_page(&pc, &f),
    };
    if uri.path() != step_url(&flow) {
        return failure_page(&pc, &org_flow::out_of_step());
    }
    match step(&state, &pc, &id, &flow, &v).await {
        Ok(r) => r,
        Err(f) if matches!(f.code, "org_flow_invalid" | "org_flow_step") => failure_page(&pc, &f),
        Err(f) => page(&state, &pc, flow, &v, Some(&f), false),
    }
}
