//! The scheduled job of applications: a case whose deadline has passed is moved by the
//! system as its type says (a correction not sent in time lapses; an approved support whose
//! period has ended expires). Every node runs it; a case two nodes reach at once moves once,
//! because each move names the row version it read.

use serde_json::json;
use tessera_core::apply::Actor;
use tessera_core::audit::AuditKind;
use tessera_store::NewAuditEvent;
use tessera_store::cases::{CaseMove, CaseRecord, NewCaseEvent, VersionChange};

use crate::error::Failure;
use crate::state::AppState;

/// Cases handled per run at most.
const BATCH: i64 = 200;

/// Moves every case whose deadline has passed by `now`; returns how many moved.
pub async fn run(state: &AppState, now: i64) -> Result<usize, Failure> {
    let due = state.store.cases_due(now, BATCH).await?;
    let mut moved = 0;
    for case in due {
        match expire(state, &case, now).await {
            Ok(true) => moved += 1,
            Ok(false) => {}
            Err(f) => tracing::warn!(case = %case.id, code = f.code, "deadline move failed"),
        }
    }
    Ok(moved)
}

async fn expire(state: &AppState, case: &CaseRecord, now: i64) -> Result<bool, Failure> {
    let Some(kind) = state.applications.get(&case.type_id) else {
        return Ok(false);
    };
    let Some(deadline) = kind
        .deadlines
        .iter()
        .find(|d| d.status.get_ref() == &case.status)
    else {
        return Ok(false);
    };
    let action = deadline.action.get_ref();
    let Ok(transition) = kind.transition(&case.status, action, Actor::System) else {
        return Ok(false);
    };
    let Some(to) = kind.status(transition.to.get_ref()) else {
        return Ok(false);
    };
    let audit = NewAuditEvent {
        at: now,
        kind: AuditKind::CaseTransition.as_str().to_owned(),
        account_id: None,
        username: Some("system".to_owned()),
        ip: None,
        user_agent: None,
        outcome: "ok".to_owned(),
        detail: Some(
            json!({ "case": case.id, "number": case.number, "action": action,
                    "from": case.status, "to": to.id.get_ref() })
            .to_string(),
        ),
    };
    let result = state
        .store
        .move_case(&CaseMove {
            case_id: case.id.clone(),
            expected_row_version: case.row_version,
            to_status: to.id.get_ref().clone(),
            now,
            event: NewCaseEvent {
                actor_account_id: None,
                actor_role: Actor::System.as_str().to_owned(),
                on_behalf: false,
                action: action.clone(),
                comment: None,
                deadline_at: None,
                effective_from: None,
            },
            assign_number: None,
            routing: None,
            version: VersionChange::Keep,
            deadline_at: Some(None),
            effective_from: None,
            submitted: false,
            decided: false,
            bookings: (!to.blocks_overlap).then(Vec::new),
            audit: vec![audit],
            mail: Vec::new(),
        })
        .await;
    match result {
        Ok(_) => Ok(true),
        // Another node moved it first.
        Err(tessera_store::StoreError::Conflict) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
