//! What every page shares: the request's page context (language, CSRF token, session, flash),
//! the base layout's data, rendering with the right headers, and redirects (PRG).

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::header::{CONTENT_LANGUAGE, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cookie::SameSite;

use std::sync::Arc;

use super::assets;
use super::i18n::{Flash, L, flash};
use crate::context::ReqCtx;
use crate::cookies;
use crate::csrf::CsrfToken;
use crate::session::{ActiveSession, MaybeSession, SessionAccount};
use tessera_app::operator::Operator;
use tessera_app::state::AppState;

/// Cookie carrying the code of a one-time message across a redirect.
pub const FLASH_COOKIE: &str = "tessera_flash";
const FLASH_MAX_AGE: i64 = 60;

/// Everything a page handler needs to know about the request.
pub struct PageCtx {
    pub ctx: ReqCtx,
    pub csrf: String,
    /// The member session, only when it is full: a session limited to changing an expired
    /// password or to verifying the email address is not here (see [`PageCtx::any_session`]
    /// and `pages::member::require`), so a page that acts for the account is closed to it.
    pub session: Option<ActiveSession>,
    /// The member session, limited or not.
    any_session: Option<ActiveSession>,
    /// The session's account, as loaded with it.
    account: Option<tessera_store::Account>,
    /// Path and query of the request, for the language switch to come back to.
    pub here: String,
    pub flash: Option<Flash>,
    secure: bool,
    demo: bool,
    test_env: bool,
    operator: Arc<Operator>,
    certs: bool,
    /// Application types are offered (the header links 線上申辦).
    apply: bool,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = ReqCtx::from_parts(parts);
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let any_session = match MaybeSession::from_request_parts(parts, state).await {
            Ok(MaybeSession(s)) => s,
            Err(e) => return Err(e.into_response()),
        };
        let account = parts
            .extensions
            .get::<SessionAccount>()
            .map(|SessionAccount(a)| a.clone());
        let session = any_session.clone().filter(ActiveSession::is_full);
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let flash = cookies::get(&parts.headers, FLASH_COOKIE).and_then(|c| flash(&c));
        Ok(PageCtx {
            ctx,
            csrf,
            session,
            any_session,
            account,
            here,
            flash,
            secure: state.settings.secure_cookies(),
            demo: state.settings.demo,
            test_env: state.settings.environment.is_test(),
            operator: state.settings.operator.clone(),
            certs: state.pki.is_some(),
            apply: !state.applications.is_empty(),
        })
    }
}

impl PageCtx {
    pub fn l(&self) -> L {
        L(self.ctx.lang)
    }

    /// The member session even when it is limited: for signing out, for showing that someone
    /// is signed in, and for the few pages a limited session may see (which check
    /// [`ActiveSession::admit`], as `pages::member::require` does).
    pub fn any_session(&self) -> Option<&ActiveSession> {
        self.any_session.as_ref()
    }

    /// The account of [`PageCtx::any_session`], as loaded with it.
    pub fn session_account(&self) -> Option<&tessera_store::Account> {
        self.account.as_ref()
    }

    /// The base layout's data for a page titled `title`.
    pub fn page(&self, title: &'static str) -> Page {
        let l = self.l();
        Page {
            l,
            title,
            detail: String::new(),
            csrf: self.csrf.clone(),
            signed_in: self.any_session.is_some(),
            switch_href: lang_switch_href(l.other_tag(), &self.here),
            flash: self.flash.map(|f| f.text(l)).unwrap_or(""),
            css: assets::url("tessera.css"),
            altcha_js: assets::url("altcha.min.js"),
            captcha: false,
            demo: self.demo,
            test_env: self.test_env,
            op: self.operator.clone(),
            certs: self.certs,
            apply: self.apply,
        }
    }

    /// A `Set-Cookie` value that shows `code` once on the next page.
    pub fn flash_cookie(&self, code: &'static str) -> String {
        cookies::build(
            FLASH_COOKIE,
            code,
            SameSite::Lax,
            self.secure,
            Some(FLASH_MAX_AGE),
        )
    }

    fn clear_flash(&self) -> String {
        cookies::build(FLASH_COOKIE, "", SameSite::Lax, self.secure, Some(0))
    }
}

/// The base layout's data; every page template has it as its `page` field.
pub struct Page {
    pub l: L,
    pub title: &'static str,
    /// What the page is about when it comes from data (a form page's title, a case's
    /// number): put before the title in `<title>` ("" when none).
    pub detail: String,
    pub csrf: String,
    pub signed_in: bool,
    pub switch_href: String,
    /// A one-time message from the previous step ("" when none).
    pub flash: &'static str,
    pub css: String,
    pub altcha_js: String,
    /// Load the ALTCHA widget script.
    pub captcha: bool,
    pub demo: bool,
    /// A test environment: the banner saying all data is test data.
    pub test_env: bool,
    /// The operator's identity: name, logo, colour, footer.
    pub op: Arc<Operator>,
    /// Certificates are switched on (a trust directory is configured): card sign-in,
    /// registration and binding are offered.
    pub certs: bool,
    /// Application types are offered: the header links 線上申辦 and 會員中心 the cases.
    pub apply: bool,
}

impl Page {
    /// The page's language.
    pub fn lang(&self) -> tessera_core::lang::Lang {
        self.l.0
    }

    /// An RFC 3339 time of a use case's view as this page shows dates (`pages::when`).
    pub fn date_of(&self, rfc3339: &str) -> super::when::When {
        super::when::When::date_of(self.l.0, rfc3339)
    }

    /// The service's name in the page's language (title, header, texts that name the site).
    pub fn service(&self) -> &str {
        self.op.service_name.get(self.l.0)
    }

    /// The test environment's notice in the page's language.
    pub fn test_banner(&self) -> &'static str {
        tessera_app::operator::test_banner(self.l.0)
    }

    /// The `<style>` rule that gives the operator's colour to the stylesheet's variables, or
    /// "" for the default colours. The colour was checked to be `#rrggbb` when configured.
    pub fn colour_rule(&self) -> String {
        match &self.op.colour {
            Some(c) => format!(
                ":root{{--blue:{c};--blue-dark:{}}}",
                tessera_app::operator::darker(c)
            ),
            None => String::new(),
        }
    }

    /// Names what the page is about in its `<title>` (see [`Page::detail`]).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    pub fn with_captcha(mut self) -> Self {
        self.captcha = true;
        self
    }
}

fn lang_switch_href(tag: &str, here: &str) -> String {
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("set", tag)
        .append_pair("next", here)
        .finish();
    format!("/lang?{query}")
}

pub use tessera_app::text::is_local_path;

/// Renders a template as an HTML response; clears the flash cookie once it was shown.
pub fn render<T: Template>(pc: &PageCtx, status: StatusCode, template: &T) -> Response {
    let body = match template.render() {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "page template failed to render");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response();
        }
    };
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        CONTENT_LANGUAGE,
        HeaderValue::from_static(pc.ctx.lang.as_str()),
    );
    if pc.flash.is_some() {
        append_cookie(&mut resp, &pc.clear_flash());
    }
    resp
}

/// 303 See Other to a local path, setting the given cookies.
pub fn redirect(to: &str, set_cookies: &[String]) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(to).unwrap_or_else(|_| HeaderValue::from_static("/"));
    resp.headers_mut().insert(LOCATION, location);
    for c in set_cookies {
        append_cookie(&mut resp, c);
    }
    resp
}

fn append_cookie(resp: &mut Response, cookie: &str) {
    if let Ok(v) = HeaderValue::from_str(cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_local() {
        for ok in ["/", "/account", "/password/reset?token=abc", "/register#x"] {
            assert!(is_local_path(ok), "{ok}");
        }
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "javascript:alert(1)",
            "account",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }

    #[test]
    fn switch_link_encodes_the_way_back() {
        assert_eq!(
            lang_switch_href("en", "/password/reset?token=a&b=c"),
            "/lang?set=en&next=%2Fpassword%2Freset%3Ftoken%3Da%26b%3Dc"
        );
    }
}
