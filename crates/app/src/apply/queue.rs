//! The reviewers' queue: the cases of their jurisdiction for one application type (and, when
//! asked, those their counties may read), filtered by status, date sent and institution,
//! paged by keyset so the hundred-thousandth case costs what the first does; and its CSV.

use serde::{Deserialize, Serialize};
use tessera_core::Lang;
use tessera_store::cases::QueueFilter;
use utoipa::{IntoParams, ToSchema};

use super::Who;
use super::cases::kind_of;
use super::view::{CaseLine, line};
use crate::error::{Failure, FailureKind};
use crate::state::AppState;

/// The queue's filter as a page or an API client gives it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this status (e.g. `submitted`).
    pub status: Option<String>,
    /// Sent on or after this date (ROC or ISO).
    pub from: Option<String>,
    /// Sent on or before this date (ROC or ISO).
    pub to: Option<String>,
    /// Only cases of this institution (agency code).
    pub institution: Option<String>,
    /// Also the cases the reviewer's counties may read.
    pub readable: Option<bool>,
    /// The page after this cursor (from the previous page's `next`).
    pub after: Option<String>,
}

/// One page of the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueuePage {
    pub cases: Vec<CaseLine>,
    /// How many cases match the filter.
    pub total: i64,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// Rows per page.
pub const PAGE: i64 = 50;
/// Rows in a CSV export at most.
pub const CSV_MAX: i64 = 10_000;

fn day_start(s: Option<&str>, end: bool) -> Result<Option<i64>, Failure> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let d = tessera_core::apply::date::parse_date(s).map_err(Failure::bad_request)?;
    let d = if end { d.next_day().unwrap_or(d) } else { d };
    Ok(Some(
        d.midnight()
            .assume_offset(tessera_core::org::roc::TAIPEI)
            .unix_timestamp()
            - i64::from(end),
    ))
}

fn cursor(s: Option<&str>) -> Option<(i64, String)> {
    let (at, id) = s?.split_once('.')?;
    let at = at.parse().ok()?;
    (id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| (at, id.to_owned()))
}

/// The store's filter for `who`'s queue of `type_id`; 403 without the type's reviewer role.
fn filter(
    state: &AppState,
    who: &Who,
    type_id: &str,
    q: &QueueQuery,
    limit: i64,
) -> Result<QueueFilter, Failure> {
    let kind = kind_of(state, type_id)?;
    let Who::Staff {
        roles, counties, ..
    } = who
    else {
        return Err(Failure::new(FailureKind::Forbidden, "staff_role_required"));
    };
    if !roles.iter().any(|r| r == &kind.review.role) {
        return Err(Failure::new(FailureKind::Forbidden, "staff_role_required"));
    }
    let status = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = status
        && kind.status(s).is_none()
    {
        return Err(Failure::bad_request("apply_status_unknown"));
    }
    Ok(QueueFilter {
        type_id: kind.id().to_owned(),
        counties: counties.clone(),
        include_readable: q.readable.unwrap_or(false),
        statuses: status.map(|s| vec![s.to_owned()]).unwrap_or_default(),
        submitted_from: day_start(q.from.as_deref(), false)?,
        submitted_to: day_start(q.to.as_deref(), true)?,
        institution: q
            .institution
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned),
        before: cursor(q.after.as_deref()),
        limit,
    })
}

/// One page of `who`'s queue of `type_id`.
pub async fn page(
    state: &AppState,
    who: &Who,
    type_id: &str,
    q: &QueueQuery,
    lang: Lang,
) -> Result<QueuePage, Failure> {
    let f = filter(state, who, type_id, q, PAGE + 1)?;
    let mut rows = state.store.review_queue(&f).await?;
    let total = state.store.count_queue(&f).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|c| format!("{}.{}", c.submitted_at.unwrap_or(0), c.id));
    Ok(QueuePage {
        cases: rows.iter().map(|c| line(state, c, lang)).collect(),
        total,
        next,
    })
}

/// The filtered queue as CSV (UTF-8 with a byte-order mark, so that Excel on Windows shows
/// Chinese correctly).
pub async fn csv(
    state: &AppState,
    who: &Who,
    type_id: &str,
    q: &QueueQuery,
    lang: Lang,
) -> Result<Vec<u8>, Failure> {
    let mut f = filter(state, who, type_id, q, CSV_MAX)?;
    f.before = None;
    let rows = state.store.review_queue(&f).await?;
    let header: [&str; 7] = match lang {
        Lang::ZhTw => [
            "案號",
            "申辦項目",
            "狀態",
            "當事人",
            "縣市",
            "機構代碼",
            "送出日期",
        ],
        Lang::En => [
            "Case number",
            "Application",
            "Status",
            "Person",
            "County",
            "Institution",
            "Sent on",
        ],
    };
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let write = |e: csv::Error| {
        tracing::error!(error = %e, "csv export");
        Failure::internal()
    };
    out.write_record(header).map_err(write)?;
    for c in &rows {
        let l = line(state, c, lang);
        let sent = l
            .submitted_at
            .and_then(|t| match lang {
                Lang::ZhTw => tessera_core::org::roc::roc_date(t),
                Lang::En => tessera_core::org::roc::taipei_date(t),
            })
            .unwrap_or_default();
        let cell = crate::flows::orgs::queries::cell;
        out.write_record([
            cell(&l.number.unwrap_or_default()),
            cell(&l.type_name),
            cell(&l.status_name),
            cell(&l.subject_name.unwrap_or_default()),
            cell(&l.county.unwrap_or_default()),
            cell(&l.institution.unwrap_or_default()),
            sent,
        ])
        .map_err(write)?;
    }
    out.into_inner().map_err(|_| Failure::internal())
}
