//! The step pages of 機關憑證註冊 (四, 圖3-3 … 3-10), 憑證更換 (六, 圖3-23 … 3-37) and the
//! opening of 授權指派作業 (五, 圖3-12 … 3-14): one URL per step,
//! `/orgs/{register|replace|assign}/{flow}/{terms|org-certificate|contact|manager-certificate|details}`.
//! The flow lives in the database (`flows::orgs::flow`), bound to this browser; a page shows
//! only the flow's current step (another step's URL is redirected there on GET and refused with
//! `org_flow_step` on POST). Card steps sign through `cert-sign.js`.

use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Deserialize;
use tessera_core::org::FlowKind;

use super::super::cert::{SignBox, Signed};
use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::register::{opt, password_hint};
use crate::error::Failure;
use crate::flows::cert;
use crate::flows::orgs::MANAGER_PURPOSE;
use crate::flows::orgs::card::{ManagerCardView, OrgCardView};
use crate::flows::orgs::complete::{self, CompletedView, DetailsInput};
use crate::flows::orgs::flow::{self as org_flow, FlowView, StartInput, TermsInput};
use crate::flows::orgs::manager::{self, ManagerCardInput, ManagerStep};
use crate::flows::orgs::org_card::{self, ContactInput, OrgCardInput};
use crate::state::AppState;

/// The URL section of a flow kind.
fn section(kind: &str) -> &'static str {
    match kind {
        "register" => "register",
        "assign" => "assign",
        _ => "replace",
    }
}

/// The URL segment of a step.
fn step_slug(step: &str) -> &'static str {
    match step {
        "terms" => "terms",
        "org_certificate" => "org-certificate",
        "contact" => "contact",
        "manager_certificate" => "manager-certificate",
        "details" => "details",
        _ => "done",
    }
}

/// The page of the flow's current step.
pub fn step_url(v: &FlowView) -> String {
    format!(
        "/orgs/{}/{}/{}",
        section(&v.kind),
        v.flow_id,
        step_slug(&v.step)
    )
}

/// The flow's name (the page title).
pub fn kind_label(l: L, kind: &str) -> &'static str {
    match kind {
        "register" => l.t("機關憑證註冊（首次註冊）", "Organization registration"),
        "replace_org" => l.t("更換機關憑證", "Replace the organization certificate"),
        "replace_manager" => l.t(
            "更換授權管理者自然人憑證",
            "Replace the manager's citizen certificate",
        ),
        "replace_both" => l.t(
            "更換機關憑證與授權管理者自然人憑證",
            "Replace both certificates",
        ),
        _ => l.t("授權指派作業", "Authorization assignment"),
    }
}

fn binding(pc: &PageCtx) -> String {
    org_flow::browser_binding(&pc.csrf)
}

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

/// Every field any step posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    agree: String,
    agency_code: String,
    name: String,
    phone: String,
    email: String,
    national_id: String,
    extension: String,
    notes: String,
    password: String,
    password_confirm: String,
    account_email: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

impl StepForm {
    fn signed(&self) -> Signed {
        Signed {
            challenge_id: self.challenge_id.clone(),
            signature: self.signature.clone(),
            cert: self.cert.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "org_flow.html")]
struct FlowPage {
    page: Page,
    flow: FlowView,
    step: &'static str,
    action: String,
    form: Form,
    sign: SignBox,
    organization: Option<OrgCardView>,
    manager: Option<ManagerCardView>,
}

#[derive(Template)]
#[template(path = "org_done.html")]
struct DonePage {
    page: Page,
    done: CompletedView,
    organization: Option<OrgCardView>,
    manager: Option<ManagerCardView>,
}

fn fields(l: L, state: &AppState, step: &str, flow: &FlowView, v: &StepForm) -> Form {
    let code = if v.agency_code.is_empty() {
        flow.agency_code.clone().unwrap_or_default()
    } else {
        v.agency_code.clone()
    };
    let mut f = match step {
        "org-certificate" => vec![
            Field::text("agency_code", l.t("機關代號", "Agency code"))
                .required()
                .hint(l.t(
                    "五碼，英文字母或數字；請將機關憑證插入讀卡機。",
                    "Five letters or digits; insert the organization card in the reader.",
                ))
                .value(code),
        ],
        "contact" => vec![
            Field::text("name", l.t("姓名", "Name"))
                .required()
                .autocomplete("name")
                .value(&v.name),
            Field::tel("phone", l.t("電話", "Phone"))
                .required()
                .hint(l.t("例如 (02)2701-3411", "e.g. (02)2701-3411"))
                .value(&v.phone),
            Field::email("email", l.t("電子信箱", "Email"))
                .required()
                .hint(l.t(
                    "審核結果將寄至此信箱。",
                    "The decision is sent to this address.",
                ))
                .value(&v.email),
        ],
        "manager-certificate" => vec![
            Field::text(
                "national_id",
                l.t("授權管理者身分證統一編號", "The manager's national ID"),
            )
            .required()
            .hint(l.t(
                "請將授權管理者的自然人憑證插入讀卡機。",
                "Insert the manager's citizen certificate card in the reader.",
            ))
            .value(&v.national_id),
        ],
        "details" => vec![
            Field::text("name", l.t("授權管理者姓名", "The manager's name"))
                .required()
                .value(&v.name),
            Field::email("email", l.t("電子信箱", "Email"))
                .required()
                .value(&v.email),
            Field::tel("phone", l.t("聯絡電話", "Phone"))
                .required()
                .hint(l.t("例如 (02)2701-3411", "e.g. (02)2701-3411"))
                .value(&v.phone),
            Field::text("extension", l.t("分機", "Extension"))
                .inputmode("numeric")
                .value(&v.extension),
            Field::text("notes", l.t("備註", "Notes")).value(&v.notes),
        ],
        _ => Vec::new(),
    };
    if step == "details" && flow.kind == "register" {
        f.push(
            Field::password(
                "password",
                l.t("機關帳號密碼", "Password of the organization's account"),
            )
            .required()
            .autocomplete("new-password")
            .hint(password_hint(l, &state.settings.password_policy)),
        );
        f.push(
            Field::password("password_confirm", l.t("確認密碼", "Confirm password"))
                .required()
                .autocomplete("new-password"),
        );
        f.push(
            Field::email(
                "account_email",
                l.t("機關帳號電子信箱", "Email of the organization's account"),
            )
            .hint(l.t(
                "未填寫時使用授權管理者的電子信箱。",
                "Leave empty to use the manager's.",
            ))
            .value(&v.account_email),
        );
    }
    Form::new(f)
}

fn page(
    state: &AppState,
    pc: &PageCtx,
    flow: FlowView,
    v: &StepForm,
    failure: Option<&Failure>,
) -> Response {
    let l = pc.l();
    let step = step_slug(&flow.step);
    let mut form = fields(l, state, step, &flow, v);
    let status = match failure {
        Some(f) if f.code == "password_mismatch" => {
            form.field_error(l, "password_confirm", f.code);
            f.status
        }
        Some(f) => {
            form.fail(l, f);
            f.status
        }
        None => StatusCode::OK,
    };
    let purpose = match (step, FlowKind::parse(&flow.kind)) {
        ("manager-certificate", _) => MANAGER_PURPOSE,
        (_, Some(k)) => k.org_card_purpose(),
        (_, None) => "",
    };
    let t = FlowPage {
        page: pc.page(kind_label(l, &flow.kind)),
        step,
        action: step_url(&flow),
        form,
        sign: SignBox::new(state, purpose),
        organization: flow.organization.clone(),
        manager: flow.manager.clone(),
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
) -> Response {
    let flow = match org_flow::show(&state, &id, &binding(&pc), pc.ctx.lang).await {
        Ok(v) => v,
        Err(f) => return failure_page(&pc, &f),
    };
    let here = step_url(&flow);
    if uri.path() != here {
        return redirect(&here, &[]);
    }
    page(&state, &pc, flow, &StepForm::default(), None)
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
        Err(f) => page(&state, &pc, flow, &v, Some(&f)),
    }
}

async fn step(
    state: &AppState,
    pc: &PageCtx,
    id: &str,
    flow: &FlowView,
    v: &StepForm,
) -> Result<Response, Failure> {
    let browser = binding(pc);
    let cert_binding = cert::browser_binding(&pc.csrf);
    match step_slug(&flow.step) {
        "terms" => {
            let input = TermsInput {
                agree: v.agree == "yes",
            };
            Ok(
                match org_flow::answer_terms(state, id, &input, &browser, &pc.ctx).await? {
                    Some(next) => redirect(&step_url(&next), &[]),
                    None => redirect("/orgs", &[pc.flash_cookie("org_terms_declined")]),
                },
            )
        }
        "org-certificate" => {
            let a = v.signed().answer()?;
            let input = OrgCardInput {
                agency_code: v.agency_code.clone(),
                challenge_id: a.challenge_id,
                signature: a.signature,
                cert: a.cert,
            };
            let next =
                org_card::submit(state, id, &input, &browser, &cert_binding, &pc.ctx).await?;
            Ok(redirect(&step_url(&next), &[]))
        }
        "contact" => {
            let input = ContactInput {
                name: v.name.clone(),
                phone: v.phone.clone(),
                email: v.email.clone(),
            };
            let next = org_card::contact(state, id, &input, &browser, &pc.ctx).await?;
            Ok(redirect(
                &step_url(&next),
                &[pc.flash_cookie("org_review_pending")],
            ))
        }
        "manager-certificate" => {
            let a = v.signed().answer()?;
            let input = ManagerCardInput {
                national_id: v.national_id.clone(),
                challenge_id: a.challenge_id,
                signature: a.signature,
                cert: a.cert,
            };
            Ok(
                match manager::submit(state, id, &input, &browser, &cert_binding, &pc.ctx).await? {
                    ManagerStep::Next(next) => redirect(&step_url(&next), &[]),
                    ManagerStep::Assignment(a, cookie) => redirect(
                        &format!("/orgs/{}/handlers", a.agency_code),
                        &[cookie, pc.flash_cookie("org_assignment_opened")],
                    ),
                },
            )
        }
        "details" => {
            let register = flow.kind == "register";
            if register && v.password != v.password_confirm {
                return Err(Failure::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "password_mismatch",
                ));
            }
            let input = DetailsInput {
                name: v.name.clone(),
                email: v.email.clone(),
                phone: v.phone.clone(),
                extension: opt(&v.extension),
                notes: opt(&v.notes),
                password: register.then(|| v.password.clone()),
                account_email: opt(&v.account_email),
            };
            let done = complete::submit(state, id, &input, &browser, &pc.ctx).await?;
            let l = pc.l();
            let t = DonePage {
                page: pc.page(kind_label(l, &flow.kind)),
                organization: Some(done.organization.clone()),
                manager: Some(done.manager.clone()),
                done,
            };
            Ok(render(pc, StatusCode::OK, &t))
        }
        _ => Err(org_flow::out_of_step()),
    }
}
