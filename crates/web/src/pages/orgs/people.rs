//! Handlers' pages: sign-in with the citizen card (national ID + signature, purpose
//! `org-handler`), the choice of organization when several assigned this person, sign-out, and
//! the workspace listing only the functions granted (guard `Workspace`; entering a function goes
//! through `GET /api/v1/orgs/{code}/functions/{id}`, which checks the grant again).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::super::cert::{SignBox, Signed};
use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::refused;
use crate::error::{ApiError, Failure};
use crate::extract::Org;
use tessera_app::flows::cert;
use tessera_app::flows::orgs::functions::{self, WorkspaceView};
use tessera_app::flows::orgs::guard::Workspace;
use tessera_app::flows::orgs::handler_login::{
    self, ChooseInput, HandlerLoginInput, HandlerSessionView, PURPOSE,
};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    national_id: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

#[derive(Template)]
#[template(path = "orgs/handler_login.html")]
struct LoginPage {
    page: Page,
    form: Form,
    sign: SignBox,
}

fn login_form(
    pc: &PageCtx,
    state: &AppState,
    v: &LoginForm,
    failure: Option<&Failure>,
) -> Response {
    let l = pc.l();
    let mut form = Form::new(vec![
        Field::text("national_id", l.t("身分證字號", "National ID"))
            .required()
            .hint(l.t(
                "請將您的自然人憑證插入讀卡機。",
                "Insert your citizen certificate card in the reader.",
            ))
            .value(&v.national_id),
    ]);
    let status = match failure {
        Some(f) => {
            form.fail(l, f);
            f.status()
        }
        None => StatusCode::OK,
    };
    let t = LoginPage {
        page: pc.page(l.t("經辦人登入", "Handler sign-in")),
        form,
        sign: SignBox::new(state, PURPOSE),
    };
    render(pc, status, &t)
}

/// `GET /orgs/handler/login`.
pub async fn login_page(State(state): State<AppState>, pc: PageCtx) -> Response {
    login_form(&pc, &state, &LoginForm::default(), None)
}

/// `POST /orgs/handler/login`: one organization → its workspace; several → the choice.
pub async fn login(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<LoginForm>,
) -> Response {
    let signed = Signed {
        challenge_id: v.challenge_id.clone(),
        signature: v.signature.clone(),
        cert: v.cert.clone(),
    };
    let a = match signed.answer() {
        Ok(a) => a,
        Err(f) => return login_form(&pc, &state, &v, Some(&f)),
    };
    let input = HandlerLoginInput {
        challenge_id: a.challenge_id,
        signature: a.signature,
        cert: a.cert,
        national_id: v.national_id.clone(),
    };
    let binding = cert::browser_binding(&pc.csrf);
    match handler_login::login(&state, &input, &binding, &pc.ctx).await {
        Ok((view, cookie)) => match view.acting {
            Some(code) => redirect(&format!("/orgs/{code}/workspace"), &[cookie]),
            None => redirect("/orgs/handler", &[cookie]),
        },
        Err(f) => login_form(&pc, &state, &v, Some(&f)),
    }
}

#[derive(Template)]
#[template(path = "orgs/handler_home.html")]
struct HomePage {
    page: Page,
    session: HandlerSessionView,
}

/// `GET /orgs/handler`: who is signed in and the organizations to act for.
pub async fn home(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    match handler_login::current(&state, &crate::cookies::jar(&headers)).await {
        Ok(session) => {
            let l = pc.l();
            let t = HomePage {
                page: pc.page(l.t("選擇代理機關", "Choose the organization")),
                session,
            };
            render(&pc, StatusCode::OK, &t)
        }
        Err(f) if f.status() == StatusCode::UNAUTHORIZED => redirect("/orgs/handler/login", &[]),
        Err(f) => failure_page(&pc, &f),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChooseForm {
    agency_code: String,
}

/// `POST /orgs/handler/choose {agency_code}`.
pub async fn choose(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    PostForm(v): PostForm<ChooseForm>,
) -> Response {
    let input = ChooseInput {
        agency_code: v.agency_code,
    };
    match handler_login::choose(&state, &crate::cookies::jar(&headers), &input, &pc.ctx).await {
        Ok(s) => match s.acting {
            Some(code) => redirect(&format!("/orgs/{code}/workspace"), &[]),
            None => redirect("/orgs/handler", &[]),
        },
        Err(f) => failure_page(&pc, &f),
    }
}

/// `POST /orgs/handler/logout`.
pub async fn logout(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    match handler_login::logout(&state, &crate::cookies::jar(&headers), &pc.ctx).await {
        Ok(clear) => redirect("/orgs", &[clear, pc.flash_cookie("signed_out")]),
        Err(f) => failure_page(&pc, &f),
    }
}

#[derive(Template)]
#[template(path = "orgs/workspace.html")]
struct WorkspacePage {
    page: Page,
    ws: WorkspaceView,
}

/// `GET /orgs/{code}/workspace`: the functions granted, nothing else.
pub async fn workspace(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Result<Org<Workspace>, ApiError>,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let l = pc.l();
    let ws = functions::workspace(
        &state,
        &org.via,
        &org.org.agency_code,
        &org.org.name,
        pc.ctx.lang,
    );
    let t = WorkspacePage {
        page: pc.page(l.t("經辦人作業", "Handler's workspace")),
        ws,
    };
    render(&pc, StatusCode::OK, &t)
}
