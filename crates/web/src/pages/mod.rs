//! Server-rendered pages (askama), zh-TW first with an English switch: home, 加入會員,
//! 會員登入, 忘記密碼 and the reset pages, the email-verification landing page, 會員中心
//! (profile, change password, delete account, 管理外部帳號), the terms, the signing component
//! self-check, 「使用 X 登入」 with upstream providers, the certificate pages (`cert/`:
//! registration, sign-in and binding, 會員中心's certificates, reset by certificate), the
//! organization pages (`orgs/`: registration, replacement, assignment, handlers, queries), the
//! online applications (`apply/`: 線上申辦, the case pages and the reviewers' queues), the
//! demo page, and the embedded static assets.
//! Every page works without JavaScript except the ALTCHA widget, the self-check and signing
//! with the card (`cert-sign.js`).

pub(crate) mod account;
// Online applications (線上申辦) and their review queues.
mod apply;
mod assets;
mod auth;
mod brand;
// The certificate pages.
mod cert;
mod demo;
mod form;
mod help;
mod home;
pub(crate) mod i18n;
pub(crate) mod layout;
pub(crate) mod member;
mod password;
mod profile;
pub(crate) mod progress;
mod register;
pub(crate) mod reload;
mod reset;
mod signer;
mod verify;
pub(crate) mod when;
// Upstream identity brokering.
mod external;
mod upstream;
// Back office: /admin pages for staff.
pub(crate) mod backoffice;
// The organization pages.
mod orgs;

use axum::Router;
use axum::routing::{get, post};

use tessera_app::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/terms", get(home::terms))
        .route("/signer", get(signer::show))
        .route("/brand/{name}", get(brand::image))
        .route("/help", get(help::index))
        .route("/help/{slug}", get(help::show))
        .route("/goodbye", get(home::goodbye))
        .route("/lang", get(home::switch))
        .route("/register", get(register::show).post(register::submit))
        .route("/register/done", get(register::done))
        .route("/login", get(auth::show).post(auth::submit))
        .route("/logout", post(auth::logout).get(reload::back_to("/")))
        .route("/verify-email", get(verify::show).post(verify::confirm))
        .route("/password/forgot", get(reset::forgot).post(reset::request))
        .route("/password/forgot/sent", get(reset::sent))
        .route(
            "/password/reset",
            get(reset::link_form).post(reset::link_submit),
        )
        .route(
            "/password/reset-sms",
            get(reset::sms_form_page).post(reset::sms_submit),
        )
        .route("/account", get(account::show))
        .route(
            "/account/email/resend",
            post(account::resend_email).get(reload::back_to("/account")),
        )
        .route("/account/email-unverified", get(account::show_unverified))
        .route(
            "/account/mobile/send",
            post(account::send_mobile_code).get(reload::back_to("/account")),
        )
        .route(
            "/account/mobile/confirm",
            post(account::confirm_mobile).get(reload::back_to("/account")),
        )
        .route("/account/profile", get(profile::show).post(profile::submit))
        .route(
            "/account/password",
            get(password::show).post(password::submit),
        )
        .route(
            "/account/delete",
            get(password::delete_show).post(password::delete_submit),
        )
        // Upstream identity brokering.
        .route("/upstream/{id}/start", get(upstream::start_login))
        .route("/upstream/{id}/link", get(external::start_link))
        .route("/upstream/{id}/callback", get(upstream::callback))
        .route(
            "/upstream/bind",
            get(upstream::bind_show).post(upstream::bind_submit),
        )
        .route("/account/external", get(external::show))
        .route(
            "/account/external/{id}/remove",
            post(external::remove).get(reload::back_to("/account/external")),
        )
        // Certificate registration, sign-in and binding, reset by certificate.
        .route(
            "/register/certificate",
            get(cert::register::show).post(cert::register::submit),
        )
        .route(
            "/login/certificate",
            post(cert::login::submit).get(reload::back_to("/login")),
        )
        .route(
            "/login/certificate/bind",
            get(cert::login::steps).post(cert::login::step),
        )
        .route("/certificate", get(cert::only::only_page))
        .route(
            "/certificate/logout",
            post(cert::only::only_logout).get(reload::back_to("/certificate")),
        )
        .route(
            "/account/certificate",
            get(cert::account::show).post(cert::account::submit),
        )
        .route(
            "/account/certificate/unbind",
            post(cert::account::unbind).get(reload::back_to("/account/certificate")),
        )
        .route(
            "/password/reset-certificate",
            get(cert::reset::show).post(cert::reset::submit),
        )
        .route("/demo", get(demo::show))
        .route(
            "/demo/card",
            post(demo::insert).get(reload::back_to("/demo")),
        )
        .route("/assets/{version}/{name}", get(assets::serve))
        .merge(apply::router())
        .merge(backoffice::router())
        .merge(orgs::router())
        .fallback(home::not_found)
}
