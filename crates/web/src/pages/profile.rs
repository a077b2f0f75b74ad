//! 個人資料維護: editing every profile field but the username; a changed email is verified
//! again (the flow mails the link) and the member is told so.

use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_store::Account;

use super::account::require;
use super::form::{Form, Group};
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::register::{mobile_field, opt, profile_fields};
use crate::flows::profile::{self, ProfileInput};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    name: String,
    email: String,
    mobile: String,
    national_id: String,
    birthday: String,
    landline: String,
}

impl ProfileForm {
    fn of(a: &Account) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            name: a.name.clone(),
            email: a.email.clone(),
            mobile: s(&a.mobile),
            national_id: s(&a.national_id),
            birthday: s(&a.birthday),
            landline: s(&a.landline),
        }
    }
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    page: Page,
    username: String,
    form: Form,
}

fn form(l: L, v: &ProfileForm) -> Form {
    let mut fields = profile_fields(
        l,
        &v.name,
        &v.email,
        &v.national_id,
        &v.birthday,
        &v.landline,
    );
    fields.insert(2, mobile_field(l, &v.mobile));
    Form::grouped(vec![Group { legend: "", fields }])
}

fn title(l: L) -> &'static str {
    l.t("個人資料維護", "Edit profile")
}

pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, false).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let t = ProfilePage {
        page: pc.page(title(l)),
        username: a.username.clone(),
        form: form(l, &ProfileForm::of(&a)),
    };
    render(&pc, StatusCode::OK, &t)
}

pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<ProfileForm>,
) -> Response {
    let (_, a) = match require(&state, &pc, false).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let input = ProfileInput {
        name: v.name.clone(),
        email: v.email.clone(),
        mobile: opt(&v.mobile),
        national_id: opt(&v.national_id),
        birthday: opt(&v.birthday),
        landline: opt(&v.landline),
    };
    match profile::update(&state, &a, &input, &pc.ctx).await {
        Ok(updated) => {
            let code = if updated.email_verified || !a.email_verified {
                "profile_saved"
            } else {
                "profile_saved_email"
            };
            redirect("/account", &[pc.flash_cookie(code)])
        }
        Err(failure) => {
            let mut f = form(l, &v);
            f.fail(l, &failure);
            let t = ProfilePage {
                page: pc.page(title(l)),
                username: a.username.clone(),
                form: f,
            };
            render(&pc, failure.status, &t)
        }
    }
}
