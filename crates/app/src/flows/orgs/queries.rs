//! 查詢作業 (七): receipt records with 收件時間 in ROC form (圖3-39) and the authorized list of
//! handlers and permissions with its CSV export. The card lookups are in `lookups.rs`.

use serde::Serialize;
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::org::{ReceiptItem, roc};
use tessera_store::orgs::{Organization, Receipt};
use utoipa::ToSchema;

use super::guard::Via;
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;
use crate::text::rfc3339;

/// One receipt record (序號, 機關代號, 機關名稱, 收件時間, 註冊項目).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReceiptView {
    pub seq: i64,
    pub agency_code: String,
    pub org_name: String,
    pub received_at: Option<String>,
    /// 「105年04月22日14點36分34秒」 (Asia/Taipei).
    pub received_at_roc: Option<String>,
    /// `first_registration`, `replace_org`, `replace_manager`, `replace_both`.
    pub item: String,
    /// 註冊項目 in the request's language.
    pub item_label: String,
}

impl ReceiptView {
    pub fn new(seq: i64, r: &Receipt, lang: Lang) -> Self {
        ReceiptView {
            seq,
            agency_code: r.agency_code.clone(),
            org_name: r.org_name.clone(),
            received_at: rfc3339(r.received_at),
            received_at_roc: roc::roc_datetime(r.received_at),
            item: r.item.clone(),
            item_label: ReceiptItem::parse(&r.item)
                .map(|i| i.label(lang).to_owned())
                .unwrap_or_default(),
        }
    }
}

async fn queried(state: &AppState, ctx: &Ctx, who: &str, what: &str, code: &str) {
    audit::record(
        state,
        AuditKind::OrgQueried,
        Subject::username(who),
        ctx,
        "ok",
        Some(json!({ "query": what, "agency_code": code })),
    )
    .await;
}

/// The organization's receipt records, oldest first.
pub async fn receipts(
    state: &AppState,
    via: &Via,
    code: &str,
    ctx: &Ctx,
) -> Result<Vec<ReceiptView>, Failure> {
    let rows = state.store.org_receipts(code).await?;
    queried(state, ctx, via.actor(), "receipts", code).await;
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, r)| ReceiptView::new(i as i64 + 1, r, ctx.lang))
        .collect())
}

/// A granted function, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: String,
    pub name: String,
}

/// One handler of the authorized list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizedView {
    pub seq: i64,
    pub name: String,
    pub national_id: String,
    pub cert_serial: String,
    pub permissions: Vec<GrantView>,
}

/// 查詢已授權清單.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorizedListView {
    pub agency_code: String,
    pub org_name: String,
    pub manager_name: Option<String>,
    pub handlers: Vec<AuthorizedView>,
}

/// The handlers and their permissions (names in the request's language).
pub async fn authorized(
    state: &AppState,
    via: &Via,
    org: &Organization,
    ctx: &Ctx,
) -> Result<AuthorizedListView, Failure> {
    let tree = &state.settings.orgs.tree;
    let handlers = state.store.all_handlers(&org.agency_code).await?;
    let manager = state.store.org_manager(&org.agency_code).await?;
    queried(state, ctx, via.actor(), "authorized_list", &org.agency_code).await;
    let name = |id: &str| {
        tree.function(id).map(|f| match ctx.lang {
            Lang::En => f.name_en.clone().unwrap_or_else(|| f.name.clone()),
            Lang::ZhTw => f.name.clone(),
        })
    };
    Ok(AuthorizedListView {
        agency_code: org.agency_code.clone(),
        org_name: org.name.clone(),
        manager_name: manager.map(|m| m.name),
        handlers: handlers
            .iter()
            .enumerate()
            .map(|(i, h)| AuthorizedView {
                seq: i as i64 + 1,
                name: h.name.clone(),
                national_id: h.national_id.clone(),
                cert_serial: h.cert_serial.clone(),
                permissions: h
                    .permissions
                    .iter()
                    .filter_map(|id| {
                        name(id).map(|n| GrantView {
                            id: id.clone(),
                            name: n,
                        })
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// A spreadsheet cell that cannot start a formula (CSV injection): `=+-@` and control
/// characters at the start get a leading apostrophe.
pub(crate) fn cell(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_owned(),
    }
}

/// The authorized list as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the
/// Chinese correctly).
pub fn authorized_csv(list: &AuthorizedListView, lang: Lang) -> Result<Vec<u8>, Failure> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let header = match lang {
        Lang::ZhTw => [
            "序號",
            "機關代號",
            "機關名稱",
            "姓名",
            "身分證字號",
            "憑證序號",
            "功能權限",
        ],
        Lang::En => [
            "No.",
            "Agency code",
            "Organization",
            "Name",
            "National ID",
            "Certificate serial",
            "Functions",
        ],
    };
    let csv_err = |e: csv::Error| {
        tracing::error!(error = %e, "CSV export failed");
        Failure::internal()
    };
    w.write_record(header).map_err(csv_err)?;
    for h in &list.handlers {
        let perms: Vec<&str> = h.permissions.iter().map(|p| p.name.as_str()).collect();
        w.write_record([
            h.seq.to_string(),
            cell(&list.agency_code),
            cell(&list.org_name),
            cell(&h.name),
            cell(&h.national_id),
            cell(&h.cert_serial),
            cell(&perms.join("、")),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(|e| csv_err(e.into_error().into()))
}
