//! The back-office pages (/admin) on SQLite and PostgreSQL, through the whole app as a browser
//! uses it: staff sign in on /admin/login (members cannot), the review queue lists a case filed
//! by the organization API with a mismatching card, a reviewer rejects without a reason
//! (refused) and approves (the applicant is emailed), and a case is decided once. Roles are
//! enforced both ways on pages and posts (negative tests), every post needs the CSRF token, and
//! the operator pages (registry, OIDC clients) are in `backoffice/registry.rs`.

mod common;
#[path = "cert/helpers.rs"]
mod helpers;
#[path = "backoffice/registry.rs"]
mod registry;
#[path = "orgs/steps.rs"]
mod steps;
#[path = "orgs/support.rs"]
mod support;
#[path = "backoffice/web.rs"]
mod web;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, mail_with};
use helpers::*;
use serde_json::json;
use steps::{agree, org_step, start};
use support::{SCHOOL, SCHOOL_CARD, card, org_harness, staff};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use web::{get, post, post_as};

tessera_store::both_backends!(reviewers_decide_cases_on_pages);

/// Files a review case with the school's mismatching card through the JSON API; its id.
pub async fn file_case(h: &CertHarness) -> Result<String, String> {
    let mut b = Browser::default();
    let flow = start(h, &mut b, "register").await;
    agree(h, &mut b, &flow).await;
    let r = org_step(h, &mut b, &flow, SCHOOL, "org-register", &card(SCHOOL_CARD)).await;
    ensure(r.body["step"] == json!("contact"), r.text.clone())?;
    let contact =
        json!({ "name": "林申請", "phone": "(02)2192-7111", "email": "applicant@example.tw" });
    let r = b
        .call(
            &h.app,
            Method::POST,
            &format!("/api/v1/org-flows/{flow}/contact"),
            Some(contact),
        )
        .await;
    ensure(r.status == StatusCode::ACCEPTED, r.text.clone())?;
    let cases = h
        .state
        .store
        .review_cases(Some("pending"), 0, 10)
        .await
        .map_err(|e| e.to_string())?
        .0;
    cases.first().map(|c| c.id.clone()).ok_or("no case".into())
}

async fn reviewers_decide_cases_on_pages(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let case = file_case(&h).await?;
    let _ = staff(&h, "rev01", &["reviewer"]).await;
    let mut operator = staff(&h, "op001", &["operator"]).await;

    // Without a staff session the queue sends the browser to the staff sign-in page.
    let mut b = Browser::default();
    let p = get(&h, &mut b, "/admin/reviews").await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == "/admin/login?next=%2Fadmin%2Freviews",
        format!("anonymous: {} {}", p.status, p.location),
    )?;
    let p = get(&h, &mut b, &p.location).await;
    ensure(
        p.status == StatusCode::OK && p.has("後臺登入"),
        p.html.clone(),
    )?;
    // A member cannot sign in here, and a wrong password is refused with the CAPTCHA shown.
    let mut member = Browser::default();
    common::register(&h.app, "member01", "member01@example.tw").await;
    get(&h, &mut member, "/admin/login").await;
    let p = post(
        &h,
        &mut member,
        "/admin/login",
        &[("username", "member01"), ("password", PASSWORD)],
    )
    .await;
    ensure(
        p.status == StatusCode::UNAUTHORIZED && p.has("altcha-widget"),
        format!("member on the staff sign-in: {}", p.status),
    )?;
    let p = post(
        &h,
        &mut b,
        "/admin/login",
        &[("username", "rev01"), ("password", "wrong-password-1")],
    )
    .await;
    ensure(p.status == StatusCode::UNAUTHORIZED, "wrong password")?;
    // A sign-in form posted from another site is refused before the password is checked.
    let p = post_as(
        &h,
        &mut b,
        "/admin/login",
        &[
            ("username", "rev01"),
            ("password", PASSWORD),
            ("next", "/admin/reviews"),
        ],
        None,
        Some("https://evil.example"),
    )
    .await;
    ensure(p.status == StatusCode::FORBIDDEN, "cross-site sign-in")?;
    let p = post(
        &h,
        &mut b,
        "/admin/login",
        &[
            ("username", "rev01"),
            ("password", PASSWORD),
            ("next", "/admin/reviews"),
        ],
    )
    .await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == "/admin/reviews",
        format!("sign-in: {} {}", p.status, p.location),
    )?;
    ensure(
        b.cookies.contains_key("tessera_staff_session"),
        "staff cookie set",
    )?;
    // An off-site `next` is ignored.
    let p = post(
        &h,
        &mut Browser::default(),
        "/admin/login",
        &[
            ("username", "rev01"),
            ("password", PASSWORD),
            ("next", "//evil.example/"),
        ],
    )
    .await;
    ensure(
        p.location == "/admin",
        format!("off-site next: {}", p.location),
    )?;

    // The queue and the case, beside the registry entry.
    let p = get(&h, &mut b, "/admin/reviews").await;
    ensure(
        p.status == StatusCode::OK && p.has("已登入後臺") && p.has(SCHOOL) && p.has("林申請"),
        p.html.clone(),
    )?;
    ensure(
        !p.has("/admin/orgs\""),
        "a reviewer's menu has no registry link",
    )?;
    let path = format!("/admin/reviews/{case}");
    let p = get(&h, &mut b, &path).await;
    ensure(
        p.has("2.16.886.101.90028.20002")
            && p.has("2.16.886.101.99999.1")
            && p.has("核准")
            && p.has("秒</time>"),
        p.html.clone(),
    )?;

    // An operator can neither see nor decide cases.
    let p = get(&h, &mut operator, "/admin/reviews").await;
    ensure(
        p.status == StatusCode::FORBIDDEN && p.has("您的後臺角色無權執行此操作"),
        format!("operator on the queue: {}", p.status),
    )?;
    let p = post(&h, &mut operator, &format!("{path}/approve"), &[]).await;
    ensure(p.status == StatusCode::FORBIDDEN, "operator approving")?;
    // Every decision needs the CSRF token.
    let p = post_as(&h, &mut b, &format!("{path}/approve"), &[], None, None).await;
    ensure(
        p.status == StatusCode::FORBIDDEN,
        "approve without the CSRF token",
    )?;
    let still = h
        .state
        .store
        .review_case(&case)
        .await
        .map_err(|e| e.to_string())?;
    ensure(
        still.is_some_and(|c| c.status == "pending"),
        "refused attempts decided nothing",
    )?;

    // Rejecting needs a reason.
    let p = post(&h, &mut b, &format!("{path}/reject"), &[("reason", "  ")]).await;
    ensure(
        p.status == StatusCode::UNPROCESSABLE_ENTITY && p.has("請輸入審核不通過的原因"),
        format!("reject without a reason: {}", p.status),
    )?;
    // Approve: back to the case with the message; the applicant is emailed.
    let p = post(&h, &mut b, &format!("{path}/approve"), &[]).await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == path,
        format!("approve: {} {}", p.status, p.location),
    )?;
    let p = get(&h, &mut b, &path).await;
    ensure(
        p.has("已核准此案件") && p.has("rev01") && !p.has("/reject\""),
        p.html.clone(),
    )?;
    let mail = mail_with(h.dir.path(), &["林申請", "審核通過", SCHOOL]).await;
    ensure(mail.is_some(), "the applicant is emailed")?;
    // A case is decided once.
    let p = post(
        &h,
        &mut b,
        &format!("{path}/reject"),
        &[("reason", "再次審核")],
    )
    .await;
    ensure(
        p.status == StatusCode::CONFLICT && p.has("此案件已審核完畢"),
        format!("second decision: {}", p.status),
    )?;
    let p = get(&h, &mut b, "/admin/reviews?status=approved").await;
    ensure(p.has(SCHOOL), "listed under approved")?;

    // Signing out ends the staff session.
    let p = post(&h, &mut b, "/admin/logout", &[]).await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == "/admin/login",
        "sign-out",
    )?;
    let p = get(&h, &mut b, "/admin").await;
    ensure(p.status == StatusCode::SEE_OTHER, "signed out")?;
    // A post without a staff session decides nothing and leads to the sign-in page.
    let p = post(&h, &mut b, &format!("{path}/reject"), &[("reason", "x")]).await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == "/admin/login?next=%2Fadmin",
        format!("signed-out post: {} {}", p.status, p.location),
    )
}
