//! The verified card a browser holds between the steps of a certificate sign-in on the pages
//! (004 六 Q1: the card signs → 請輸入身分證號 → the accounts of that ID, 〔移除〕 → one
//! account's password, or 〔暫不綁定〕), so the holder types the PIN once. Kept in the
//! database (every node sees it) under the SHA-256 of an HttpOnly cookie, for ten minutes;
//! released when the sign-in ends. It stands for a verification made minutes ago by this
//! browser only, like a session: binding still takes the account's password.

use crate::cookies::Cookies;
use cookie::SameSite;
use sha2::{Digest, Sha256};
use tessera_store::certs::PendingCard;

use super::Card;
use crate::clock::now;
use crate::cookies;
use crate::error::Failure;
use crate::secrets;
use crate::state::AppState;

/// How long the steps may take.
pub const TTL_SECS: i64 = 600;

/// The cookie's name: `__Host-` prefixed when served over https.
pub fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-tessera_cert_pending"
    } else {
        "tessera_cert_pending"
    }
}

fn hash_id(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// A held card and the steps done so far.
#[derive(Debug, Clone)]
pub struct Held {
    pub id_hash: String,
    pub card: Card,
    /// The typed national ID, once it matched the card.
    pub national_id: Option<String>,
    /// Accounts the holder removed as "not mine" (already reported).
    pub removed: Vec<String>,
}

/// Holds `card` for this browser; returns the `Set-Cookie` value.
pub async fn hold(state: &AppState, card: &Card) -> Result<String, Failure> {
    let raw = secrets::token();
    let identity = serde_json::to_string(&card.identity).map_err(|_| Failure::internal())?;
    state
        .store
        .put_pending_card(&PendingCard {
            id_hash: hash_id(&raw),
            identity,
            not_before: card.not_before,
            not_after: card.not_after,
            national_id: None,
            removed: Vec::new(),
            expires_at: now() + TTL_SECS,
        })
        .await?;
    Ok(cookies::build(
        cookie_name(state),
        &raw,
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(TTL_SECS),
    ))
}

/// The card this browser holds, if any and not expired.
pub async fn load(state: &AppState, cookies: &Cookies) -> Result<Option<Held>, Failure> {
    let Some(raw) = cookies.get(cookie_name(state)) else {
        return Ok(None);
    };
    let Some(p) = state.store.pending_card(&hash_id(&raw), now()).await? else {
        return Ok(None);
    };
    let Ok(identity) = serde_json::from_str(&p.identity) else {
        tracing::error!("a pending card's identity does not parse");
        return Ok(None);
    };
    Ok(Some(Held {
        id_hash: p.id_hash,
        card: Card {
            identity,
            not_before: p.not_before,
            not_after: p.not_after,
        },
        national_id: p.national_id,
        removed: p.removed,
    }))
}

/// Saves the steps done on a held card.
pub async fn save(state: &AppState, held: &Held) -> Result<(), Failure> {
    state
        .store
        .update_pending_card(&held.id_hash, held.national_id.as_deref(), &held.removed)
        .await?;
    Ok(())
}

/// Lets the held card go; returns the clearing `Set-Cookie` value.
pub async fn release(state: &AppState, held: Option<&Held>) -> Result<String, Failure> {
    if let Some(h) = held {
        state.store.delete_pending_card(&h.id_hash).await?;
    }
    Ok(cookies::build(
        cookie_name(state),
        "",
        SameSite::Lax,
        state.settings.secure_cookies(),
        Some(0),
    ))
}
