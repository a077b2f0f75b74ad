//! Signing-key rotation, by command (`tessera admin oidc-keys rotate`) or on schedule (keys
//! older than `[oidc] key_rotation_days`, checked by `tessera serve`'s hourly job). Audited.

use super::keys;
use crate::error::Failure;
use crate::state::AppState;

/// Rotates the signing key of `alg` (command or schedule) and audits it.
pub async fn rotate_keys(
    state: &AppState,
    alg: &str,
    ctx: &crate::context::Ctx,
) -> Result<(String, Vec<String>), Failure> {
    let keep = state.settings.oidc.retired_key_keep();
    let (kid, retired) = state
        .oidc_keys
        .rotate(&state.store, crate::clock::now(), alg, keep)
        .await?;
    crate::audit::record(
        state,
        tessera_core::audit::AuditKind::OidcKeyRotated,
        crate::audit::Subject::default(),
        ctx,
        "ok",
        Some(serde_json::json!({ "alg": alg, "kid": kid, "retired": retired })),
    )
    .await;
    Ok((kid, retired))
}

/// Scheduled rotation: rotates each algorithm whose active key is older than
/// `key_rotation_days` (0 = never). Returns the new kids.
pub async fn rotate_due_keys(state: &AppState) -> Result<Vec<String>, Failure> {
    let days = state.settings.oidc.key_rotation_days;
    if days <= 0 {
        return Ok(Vec::new());
    }
    let ctx = crate::context::Ctx {
        browser: None,
        ip: None,
        user_agent: Some("tessera scheduled key rotation".into()),
        lang: tessera_core::lang::Lang::En,
    };
    let mut out = Vec::new();
    for alg in keys::ALGS {
        let age = state
            .oidc_keys
            .active_age(&state.store, crate::clock::now(), alg)
            .await?;
        // A missing key (age MAX) is created on first use, not rotated.
        if age != i64::MAX && age >= days * 86_400 {
            out.push(rotate_keys(state, alg, &ctx).await?.0);
        }
    }
    Ok(out)
}
