//! The operators' pages (zh-TW, and English by the language cookie): the organization registry (search, detail, edit validated like the
//! CSV import) and the OIDC client page, now behind the staff `operator` role — a reviewer is
//! refused on every page and post (negative tests), a member session opens nothing, posts need
//! the CSRF token and a same-site origin.

use axum::http::StatusCode;
use tessera_store::Store;
use tessera_store::testing::TestDatabase;

use crate::helpers::*;
use crate::steps::register;
use crate::support::{ACME, NDC, NDC_CARD, card, org_harness, staff};
use crate::web::{get, post, post_as};

tessera_store::both_backends!(operators_edit_the_registry_and_clients_on_pages);

async fn name_of(h: &CertHarness, code: &str) -> Result<String, String> {
    Ok(h.state
        .store
        .organization(code)
        .await
        .map_err(|e| e.to_string())?
        .map(|o| o.name)
        .unwrap_or_default())
}

async fn operators_edit_the_registry_and_clients_on_pages(store: Store, db: TestDatabase) -> R {
    let h = org_harness(store, db).await;
    let mut reviewer = staff(&h, "rev01", &["reviewer"]).await;
    let mut op = staff(&h, "op001", &["operator"]).await;
    let org = format!("/admin/orgs/{NDC}");
    let edit = |name: &'static str, biz: &'static str| {
        vec![
            ("name", name),
            ("organization_oid", "2.16.886.101.20003.20065"),
            ("business_id", biz),
            ("institution_code", ""),
            ("kind", "agency"),
        ]
    };

    // A reviewer is refused on every operator page and post; nothing changes.
    for path in ["/admin/orgs", org.as_str(), "/admin/oidc/clients"] {
        let p = get(&h, &mut reviewer, path).await;
        ensure(
            p.status == StatusCode::FORBIDDEN && p.has("您的後臺角色無權執行此操作"),
            format!("reviewer on {path}: {}", p.status),
        )?;
    }
    let p = post(&h, &mut reviewer, &org, &edit("被改的名稱", "")).await;
    ensure(p.status == StatusCode::FORBIDDEN, "reviewer editing")?;
    let p = post(
        &h,
        &mut reviewer,
        "/admin/oidc/clients",
        &[("name", "x"), ("redirect_uris", "https://rp.example.tw/cb")],
    )
    .await;
    ensure(
        p.status == StatusCode::FORBIDDEN,
        "reviewer adding a client",
    )?;
    ensure(name_of(&h, NDC).await? == "國家發展委員會", "unchanged")?;
    // The same refusal in English, and the sign-in page too.
    reviewer.cookies.insert("tessera_lang".into(), "en".into());
    let p = get(&h, &mut reviewer, "/admin/orgs").await;
    ensure(
        p.status == StatusCode::FORBIDDEN
            && p.has("Your back-office role does not allow this.")
            && p.has("lang=\"en\""),
        p.html.clone(),
    )?;
    let p = get(&h, &mut reviewer, "/admin/login").await;
    ensure(
        p.has("Staff sign-in") && p.has("Back office"),
        p.html.clone(),
    )?;
    // Without a staff session: to the staff sign-in page.
    let mut anonymous = Browser::default();
    for path in ["/admin/orgs", "/admin/oidc/clients", "/admin"] {
        let p = get(&h, &mut anonymous, path).await;
        ensure(
            p.status == StatusCode::SEE_OTHER && p.location.starts_with("/admin/login?next="),
            format!("anonymous on {path}: {} {}", p.status, p.location),
        )?;
    }

    // Search, detail.
    let p = get(&h, &mut op, "/admin/orgs?q=%E7%A7%91%E6%8A%80").await;
    ensure(
        p.status == StatusCode::OK && p.has(ACME) && !p.has(&format!("/admin/orgs/{NDC}\"")),
        p.html.clone(),
    )?;
    let p = get(&h, &mut op, &org).await;
    ensure(
        p.status == StatusCode::OK && p.has("國家發展委員會") && p.has("修改機關資料"),
        p.html.clone(),
    )?;
    ensure(
        !p.has("/admin/reviews\""),
        "an operator's menu has no review link",
    )?;
    // A registered organization shows its manager, live certificates and receipt records.
    let r = register(&h, &mut Browser::default(), NDC, &card(NDC_CARD), WANG).await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let p = get(&h, &mut op, &org).await;
    ensure(
        p.has("授權管理者")
            && p.has("王小明")
            && p.has("使用中")
            && p.has("首次註冊")
            && p.has("秒</time>"),
        p.html.clone(),
    )?;
    // A bad edit is refused field by field and nothing is written.
    let p = post(&h, &mut op, &org, &edit("", "12345678")).await;
    ensure(
        p.status == StatusCode::UNPROCESSABLE_ENTITY
            && p.has("請輸入機關名稱")
            && p.has("aria-invalid=\"true\""),
        format!("bad edit: {}", p.status),
    )?;
    ensure(
        name_of(&h, NDC).await? == "國家發展委員會",
        "bad edit wrote nothing",
    )?;
    // Posting without the CSRF token, or from another site, is refused.
    let p = post_as(
        &h,
        &mut op,
        &org,
        &edit("國家發展委員會（新）", ""),
        None,
        None,
    )
    .await;
    ensure(
        p.status == StatusCode::FORBIDDEN,
        "edit without the CSRF token",
    )?;
    let csrf = op.csrf();
    let p = post_as(
        &h,
        &mut op,
        &org,
        &edit("國家發展委員會（新）", ""),
        Some(&csrf),
        Some("https://evil.example"),
    )
    .await;
    ensure(p.status == StatusCode::FORBIDDEN, "cross-site edit")?;
    ensure(
        name_of(&h, NDC).await? == "國家發展委員會",
        "refused posts wrote nothing",
    )?;
    // A good edit is saved and shown.
    let p = post(&h, &mut op, &org, &edit("國家發展委員會（新）", "")).await;
    ensure(
        p.status == StatusCode::SEE_OTHER && p.location == org,
        format!("edit: {} {}", p.status, p.location),
    )?;
    let p = get(&h, &mut op, &org).await;
    ensure(
        p.has("機關資料已儲存") && p.has("國家發展委員會（新）"),
        p.html.clone(),
    )?;
    ensure(name_of(&h, NDC).await? == "國家發展委員會（新）", "saved")?;
    // Unknown codes are 404, on the page and on a post (which creates nothing).
    let p = get(&h, &mut op, "/admin/orgs/Z9999").await;
    ensure(p.status == StatusCode::NOT_FOUND, "unknown code")?;
    let p = post(&h, &mut op, "/admin/orgs/Z9999", &edit("新機關", "")).await;
    ensure(p.status == StatusCode::NOT_FOUND, "post to an unknown code")?;
    ensure(name_of(&h, "Z9999").await?.is_empty(), "nothing created")?;

    // The OIDC client page: an operator registers a client; the secret is shown once.
    let p = get(&h, &mut op, "/admin/oidc/clients").await;
    ensure(
        p.status == StatusCode::OK && p.has("新增服務"),
        p.html.clone(),
    )?;
    let p = post(
        &h,
        &mut op,
        "/admin/oidc/clients",
        &[
            ("name", "後臺新增"),
            ("redirect_uris", "https://rp.example.tw/cb"),
        ],
    )
    .await;
    ensure(
        p.status == StatusCode::OK && p.has("client_secret"),
        format!("client added: {}", p.status),
    )?;
    let clients = h
        .state
        .store
        .oidc_clients()
        .await
        .map_err(|e| e.to_string())?;
    ensure(clients.len() == 1, "registered")?;
    let id = clients[0].id.clone();
    let p = post_as(
        &h,
        &mut op,
        "/admin/oidc/clients/remove",
        &[("client_id", &id)],
        None,
        Some("https://evil.example"),
    )
    .await;
    ensure(p.status == StatusCode::FORBIDDEN, "cross-site removal")?;
    let p = post(
        &h,
        &mut reviewer,
        "/admin/oidc/clients/remove",
        &[("client_id", &id)],
    )
    .await;
    ensure(p.status == StatusCode::FORBIDDEN, "reviewer removal")?;
    let p = post(
        &h,
        &mut op,
        "/admin/oidc/clients/remove",
        &[("client_id", &id)],
    )
    .await;
    ensure(p.status == StatusCode::SEE_OTHER, "operator removal")?;
    let left = h
        .state
        .store
        .oidc_clients()
        .await
        .map_err(|e| e.to_string())?;
    ensure(left.is_empty(), "removed")
}
