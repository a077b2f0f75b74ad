//! What a handler's permissions open: the workspace listing the functions granted (the tree
//! cut down to the grant; the UI shows nothing else), and entering a function — a server-side
//! check (the guard) and an audited redirect to the downstream service configured for it.

use crate::error::FailureKind;
use serde::Serialize;
use serde_json::json;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_core::org::permissions::Group;
use utoipa::ToSchema;

use super::guard::Via;
use crate::audit::{self, Subject};
use crate::context::Ctx;
use crate::error::Failure;
use crate::state::AppState;

/// A granted function as the workspace lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FunctionView {
    pub id: String,
    pub name: String,
    /// Whether entering it redirects to a downstream service (`GET …/functions/{id}`).
    pub has_service: bool,
}

/// A group of granted functions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub functions: Vec<FunctionView>,
}

/// The handler's workspace in one organization.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub agency_code: String,
    pub org_name: String,
    pub handler_name: String,
    pub groups: Vec<GroupView>,
}

fn localized(name: &str, name_en: Option<&String>, lang: Lang) -> String {
    match lang {
        Lang::En => name_en.cloned().unwrap_or_else(|| name.to_owned()),
        Lang::ZhTw => name.to_owned(),
    }
}

/// Groups in the request's language (for the workspace and the permission tree).
pub fn group_views(groups: &[Group], lang: Lang) -> Vec<GroupView> {
    groups
        .iter()
        .map(|g| GroupView {
            id: g.id.clone(),
            name: localized(&g.name, g.name_en.as_ref(), lang),
            functions: g
                .functions
                .iter()
                .map(|f| FunctionView {
                    id: f.id.clone(),
                    name: localized(&f.name, f.name_en.as_ref(), lang),
                    has_service: f.url.is_some(),
                })
                .collect(),
        })
        .collect()
}

/// The functions granted to the handler.
pub fn workspace(
    state: &AppState,
    via: &Via,
    code: &str,
    org_name: &str,
    lang: Lang,
) -> WorkspaceView {
    let (name, granted) = match via {
        Via::Handler { handler, .. } => (handler.name.clone(), handler.permissions.clone()),
        _ => (String::new(), Vec::new()),
    };
    WorkspaceView {
        agency_code: code.to_owned(),
        org_name: org_name.to_owned(),
        handler_name: name,
        groups: group_views(&state.settings.orgs.tree.granted_view(&granted), lang),
    }
}

/// The downstream URL of a function the guard let the handler enter (audited).
pub async fn enter(
    state: &AppState,
    via: &Via,
    code: &str,
    function: &str,
    ctx: &Ctx,
) -> Result<String, Failure> {
    let url = state
        .settings
        .orgs
        .tree
        .function(function)
        .and_then(|f| f.url.clone())
        .ok_or_else(|| Failure::new(FailureKind::NotFound, "not_found"))?;
    audit::record(
        state,
        AuditKind::OrgFunctionEntered,
        Subject::username(via.actor()),
        ctx,
        "ok",
        Some(json!({ "agency_code": code, "function": function })),
    )
    .await;
    Ok(url)
}
