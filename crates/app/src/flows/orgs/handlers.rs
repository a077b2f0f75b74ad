//! 授權指派 (五, 圖3-14 … 3-22): the authorization manager's handler list (10/25/50 per page,
//! search by name or ID, 「顯示第 1 至 10 項結果，共 N 項」), adding a handler (certificate serial
//! typed or read from the card, name, national ID with checksum, at least one function from the
//! tree), modifying and deleting. Any number of handlers; the manager is not one of them.

use crate::error::FailureKind;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::ids::{NationalId, PersonName};
use tessera_core::org::{CertSerial, PageRequest, page_summary};
use tessera_core::{FieldError, Lang};
use tessera_store::orgs::{Handler, HandlerInput, HandlerWrite};
use utoipa::{IntoParams, ToSchema};

use super::flow::Notice;
use super::guard::Via;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::register::Checks;
use crate::state::AppState;
use crate::text::rfc3339;

/// A handler as the list and the forms show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandlerView {
    /// 序號: position in the list (1-based, in the order handlers were added).
    pub seq: i64,
    pub id: i64,
    pub name: String,
    pub national_id: String,
    pub cert_serial: String,
    /// Granted function ids.
    pub permissions: Vec<String>,
    pub updated_at: Option<String>,
}

impl HandlerView {
    pub fn new(seq: i64, h: &Handler) -> Self {
        HandlerView {
            seq,
            id: h.id,
            name: h.name.clone(),
            national_id: h.national_id.clone(),
            cert_serial: h.cert_serial.clone(),
            permissions: h.permissions.clone(),
            updated_at: rfc3339(h.updated_at),
        }
    }
}

/// `GET /api/v1/orgs/{code}/handlers` query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct ListQuery {
    /// From 1.
    pub page: Option<u32>,
    /// 10, 25 or 50.
    pub per_page: Option<u32>,
    /// Part of a name or national ID.
    pub q: Option<String>,
}

/// A page of the handler list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandlerListView {
    pub agency_code: String,
    pub org_name: String,
    pub items: Vec<HandlerView>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
    pub from: i64,
    pub to: i64,
    /// 「顯示第 1 至 10 項結果，共 N 項」.
    pub summary: String,
}

/// Adding or modifying a handler.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct HandlerBody {
    /// 憑證序號 (SN), hex, as typed…
    #[serde(default)]
    pub cert_serial: Option<String>,
    /// …or the handler's certificate read from the card (`certb64`), whose serial is used.
    #[serde(default)]
    pub cert: Option<String>,
    pub name: String,
    pub national_id: String,
    /// Function ids or group ids (a group grants all its functions).
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// A write's answer: the message (新增成功 / 修改成功 / 刪除成功) and the handler.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HandlerWritten {
    pub notice: Notice,
    pub handler: HandlerView,
}

/// 讀取憑證: the serial and name of a certificate read from a card.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardInfo {
    pub serial: String,
    pub name: String,
}

/// `POST /api/v1/orgs/{code}/card-info`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CardInfoInput {
    /// The certificate (base64 DER or PEM).
    pub cert: String,
}

/// Serial and CN of a certificate (only read: nothing is trusted or fetched because of it).
pub fn card_info(cert: &str) -> Result<CardInfo, Failure> {
    let bad = || Failure::field(FieldError::new("cert", "cert_malformed"));
    let der = tessera_pki::input::decode_blob(cert.trim().as_bytes()).map_err(|_| bad())?;
    let info = tessera_pki::certinfo::parse(&der).ok_or_else(bad)?;
    let name = info
        .subject_attributes()
        .into_iter()
        .rev()
        .find(|(oid, _)| oid == "2.5.4.3")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let serial = CertSerial::parse(&info.serial_hex()).map_err(|_| bad())?;
    Ok(CardInfo {
        serial: serial.to_string(),
        name,
    })
}

fn validate(state: &AppState, body: &HandlerBody) -> Result<HandlerInput, Failure> {
    let mut c = Checks::default();
    let serial = match body.cert.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(cert) => card_info(cert)
            .ok()
            .and_then(|i| c.take(CertSerial::parse(&i.serial))),
        None => c.take(CertSerial::parse(body.cert_serial.as_deref().unwrap_or(""))),
    };
    if body.cert.as_deref().is_some_and(|s| !s.trim().is_empty()) && serial.is_none() {
        c.0.push(FieldError::new("cert", "cert_malformed"));
    }
    let name = c.take(PersonName::parse(&body.name));
    let national_id = c.take(NationalId::parse(&body.national_id));
    let permissions = c.take(state.settings.orgs.tree.resolve(&body.permissions));
    c.finish()?;
    match (serial, name, national_id, permissions) {
        (Some(s), Some(n), Some(id), Some(p)) => Ok(HandlerInput {
            national_id: id.to_string(),
            name: n.to_string(),
            cert_serial: s.to_string(),
            permissions: p,
        }),
        _ => Err(Failure::internal()),
    }
}

/// A page of the organization's handlers.
pub async fn list(
    state: &AppState,
    code: &str,
    org_name: &str,
    q: &ListQuery,
    lang: Lang,
) -> Result<HandlerListView, Failure> {
    let p = PageRequest::parse(q.page, q.per_page).map_err(Failure::field)?;
    let page = state
        .store
        .handlers_page(code, q.q.as_deref(), p.offset(), i64::from(p.per_page))
        .await?;
    let (from, to) = p.range(page.items.len(), page.total);
    Ok(HandlerListView {
        agency_code: code.to_owned(),
        org_name: org_name.to_owned(),
        items: page
            .items
            .iter()
            .enumerate()
            .map(|(i, h)| HandlerView::new(p.offset() + i as i64 + 1, h))
            .collect(),
        page: p.page,
        per_page: p.per_page,
        total: page.total,
        from,
        to,
        summary: page_summary(lang, from, to, page.total),
    })
}

async fn record(state: &AppState, ctx: &Ctx, kind: AuditKind, via: &Via, code: &str, h: &Handler) {
    audit::record(
        state,
        kind,
        Subject::username(via.actor()),
        ctx,
        "ok",
        Some(json!({
            "agency_code": code, "handler": h.national_id, "cert_serial": h.cert_serial,
            "permissions": h.permissions,
        })),
    )
    .await;
}

fn outcome(w: HandlerWrite) -> Result<Handler, Failure> {
    match w {
        HandlerWrite::Written(h) => Ok(h),
        HandlerWrite::Duplicate => Err(Failure::new(FailureKind::Conflict, "org_handler_exists")),
        HandlerWrite::NotFound => Err(Failure::new(FailureKind::NotFound, "not_found")),
    }
}

/// Adds a handler (新增成功).
pub async fn add(
    state: &AppState,
    via: &Via,
    code: &str,
    body: &HandlerBody,
    ctx: &Ctx,
) -> Result<HandlerWritten, Failure> {
    let input = validate(state, body)?;
    let h = outcome(state.store.add_handler(code, &input, now()).await?)?;
    record(state, ctx, AuditKind::OrgHandlerAdded, via, code, &h).await;
    Ok(HandlerWritten {
        notice: Notice::new("org_handler_added", ctx.lang),
        handler: HandlerView::new(0, &h),
    })
}

/// Modifies a handler (修改成功) — e.g. the new serial of a renewed card.
pub async fn update(
    state: &AppState,
    via: &Via,
    code: &str,
    id: i64,
    body: &HandlerBody,
    ctx: &Ctx,
) -> Result<HandlerWritten, Failure> {
    let input = validate(state, body)?;
    let h = outcome(state.store.update_handler(code, id, &input, now()).await?)?;
    record(state, ctx, AuditKind::OrgHandlerUpdated, via, code, &h).await;
    Ok(HandlerWritten {
        notice: Notice::new("org_handler_updated", ctx.lang),
        handler: HandlerView::new(0, &h),
    })
}

/// Deletes a handler (刪除成功).
pub async fn delete(
    state: &AppState,
    via: &Via,
    code: &str,
    id: i64,
    ctx: &Ctx,
) -> Result<HandlerWritten, Failure> {
    let h = state
        .store
        .delete_handler(code, id)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    record(state, ctx, AuditKind::OrgHandlerDeleted, via, code, &h).await;
    Ok(HandlerWritten {
        notice: Notice::new("org_handler_deleted", ctx.lang),
        handler: HandlerView::new(0, &h),
    })
}

/// One handler (the modify form).
pub async fn get(state: &AppState, code: &str, id: i64) -> Result<HandlerView, Failure> {
    let h = state
        .store
        .handler(code, id)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    Ok(HandlerView::new(0, &h))
}
