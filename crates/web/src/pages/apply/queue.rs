//! 審查案件 of online applications, in the back office: `GET /admin/apply/{type}` — the
//! reviewer's queue of their jurisdiction (`queue::page`), filtered by status, date sent and
//! institution, with the cases their counties may only read when asked; the total, the next
//! page, each case linked to its page (`/apply/cases/{id}`, the same page filers see); the
//! CSV export of the same filter (`…/queue.csv`); and 「臨櫃代辦」, a case filed at the
//! counter for someone (`POST …/start`). A staff member without the type's reviewer role is
//! refused with the back office's 403 page.

use askama::Template;
use axum::extract::{Path, Query};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tessera_app::apply::queue::{self, QueueQuery};
use tessera_app::apply::{Who, cases};
use tessera_app::flows::orgs::staff::AnyStaff;
use tessera_app::state::AppState;
use tessera_core::Lang;

use super::fields::ChoiceInput;
use super::index::first_page;
use crate::error::{Failure, FailureExt};
use crate::pages::backoffice::{Nav, StaffPage, failed, message};
use crate::pages::layout::{Page, redirect, render};
use crate::pages::when::When;

/// A link to the queue of a type whose reviewer role the staff member holds.
pub struct QueueLink {
    pub href: String,
    pub name: String,
}

/// The queues of the types whose reviewer role is among `roles`.
pub(crate) fn queue_links(state: &AppState, roles: &[String], lang: Lang) -> Vec<QueueLink> {
    state
        .applications
        .all()
        .filter(|k| roles.iter().any(|r| r == &k.review.role))
        .map(|k| QueueLink {
            href: format!("/admin/apply/{}", k.id()),
            name: k.name.get(lang).to_owned(),
        })
        .collect()
}

/// The queue's filter as the form sends it (every value text, so that a box left unticked
/// or a blank date is never a malformed request).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct QueueForm {
    status: String,
    from: String,
    to: String,
    institution: String,
    readable: String,
    after: String,
}

impl QueueForm {
    fn query(&self) -> QueueQuery {
        let opt = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| s.to_owned())
        };
        QueueQuery {
            status: opt(&self.status),
            from: opt(&self.from),
            to: opt(&self.to),
            institution: opt(&self.institution),
            readable: Some(!self.readable.trim().is_empty()),
            after: opt(&self.after),
        }
    }

    fn readable(&self) -> bool {
        !self.readable.trim().is_empty()
    }

    /// The filter as a query string (blank values left out), with `after` when given.
    fn encoded(&self, after: Option<&str>) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &self.status),
            ("from", &self.from),
            ("to", &self.to),
            ("institution", &self.institution),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        if self.readable() {
            s.append_pair("readable", "on");
        }
        if let Some(a) = after {
            s.append_pair("after", a);
        }
        s.finish()
    }
}

/// One case of the queue.
pub struct QueueRow {
    pub id: String,
    pub number: String,
    pub subject: String,
    pub status_name: String,
    pub county: String,
    pub institution: String,
    pub submitted: When,
    pub deadline: When,
}

#[derive(Template)]
#[template(path = "apply/queue.html")]
struct QueuePage {
    page: Page,
    staff: Option<Nav>,
    type_id: String,
    type_name: String,
    statuses: Vec<ChoiceInput>,
    form: QueueForm,
    rows: Vec<QueueRow>,
    total: i64,
    /// The next page's link ("" on the last page).
    next: String,
    csv: String,
    /// Why the filter was refused ("" when it was not).
    error: &'static str,
}

/// The staff member of a back-office page as the use cases' actor, with their counties.
async fn staff_of(p: &StaffPage<AnyStaff>) -> Result<Who, Failure> {
    let counties = p.state.store.staff_counties(&p.staff.account.id).await?;
    Ok(Who::Staff {
        account: Box::new(p.staff.account.clone()),
        roles: p.staff.roles.clone(),
        counties,
    })
}

/// A refusal as the back office answers it: its 403 page without the role.
fn refused(p: &StaffPage<AnyStaff>, f: &Failure) -> Response {
    if f.status() == StatusCode::FORBIDDEN {
        let l = p.pc.l();
        message(
            &p.pc,
            p.nav(),
            StatusCode::FORBIDDEN,
            l.t("無權使用此頁", "Not allowed"),
            f.message(l.0),
        )
    } else {
        failed(&p.pc, p.nav(), f)
    }
}

/// `GET /admin/apply/{type}?status=…&from=…&to=…&institution=…&readable=on&after=…`.
pub async fn show(
    p: StaffPage<AnyStaff>,
    Path(type_id): Path<String>,
    Query(form): Query<QueueForm>,
) -> Response {
    let l = p.pc.l();
    let lang = l.0;
    let kind = match cases::kind_of(&p.state, &type_id) {
        Ok(k) => k,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let who = match staff_of(&p).await {
        Ok(w) => w,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let base = format!("/admin/apply/{}", kind.id());
    let (found, error) = match queue::page(&p.state, &who, kind.id(), &form.query(), lang).await {
        Ok(q) => (Some(q), ""),
        Err(f) if f.status() == StatusCode::BAD_REQUEST => (None, f.message(lang)),
        Err(f) => return refused(&p, &f),
    };
    let (rows, total, next) = match found {
        Some(q) => (
            q.cases
                .into_iter()
                .map(|c| QueueRow {
                    id: c.id,
                    number: c.number.unwrap_or_default(),
                    subject: c.subject_name.unwrap_or_default(),
                    status_name: c.status_name,
                    county: c.county.unwrap_or_default(),
                    institution: c.institution.unwrap_or_default(),
                    submitted: c
                        .submitted_at
                        .map(|t| When::date(lang, t))
                        .unwrap_or_default(),
                    // The last day before the deadline (one at midnight ends the day before).
                    deadline: c
                        .deadline_at
                        .map(|t| When::date(lang, t - 1))
                        .unwrap_or_default(),
                })
                .collect(),
            q.total,
            q.next
                .map(|n| format!("{base}?{}", form.encoded(Some(&n))))
                .unwrap_or_default(),
        ),
        None => (Vec::new(), 0, String::new()),
    };
    let t = QueuePage {
        page: p
            .pc
            .page(l.t("審查案件", "Review queue"))
            .with_detail(kind.name.get(lang).to_owned()),
        staff: p.nav(),
        type_id: kind.id().to_owned(),
        type_name: kind.name.get(lang).to_owned(),
        statuses: kind
            .statuses
            .iter()
            .map(|s| ChoiceInput {
                value: s.id.get_ref().clone(),
                name: s.name.get(lang).to_owned(),
                selected: s.id.get_ref() == form.status.trim(),
            })
            .collect(),
        csv: match form.encoded(None) {
            q if q.is_empty() => format!("{base}/queue.csv"),
            q => format!("{base}/queue.csv?{q}"),
        },
        form,
        rows,
        total,
        next,
        error,
    };
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(&p.pc, status, &t)
}

/// `GET /admin/apply/{type}/queue.csv`: the filtered queue as a CSV file.
pub async fn csv(
    p: StaffPage<AnyStaff>,
    Path(type_id): Path<String>,
    Query(form): Query<QueueForm>,
) -> Response {
    let kind = match cases::kind_of(&p.state, &type_id) {
        Ok(k) => k,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    let who = match staff_of(&p).await {
        Ok(w) => w,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    match queue::csv(&p.state, &who, kind.id(), &form.query(), p.pc.ctx.lang).await {
        Ok(bytes) => {
            let mut resp = (StatusCode::OK, bytes).into_response();
            let h = resp.headers_mut();
            h.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            // Type ids are ASCII (checked when the type is loaded).
            let name = format!("attachment; filename=\"{}-queue.csv\"", kind.id());
            h.insert(
                CONTENT_DISPOSITION,
                HeaderValue::from_str(&name).unwrap_or_else(|_| {
                    HeaderValue::from_static("attachment; filename=\"queue.csv\"")
                }),
            );
            resp
        }
        Err(f) => refused(&p, &f),
    }
}

/// `POST /admin/apply/{type}/start`: 臨櫃代辦 — a draft filed by the reviewer for someone at
/// the counter, then its first page.
pub async fn start(p: StaffPage<AnyStaff>, Path(type_id): Path<String>) -> Response {
    let who = match staff_of(&p).await {
        Ok(w) => w,
        Err(f) => return failed(&p.pc, p.nav(), &f),
    };
    match cases::start(&p.state, &who, &type_id, &p.pc.ctx).await {
        Ok(case) => redirect(
            &first_page(&p.state, &case.type_id, &case.id),
            &[p.pc.flash_cookie("apply_draft_started")],
        ),
        Err(f) => refused(&p, &f),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_goes_into_links_without_its_blanks() {
        let f = QueueForm {
            status: "submitted".into(),
            from: "1150101".into(),
            readable: "on".into(),
            ..QueueForm::default()
        };
        assert_eq!(f.encoded(None), "status=submitted&from=1150101&readable=on");
        assert_eq!(
            f.encoded(Some("1700000000.abc")),
            "status=submitted&from=1150101&readable=on&after=1700000000.abc"
        );
        let q = f.query();
        assert_eq!(q.readable, Some(true));
        assert!(q.to.is_none() && q.institution.is_none());
    }
}
