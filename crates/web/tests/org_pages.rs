//! The organization pages (issue 6) on SQLite and PostgreSQL, as a browser posts them, with
//! cards signed by the `openssl` CLI: first registration one step per URL (terms with the page
//! download time, organization card, manager card, details with both certificates, the receipt);
//! a form without the CSRF token or from another origin is refused; a step posted out of order
//! is refused and another step's URL leads back to the current one; another browser cannot see
//! the flow. Then 授權指派作業 through the pages (two signatures), handlers added, modified and
//! deleted with the seed's messages, and a handler's workspace shows only what was granted
//! while the server refuses the rest (pages and API).

mod common;
#[path = "cert/helpers.rs"]
mod helpers;
#[path = "orgs/steps.rs"]
mod steps;
#[path = "orgs/support.rs"]
mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use helpers::*;
use http_body_util::BodyExt;
use support::*;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;
use tower::ServiceExt;

tessera_store::both_backends!(
    registration_pages_walk_the_steps_in_order_only,
    assignment_pages_manage_handlers_and_the_guard_hides_the_rest,
);

struct Got {
    status: StatusCode,
    location: String,
    body: String,
}

/// A page request as the browser `b` sends it (`origin` for posts; the form body as is).
async fn send(
    h: &CertHarness,
    b: &mut Browser,
    method: Method,
    path: &str,
    body: Option<String>,
    origin: Option<&str>,
) -> Got {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    if let Some(c) = b.cookie_header() {
        req = req.header(header::COOKIE, c);
    }
    let req = req
        .body(Body::from(body.unwrap_or_default()))
        .expect("request");
    let resp = h.app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    for c in resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        if let Some((k, v)) = c.split(';').next().and_then(|f| f.split_once('=')) {
            if v.is_empty() || c.contains("Max-Age=0") {
                b.cookies.remove(k);
            } else {
                b.cookies.insert(k.to_string(), v.to_string());
            }
        }
    }
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Got {
        status,
        location,
        body: String::from_utf8_lossy(&bytes).to_string(),
    }
}

async fn get(h: &CertHarness, b: &mut Browser, path: &str) -> Got {
    send(h, b, Method::GET, path, None, None).await
}

/// A same-origin form post with the browser's CSRF token.
async fn post(h: &CertHarness, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Got {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("_csrf", &b.csrf());
    for (k, v) in fields {
        body.append_pair(k, v);
    }
    send(h, b, Method::POST, path, Some(body.finish()), Some(BASE)).await
}

/// Posts a card step: a challenge for `purpose` signed by `entity` plus `fields`.
async fn signed(
    h: &CertHarness,
    b: &mut Browser,
    path: &str,
    purpose: &str,
    entity: &str,
    fields: &[(&str, &str)],
) -> Got {
    let (id, sig) = card_answer(&h.app, b, purpose, entity).await;
    let mut all = vec![("challenge_id", id.as_str()), ("signature", sig.as_str())];
    all.extend_from_slice(fields);
    post(h, b, path, &all).await
}

fn expect(g: &Got, status: StatusCode, needle: &str, what: &str) -> R {
    ensure(
        g.status == status && g.body.contains(needle),
        format!(
            "{what}: {} (want {status} with {needle:?}) at {}\n{}",
            g.status,
            g.location,
            &g.body.chars().take(3000).collect::<String>()
        ),
    )
}

fn moved(g: &Got, to_end: &str, what: &str) -> R {
    ensure(
        g.status == StatusCode::SEE_OTHER && g.location.ends_with(to_end),
        format!("{what}: {} → {:?}\n{}", g.status, g.location, g.body),
    )
}

async fn registration_pages_walk_the_steps_in_order_only(store: Store, db: TestDatabase) -> R {
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
    ensure(
        g.body.contains("收件時間") && g.body.contains("A0001"),
        "receipt shown",
    )?;
    // The flow is used up.
    let g = post(&h, &mut b, &details, &fields).await;
    ensure(
        g.status == StatusCode::NOT_FOUND,
        format!("again: {}", g.status),
    )
}

async fn assignment_pages_manage_handlers_and_the_guard_hides_the_rest(
    store: Store,
    db: TestDatabase,
) -> R {
    let h = org_harness(store, db).await;
    let mut m = Browser::default();
    let r = steps::register(&h, &mut m, NDC, &card(NDC_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let list = format!("/orgs/{NDC}/handlers");
    // Without the two signatures the list is refused.
    let g = get(&h, &mut m, &list).await;
    expect(
        &g,
        StatusCode::UNAUTHORIZED,
        "請先以憑證登入機關作業",
        "no assignment",
    )?;

    let g = post(&h, &mut m, "/orgs/assign", &[]).await;
    moved(&g, "/org-certificate", "assign")?;
    let g = signed(
        &h,
        &mut m,
        &g.location.clone(),
        "org-assign",
        NDC_CARD,
        &[("agency_code", NDC)],
    )
    .await;
    moved(&g, "/manager-certificate", "assign org card")?;
    let wang_id = national_id(WANG);
    let g = signed(
        &h,
        &mut m,
        &g.location.clone(),
        "org-manager",
        WANG,
        &[("national_id", &wang_id)],
    )
    .await;
    moved(&g, &list, "assign manager card")?;
    let g = get(&h, &mut m, &list).await;
    expect(&g, StatusCode::OK, "請進行授權指派", "assignment opened")?;
    ensure(g.body.contains("共 0 項"), "empty list")?;

    // Add: at least one permission; then 新增成功.
    let chen = pki().1.entity(CHEN).expect("chen").clone();
    let chen_id = national_id(CHEN);
    let new = format!("{list}/new");
    let person = [
        ("cert_serial", chen.serial.as_str()),
        ("name", chen.name.as_str()),
        ("national_id", chen_id.as_str()),
    ];
    let g = post(&h, &mut m, &new, &person).await;
    expect(
        &g,
        StatusCode::UNPROCESSABLE_ENTITY,
        "field-error",
        "no permission",
    )?;
    let g = send(&h, &mut m, Method::POST, &new, Some("name=x".into()), None).await;
    ensure(
        g.status == StatusCode::FORBIDDEN,
        format!("add without token: {}", g.status),
    )?;
    let mut with = person.to_vec();
    with.extend([
        ("permissions", "premium.send"),
        ("permissions", "tessera.receipts"),
    ]);
    let g = post(&h, &mut m, &new, &with).await;
    moved(&g, &list, "add")?;
    let g = get(&h, &mut m, &list).await;
    expect(&g, StatusCode::OK, "新增成功！", "added")?;
    ensure(
        g.body.contains("顯示第 1 至 1 項結果，共 1 項") && g.body.contains(&chen.name),
        "listed",
    )?;
    let g = get(&h, &mut m, &format!("{list}?q=nobody&per_page=25")).await;
    expect(&g, StatusCode::OK, "共 0 項", "search")?;
    let g = get(&h, &mut m, &format!("{list}?per_page=7")).await;
    ensure(
        g.status == StatusCode::UNPROCESSABLE_ENTITY,
        format!("per_page 7: {}", g.status),
    )?;

    // The handler signs in with the card: one organization, straight to the workspace.
    let mut hb = Browser::default();
    let g = get(&h, &mut hb, "/orgs/handler/login").await;
    expect(
        &g,
        StatusCode::OK,
        "data-cert-sign=\"org-handler\"",
        "handler login page",
    )?;
    let g = signed(
        &h,
        &mut hb,
        "/orgs/handler/login",
        "org-handler",
        CHEN,
        &[("national_id", &chen_id)],
    )
    .await;
    moved(&g, &format!("/orgs/{NDC}/workspace"), "handler login")?;
    let ws = format!("/orgs/{NDC}/workspace");
    let g = get(&h, &mut hb, &ws).await;
    expect(&g, StatusCode::OK, "申報資料傳送", "granted shown")?;
    ensure(
        !g.body.contains("異動登錄") && !g.body.contains("給付試算"),
        "nothing else shown",
    )?;
    // What the page hides the server refuses.
    let g = get(&h, &mut hb, &list).await;
    expect(
        &g,
        StatusCode::FORBIDDEN,
        "您沒有此項功能的權限",
        "handler at the manager's list",
    )?;
    let r = hb
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/orgs/{NDC}/functions/premium.change"),
            None,
        )
        .await;
    ensure(
        r.status == StatusCode::FORBIDDEN,
        format!("function not granted: {}", r.text),
    )?;
    let g = get(&h, &mut hb, &format!("/orgs/{NDC}/receipts")).await;
    expect(&g, StatusCode::OK, "首次註冊", "receipts granted")?;

    // Modify: the grant changes at the handler's next request.
    let r = m
        .call(
            &h.app,
            Method::GET,
            &format!("/api/v1/orgs/{NDC}/handlers"),
            None,
        )
        .await;
    let id = r.body["items"][0]["id"].as_i64().unwrap_or(0).to_string();
    let edit = format!("{list}/{id}");
    let g = get(&h, &mut m, &edit).await;
    expect(&g, StatusCode::OK, &chen.serial, "modify form")?;
    let mut changed = person.to_vec();
    changed.push(("permissions", "premium.change"));
    let g = post(&h, &mut m, &edit, &changed).await;
    moved(&g, &list, "modify")?;
    let g = get(&h, &mut m, &list).await;
    expect(&g, StatusCode::OK, "修改成功！", "modified")?;
    let g = get(&h, &mut hb, &ws).await;
    ensure(
        g.body.contains("異動登錄") && !g.body.contains("申報資料傳送"),
        "new grant shown",
    )?;
    let g = get(&h, &mut hb, &format!("/orgs/{NDC}/receipts")).await;
    ensure(
        g.status == StatusCode::FORBIDDEN,
        format!("receipts revoked: {}", g.status),
    )?;

    // Delete after the confirmation.
    let g = get(&h, &mut m, &format!("{edit}/delete")).await;
    expect(&g, StatusCode::OK, "您確定刪除這筆資料?", "confirm")?;
    let g = post(&h, &mut m, &format!("{edit}/delete"), &[]).await;
    moved(&g, &list, "delete")?;
    let g = get(&h, &mut m, &list).await;
    expect(&g, StatusCode::OK, "刪除成功！", "deleted")?;
    let g = get(&h, &mut hb, &ws).await;
    ensure(
        g.status == StatusCode::FORBIDDEN,
        format!("deleted handler: {}", g.status),
    )?;

    // Leaving the assignment ends the manager's access.
    let g = post(&h, &mut m, "/orgs/assignment/end", &[]).await;
    moved(&g, "/orgs", "end")?;
    let g = get(&h, &mut m, &list).await;
    ensure(
        g.status == StatusCode::UNAUTHORIZED,
        format!("after end: {}", g.status),
    )
}
