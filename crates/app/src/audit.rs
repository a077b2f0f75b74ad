//! Writes security events to the tamper-evident audit log, with the request's context.

use serde_json::Value;
use tessera_core::audit::AuditKind;
use tessera_store::NewAuditEvent;

use crate::clock::now;
use crate::context::Ctx;
use crate::state::AppState;

/// Who an event is about, when known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    pub account_id: Option<&'a str>,
    pub username: Option<&'a str>,
}

impl<'a> Subject<'a> {
    pub fn account(id: &'a str, username: &'a str) -> Self {
        Self {
            account_id: Some(id),
            username: Some(username),
        }
    }

    pub fn username(username: &'a str) -> Self {
        Self {
            account_id: None,
            username: Some(username),
        }
    }
}

/// The event [`record`] writes, for writers that commit it with other rows themselves.
pub fn event(
    kind: AuditKind,
    who: Subject<'_>,
    ctx: &Ctx,
    outcome: &str,
    detail: Option<Value>,
) -> NewAuditEvent {
    NewAuditEvent {
        at: now(),
        kind: kind.as_str().to_string(),
        account_id: who.account_id.map(str::to_owned),
        // At most 64 characters, and never a NUL, which PostgreSQL cannot store.
        username: who.username.map(crate::text::shown),
        ip: ctx.ip.clone(),
        user_agent: ctx.user_agent.clone(),
        outcome: outcome.to_string(),
        detail: detail.map(|d| d.to_string()),
    }
}

/// Appends one event. A failure to write is logged loudly; the caller's answer stands.
pub async fn record(
    state: &AppState,
    kind: AuditKind,
    who: Subject<'_>,
    ctx: &Ctx,
    outcome: &str,
    detail: Option<Value>,
) {
    let event = event(kind, who, ctx, outcome, detail);
    if let Err(e) = state.store.append_audit(&event).await {
        tracing::error!(error = %e, kind = kind.as_str(), "AUDIT LOG WRITE FAILED");
    }
}
