//! 機關資料 (operators): search the registry by agency code or name, one organization with
//! its registration (account, manager, certificates with history, receipt records, number of
//! handlers) and the edit form — the same `flows::orgs::registry` functions as
//! `/api/v1/backoffice/organizations`, validated like the CSV import and audited there.

use crate::error::FailureExt;
use askama::Template;
use axum::Form as PostForm;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tessera_core::org::OrgKind;

use super::guard::{Nav, StaffPage, failed};
use super::when;
use crate::error::Failure;
use crate::pages::form::opt;
use crate::pages::form::{Field, Form};
use crate::pages::i18n::L;
use crate::pages::layout::{Page, redirect, render};
use tessera_app::flows::orgs::registry::{
    self, OrgCertView, OrgDetailView, OrgInput, OrgView, SearchQuery,
};
use tessera_app::flows::orgs::staff::Operator;

/// An organization kind in the page's language.
pub fn kind_label(l: L, kind: &str) -> &'static str {
    match kind {
        "agency" => l.t("政府機關", "Government agency"),
        "school" => l.t("學校", "School"),
        "organization" => l.t("團體", "Organization"),
        "business" => l.t("公司行號", "Business"),
        "medical" => l.t("醫事機構", "Medical institution"),
        _ => l.t("其他", "Other"),
    }
}

/// A registry entry with its kind in the page's language.
pub struct Row {
    pub o: OrgView,
    pub kind: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    q: String,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "backoffice/orgs.html")]
struct SearchPage {
    page: Page,
    staff: Option<Nav>,
    q: String,
    items: Vec<Row>,
    total: i64,
    prev: String,
    next: String,
}

/// `GET /admin/orgs?q=…&page=…`.
pub async fn search(p: StaffPage<Operator>, Query(f): Query<SearchForm>) -> Response {
    let l = p.pc.l();
    let q = f.q.trim().to_owned();
    let query = SearchQuery {
        q: Some(q.clone()),
        page: f.page,
        per_page: Some(25),
    };
    let found = match registry::search(&p.state, &query).await {
        Ok(v) => v,
        Err(e) => return failed(&p.pc, p.nav(), &e),
    };
    let href = |page: u32| {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &q)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/admin/orgs?{query}")
    };
    let shown = i64::from(found.page) * i64::from(found.per_page);
    let t = SearchPage {
        page: p.pc.page(l.t("機關資料", "Organizations")),
        staff: p.nav(),
        prev: if found.page > 1 {
            href(found.page - 1)
        } else {
            String::new()
        },
        next: if shown < found.total {
            href(found.page + 1)
        } else {
            String::new()
        },
        q,
        total: found.total,
        items: found
            .items
            .into_iter()
            .map(|o| Row {
                kind: kind_label(l, &o.kind),
                o,
            })
            .collect(),
    };
    render(&p.pc, StatusCode::OK, &t)
}

/// One option of the kind selector.
pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A certificate with its end of validity as staff read it.
pub struct CertRow {
    pub c: OrgCertView,
    pub until: String,
}

#[derive(Template)]
#[template(path = "backoffice/org.html")]
struct DetailPage {
    page: Page,
    staff: Option<Nav>,
    d: OrgDetailView,
    /// Registered at, and each certificate's end of validity, as staff read them.
    registered: String,
    certs: Vec<CertRow>,
    kind: &'static str,
    form: Form,
    kinds: Vec<KindOption>,
    kind_error: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EditForm {
    name: String,
    organization_oid: String,
    business_id: String,
    institution_code: String,
    kind: String,
}

impl EditForm {
    fn of(o: &OrgView) -> Self {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        EditForm {
            name: o.name.clone(),
            organization_oid: s(&o.organization_oid),
            business_id: s(&o.business_id),
            institution_code: s(&o.institution_code),
            kind: o.kind.clone(),
        }
    }
}

fn edit_form(l: L, v: &EditForm) -> Form {
    Form::new(vec![
        Field::text("name", l.t("機關名稱", "Name"))
            .required()
            .value(&v.name),
        Field::text("organization_oid", l.t("機關 OID", "Organization OID"))
            .hint(l.t(
                "例：2.16.886.101.20003.20065。機關 OID、統一編號、醫事機構代碼至少填寫一項。",
                "E.g. 2.16.886.101.20003.20065. Fill in at least one of the OID, business ID and institution code.",
            ))
            .value(&v.organization_oid),
        Field::text("business_id", l.t("統一編號", "Business ID"))
            .inputmode("numeric")
            .hint(l.t("8 碼數字", "8 digits"))
            .value(&v.business_id),
        Field::text("institution_code", l.t("醫事機構代碼", "Institution code"))
            .hint(l.t("10 碼英文字母或數字", "10 letters or digits"))
            .value(&v.institution_code),
    ])
}

/// The detail page with the edit form as typed (`failure` after a refused save).
async fn detail_page(
    p: &StaffPage<Operator>,
    code: &str,
    typed: Option<&EditForm>,
    failure: Option<&Failure>,
) -> Response {
    let l = p.pc.l();
    let d = match registry::detail(&p.state, code, p.pc.ctx.lang).await {
        Ok(d) => d,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let current = EditForm::of(&d.registry);
    let v = typed.unwrap_or(&current);
    let mut form = edit_form(l, v);
    let mut kind_error = "";
    if let Some(f) = failure {
        if f.fields.is_empty() {
            form.fail(l, f);
        }
        for e in &f.fields {
            if e.field == "kind" {
                kind_error = l.msg(e.code);
                form.summary = l.msg("validation_failed");
            } else {
                form.field_error(l, e.field, e.code);
            }
        }
    }
    let t = DetailPage {
        page: p.pc.page(l.t("機關資料", "Organization")),
        staff: p.nav(),
        kind: kind_label(l, &d.registry.kind),
        kinds: OrgKind::ALL
            .iter()
            .map(|k| KindOption {
                value: k.as_str(),
                label: kind_label(l, k.as_str()),
                selected: k.as_str() == v.kind,
            })
            .collect(),
        registered: when(l, d.registry.registered_at.as_deref()),
        certs: d
            .certificates
            .iter()
            .map(|c| CertRow {
                until: when(l, c.not_after.as_deref()),
                c: c.clone(),
            })
            .collect(),
        d,
        form,
        kind_error,
    };
    render(&p.pc, failure.map_or(StatusCode::OK, |f| f.status()), &t)
}

/// `GET /admin/orgs/{code}`.
pub async fn show(p: StaffPage<Operator>, Path(code): Path<String>) -> Response {
    detail_page(&p, &code, None, None).await
}

/// `POST /admin/orgs/{code}`: saves the edited entry.
pub async fn save(
    p: StaffPage<Operator>,
    Path(code): Path<String>,
    PostForm(v): PostForm<EditForm>,
) -> Response {
    // Only an existing entry is edited here (404 otherwise, before anything is written).
    if let Err(f) = registry::detail(&p.state, &code, p.pc.ctx.lang).await {
        return failed(&p.pc, p.nav(), &f);
    }
    let input = OrgInput {
        agency_code: code.clone(),
        name: v.name.clone(),
        organization_oid: opt(&v.organization_oid),
        business_id: opt(&v.business_id),
        institution_code: opt(&v.institution_code),
        kind: v.kind.clone(),
    };
    match registry::save(&p.state, &p.staff.account, &code, &input, &p.pc.ctx).await {
        Ok((_, o)) => redirect(
            &format!("/admin/orgs/{}", o.agency_code),
            &[p.pc.flash_cookie("org_saved")],
        ),
        Err(f) => detail_page(&p, &code, Some(&v), Some(&f)).await,
    }
}
