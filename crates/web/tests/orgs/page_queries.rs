//! 查詢作業 through the pages: the authorized list for the manager only (not for anyone
//! without an identity for the organization), 查詢自然人憑證序號 with the citizen card (the typed
//! ID must match it), 查詢機關憑證OID with the organization card and whether it matches the
//! registry.

use axum::http::StatusCode;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::page_client::*;
use crate::steps;
use crate::support::*;

pub async fn queries_through_pages(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut m = steps::with_manager(&h).await?;
    let r = steps::add_handler(&h, &mut m, NDC, CHEN, &["premium.send"]).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let authorized = format!("/orgs/{NDC}/authorized");
    let g = get(&h, &mut m, &authorized).await;
    expect(&g, StatusCode::OK, "申報資料傳送", "authorized list")?;
    ensure(g.body.contains("陳美麗"), "handler listed")?;
    let mut anyone = Browser::default();
    let g = get(&h, &mut anyone, &authorized).await;
    ensure(
        g.status == StatusCode::UNAUTHORIZED,
        format!("anonymous: {}", g.status),
    )?;

    let citizen = "/orgs/lookup/citizen-certificate";
    let g = get(&h, &mut anyone, citizen).await;
    expect(
        &g,
        StatusCode::OK,
        "data-cert-sign=\"cert-lookup\"",
        "citizen lookup page",
    )?;
    let chen_id = national_id(CHEN);
    let g = signed(
        &h,
        &mut anyone,
        citizen,
        "cert-lookup",
        CHEN,
        &[("national_id", &chen_id)],
    )
    .await;
    let serial = pki().1.entity(CHEN).expect("chen").serial.to_lowercase();
    ensure(
        g.status == StatusCode::OK
            && g.body
                .to_lowercase()
                .contains(serial.trim_start_matches('0')),
        format!("serial shown: {}", g.status),
    )?;
    let li_id = national_id(LI);
    let g = signed(
        &h,
        &mut anyone,
        citizen,
        "cert-lookup",
        CHEN,
        &[("national_id", &li_id)],
    )
    .await;
    ensure(
        g.status == StatusCode::FORBIDDEN && !g.body.contains("found-serial"),
        "another ID",
    )?;

    let org = "/orgs/lookup/organization-certificate";
    let g = signed(
        &h,
        &mut anyone,
        org,
        "org-lookup",
        NDC_CARD,
        &[("agency_code", NDC)],
    )
    .await;
    expect(&g, StatusCode::OK, "2.16.886.101.20003.20065", "org lookup")?;
    ensure(
        g.body.contains("相符") && !g.body.contains("不相符"),
        "matches",
    )?;
    let g = signed(
        &h,
        &mut anyone,
        org,
        "org-lookup",
        SCHOOL_CARD,
        &[("agency_code", SCHOOL)],
    )
    .await;
    expect(
        &g,
        StatusCode::OK,
        "不相符",
        "school card against the registry",
    )
}
