//! The signed-in member of a page: [`require`] admits a session for what the page opens
//! (redirecting a limited one to the page it may use).

use axum::response::Response;
use tessera_store::Account;

use super::home::failure_page;
use super::layout::{PageCtx, redirect};
use crate::session::{self, ActiveSession, Limit, Open};
use tessera_app::flows;
use tessera_app::state::AppState;

/// Path of the one page open to a session whose password expired.
pub const PASSWORD_PAGE: &str = "/account/password";

/// Path of the page telling a member whose email address is not verified why a function is
/// closed and what to do.
pub const UNVERIFIED_PAGE: &str = "/account/email-unverified";

/// The signed-in member, or the response to send instead: to sign-in without a session; for a
/// limited session `open` does not admit, to the change-password page (expired password) or
/// to [`UNVERIFIED_PAGE`] (email address not verified; the refusal is audited). Both are GET
/// pages, so a refused form post ends on a page that can be reloaded.
pub async fn require(
    state: &AppState,
    pc: &PageCtx,
    open: Open,
) -> Result<(ActiveSession, Account), Response> {
    let Some(s) = pc.any_session().cloned() else {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &pc.here)
            .finish();
        return Err(redirect(
            &format!("/login?{q}"),
            &[pc.flash_cookie("login_required")],
        ));
    };
    match s.admit(open) {
        Ok(()) => {}
        Err(Limit::PasswordExpired) => return Err(redirect(PASSWORD_PAGE, &[])),
        Err(Limit::EmailUnverified) => {
            let path: String = pc
                .here
                .split('?')
                .next()
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            session::audit_unverified_refusal(
                state,
                &s,
                &pc.ctx,
                serde_json::json!({ "path": path }),
            )
            .await;
            return Err(redirect(UNVERIFIED_PAGE, &[]));
        }
    }
    if let Some(a) = pc.session_account().filter(|a| a.id == s.account_id) {
        return Ok((s, a.clone()));
    }
    match flows::account(state, &s.account_id).await {
        Ok(a) => Ok((s, a)),
        Err(f) if f.code == "unauthenticated" => Err(redirect("/login", &[])),
        Err(f) => Err(failure_page(pc, &f)),
    }
}
