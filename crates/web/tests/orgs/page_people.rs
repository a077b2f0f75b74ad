//! Handlers and managers through the pages: a handler assigned by two organizations picks one
//! (and may switch; nothing before choosing, nothing of the other one, nothing of an
//! organization that did not assign them); then 更換授權管理者自然人憑證 through the step pages
//! makes another citizen the manager: the old manager's card no longer opens the assignment,
//! the new one does, and the receipt records list the replacement; then both certificates are
//! replaced (a renewed organization card and another manager).

use axum::http::StatusCode;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::page_client::*;
use crate::steps;
use crate::support::*;

async fn two_organizations_assign_chen(h: &CertHarness) -> R {
    for (code, org, manager, grant) in [
        (NDC, NDC_CARD, WANG, "premium.send"),
        (ACME, ACME_CARD, LI, "general_query"),
    ] {
        let mut m = Browser::default();
        let r = steps::register(h, &mut m, code, &card(org), manager).await;
        ensure(r.status == StatusCode::CREATED, r.text.clone())?;
        let r = steps::assign(
            h,
            &mut m,
            code,
            &card(org),
            &card(manager),
            &national_id(manager),
        )
        .await;
        ensure(r.status == StatusCode::OK, r.text.clone())?;
        let r = steps::add_handler(h, &mut m, code, CHEN, &[grant]).await;
        ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    }
    Ok(())
}

pub async fn handlers_choose_and_managers_are_replaced_through_pages(
    store: Store,
    db: TestDatabase,
) -> R {
    let h = org_harness(store, db).await;
    two_organizations_assign_chen(&h).await?;
    let mut hb = Browser::default();
    get(&h, &mut hb, "/orgs/handler/login").await;
    let chen_id = national_id(CHEN);
    let g = signed(
        &h,
        &mut hb,
        "/orgs/handler/login",
        "org-handler",
        CHEN,
        &[("national_id", &chen_id)],
    )
    .await;
    moved(&g, "/orgs/handler", "two organizations: the choice")?;
    let g = get(&h, &mut hb, "/orgs/handler").await;
    expect(&g, StatusCode::OK, "範例科技股份有限公司", "choice page")?;
    ensure(g.body.contains("國家發展委員會"), "both listed")?;
    let acme_ws = format!("/orgs/{ACME}/workspace");
    let ndc_ws = format!("/orgs/{NDC}/workspace");
    let g = get(&h, &mut hb, &acme_ws).await;
    expect(
        &g,
        StatusCode::CONFLICT,
        "請先選擇要代理的機關",
        "before choosing",
    )?;
    let g = post(
        &h,
        &mut hb,
        "/orgs/handler/choose",
        &[("agency_code", ACME)],
    )
    .await;
    moved(&g, &acme_ws, "chose ACME")?;
    let g = get(&h, &mut hb, &acme_ws).await;
    expect(&g, StatusCode::OK, "一般查詢作業", "ACME's grant")?;
    ensure(!g.body.contains("申報資料傳送"), "not NDC's grant")?;
    let g = get(&h, &mut hb, &ndc_ws).await;
    ensure(
        g.status == StatusCode::FORBIDDEN,
        format!("NDC while acting for ACME: {}", g.status),
    )?;
    let g = post(&h, &mut hb, "/orgs/handler/choose", &[("agency_code", NDC)]).await;
    moved(&g, &ndc_ws, "switched")?;
    let g = get(&h, &mut hb, &ndc_ws).await;
    expect(&g, StatusCode::OK, "申報資料傳送", "NDC's grant")?;
    let g = post(
        &h,
        &mut hb,
        "/orgs/handler/choose",
        &[("agency_code", SCHOOL)],
    )
    .await;
    expect(
        &g,
        StatusCode::FORBIDDEN,
        "您沒有此項功能的權限",
        "not assigned there",
    )?;
    let g = post(&h, &mut hb, "/orgs/handler/logout", &[]).await;
    moved(&g, "/orgs", "sign out")?;
    let g = get(&h, &mut hb, "/orgs/handler").await;
    moved(&g, "/orgs/handler/login", "signed out")?;

    // 更換授權管理者自然人憑證: 陳美麗 becomes NDC's manager.
    let mut b = Browser::default();
    get(&h, &mut b, "/orgs").await;
    let g = post(
        &h,
        &mut b,
        "/orgs/replace",
        &[("kind", "replace_everything")],
    )
    .await;
    ensure(
        g.status == StatusCode::BAD_REQUEST,
        format!("unknown kind: {}", g.status),
    )?;
    let g = post(&h, &mut b, "/orgs/replace", &[("kind", "replace_manager")]).await;
    moved(&g, "/terms", "start")?;
    ensure(g.location.starts_with("/orgs/replace/"), g.location.clone())?;
    let g = post(&h, &mut b, &g.location.clone(), &[("agree", "yes")]).await;
    moved(&g, "/org-certificate", "terms")?;
    let g = signed(
        &h,
        &mut b,
        &g.location.clone(),
        "org-replace",
        NDC_CARD,
        &[("agency_code", NDC)],
    )
    .await;
    moved(&g, "/manager-certificate", "current organization card")?;
    let g = signed(
        &h,
        &mut b,
        &g.location.clone(),
        "org-manager",
        CHEN,
        &[("national_id", &chen_id)],
    )
    .await;
    moved(&g, "/details", "the new manager's card")?;
    let details = g.location.clone();
    let g = get(&h, &mut b, &details).await;
    ensure(
        g.status == StatusCode::OK && !g.body.contains("f-password"),
        "no password on a replacement",
    )?;
    let fields = [
        ("name", "陳美麗"),
        ("email", "chen@example.gov.tw"),
        ("phone", "(02)2701-3411"),
    ];
    let g = post(&h, &mut b, &details, &fields).await;
    expect(
        &g,
        StatusCode::OK,
        "完成更換授權管理者自然人憑證",
        "replaced",
    )?;
    let r = steps::assign(
        &h,
        &mut b,
        NDC,
        &card(NDC_CARD),
        &card(WANG),
        &national_id(WANG),
    )
    .await;
    refused(&r, StatusCode::FORBIDDEN, "org_manager_mismatch")?;
    let r = steps::assign(&h, &mut b, NDC, &card(NDC_CARD), &card(CHEN), &chen_id).await;
    ensure(r.status == StatusCode::OK, r.text.clone())?;
    let g = get(&h, &mut b, &format!("/orgs/{NDC}/receipts")).await;
    expect(&g, StatusCode::OK, "更換授權管理者自然人憑證", "receipts")?;
    ensure(
        g.body.contains("首次註冊") && g.body.contains("年"),
        "both receipts, ROC time",
    )?;

    // 更換機關憑證與授權管理者自然人憑證: a renewed organization card and 李大同 as manager.
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let new_org = renewed(NDC_CARD, "gca-test", "0c0ffe03", work.path());
    let g = post(&h, &mut b, "/orgs/replace", &[("kind", "replace_both")]).await;
    moved(&g, "/terms", "start both")?;
    let g = post(&h, &mut b, &g.location.clone(), &[("agree", "yes")]).await;
    let g = signed_by(
        &h,
        &mut b,
        &g.location.clone(),
        "org-replace",
        &new_org,
        &[("agency_code", NDC)],
    )
    .await;
    moved(&g, "/manager-certificate", "renewed organization card")?;
    let li_id = national_id(LI);
    let g = signed(
        &h,
        &mut b,
        &g.location.clone(),
        "org-manager",
        LI,
        &[("national_id", &li_id)],
    )
    .await;
    moved(&g, "/details", "new manager")?;
    let g = post(
        &h,
        &mut b,
        &g.location.clone(),
        &[
            ("name", "李大同"),
            ("email", "li@example.gov.tw"),
            ("phone", "(02)2701-3411"),
        ],
    )
    .await;
    expect(
        &g,
        StatusCode::OK,
        "貴機關已完成機關憑證及授權管理者自然人憑證更換",
        "both replaced",
    )?;
    let r = steps::assign(&h, &mut b, NDC, &card(NDC_CARD), &card(LI), &li_id).await;
    refused(&r, StatusCode::FORBIDDEN, "org_cert_not_current")?;
    let r = steps::assign(&h, &mut b, NDC, &new_org, &card(LI), &li_id).await;
    ensure(r.status == StatusCode::OK, r.text.clone())
}
