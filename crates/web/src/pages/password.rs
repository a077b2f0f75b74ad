//! 變更密碼 (needs the current password; the only page open when the password expired) and
//! 刪除帳號 (password confirmation, an irreversible-action warning, then the goodbye page).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::form::{Field, Form};
use super::i18n::L;
use super::layout::{Page, PageCtx, redirect, render};
use super::member::require;
use super::register::password_hint;
use crate::session::{Open, clear_cookie};
use tessera_app::flows::profile::{self, DeleteInput, PasswordChange};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    current_password: String,
    new_password: String,
    new_password_confirm: String,
}

#[derive(Template)]
#[template(path = "account/password.html")]
struct PasswordPage {
    page: Page,
    form: Form,
    expired: bool,
}

fn change_form(l: L, state: &AppState) -> Form {
    Form::new(vec![
        Field::password("current_password", l.t("目前的密碼", "Current password"))
            .required()
            .autocomplete("current-password"),
        Field::password("new_password", l.t("新密碼", "New password"))
            .required()
            .autocomplete("new-password")
            .hint(password_hint(l, &state.settings.password_policy)),
        Field::password(
            "new_password_confirm",
            l.t("確認新密碼", "Confirm new password"),
        )
        .required()
        .autocomplete("new-password")
        .hint(l.t("請再輸入一次新密碼。", "Type the new password again.")),
    ])
}

fn change_title(l: L) -> &'static str {
    l.t("變更密碼", "Change password")
}

pub async fn show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (s, _) = match require(&state, &pc, Open::ExpiredPassword).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let t = PasswordPage {
        page: pc.page(change_title(l)),
        form: change_form(l, &state),
        expired: s.password_change_only,
    };
    render(&pc, StatusCode::OK, &t)
}

pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<ChangeForm>,
) -> Response {
    let (s, a) = match require(&state, &pc, Open::ExpiredPassword).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let mut form = change_form(l, &state);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if v.new_password != v.new_password_confirm {
        form.field_error(l, "new_password_confirm", "password_mismatch");
    } else {
        let input = PasswordChange {
            current_password: v.current_password.clone(),
            new_password: v.new_password.clone(),
        };
        match profile::change_password(&state, &a, &input, &pc.ctx).await {
            Ok(cookie) => {
                return redirect("/account", &[cookie, pc.flash_cookie("password_changed")]);
            }
            Err(failure) => {
                status = failure.status();
                form.fail(l, &failure);
            }
        }
    }
    let t = PasswordPage {
        page: pc.page(change_title(l)),
        form,
        expired: s.password_change_only,
    };
    render(&pc, status, &t)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteForm {
    password: String,
}

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage {
    page: Page,
    username: String,
    form: Form,
}

fn delete_form(l: L) -> Form {
    Form::new(vec![
        Field::password(
            "password",
            l.t("請輸入密碼以確認刪除", "Your password, to confirm"),
        )
        .required()
        .autocomplete("current-password"),
    ])
}

fn delete_title(l: L) -> &'static str {
    l.t("刪除帳號", "Delete account")
}

pub async fn delete_show(State(state): State<AppState>, pc: PageCtx) -> Response {
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let t = DeletePage {
        page: pc.page(delete_title(l)),
        username: a.username,
        form: delete_form(l),
    };
    render(&pc, StatusCode::OK, &t)
}

pub async fn delete_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<DeleteForm>,
) -> Response {
    let (_, a) = match require(&state, &pc, Open::UnverifiedEmail).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let l = pc.l();
    let mut form = delete_form(l);
    let input = DeleteInput {
        password: v.password.clone(),
    };
    let status = match profile::delete(&state, &a, &input, &pc.ctx).await {
        Ok(()) => return redirect("/goodbye", &[clear_cookie(&state)]),
        Err(failure) => {
            form.fail(l, &failure);
            failure.status()
        }
    };
    let t = DeletePage {
        page: pc.page(delete_title(l)),
        username: a.username,
        form,
    };
    render(&pc, status, &t)
}
