//! Organization session cookies: the handler's (`tessera_org_handler`, idle and absolute
//! timeouts of member sessions) and the authorization manager's short assignment session
//! (`tessera_org_assign`, `[organizations]` lifetimes). Each in its own HttpOnly SameSite=Lax
//! cookie (`__Host-` on https), only the SHA-256 of the value stored.

use crate::cookies::Cookies;
use cookie::SameSite;
use sha2::{Digest, Sha256};
use tessera_store::orgs::{OrgSession, session_kind};

use crate::clock::now;
use crate::cookies;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

/// Which organization session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Handler,
    Assignment,
}

impl Kind {
    fn stored(self) -> &'static str {
        match self {
            Kind::Handler => session_kind::HANDLER,
            Kind::Assignment => session_kind::ASSIGNMENT,
        }
    }

    /// The cookie's name.
    pub fn cookie(self, state: &AppState) -> &'static str {
        match (self, state.settings.secure_cookies()) {
            (Kind::Handler, false) => "tessera_org_handler",
            (Kind::Handler, true) => "__Host-tessera_org_handler",
            (Kind::Assignment, false) => "tessera_org_assign",
            (Kind::Assignment, true) => "__Host-tessera_org_assign",
        }
    }

    fn lifetimes(self, state: &AppState) -> (i64, i64) {
        let s = &state.settings;
        match self {
            Kind::Handler => (
                s.session_absolute.as_secs() as i64,
                s.session_idle.as_secs() as i64,
            ),
            Kind::Assignment => (
                s.orgs.assignment_ttl.as_secs() as i64,
                s.orgs.assignment_idle.as_secs() as i64,
            ),
        }
    }
}

fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Who a new session is for.
pub struct Holder<'a> {
    pub national_id: &'a str,
    pub name: &'a str,
    pub issuer: &'a str,
    pub serial: &'a str,
    pub agency_code: Option<&'a str>,
}

/// Starts a session; returns it and the `Set-Cookie` value.
pub async fn start(
    state: &AppState,
    kind: Kind,
    who: Holder<'_>,
) -> Result<(OrgSession, String), Failure> {
    let raw = secrets::token();
    let t = now();
    let (absolute, _) = kind.lifetimes(state);
    let session = OrgSession {
        id_hash: hash_id(&raw),
        kind: kind.stored().to_owned(),
        national_id: who.national_id.to_owned(),
        name: who.name.to_owned(),
        issuer: who.issuer.to_owned(),
        serial: who.serial.to_owned(),
        agency_code: who.agency_code.map(str::to_owned),
        created_at: t,
        last_seen_at: t,
        expires_at: t + absolute,
    };
    state.store.create_org_session(&session).await?;
    let cookie = cookies::build(
        kind.cookie(state),
        &raw,
        SameSite::Lax,
        state.settings.secure_cookies(),
        None,
    );
    Ok((session, cookie))
}

/// The request's live session of `kind` (touched).
pub async fn load(
    state: &AppState,
    cookies: &Cookies,
    kind: Kind,
) -> Result<Option<OrgSession>, Failure> {
    let Some(raw) = cookies.get(kind.cookie(state)) else {
        return Ok(None);
    };
    let (_, idle) = kind.lifetimes(state);
    Ok(state
        .store
        .org_session_if_live(&hash_id(&raw), kind.stored(), now(), idle)
        .await?)
}

/// Ends the request's session of `kind`, if any; returns it and the clearing cookie.
pub async fn end(
    state: &AppState,
    cookies: &Cookies,
    kind: Kind,
) -> Result<(Option<OrgSession>, String), Failure> {
    let existing = load(state, cookies, kind).await?;
    if let Some(s) = &existing {
        state.store.delete_org_session(&s.id_hash).await?;
    }
    let clear = cookies::build(
        kind.cookie(state),
        "",
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(0),
    );
    Ok((existing, clear))
}

/// Ends the request's assignment session (退出, audited `org_assignment_closed`); returns the
/// clearing cookie. The JSON API and the pages both call this.
pub async fn end_assignment(
    state: &AppState,
    cookies: &Cookies,
    ctx: &crate::context::Ctx,
) -> Result<String, Failure> {
    let (ended, clear) = end(state, cookies, Kind::Assignment).await?;
    if let Some(s) = ended {
        crate::audit::record(
            state,
            tessera_core::audit::AuditKind::OrgAssignmentClosed,
            crate::audit::Subject::username(&s.national_id),
            ctx,
            "ok",
            Some(serde_json::json!({ "agency_code": s.agency_code })),
        )
        .await;
    }
    Ok(clear)
}
