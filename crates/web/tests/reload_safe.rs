//! Every page survives reload, back and the language switch, and dead links say so first, on
//! SQLite and PostgreSQL: a GET of every page path that only takes a form post (what a reload
//! or the language switch sends after the post answered with a page) leads to a page — a 303
//! to where the form lives, never a 405 — and does nothing the post does; a bogus or used
//! password-reset link and email-verification link show "this link is no longer valid" with the
//! way to a new one instead of a form, while a live link still shows the form, survives being
//! looked at and completes.

mod common;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use serde_json::json;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tower::ServiceExt;

tessera_store::both_backends!(
    post_only_page_paths_answer_get_with_a_page,
    reset_links_are_checked_before_the_form,
    verification_links_are_checked_before_the_button,
);

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

/// One answer, read whole.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    text: String,
}

impl Answer {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    fn has(&self, needle: &str) -> bool {
        self.text.contains(needle)
    }
}

/// A browser: a cookie jar, same-origin form posts with the CSRF token.
struct Browser {
    app: Router,
    jar: BTreeMap<String, String>,
}

impl Browser {
    fn new(app: &Router) -> Self {
        Self {
            app: app.clone(),
            jar: BTreeMap::new(),
        }
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> Answer {
        let mut req = req;
        if !self.jar.is_empty() {
            let c: Vec<String> = self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.header(header::COOKIE, c.join("; "));
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(body).expect("request"))
            .await
            .expect("response");
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            let first = s.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            if s.contains("Max-Age=0") || value.is_empty() {
                self.jar.remove(name);
            } else {
                self.jar.insert(name.to_string(), value.to_string());
            }
        }
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        Answer {
            status,
            headers,
            text: String::from_utf8_lossy(&bytes).to_string(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send(Request::builder().uri(path), Body::empty()).await
    }

    /// GETs `path` and follows redirects as a browser does; the answers in order.
    async fn walk(&mut self, path: &str) -> Vec<(String, Answer)> {
        let mut seen = Vec::new();
        let mut at = path.to_string();
        for _ in 0..6 {
            let a = self.get(&at).await;
            let next = a.status.is_redirection().then(|| a.location().to_string());
            seen.push((at.clone(), a));
            match next {
                Some(n) => at = n,
                None => break,
            }
        }
        seen
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        if !self.jar.contains_key("tessera_csrf") {
            self.get("/").await;
        }
        let csrf = self.jar.get("tessera_csrf").cloned().unwrap_or_default();
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("_csrf", &csrf);
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::ORIGIN, BASE)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(s.finish())).await
    }
}

/// A member signed in through the API, its session in a fresh browser.
async fn member(h: &Harness, username: &str) -> Result<Browser, String> {
    let email = format!("{}@example.tw", username.to_lowercase());
    register_verified(&h.app, h.dir.path(), username, &email).await;
    let r = login(&h.app, username, PASSWORD, None).await;
    let cookie = r
        .session_cookie()
        .ok_or_else(|| format!("no session: {}", r.text))?;
    let (name, value) = cookie.split_once('=').ok_or("cookie")?;
    let mut b = Browser::new(&h.app);
    b.jar.insert(name.to_string(), value.to_string());
    Ok(b)
}

/// Every page path registered only for POST, with where its GET must send the browser.
const POST_ONLY: &[(&str, &str)] = &[
    ("/logout", "/"),
    ("/account/email/resend", "/account"),
    ("/account/mobile/send", "/account"),
    ("/account/mobile/confirm", "/account"),
    ("/account/external/x1/remove", "/account/external"),
    ("/login/certificate", "/login"),
    ("/certificate/logout", "/certificate"),
    ("/account/certificate/unbind", "/account/certificate"),
    ("/orgs/register", "/orgs"),
    ("/orgs/replace", "/orgs"),
    ("/orgs/assign", "/orgs"),
    ("/orgs/assignment/end", "/orgs"),
    ("/orgs/handler/choose", "/orgs/handler"),
    ("/orgs/handler/logout", "/orgs/handler"),
    ("/admin/logout", "/admin"),
    ("/admin/reviews/case-1/approve", "/admin/reviews/case-1"),
    ("/admin/reviews/case-1/reject", "/admin/reviews/case-1"),
    ("/oidc/logout/confirm", "/"),
    ("/account/apps/withdraw", "/account/apps"),
    ("/admin/oidc/clients/remove", "/admin/oidc/clients"),
];

/// GET `path` (a reload) lands on a page: a 303 to `to` first, then redirects that end on 200,
/// never a 405 on the way.
async fn lands_on_a_page(b: &mut Browser, path: &str, to: &str) -> R {
    let walk = b.walk(path).await;
    let first = &walk[0].1;
    ensure(
        first.status == StatusCode::SEE_OTHER && first.location() == to,
        format!("GET {path}: {} to {:?}", first.status, first.location()),
    )?;
    for (at, a) in &walk {
        ensure(
            a.status != StatusCode::METHOD_NOT_ALLOWED,
            format!("GET {path}: 405 at {at}"),
        )?;
    }
    let (at, last) = walk.last().ok_or("no answer")?;
    ensure(
        last.status == StatusCode::OK,
        format!(
            "GET {path} ends at {at} with {}: {}",
            last.status, last.text
        ),
    )
}

async fn post_only_page_paths_answer_get_with_a_page(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let mut b = member(&h, "Reload01").await?;
    for (path, to) in POST_ONLY {
        lands_on_a_page(&mut b, path, to).await?;
    }
    // A GET is no post: the member is still signed in after GET /logout.
    let a = b.get("/account").await;
    ensure(
        a.status == StatusCode::OK,
        format!("still signed in: {}", a.status),
    )?;
    // Signed out too (the guarded pages send the browser to their sign-in page).
    let mut anon = Browser::new(&h.app);
    for (path, to) in POST_ONLY {
        lands_on_a_page(&mut anon, path, to).await?;
    }
    // Nothing from the path is echoed into Location unless it is a plain case id.
    let a = anon.get("/admin/reviews/a%0d%0aSet-Cookie:x/approve").await;
    ensure(
        a.status == StatusCode::SEE_OTHER && a.location() == "/admin/reviews",
        format!("odd case id: {} {:?}", a.status, a.location()),
    )?;
    // The demo page answers only in demo mode; its card form still gets no 405.
    let a = anon.get("/demo/card").await;
    ensure(
        a.status == StatusCode::SEE_OTHER && a.location() == "/demo",
        format!("GET /demo/card: {}", a.status),
    )?;

    // The tester's case: a wrong SMS code re-renders the account page at the post's URL; the
    // language switch then asks for that URL again with GET, and gets the account page.
    let a = b
        .post("/account/mobile/confirm", &[("code", "000000")])
        .await;
    ensure(
        a.status != StatusCode::METHOD_NOT_ALLOWED,
        format!("post: {}", a.status),
    )?;
    let a = b.get("/lang?set=en&next=/account/mobile/confirm").await;
    ensure(
        a.location() == "/account/mobile/confirm",
        format!("switch: {:?}", a.location()),
    )?;
    let walk = b.walk("/account/mobile/confirm").await;
    let (at, last) = walk.last().ok_or("no answer")?;
    ensure(
        at == "/account" && last.status == StatusCode::OK && last.has(r#"<html lang="en">"#),
        format!("after the switch: {at} {}", last.status),
    )?;
    // A refused card sign-in, reloaded: the sign-in page.
    let mut anon = Browser::new(&h.app);
    let a = anon.post("/login/certificate", &[]).await;
    ensure(
        a.status != StatusCode::METHOD_NOT_ALLOWED,
        format!("card post: {}", a.status),
    )?;
    let walk = anon.walk("/lang?set=en&next=/login/certificate").await;
    let (at, last) = walk.last().ok_or("no answer")?;
    ensure(
        at == "/login" && last.status == StatusCode::OK,
        format!("card reload: {at} {}", last.status),
    )
}

const DEAD_ZH: &str = "此連結無效、已使用過或已逾期";
const DEAD_EN: &str = "This link is invalid, already used or expired";

/// The dead-link page: says so, offers a new link, shows no form to fill in.
fn dead_reset_page(a: &Answer, what: &str) -> R {
    ensure(
        a.status == StatusCode::BAD_REQUEST,
        format!("{what}: {}", a.status),
    )?;
    ensure(
        a.has(DEAD_ZH) || a.has(DEAD_EN),
        format!("{what}: no message"),
    )?;
    ensure(
        a.has(r#"href="/password/forgot""#),
        format!("{what}: no way to a new link"),
    )?;
    ensure(
        !a.has(r#"name="new_password""#) && !a.has(r#"type="password""#),
        format!("{what}: a password field"),
    )?;
    ensure(
        !a.has(r#"action="/password/reset""#),
        format!("{what}: a form"),
    )
}

async fn reset_links_are_checked_before_the_form(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    register_verified(&h.app, h.dir.path(), "Reload02", "reload02@example.tw").await;
    let mut b = Browser::new(&h.app);

    // Bogus and empty links: the dead-link page, in both languages.
    for path in [
        "/password/reset?token=bogus",
        "/password/reset?token=",
        "/password/reset",
    ] {
        dead_reset_page(&b.get(path).await, path)?;
    }
    b.jar.insert("tessera_lang".into(), "en".into());
    let a = b.get("/password/reset?token=bogus").await;
    ensure(a.has(DEAD_EN), "English dead-link page")?;
    dead_reset_page(&a, "English")?;
    b.jar.remove("tessera_lang");

    let r = call(
        &h.app,
        Method::POST,
        "/api/v1/password-resets",
        Some(json!({ "username": "Reload02", "channel": "email", "email": "reload02@example.tw" })),
        None,
    )
    .await;
    ensure(r.status.is_success(), format!("reset request: {}", r.text))?;
    let link = link_in_mail(h.dir.path(), &format!("{BASE}/password/reset?token=")).await;
    let path = link.strip_prefix(BASE).unwrap_or(&link).to_string();

    // A live link shows the form; looking at it (a reload, the language switch, a mail
    // scanner) does not use it up.
    for _ in 0..3 {
        let a = b.get(&path).await;
        ensure(
            a.status == StatusCode::OK,
            format!("live link: {}", a.status),
        )?;
        ensure(
            a.has(r#"name="new_password""#) && a.has(r#"action="/password/reset""#),
            "live link: the form",
        )?;
        let csrf = b.jar.get("tessera_csrf").cloned().unwrap_or_default();
        ensure(
            a.has(&format!(r#"name="_csrf" value="{csrf}""#)),
            "live link: the form carries _csrf",
        )?;
        ensure(!a.has(DEAD_ZH), "live link: no dead-link message")?;
    }
    let walk = b
        .walk(&format!("/lang?set=en&next={}", urlencode(&path)))
        .await;
    let (_, last) = walk.last().ok_or("no answer")?;
    ensure(
        last.status == StatusCode::OK && last.has(r#"name="new_password""#),
        format!("live link after the switch: {}", last.status),
    )?;

    // …and the reset works end to end.
    let token = path.trim_start_matches("/password/reset?token=");
    let new_password = "Reload2026new";
    let a = b
        .post(
            "/password/reset",
            &[
                ("token", token),
                ("new_password", new_password),
                ("new_password_confirm", new_password),
            ],
        )
        .await;
    ensure(
        a.status == StatusCode::SEE_OTHER && a.location() == "/login",
        format!("reset: {} {}", a.status, a.text),
    )?;
    let r = login(&h.app, "Reload02", new_password, None).await;
    ensure(
        r.session_cookie().is_some(),
        format!("sign-in with the new password: {}", r.text),
    )?;

    // Used: the link now says so before anything is typed.
    dead_reset_page(&b.get(&path).await, "used link")
}

/// Percent-encodes a local path for `next=`.
fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn verification_links_are_checked_before_the_button(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = register(&h.app, "Reload03", "reload03@example.tw").await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let link = new_verification_link(h.dir.path(), "reload03@example.tw", &[]).await;
    let path = link.strip_prefix(BASE).unwrap_or(&link).to_string();
    let mut b = Browser::new(&h.app);

    let dead = |a: &Answer, what: &str| -> R {
        ensure(
            a.status == StatusCode::BAD_REQUEST,
            format!("{what}: {}", a.status),
        )?;
        ensure(a.has(DEAD_ZH), format!("{what}: no message"))?;
        ensure(
            !a.has(r#"action="/verify-email""#),
            format!("{what}: a confirm button"),
        )
    };
    for p in ["/verify-email?token=bogus", "/verify-email"] {
        dead(&b.get(p).await, p)?;
    }
    // A live link offers the button, however often it is looked at.
    for _ in 0..2 {
        let a = b.get(&path).await;
        ensure(a.status == StatusCode::OK, format!("live: {}", a.status))?;
        ensure(a.has(r#"action="/verify-email""#), "live: the button")?;
    }
    let token = path.trim_start_matches("/verify-email?token=");
    let a = b.post("/verify-email", &[("token", token)]).await;
    ensure(
        a.status == StatusCode::SEE_OTHER,
        format!("confirm: {} {}", a.status, a.text),
    )?;
    // Used: the link says so at once.
    dead(&b.get(&path).await, "used link")
}
