//! Certificate-only sessions (004 六: the holder skips binding): a verified certificate whose
//! typed national ID matched gets a session without an account, in its own cookie. It proves
//! who the holder is (level `certificate`) for services that need only that; member pages and
//! `/api/v1/me` stay closed to it. Lifetime: the idle timeout of member sessions, absolute.

use crate::cookies::Cookies;
use cookie::SameSite;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tessera_core::audit::AuditKind;
use tessera_store::certs::CertSession;
use utoipa::ToSchema;

use super::Card;
use crate::audit::{self, Subject};
use crate::clock::now;
use crate::context::Ctx;
use crate::cookies;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

/// The cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_cert_session"
    } else {
        "tessera_cert_session"
    }
}

fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// The identity a certificate-only session carries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CertIdentityView {
    pub national_id: String,
    pub name: String,
    pub serial: String,
    /// Always `certificate`.
    pub loa: String,
    /// RFC 3339.
    pub expires_at: String,
}

impl CertIdentityView {
    pub fn new(s: &CertSession) -> Self {
        Self {
            national_id: s.national_id.clone(),
            name: s.name.clone(),
            serial: s.serial.clone(),
            loa: "certificate".to_owned(),
            expires_at: crate::text::rfc3339(s.expires_at).unwrap_or_default(),
        }
    }
}

/// Starts a certificate-only session; returns it and the `Set-Cookie` value.
pub async fn start(
    state: &AppState,
    card: &Card,
    national_id: &str,
    ctx: &Ctx,
) -> Result<(CertSession, String), Failure> {
    let raw = secrets::token();
    let t = now();
    let session = CertSession {
        id_hash: hash_id(&raw),
        national_id: national_id.to_owned(),
        name: card.identity.name.clone(),
        issuer: card.identity.issuer.clone(),
        serial: card.identity.serial.clone(),
        created_at: t,
        expires_at: t + state.settings.session_idle.as_secs() as i64,
    };
    state.store.create_cert_session(&session).await?;
    let mut detail = card.detail();
    detail["certificate_only"] = json!(true);
    audit::record(
        state,
        AuditKind::CertLoginSucceeded,
        Subject::username(national_id),
        ctx,
        "ok_certificate_only",
        Some(detail),
    )
    .await;
    let cookie = cookies::build(
        cookie_name(state),
        &raw,
        SameSite::Lax,
        state.settings.secure_cookies(),
        None,
    );
    Ok((session, cookie))
}

/// The request's live certificate-only session.
pub async fn load(state: &AppState, cookies: &Cookies) -> Result<Option<CertSession>, Failure> {
    let Some(raw) = cookies.get(cookie_name(state)) else {
        return Ok(None);
    };
    Ok(state.store.cert_session(&hash_id(&raw), now()).await?)
}

/// Ends the request's certificate-only session, if any; returns the clearing cookie.
pub async fn end(state: &AppState, cookies: &Cookies) -> Result<String, Failure> {
    if let Some(raw) = cookies.get(cookie_name(state)) {
        state.store.delete_cert_session(&hash_id(&raw)).await?;
    }
    Ok(cookies::build(
        cookie_name(state),
        "",
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(0),
    ))
}
