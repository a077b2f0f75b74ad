//! A case's attachments: accepted by what their bytes are (PDF, JPEG, PNG), not by their
//! names; names cleaned of paths and control characters; size and count limited per field.
//! A file and the form value naming it are written in one transaction, so a case never names
//! a file it lacks and no file is stored without its case.

use serde_json::json;
use sha2::{Digest, Sha256};
use tessera_core::apply::FormError;
use tessera_core::apply::attachment::{self, AttachmentLimits};
use tessera_core::apply::form::{FieldKind, Value};
use tessera_core::audit::AuditKind;
use tessera_store::cases::{CaseRecord, NewAttachment};

use super::Who;
use super::cases::{self, Relation};
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::{Failure, FailureKind};
use crate::state::AppState;

/// The largest attachment accepted, in MiB.
pub const MAX_MIB: u64 = 10;

/// A downloaded attachment.
#[derive(Debug, Clone)]
pub struct Download {
    /// The cleaned file name.
    pub name: String,
    /// Its MIME type (from its content).
    pub mime: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

async fn editable_case(
    state: &AppState,
    who: &Who,
    case_id: &str,
) -> Result<
    (
        CaseRecord,
        std::sync::Arc<tessera_core::apply::ApplicationType>,
    ),
    Failure,
> {
    let (case, kind, rel) = cases::open(state, who, case_id).await?;
    let may = rel == Relation::Filer || (rel == Relation::Reviewer && case.filer_kind == "staff");
    if !may {
        return Err(Failure::new(FailureKind::Forbidden, "apply_wrong_actor"));
    }
    if !cases::editable(&kind, &case) {
        return Err(Failure::new(FailureKind::Conflict, "apply_not_editable"));
    }
    Ok((case, kind))
}

fn record(
    state: &AppState,
    who: &Who,
    ctx: &Ctx,
    detail: serde_json::Value,
) -> impl Future<Output = ()> {
    let name = who.audit_name();
    let account = who.account_id().map(str::to_owned);
    let state = state.clone();
    let ctx = ctx.clone();
    async move {
        audit::record(
            &state,
            AuditKind::CaseAttachment,
            Subject {
                account_id: account.as_deref(),
                username: Some(&name),
            },
            &ctx,
            "ok",
            Some(detail),
        )
        .await;
    }
}

/// Adds the file `name` with `bytes` to the attachments field `field` of `case_id`.
pub async fn add(
    state: &AppState,
    who: &Who,
    case_id: &str,
    field: &str,
    name: &str,
    bytes: &[u8],
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let (case, kind) = editable_case(state, who, case_id).await?;
    let spec = kind
        .field(field)
        .filter(|f| f.kind == FieldKind::Attachments)
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "apply_field_not_found"))?;
    let mut values = cases::values_of(state, &case, case.current_version).await?;
    let mut ids = match values.get(field) {
        Some(Value::List(ids)) => ids.clone(),
        _ => Vec::new(),
    };
    let limits = AttachmentLimits {
        max_bytes: MAX_MIB * 1024 * 1024,
        max_count: usize::from(spec.max_file_count()),
        ..AttachmentLimits::default()
    };
    let checked = attachment::check(name, bytes, ids.len(), &limits).map_err(|code| {
        let limit = match code {
            "apply_attachment_too_large" => Some(MAX_MIB as u32),
            "apply_attachment_too_many" => Some(u32::from(spec.max_file_count())),
            _ => None,
        };
        Failure::form(vec![match limit {
            Some(n) => FormError::with_limit(field, code, n),
            None => FormError::new(field, code),
        }])
    })?;
    let id = uuid::Uuid::new_v4().simple().to_string();
    ids.push(id.clone());
    values.insert(field.to_owned(), Value::List(ids));
    let json = serde_json::to_string(&values).map_err(|_| Failure::internal())?;
    let new = NewAttachment {
        id: id.clone(),
        case_id: case.id.clone(),
        version: case.current_version,
        name: checked.name.clone(),
        mime: checked.kind.mime().to_owned(),
        size: i64::try_from(checked.size).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(bytes)),
        content: Some(bytes.to_vec()),
        object_key: None,
        created_by: who.actor_id(),
        now: now(),
    };
    let moved = state
        .store
        .add_attachment(&new, case.row_version, &json)
        .await
        .map_err(store_conflict)?;
    record(
        state,
        who,
        ctx,
        json!({ "case": case.id, "added": id, "size": checked.size, "kind": checked.kind.mime() }),
    )
    .await;
    Ok(moved)
}

/// Removes attachment `attachment_id` from `case_id`.
pub async fn remove(
    state: &AppState,
    who: &Who,
    case_id: &str,
    attachment_id: &str,
    ctx: &Ctx,
) -> Result<CaseRecord, Failure> {
    let (case, _kind) = editable_case(state, who, case_id).await?;
    let mut values = cases::values_of(state, &case, case.current_version).await?;
    let mut found = false;
    for v in values.values_mut() {
        if let Value::List(ids) = v
            && let Some(i) = ids.iter().position(|x| x == attachment_id)
        {
            ids.remove(i);
            found = true;
        }
    }
    if !found {
        return Err(Failure::new(
            FailureKind::NotFound,
            "apply_attachment_not_found",
        ));
    }
    values.retain(|_, v| !matches!(v, Value::List(l) if l.is_empty()));
    let json = serde_json::to_string(&values).map_err(|_| Failure::internal())?;
    let moved = state
        .store
        .remove_attachment(&case.id, attachment_id, case.row_version, &json, now())
        .await
        .map_err(store_conflict)?;
    record(
        state,
        who,
        ctx,
        json!({ "case": case.id, "removed": attachment_id }),
    )
    .await;
    Ok(moved)
}

/// The attachment `attachment_id` of `case_id`, for anyone who may see the case.
pub async fn get(
    state: &AppState,
    who: &Who,
    case_id: &str,
    attachment_id: &str,
) -> Result<Download, Failure> {
    let (case, _, _) = cases::open(state, who, case_id).await?;
    let missing = || Failure::new(FailureKind::NotFound, "apply_attachment_not_found");
    if attachment_id.len() > 64 {
        return Err(missing());
    }
    let row = state
        .store
        .attachment(attachment_id)
        .await?
        .filter(|a| a.case_id == case.id)
        .ok_or_else(missing)?;
    let bytes = row.content.ok_or_else(|| {
        tracing::error!(attachment = %row.id, "attachment content missing");
        Failure::internal()
    })?;
    Ok(Download {
        name: row.name,
        mime: row.mime,
        bytes,
    })
}

fn store_conflict(err: tessera_store::StoreError) -> Failure {
    match err {
        tessera_store::StoreError::Conflict => {
            Failure::new(FailureKind::Conflict, "apply_conflict")
        }
        other => other.into(),
    }
}
