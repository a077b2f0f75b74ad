//! 憑證登入 (004 六 Q1) on the pages: the card signs on 會員登入 (`POST /login/certificate`); a
//! bound card signs in at level `certificate`. An unbound one is held for this browser
//! (`flows::cert::pending`) through the steps at `/login/certificate/bind`: 請輸入身分證號 →
//! the accounts registered with it (names masked) with 〔移除〕 ("not mine", recorded for
//! review) and 【選取】 → that account's password → 「憑證綁定成功」 and signed in; exactly one
//! account → just its password; none, or 〔暫不綁定〕 → a certificate-only session (`/certificate`).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;

use super::super::auth::{cert_failed, local_next};
use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::Signed;
use crate::error::Failure;
use tessera_app::flows::cert::login::{self, Candidate};
use tessera_app::flows::cert::pending::{self, Held};
use tessera_app::flows::cert::{self, binding, only};
use tessera_app::state::AppState;

/// `POST /login/certificate`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CardLoginForm {
    challenge_id: String,
    signature: String,
    cert: String,
    next: String,
}

pub async fn submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<CardLoginForm>,
) -> Response {
    let signed = Signed {
        challenge_id: v.challenge_id,
        signature: v.signature,
        cert: v.cert,
    };
    let answer = match signed.answer() {
        Ok(a) => a,
        Err(f) => return cert_failed(&state, &pc, &f),
    };
    let browser = cert::browser_binding(&pc.csrf);
    let card = match cert::verify(&state, &answer, &browser, "login", &pc.ctx).await {
        Ok(c) => c,
        Err(f) => return cert_failed(&state, &pc, &f),
    };
    match login::sign_in_bound(&state, &card, &pc.ctx).await {
        Ok(Some((cookie, _))) => {
            let next = local_next(&v.next);
            let to = if next.is_empty() { "/account" } else { &next };
            redirect(to, &[cookie, pc.flash_cookie("signed_in_certificate")])
        }
        Ok(None) => match pending::hold(&state, &card).await {
            Ok(cookie) => redirect("/login/certificate/bind", &[cookie]),
            Err(f) => failure_page(&pc, &f),
        },
        Err(f) => cert_failed(&state, &pc, &f),
    }
}

#[derive(Template)]
#[template(path = "cert/steps.html")]
struct StepsPage {
    page: Page,
    /// `national_id`, `choose` or `password`.
    step: &'static str,
    card_name: String,
    card_serial: String,
    accounts: Vec<Candidate>,
    /// The account of the password step.
    chosen: Option<Candidate>,
    /// More than one account listed (the password step offers going back).
    several: bool,
    form: Form,
    locked: bool,
}

fn title(l: L) -> &'static str {
    l.t("自然人憑證登入", "Sign in with a citizen certificate")
}

fn id_form(l: L, value: &str) -> Form {
    Form::new(vec![
        Field::text("national_id", l.t("身分證字號", "National ID number"))
            .required()
            .autocomplete("off")
            .hint(l.t(
                "請輸入您憑證的身分證字號，例如 A123456789；系統會核對憑證內的末四碼。",
                "Type the ID number of your certificate, e.g. A123456789; it is checked against the certificate's last four digits.",
            ))
            .value(value),
    ])
}

fn password_form(l: L) -> Form {
    Form::new(vec![
        Field::password("password", l.t("帳號密碼", "Account password"))
            .required()
            .autocomplete("current-password")
            .hint(l.t(
                "請輸入此帳號的密碼以證明帳號為您所有；連續輸入錯誤 5 次帳號將停用。",
                "Type this account's password to prove it is yours; after 5 wrong passwords the account is disabled.",
            )),
    ])
}

async fn page_for(
    state: &AppState,
    pc: &PageCtx,
    held: &Held,
    chosen: Option<&str>,
    failure: Option<&Failure>,
    typed: &str,
) -> Response {
    let l = pc.l();
    let mut page = StepsPage {
        page: pc.page(title(l)),
        step: "national_id",
        card_name: held.card.identity.name.clone(),
        card_serial: held.card.identity.serial.clone(),
        accounts: Vec::new(),
        chosen: None,
        several: false,
        form: id_form(l, typed),
        locked: failure.is_some_and(|f| f.code == "account_locked"),
    };
    if let Some(id) = &held.national_id {
        let accounts = match login::list_candidates(state, id, &held.removed).await {
            Ok(a) => a,
            Err(f) => return failure_page(pc, &f),
        };
        let pick = match (accounts.len(), chosen) {
            (1, _) => accounts.first().cloned(),
            (_, Some(u)) => accounts
                .iter()
                .find(|a| a.username.eq_ignore_ascii_case(u))
                .cloned(),
            _ => None,
        };
        page.several = accounts.len() > 1;
        page.accounts = accounts;
        match pick {
            Some(c) => {
                page.step = "password";
                page.chosen = Some(c);
                page.form = password_form(l);
            }
            None => {
                page.step = "choose";
                page.form = Form::new(Vec::new());
            }
        }
    }
    let status = match failure {
        Some(f) => {
            page.form.fail(l, f);
            f.status()
        }
        None => StatusCode::OK,
    };
    render(pc, status, &page)
}

async fn held_or_restart(
    state: &AppState,
    pc: &PageCtx,
    headers: &HeaderMap,
) -> Result<Held, Response> {
    match pending::load(state, &crate::cookies::jar(headers)).await {
        Ok(Some(h)) => Ok(h),
        Ok(None) => Err(redirect(
            "/login",
            &[pc.flash_cookie("cert_pending_expired")],
        )),
        Err(f) => Err(failure_page(pc, &f)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChooseQuery {
    username: String,
}

/// `GET /login/certificate/bind[?username=…]`.
pub async fn steps(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    Query(q): Query<ChooseQuery>,
) -> Response {
    let held = match held_or_restart(&state, &pc, &headers).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let chosen = Some(q.username.as_str()).filter(|u| !u.is_empty());
    page_for(&state, &pc, &held, chosen, None, "").await
}

/// `POST /login/certificate/bind`: `action` = `national_id`, `remove`, `bind` or `skip`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    action: String,
    national_id: String,
    username: String,
    password: String,
}

pub async fn step(
    State(state): State<AppState>,
    pc: PageCtx,
    headers: HeaderMap,
    PostForm(v): PostForm<StepForm>,
) -> Response {
    let mut held = match held_or_restart(&state, &pc, &headers).await {
        Ok(h) => h,
        Err(r) => return r,
    };
    let ctx = pc.ctx.clone();
    let Some(id) = held.national_id.clone() else {
        // The first step: the typed national ID must match the card.
        let typed = v.national_id.trim().to_ascii_uppercase();
        let checked =
            login::check_national_id(&state, &held.card, Some(typed.as_str()), &ctx).await;
        let id = match checked {
            Ok(id) => id.as_str().to_owned(),
            Err(f) => return page_for(&state, &pc, &held, None, Some(&f), &typed).await,
        };
        let found = login::candidates(&state, &held.card, &id, &[], &ctx).await;
        held.national_id = Some(id.clone());
        return match found {
            // Never registered (004 六 Q1 (A)): signed in with the certificate only.
            Ok(accounts) if accounts.is_empty() => certificate_only(&state, &pc, &held, &id).await,
            Ok(_) => match pending::save(&state, &held).await {
                Ok(()) => redirect("/login/certificate/bind", &[]),
                Err(f) => failure_page(&pc, &f),
            },
            Err(f) => failure_page(&pc, &f),
        };
    };
    let listed = match login::list_candidates(&state, &id, &held.removed).await {
        Ok(a) => a,
        Err(f) => return failure_page(&pc, &f),
    };
    let username = v.username.trim();
    let in_list = listed
        .iter()
        .any(|a| a.username.eq_ignore_ascii_case(username));
    match v.action.as_str() {
        "skip" => certificate_only(&state, &pc, &held, &id).await,
        "remove" if in_list => {
            let names = [username.to_owned()];
            match binding::report_not_mine(&state, &held.card, None, &names, &ctx).await {
                Ok(_) => {}
                Err(f) => return failure_page(&pc, &f),
            }
            held.removed.push(username.to_owned());
            match pending::save(&state, &held).await {
                Ok(()) => redirect("/login/certificate/bind", &[]),
                Err(f) => failure_page(&pc, &f),
            }
        }
        "bind" if in_list => {
            let account = match state.store.account_by_username(username).await {
                Ok(a) => a,
                Err(e) => return failure_page(&pc, &e.into()),
            };
            let bound =
                binding::bind_card(&state, &held.card, account, &v.password, &[], false, &ctx)
                    .await;
            match bound {
                Ok(b) => {
                    let clear = pending::release(&state, Some(&held)).await;
                    let mut cookies: Vec<String> = b.set_cookie.into_iter().collect();
                    cookies.extend(clear.ok());
                    cookies.push(pc.flash_cookie("cert_bound_signed_in"));
                    redirect("/account", &cookies)
                }
                Err(f) => page_for(&state, &pc, &held, Some(username), Some(&f), "").await,
            }
        }
        _ => {
            let f = Failure::bad_request("cert_account_not_listed");
            page_for(&state, &pc, &held, None, Some(&f), "").await
        }
    }
}

/// 〔暫不綁定〕 (or no account at all): a certificate-only session, then its page.
async fn certificate_only(state: &AppState, pc: &PageCtx, held: &Held, id: &str) -> Response {
    let (_, cookie) = match only::start(state, &held.card, id, &pc.ctx).await {
        Ok(x) => x,
        Err(f) => return failure_page(pc, &f),
    };
    let mut cookies = vec![cookie];
    cookies.extend(pending::release(state, Some(held)).await.ok());
    redirect("/certificate", &cookies)
}
