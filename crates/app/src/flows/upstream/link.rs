//! Links between external identities and accounts: signing in with a linked identity, linking
//! to the signed-in account, binding a waiting identity to an existing account by its
//! password (004 二 Q6: checked like a sign-in; the password must not be expired and the
//! account's email address must be verified), linking it to a newly registered account, and
//! 管理外部帳號 (list, remove; 004 二 Q7).

use crate::cookies::Cookies;
use crate::error::FailureKind;
use serde::Serialize;
use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_core::lang::Lang;
use tessera_core::loa::Loa;
use tessera_store::Account;
use tessera_store::external_identities::{ExternalIdentity, LinkOutcome, NewLink};
use tessera_store::upstream_flow::PendingIdentity;
use utoipa::ToSchema;

use super::id_token::Identity;
use super::{hash, pending_cookie, record};
use crate::audit::Subject;
use crate::clock::now;
use crate::context::Ctx;
use crate::error::Failure;
use crate::flows::login::{self, LoginInput};
use crate::flows::register::{self, RegisterInput};
use crate::session;
use crate::state::AppState;

/// Starts a member session for `account` signed in with link `link_id` (level `password`).
pub async fn sign_in(
    state: &AppState,
    account: &Account,
    link_id: &str,
    provider: &str,
    email: Option<&str>,
    ctx: &Ctx,
) -> Result<String, Failure> {
    let who = Subject::account(&account.id, &account.username);
    if account.disabled || !state.store.record_login_success(&account.id, now()).await? {
        record(
            state,
            AuditKind::UpstreamLoginFailed,
            who,
            ctx,
            provider,
            "account_locked",
            None,
        )
        .await;
        return Err(Failure::new(FailureKind::Locked, "account_locked"));
    }
    state
        .store
        .touch_external_identity(link_id, email, now())
        .await?;
    let set_cookie = session::start(
        state,
        &account.id,
        Loa::Password,
        false,
        ctx.ip.clone(),
        ctx.user_agent.clone(),
    )
    .await?;
    record(
        state,
        AuditKind::UpstreamLoginSucceeded,
        who,
        ctx,
        provider,
        "ok",
        None,
    )
    .await;
    state.metrics.login("ok");
    Ok(set_cookie)
}

/// Links `who` (of `provider` / `issuer`) to `account`.
pub async fn link(
    state: &AppState,
    account: &Account,
    provider: &str,
    issuer: &str,
    who: &Identity,
    ctx: &Ctx,
) -> Result<ExternalIdentity, Failure> {
    let subject = Subject::account(&account.id, &account.username);
    let outcome = state
        .store
        .link_external_identity(&NewLink {
            account_id: account.id.clone(),
            provider: provider.to_owned(),
            issuer: issuer.to_owned(),
            subject: who.subject.clone(),
            email: who.email.clone(),
            linked_at: now(),
        })
        .await?;
    let extra = Some(json!({ "subject": who.subject }));
    let (reason, code) = match outcome {
        LinkOutcome::Linked(x) | LinkOutcome::AlreadyLinked(x) => {
            record(
                state,
                AuditKind::UpstreamLinked,
                subject,
                ctx,
                provider,
                "ok",
                extra,
            )
            .await;
            return Ok(x);
        }
        LinkOutcome::LinkedElsewhere => ("linked_elsewhere", "upstream_identity_linked_elsewhere"),
        LinkOutcome::IssuerTaken => (
            "provider_already_linked",
            "upstream_provider_already_linked",
        ),
    };
    record(
        state,
        AuditKind::UpstreamLinkRefused,
        subject,
        ctx,
        provider,
        reason,
        extra,
    )
    .await;
    Err(Failure::new(FailureKind::Conflict, code))
}

/// The verified identity waiting for an account in this browser, if any.
pub async fn pending(
    state: &AppState,
    cookies: &Cookies,
) -> Result<Option<PendingIdentity>, Failure> {
    let Some(raw) = pending_cookie(state, cookies) else {
        return Ok(None);
    };
    Ok(state
        .store
        .upstream_pending(&hash("pending", &raw), now())
        .await?)
}

async fn need_pending(state: &AppState, cookies: &Cookies) -> Result<PendingIdentity, Failure> {
    pending(state, cookies)
        .await?
        .ok_or_else(|| Failure::new(FailureKind::Invalid, "upstream_pending_missing"))
}

fn identity_of(p: &PendingIdentity) -> Identity {
    Identity {
        subject: p.subject.clone(),
        email: p.email.clone(),
        email_verified: p.email_verified,
        name: p.name.clone(),
    }
}

/// A successful binding: signed in.
pub struct Bound {
    pub set_cookie: String,
    pub next: Option<String>,
}

/// Binds the waiting identity to the account `input` names, proven by its password.
pub async fn bind(
    state: &AppState,
    cookies: &Cookies,
    input: &LoginInput,
    ctx: &Ctx,
) -> Result<Bound, Failure> {
    let p = need_pending(state, cookies).await?;
    // Only people link external accounts; organization and staff accounts are answered like
    // unknown names.
    let (account, expired) =
        login::authenticate(state, input, ctx, &[tessera_store::kind::MEMBER]).await?;
    let who = Subject::account(&account.id, &account.username);
    if expired {
        record(
            state,
            AuditKind::UpstreamLinkRefused,
            who,
            ctx,
            &p.provider,
            "password_expired",
            None,
        )
        .await;
        return Err(Failure::new(
            FailureKind::Forbidden,
            "upstream_password_expired",
        ));
    }
    if crate::session::email_unverified(&account) {
        // Links are for accounts whose owner proved the address (seed 000 A8).
        record(
            state,
            AuditKind::UpstreamLinkRefused,
            who,
            ctx,
            &p.provider,
            "email_unverified",
            None,
        )
        .await;
        return Err(Failure::new(FailureKind::Forbidden, "email_unverified"));
    }
    let x = link(
        state,
        &account,
        &p.provider,
        &p.issuer,
        &identity_of(&p),
        ctx,
    )
    .await?;
    state.store.delete_upstream_pending(&p.id_hash).await?;
    let set_cookie = sign_in(state, &account, &x.id, &p.provider, p.email.as_deref(), ctx).await?;
    Ok(Bound {
        set_cookie,
        next: p.next_path,
    })
}

/// Registers a member (the ordinary registration: rules, CAPTCHA, verification email) and
/// links the waiting identity to the new account.
pub async fn register(
    state: &AppState,
    cookies: &Cookies,
    input: &RegisterInput,
    ctx: &Ctx,
) -> Result<Account, Failure> {
    let p = need_pending(state, cookies).await?;
    // Refuse before creating an account the identity could not be linked to.
    if state
        .store
        .external_identity(&p.issuer, &p.subject)
        .await?
        .is_some()
    {
        return Err(Failure::new(
            FailureKind::Conflict,
            "upstream_identity_linked_elsewhere",
        ));
    }
    let account = register::register(state, input, ctx).await?;
    link(
        state,
        &account,
        &p.provider,
        &p.issuer,
        &identity_of(&p),
        ctx,
    )
    .await?;
    state.store.delete_upstream_pending(&p.id_hash).await?;
    Ok(account)
}

/// A link as its owner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: String,
    /// The configured provider's id, e.g. `google`.
    pub provider: String,
    /// Its name in the request's language.
    pub provider_name: String,
    /// The email the provider reported at the last sign-in, if any.
    pub email: Option<String>,
    /// RFC 3339.
    pub linked_at: String,
    /// RFC 3339; absent before the first sign-in with it.
    pub last_used_at: Option<String>,
    /// Unix seconds, for pages.
    #[serde(skip)]
    pub linked_at_unix: i64,
    #[serde(skip)]
    pub last_used_unix: Option<i64>,
}

/// The account's links.
pub async fn links(
    state: &AppState,
    account: &Account,
    lang: Lang,
) -> Result<Vec<LinkView>, Failure> {
    let rfc = crate::text::rfc3339;
    Ok(state
        .store
        .external_identities_of(&account.id)
        .await?
        .into_iter()
        .map(|x| LinkView {
            provider_name: state.upstream.display_name(&x.provider, lang),
            linked_at: rfc(x.linked_at).unwrap_or_default(),
            last_used_at: x.last_used_at.and_then(rfc),
            linked_at_unix: x.linked_at,
            last_used_unix: x.last_used_at,
            id: x.id,
            provider: x.provider,
            email: x.email,
        })
        .collect())
}

/// Removes the account's link `id` (管理外部帳號 › 移除).
pub async fn unlink(
    state: &AppState,
    account: &Account,
    id: &str,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let removed = if id.len() <= 64 {
        state
            .store
            .unlink_external_identity(&account.id, id)
            .await?
    } else {
        None
    };
    let Some(x) = removed else {
        return Err(Failure::new(
            FailureKind::NotFound,
            "upstream_link_not_found",
        ));
    };
    let who = Subject::account(&account.id, &account.username);
    let extra = Some(json!({ "subject": x.subject }));
    record(
        state,
        AuditKind::UpstreamUnlinked,
        who,
        ctx,
        &x.provider,
        "ok",
        extra,
    )
    .await;
    Ok(())
}
