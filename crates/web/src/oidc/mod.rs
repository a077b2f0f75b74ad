//! The OpenID Connect provider over HTTP. Two routers:
//! [`backchannel`] — discovery, JWKS, authorize, token, userinfo, revocation, introspection
//! and the end-session endpoint — is mounted outside the CSRF guard, because relying
//! parties call it cross-site (these endpoints use no cookie authority, or only for
//! navigation); [`router`] — the consent, step-up and logout-confirmation pages, 會員中心 ›
//! 已授權的服務, and the back-office client page — sits behind it like every other page.
//! Handlers only translate HTTP to `tessera_app::flows::oidc` and back.

mod admin;
mod endpoints;
mod pages;
mod respond;

/// OAuth JSON errors, also for requests refused before they reach an endpoint.
pub(crate) use respond::oauth_error;

use axum::Router;
use axum::routing::{get, post};

use crate::pages::reload::back_to;
use tessera_app::state::AppState;

/// Endpoints relying parties call (no CSRF guard: no cookie-authenticated state change).
pub fn backchannel() -> Router<AppState> {
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(endpoints::discovery),
        )
        .route("/oidc/jwks", get(endpoints::jwks))
        .route(
            "/oidc/authorize",
            get(endpoints::authorize_get).post(endpoints::authorize_post),
        )
        .route("/oidc/token", post(endpoints::token))
        .route(
            "/oidc/userinfo",
            get(endpoints::userinfo).post(endpoints::userinfo),
        )
        .route("/oidc/revoke", post(endpoints::revoke))
        .route("/oidc/introspect", post(endpoints::introspect))
        .route(
            "/oidc/logout",
            get(endpoints::logout_get).post(endpoints::logout_post),
        )
}

/// Pages (behind the CSRF guard).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oidc/authorize/resume", get(pages::resume))
        .route("/oidc/continue", get(pages::continue_page))
        .route("/oidc/step-up", get(pages::step_up))
        .route(
            "/oidc/consent",
            get(pages::consent).post(pages::consent_answer),
        )
        .route(
            "/oidc/logout/confirm",
            post(pages::logout_confirm).get(back_to("/")),
        )
        .route("/account/apps", get(pages::apps))
        .route(
            "/account/apps/withdraw",
            post(pages::withdraw).get(back_to("/account/apps")),
        )
        .route("/admin/oidc/clients", get(admin::show).post(admin::add))
        .route(
            "/admin/oidc/clients/remove",
            post(admin::remove).get(back_to("/admin/oidc/clients")),
        )
}
