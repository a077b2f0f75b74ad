//! The organization services index (機關憑證註冊, 憑證更換, 授權指派作業, 經辦人登入, 查詢作業)
//! and 查詢憑證註冊收件紀錄 (七, 圖3-39): the receipts of one organization with 收件時間 in ROC
//! form, shown only to that organization (manager, its account, or a handler granted
//! `tessera.receipts` — the guard `Receipts`).

use crate::error::FailureExt;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_core::org::AgencyCode;

use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::refused;
use crate::error::{ApiError, Failure};
use crate::extract::Org;
use tessera_app::flows::orgs::guard::Receipts;
use tessera_app::flows::orgs::queries::{self, ReceiptView};
use tessera_app::state::AppState;

#[derive(Template)]
#[template(path = "orgs/index.html")]
struct IndexPage {
    page: Page,
    form: Form,
}

fn index_page(pc: &PageCtx, code: &str, failure: Option<&Failure>) -> Response {
    let l = pc.l();
    let mut form = Form::new(vec![
        Field::text("code", l.t("機關代號", "Agency code"))
            .required()
            .value(code),
    ]);
    let status = match failure {
        Some(f) => {
            form.field_error(l, "code", f.code);
            f.status()
        }
        None => StatusCode::OK,
    };
    let t = IndexPage {
        page: pc.page(l.t("機關憑證註冊與授權指派", "Organization services")),
        form,
    };
    render(pc, status, &t)
}

/// `GET /orgs`: every organization function, each starting with its first step.
pub async fn index(pc: PageCtx) -> Response {
    index_page(&pc, "", None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupQuery {
    code: String,
}

/// `GET /orgs/receipts?code=`: the receipt query form's target.
pub async fn receipts_lookup(pc: PageCtx, Query(q): Query<LookupQuery>) -> Response {
    let code = q.code;
    match AgencyCode::parse(&code) {
        Ok(c) => redirect(&format!("/orgs/{}/receipts", c.as_str()), &[]),
        Err(e) => index_page(
            &pc,
            &code,
            Some(&Failure::new(crate::error::FailureKind::Validation, e.code)),
        ),
    }
}

#[derive(Template)]
#[template(path = "orgs/receipts.html")]
struct ReceiptsPage {
    page: Page,
    code: String,
    org_name: String,
    rows: Vec<ReceiptView>,
}

/// `GET /orgs/{code}/receipts`: 查詢憑證註冊收件紀錄.
pub async fn receipts(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Result<Org<Receipts>, ApiError>,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let code = org.org.agency_code.clone();
    match queries::receipts(&state, &org.via, &code, &pc.ctx).await {
        Ok(rows) => {
            let l = pc.l();
            let t = ReceiptsPage {
                page: pc.page(l.t("查詢憑證註冊收件紀錄", "Receipt records")),
                code,
                org_name: org.org.name.clone(),
                rows,
            };
            render(&pc, StatusCode::OK, &t)
        }
        Err(f) => failure_page(&pc, &f),
    }
}
