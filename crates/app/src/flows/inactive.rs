//! Deletion of accounts unused for the configured time (5 years by default): a warning email
//! 30 days before, then deletion. Safe to run on several nodes at once: the warning is claimed
//! atomically, and deletion is idempotent.

use serde::Serialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::lang::Lang;

use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::mails;
use crate::state::AppState;

pub const WARN_BEFORE_SECS: i64 = 30 * 86_400;

/// One account the job acted on (or would act on, in a dry run).
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    pub username: String,
    pub last_activity: i64,
    /// `warn` or `delete`.
    pub action: &'static str,
}

/// Runs the job once. With `dry_run` nothing is sent or deleted.
pub async fn run(state: &AppState, dry_run: bool) -> Result<Vec<Action>, Failure> {
    let t = now();
    let limit = state.settings.inactive_after.as_secs() as i64;
    let ctx = Ctx {
        browser: None,
        ip: None,
        user_agent: Some("tessera inactive-account job".into()),
        lang: Lang::ZhTw,
    };
    let mut actions = Vec::new();
    for a in state
        .store
        .inactive_accounts(t - limit + WARN_BEFORE_SECS)
        .await?
    {
        let last = a.last_login_at.unwrap_or(a.created_at);
        let warned_long_enough = a
            .inactivity_warned_at
            .is_some_and(|w| w <= t - WARN_BEFORE_SECS);
        let action = if last <= t - limit && warned_long_enough {
            "delete"
        } else if a.inactivity_warned_at.is_none() {
            "warn"
        } else {
            continue;
        };
        actions.push(Action {
            username: a.username.clone(),
            last_activity: last,
            action,
        });
        if dry_run {
            continue;
        }
        let who = Subject::account(&a.id, &a.username);
        if action == "warn" {
            if state.store.mark_inactivity_warned(&a.id, t).await? {
                // Institution accounts made from HCA cards have no email to warn.
                let outcome = if a.email.is_empty() {
                    "no_email"
                } else {
                    let link = state.url("/login");
                    state
                        .mailer
                        .send(&mails::inactive_warning(
                            &state.settings,
                            ctx.lang,
                            &a.email,
                            &a.username,
                            &link,
                        ))
                        .await?;
                    "ok"
                };
                audit::record(state, AuditKind::InactiveWarned, who, &ctx, outcome, None).await;
            }
        } else {
            state.store.delete_account(&a.id, t).await?;
            audit::record(
                state,
                AuditKind::InactiveDeleted,
                who,
                &ctx,
                "ok",
                Some(json!({ "last_activity": last })),
            )
            .await;
        }
    }
    Ok(actions)
}
