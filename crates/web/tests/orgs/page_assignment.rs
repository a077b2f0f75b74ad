//! 授權指派作業 through the pages: two signatures open it; handlers added, modified and deleted
//! with the seed's messages; the handler's workspace shows only the grant while the guard
//! refuses the rest (pages and API); leaving ends the manager's access.

use axum::http::{Method, StatusCode};
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::page_client::*;
use crate::support::*;

use crate::steps;

pub async fn assignment_pages_manage_handlers_and_the_guard_hides_the_rest(
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
