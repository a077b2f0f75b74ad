//! 後臺登入 and 登出, and the back-office home page. Staff sign in with the same flow as
//! `POST /api/v1/backoffice/session` (staff accounts only, member lockout and CAPTCHA rules,
//! their own SameSite=Strict cookie); the home page lists the sections the roles open.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::guard::{Nav, StaffPage, back_to};
use crate::pages::apply::QueueLink;
use crate::pages::auth::form as login_form;
use crate::pages::form::Form;
use crate::pages::form::opt;
use crate::pages::layout::{Page, PageCtx, redirect, render};
use tessera_app::flows::login::LoginInput;
use tessera_app::flows::orgs::staff::{self, AnyStaff};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    username: String,
    password: String,
    captcha: String,
    next: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NextQuery {
    next: String,
}

#[derive(Template)]
#[template(path = "backoffice/login.html")]
struct LoginPage {
    page: Page,
    staff: Option<Nav>,
    form: Form,
    next: String,
}

/// `GET /admin/login`.
pub async fn show(pc: PageCtx, Query(q): Query<NextQuery>) -> Response {
    let l = pc.l();
    let t = LoginPage {
        page: pc.page(l.t("後臺登入", "Staff sign-in")),
        staff: None,
        form: login_form(l, "", false),
        next: back_to(&q.next).to_owned(),
    };
    render(&pc, StatusCode::OK, &t)
}

/// `POST /admin/login`.
pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<LoginForm>,
) -> Response {
    let l = pc.l();
    let input = LoginInput {
        username: v.username.clone(),
        password: v.password.clone(),
        captcha: opt(&v.captcha),
    };
    let next = back_to(&v.next).to_owned();
    match staff::login(&state, &input, &pc.ctx).await {
        Ok((_, cookie)) => redirect(&next, &[cookie, pc.flash_cookie("signed_in_staff")]),
        Err(failure) => {
            // After any failed attempt the widget is shown: from the 3rd on it is required.
            let mut form = login_form(l, &v.username, true);
            form.fail(l, &failure);
            let t = LoginPage {
                page: pc.page(l.t("後臺登入", "Staff sign-in")).with_captcha(),
                staff: None,
                form,
                next,
            };
            render(&pc, failure.status(), &t)
        }
    }
}

/// `POST /admin/logout`.
pub async fn logout(State(state): State<AppState>, pc: PageCtx, headers: HeaderMap) -> Response {
    match staff::logout(&state, &crate::cookies::jar(&headers), &pc.ctx).await {
        Ok(clear) => redirect("/admin/login", &[clear, pc.flash_cookie("signed_out")]),
        Err(f) => super::guard::failed(&pc, None, &f),
    }
}

#[derive(Template)]
#[template(path = "backoffice/home.html")]
struct HomePage {
    page: Page,
    staff: Option<Nav>,
    nav: Nav,
    /// The review queues of the application types whose reviewer role the staff member holds.
    queues: Vec<QueueLink>,
}

/// `GET /admin`: the sections the staff member's roles open.
pub async fn home(p: StaffPage<AnyStaff>) -> Response {
    let l = p.pc.l();
    let nav = Nav::of(&p.staff);
    let t = HomePage {
        page: p.pc.page(l.t("後臺管理", "Back office")),
        staff: p.nav(),
        nav,
        queues: crate::pages::apply::queue_links(&p.state, &p.staff.roles, l.0),
    };
    render(&p.pc, StatusCode::OK, &t)
}
