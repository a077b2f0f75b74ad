//! 新增 / 修改授權經辦人 (圖3-15 … 3-19): certificate serial (typed, or 讀取憑證 — the handler's
//! card read through the signer by `org-handler.js`, its serial taken from
//! `POST /api/v1/orgs/{code}/card-info`), name, national ID, and the permission checkbox tree (a
//! group checkbox grants its whole group; the script keeps group and functions in step). For the
//! manager's assignment session only; writes call `flows::orgs::handlers` like the API.

use crate::error::FailureExt;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use tessera_core::Lang;

use super::super::assets;
use super::super::form::{Field, Form};
use super::super::home::failure_page;
use super::super::i18n::L;
use super::super::layout::{Page, PageCtx, redirect, render};
use super::handlers::{Manager, handler_id, managed_handler};
use super::refused;
use crate::error::Failure;
use tessera_app::flows::orgs::functions::group_views;
use tessera_app::flows::orgs::handlers::{self, HandlerBody, HandlerView};
use tessera_app::state::AppState;

/// A function of the checkbox tree.
pub struct TreeFunction {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

/// A group of the checkbox tree (its checkbox grants the whole group).
pub struct TreeGroup {
    pub id: String,
    pub name: String,
    pub checked: bool,
    pub functions: Vec<TreeFunction>,
}

/// The configured tree with `granted` (function or group ids) ticked.
pub fn tree(state: &AppState, lang: Lang, granted: &[String]) -> Vec<TreeGroup> {
    let has = |id: &str| granted.iter().any(|g| g == id);
    group_views(&state.settings.orgs.tree.groups, lang)
        .into_iter()
        .map(|g| {
            let whole = has(&g.id);
            let functions: Vec<TreeFunction> = g
                .functions
                .into_iter()
                .map(|f| TreeFunction {
                    checked: whole || has(&f.id),
                    id: f.id,
                    name: f.name,
                })
                .collect();
            TreeGroup {
                checked: whole || functions.iter().all(|f| f.checked),
                id: g.id,
                name: g.name,
                functions,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "orgs/handler_form.html")]
struct EditPage {
    page: Page,
    code: String,
    action: String,
    form: Form,
    tree: Vec<TreeGroup>,
    tree_error: &'static str,
    script: String,
    /// The signer's origin, for 讀取憑證.
    signer_url: String,
}

/// What the add / modify form posts (permissions repeat, so the body is parsed here).
#[derive(Debug, Default)]
struct Posted {
    cert_serial: String,
    name: String,
    national_id: String,
    permissions: Vec<String>,
}

impl Posted {
    fn parse(body: &[u8]) -> Self {
        let mut p = Posted::default();
        for (k, v) in form_urlencoded::parse(body) {
            match k.as_ref() {
                "cert_serial" => p.cert_serial = v.into_owned(),
                "name" => p.name = v.into_owned(),
                "national_id" => p.national_id = v.into_owned(),
                "permissions" => p.permissions.push(v.into_owned()),
                _ => {}
            }
        }
        p
    }

    fn of(h: &HandlerView) -> Self {
        Posted {
            cert_serial: h.cert_serial.clone(),
            name: h.name.clone(),
            national_id: h.national_id.clone(),
            permissions: h.permissions.clone(),
        }
    }

    fn body(&self) -> HandlerBody {
        HandlerBody {
            cert_serial: Some(self.cert_serial.clone()),
            cert: None,
            name: self.name.clone(),
            national_id: self.national_id.clone(),
            permissions: self.permissions.clone(),
        }
    }
}

fn edit_page(
    state: &AppState,
    pc: &PageCtx,
    code: &str,
    id: Option<i64>,
    v: &Posted,
    failure: Option<&Failure>,
) -> Response {
    let l: L = pc.l();
    let mut form = Form::new(vec![
        Field::text("cert_serial", l.t("憑證序號", "Certificate serial"))
            .required()
            .hint(l.t(
                "經辦人自然人憑證的序號（16 進位），可請經辦人以「查詢自然人憑證序號」取得。",
                "The serial (hex) of the handler's citizen certificate; the handler can look it up.",
            ))
            .value(&v.cert_serial),
        Field::text("name", l.t("姓名", "Name"))
            .required()
            .value(&v.name),
        Field::text("national_id", l.t("身分證字號", "National ID"))
            .required()
            .value(&v.national_id),
    ]);
    let mut tree_error = "";
    let status = match failure {
        Some(f) => {
            form.fail(l, f);
            if let Some(e) = f.fields.iter().find(|e| e.field == "permissions") {
                tree_error = l.msg(e.code);
            }
            f.status()
        }
        None => StatusCode::OK,
    };
    let (title, action) = match id {
        Some(id) => (
            l.t("修改授權經辦人", "Modify a handler"),
            format!("/orgs/{code}/handlers/{id}"),
        ),
        None => (
            l.t("新增授權經辦人", "Add a handler"),
            format!("/orgs/{code}/handlers/new"),
        ),
    };
    let t = EditPage {
        page: pc.page(title),
        code: code.to_owned(),
        action,
        form,
        tree: tree(state, pc.ctx.lang, &v.permissions),
        tree_error,
        script: assets::url("org-handler.js"),
        signer_url: state.settings.signer_url.clone(),
    };
    render(pc, status, &t)
}

/// `GET /orgs/{code}/handlers/new`.
pub async fn new_form(State(state): State<AppState>, pc: PageCtx, org: Manager) -> Response {
    match org {
        Ok(o) => edit_page(
            &state,
            &pc,
            &o.org.agency_code,
            None,
            &Posted::default(),
            None,
        ),
        Err(e) => refused(&pc, e),
    }
}

/// `POST /orgs/{code}/handlers/new`: 新增 (新增成功).
pub async fn add(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    body: Bytes,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let code = org.org.agency_code.clone();
    let v = Posted::parse(&body);
    match handlers::add(&state, &org.via, &code, &v.body(), &pc.ctx).await {
        Ok(_) => redirect(
            &format!("/orgs/{code}/handlers"),
            &[pc.flash_cookie("org_handler_added")],
        ),
        Err(f) => edit_page(&state, &pc, &code, None, &v, Some(&f)),
    }
}

/// `GET /orgs/{code}/handlers/{id}`: the modify form.
pub async fn edit_form(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    Path((_, id)): Path<(String, String)>,
) -> Response {
    match managed_handler(&state, &pc, org, &id).await {
        Ok((code, h)) => edit_page(&state, &pc, &code, Some(h.id), &Posted::of(&h), None),
        Err(r) => r,
    }
}

/// `POST /orgs/{code}/handlers/{id}`: 修改 (修改成功).
pub async fn update(
    State(state): State<AppState>,
    pc: PageCtx,
    org: Manager,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let org = match org {
        Ok(o) => o,
        Err(e) => return refused(&pc, e),
    };
    let code = org.org.agency_code.clone();
    let id = match handler_id(&id) {
        Ok(id) => id,
        Err(f) => return failure_page(&pc, &f),
    };
    let v = Posted::parse(&body);
    match handlers::update(&state, &org.via, &code, id, &v.body(), &pc.ctx).await {
        Ok(_) => redirect(
            &format!("/orgs/{code}/handlers"),
            &[pc.flash_cookie("org_handler_updated")],
        ),
        Err(f) if f.status() == StatusCode::NOT_FOUND => failure_page(&pc, &f),
        Err(f) => edit_page(&state, &pc, &code, Some(id), &v, Some(&f)),
    }
}
