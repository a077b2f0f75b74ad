//! 個人資料維護: editing every profile field but the username; a changed email is verified
//! again (the flow mails the link) and the member is told so.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_store::Account;

use super::form::opt;
use super::form::{Field, Form, Group};
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::member::require;
use super::register::{mobile_field, profile_fields};
use crate::session::Open;
use tessera_app::flows::profile::{self, ProfileInput};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    name: String,
    email: String,
    mobile: String,
    national_id: String,
    birthday: String,
    landline: String,
    /// Needed only when the email address changes.
    current_password: String,
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
            current_password: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "account/profile.html")]
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
    let confirm = vec![
        Field::password(
            "current_password",
            l.t("目前的密碼", "Current password"),
        )
        .hint(l.t(
            "變更電子信箱時必填，以確認是您本人；新信箱完成驗證後才會生效。",
            "Needed when you change the email address, to confirm it is you; the new address takes effect once it is verified.",
        ))
        .autocomplete("current-password"),
    ];
    Form::grouped(vec![
        Group { legend: "", fields },
        Group {
            legend: l.t("確認身分", "Confirm it is you"),
            fields: confirm,
        },
    ])
}

fn title(l: L) -> &'static str {
    l.t("個人資料維護", "Edit profile")
}

pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
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
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    // The form shows every field: each is named, and an empty one is cleared.
    let input = ProfileInput {
        name: Some(v.name.clone()),
        email: Some(v.email.clone()),
        mobile: Some(opt(&v.mobile)),
        national_id: Some(opt(&v.national_id)),
        birthday: Some(opt(&v.birthday)),
        landline: Some(opt(&v.landline)),
        current_password: opt(&v.current_password),
    };
    match profile::update(&state, &a, &input, &pc.ctx).await {
        Ok(_) => {
            let email_asked = !v.email.trim().eq_ignore_ascii_case(&a.email);
            let code = if email_asked {
                "profile_saved_email"
            } else {
                "profile_saved"
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
            render(&pc, failure.status(), &t)
        }
    }
}
