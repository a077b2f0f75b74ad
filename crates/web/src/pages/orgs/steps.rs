//! What each step of `flow.rs` asks and does: the fields of a step's form (agency code; the
//! applicant's contact; the manager's national ID; the details with, for a first registration,
//! the organization account's password) and the submission of a step through the same flow
//! functions as the JSON API, ending with the success page and its receipt (圖3-10, 3-27, 3-32,
//! 3-37) or, for an assignment, the handler list with the assignment session's cookie.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::cert::Signed;
use super::super::form::opt;
use super::super::form::{Field, Form};
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::super::progress::ProgressView;
use super::super::register::password_hint;
use super::paths::{binding, kind_label, step_slug, step_url};
use crate::error::Failure;
use tessera_app::flows::cert;
use tessera_app::flows::orgs::card::{ManagerCardView, OrgCardView};
use tessera_app::flows::orgs::complete::{self, CompletedView, DetailsInput};
use tessera_app::flows::orgs::flow::{self as org_flow, FlowView, TermsInput};
use tessera_app::flows::orgs::manager::{self, ManagerCardInput, ManagerStep};
use tessera_app::flows::orgs::org_card::{self, ContactInput, OrgCardInput};
use tessera_app::state::AppState;

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
#[template(path = "orgs/done.html")]
struct DonePage {
    page: Page,
    done: CompletedView,
    organization: Option<OrgCardView>,
    manager: Option<ManagerCardView>,
    progress: Option<ProgressView>,
}

pub(super) fn fields(l: L, state: &AppState, step: &str, flow: &FlowView, v: &StepForm) -> Form {
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
                l.t("授權管理者身分證字號", "The manager's national ID"),
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

pub(super) async fn step(
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
            // The end page of the review request: its reference and what happens next,
            // not the card form again.
            Ok(redirect(&format!("{}?filed=1", step_url(&next)), &[]))
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
                    crate::error::FailureKind::Validation,
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
                progress: ProgressView::org_flow(&flow.kind, "done", l.0),
                done,
            };
            Ok(render(pc, StatusCode::OK, &t))
        }
        _ => Err(org_flow::out_of_step()),
    }
}
