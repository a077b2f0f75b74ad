//! First registration through the pages: one URL per step, in order only, for this browser
//! only, behind the CSRF check; both certificates before the details; the receipt at the end.

use axum::http::{Method, StatusCode};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::common::*;
use crate::helpers::*;
use crate::page_client::*;
use crate::support::*;

pub async fn registration_pages_walk_the_steps_in_order_only(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut b = Browser::default();
    let g = get(&h, &mut b, "/orgs").await;
    expect(&g, StatusCode::OK, "首次註冊", "index")?;

    // CSRF: no token and no Origin, or another site's Origin even with the token.
    let g = send(
        &h,
        &mut b,
        Method::POST,
        "/orgs/register",
        Some(String::new()),
        None,
    )
    .await;
    expect(&g, StatusCode::FORBIDDEN, "表單已失效", "no token")?;
    let token = format!("_csrf={}", b.csrf());
    let g = send(
        &h,
        &mut b,
        Method::POST,
        "/orgs/register",
        Some(token),
        Some("https://evil.example"),
    )
    .await;
    ensure(
        g.status == StatusCode::FORBIDDEN,
        format!("foreign origin: {}", g.status),
    )?;

    let g = post(&h, &mut b, "/orgs/register", &[]).await;
    moved(&g, "/terms", "start")?;
    let terms = g.location.clone();
    let base = terms.trim_end_matches("/terms").to_owned();
    ensure(
        base.starts_with("/orgs/register/"),
        format!("flow URL {base}"),
    )?;
    let g = get(&h, &mut b, &terms).await;
    expect(&g, StatusCode::OK, "網頁下載時間", "terms")?;
    ensure(g.body.contains("同意條款內容"), "agree button")?;

    // Out of order: details posted at the terms step; another step's URL leads back.
    let g = post(
        &h,
        &mut b,
        &format!("{base}/details"),
        &[("name", "王小明")],
    )
    .await;
    expect(
        &g,
        StatusCode::CONFLICT,
        "請依畫面順序操作",
        "details before terms",
    )?;
    let g = get(&h, &mut b, &format!("{base}/manager-certificate")).await;
    moved(&g, &terms, "another step's URL")?;
    // The same flow under another section's URL is refused too.
    let wrong = base.replace("/orgs/register/", "/orgs/replace/");
    let g = post(&h, &mut b, &format!("{wrong}/terms"), &[("agree", "yes")]).await;
    ensure(
        g.status == StatusCode::CONFLICT,
        format!("wrong section: {}", g.status),
    )?;
    // Another browser does not see it.
    let mut other = Browser::default();
    let g = get(&h, &mut other, &terms).await;
    expect(
        &g,
        StatusCode::NOT_FOUND,
        "作業已逾時或不存在",
        "other browser",
    )?;

    let g = post(&h, &mut b, &terms, &[("agree", "yes")]).await;
    moved(&g, "/org-certificate", "agree")?;
    let org_url = format!("{base}/org-certificate");
    let g = get(&h, &mut b, &org_url).await;
    expect(
        &g,
        StatusCode::OK,
        "data-cert-sign=\"org-register\"",
        "org card page",
    )?;
    // Posted without the card's signature.
    let g = post(&h, &mut b, &org_url, &[("agency_code", NDC)]).await;
    expect(&g, StatusCode::BAD_REQUEST, "請先以憑證卡簽章", "unsigned")?;
    let g = signed(
        &h,
        &mut b,
        &org_url,
        "org-register",
        NDC_CARD,
        &[("agency_code", NDC)],
    )
    .await;
    moved(&g, "/manager-certificate", "org card")?;
    let g = get(&h, &mut b, &format!("{base}/manager-certificate")).await;
    expect(
        &g,
        StatusCode::OK,
        "2.16.886.101.20003.20065",
        "org card shown",
    )?;
    // The progress of the flow: two of five steps behind, this one marked current.
    expect(
        &g,
        StatusCode::OK,
        "已完成申辦流程的 50%（第 3／5 步）",
        "progress",
    )?;
    expect(
        &g,
        StatusCode::OK,
        r#"aria-current="step">授權管理者自然人憑證確認</li>"#,
        "current step",
    )?;
    let wang_id = national_id(WANG);
    let g = signed(
        &h,
        &mut b,
        &format!("{base}/manager-certificate"),
        "org-manager",
        WANG,
        &[("national_id", &wang_id)],
    )
    .await;
    moved(&g, "/details", "manager card")?;
    let details = format!("{base}/details");
    let g = get(&h, &mut b, &details).await;
    let m = &pki().1;
    for serial in [
        &m.entity(NDC_CARD).expect("ndc").serial,
        &m.entity(WANG).expect("wang").serial,
    ] {
        expect(
            &g,
            StatusCode::OK,
            serial,
            "both certificates on the details page",
        )?;
    }
    let mut fields = vec![
        ("name", "王小明"),
        ("email", "wang@example.gov.tw"),
        ("phone", "(02)2701-3411"),
        ("extension", "123"),
        ("password", PASSWORD),
        ("password_confirm", "Another2026pw"),
    ];
    let g = post(&h, &mut b, &details, &fields).await;
    expect(
        &g,
        StatusCode::UNPROCESSABLE_ENTITY,
        "aria-invalid",
        "password mismatch",
    )?;
    fields[5] = ("password_confirm", PASSWORD);
    let g = post(&h, &mut b, &details, &fields).await;
    expect(&g, StatusCode::OK, "首次註冊成功", "registered")?;
    expect(
        &g,
        StatusCode::OK,
        "已完成申辦流程的 100%",
        "progress at the end",
    )?;
    ensure(!g.body.contains("左方"), "no left menu to point at")?;
    ensure(
        g.body.contains("收件時間") && g.body.contains("A0001"),
        "receipt shown",
    )?;
    // Declining the terms ends a flow and says so.
    let g = post(&h, &mut b, "/orgs/register", &[]).await;
    moved(&g, "/terms", "second start")?;
    let declined = g.location.clone();
    let g = post(&h, &mut b, &declined, &[("agree", "no")]).await;
    moved(&g, "/orgs", "declined")?;
    let g = get(&h, &mut b, "/orgs").await;
    expect(&g, StatusCode::OK, "您未同意用戶約定條款", "declined flash")?;
    let g = get(&h, &mut b, &declined).await;
    ensure(
        g.status == StatusCode::NOT_FOUND,
        format!("declined flow: {}", g.status),
    )?;
    // The flow is used up.
    let g = post(&h, &mut b, &details, &fields).await;
    ensure(
        g.status == StatusCode::NOT_FOUND,
        format!("again: {}", g.status),
    )
}
