//! The rest of 查詢作業 (七): 查詢機關憑證OID (圖3-40, 3-41: agency code + the organization card's
//! signature, purpose `org-lookup`), 查詢自然人憑證序號 (圖3-42, 3-43: national ID + the citizen
//! card's signature, purpose `cert-lookup`, for a handler to give the serial to their manager),
//! and 查詢已授權清單 as a page (guard `AuthorizedList`; the CSV download is the API's).

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::super::cert::{SignBox, Signed};
use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, render};
use super::refused;
use crate::error::{ApiError, Failure};
use crate::extract::Org;
use tessera_app::flows::cert;
use tessera_app::flows::orgs::guard::AuthorizedList;
use tessera_app::flows::orgs::lookups::{
    self, CitizenLookupInput, CitizenLookupView, OrgLookupInput, OrgLookupView,
};
use tessera_app::flows::orgs::queries::{self, AuthorizedListView};
use tessera_app::state::AppState;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupForm {
    agency_code: String,
    national_id: String,
    challenge_id: String,
    signature: String,
    cert: String,
}

#[derive(Template)]
#[template(path = "orgs/lookup.html")]
struct LookupPage {
    page: Page,
    /// `organization` or `citizen`.
    which: &'static str,
    action: &'static str,
    form: Form,
    sign: SignBox,
    org: Option<OrgLookupView>,
    citizen: Option<CitizenLookupView>,
}

fn lookup_page(
    state: &AppState,
    pc: &PageCtx,
    which: &'static str,
    v: &LookupForm,
    failure: Option<&Failure>,
    found: (Option<OrgLookupView>, Option<CitizenLookupView>),
) -> Response {
    let l = pc.l();
    let (title, action, purpose, field) = if which == "organization" {
        (
            l.t("查詢機關憑證OID", "Look up an organization certificate"),
            "/orgs/lookup/organization-certificate",
            "org-lookup",
            Field::text("agency_code", l.t("機關代號", "Agency code"))
                .required()
                .value(&v.agency_code),
        )
    } else {
        (
            l.t("查詢自然人憑證序號", "Look up a citizen certificate serial"),
            "/orgs/lookup/citizen-certificate",
            "cert-lookup",
            Field::text("national_id", l.t("身分證字號", "National ID"))
                .required()
                .value(&v.national_id),
        )
    };
    let mut form = Form::new(vec![field]);
    let status = match failure {
        Some(f) => {
            form.fail(l, f);
            f.status()
        }
        None => StatusCode::OK,
    };
    let t = LookupPage {
        page: pc.page(title),
        which,
        action,
        form,
        sign: SignBox::new(state, purpose),
        org: found.0,
        citizen: found.1,
    };
    render(pc, status, &t)
}

/// `GET /orgs/lookup/organization-certificate`.
pub async fn org_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    lookup_page(
        &state,
        &pc,
        "organization",
        &LookupForm::default(),
        None,
        (None, None),
    )
}

/// `GET /orgs/lookup/citizen-certificate`.
pub async fn citizen_form(State(state): State<AppState>, pc: PageCtx) -> Response {
    lookup_page(
        &state,
        &pc,
        "citizen",
        &LookupForm::default(),
        None,
        (None, None),
    )
}

/// `POST /orgs/lookup/organization-certificate`: the card's name, OID and registry match.
pub async fn org_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<LookupForm>,
) -> Response {
    let signed = Signed {
        challenge_id: v.challenge_id.clone(),
        signature: v.signature.clone(),
        cert: v.cert.clone(),
    };
    let result = match signed.answer() {
        Ok(a) => {
            let input = OrgLookupInput {
                agency_code: v.agency_code.clone(),
                challenge_id: a.challenge_id,
                signature: a.signature,
                cert: a.cert,
            };
            let binding = cert::browser_binding(&pc.csrf);
            lookups::org_lookup(&state, &input, &binding, &pc.ctx).await
        }
        Err(f) => Err(f),
    };
    match result {
        Ok(found) => lookup_page(&state, &pc, "organization", &v, None, (Some(found), None)),
        Err(f) => lookup_page(&state, &pc, "organization", &v, Some(&f), (None, None)),
    }
}

/// `POST /orgs/lookup/citizen-certificate`: the card's name and serial.
pub async fn citizen_submit(
    State(state): State<AppState>,
    pc: PageCtx,
    PostForm(v): PostForm<LookupForm>,
) -> Response {
    let signed = Signed {
        challenge_id: v.challenge_id.clone(),
        signature: v.signature.clone(),
        cert: v.cert.clone(),
    };
    let result = match signed.answer() {
        Ok(a) => {
            let input = CitizenLookupInput {
                national_id: v.national_id.clone(),
                challenge_id: a.challenge_id,
                signature: a.signature,
                cert: a.cert,
            };
            let binding = cert::browser_binding(&pc.csrf);
            lookups::citizen_lookup(&state, &input, &binding, &pc.ctx).await
        }
        Err(f) => Err(f),
    };
    match result {
        Ok(found) => lookup_page(&state, &pc, "citizen", &v, None, (None, Some(found))),
        Err(f) => lookup_page(&state, &pc, "citizen", &v, Some(&f), (None, None)),
    }
}

#[derive(Template)]
#[template(path = "orgs/authorized.html")]
struct AuthorizedPage {
    page: Page,
    list: AuthorizedListView,
}

/// `GET /orgs/{code}/authorized`: 查詢已授權清單.
pub async fn authorized(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Result<Org<AuthorizedList>, ApiError>,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    match queries::authorized(&state, &org.via, &org.org, &pc.ctx).await {
        Ok(list) => {
            let l = pc.l();
            let t = AuthorizedPage {
                page: pc.page(l.t("查詢已授權清單", "Authorized handlers")),
                list,
            };
            render(&pc, StatusCode::OK, &t)
        }
        Err(f) => failure_page(&pc, &f),
    }
}
