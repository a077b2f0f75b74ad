//! Organization storage on both backends, people: review cases decided once, handlers scoped
//! to their organization with paging and search, organization and staff sessions with
//! timeouts, account kinds.

mod common;
mod orgs_common;

use common::{NOW, TestResult, new_account};
use orgs_common::*;
use tessera_store::orgs::*;
use tessera_store::testing::TestDatabase;
use tessera_store::{Store, kind};

tessera_store::both_backends!(
    review_cases_are_decided_once,
    handlers_are_scoped_paged_and_searchable,
    sessions_time_out_and_staff_have_roles,
);

async fn review_cases_are_decided_once(store: Store, _db: TestDatabase) -> TestResult {
    store
        .import_organizations(&[record("A0001", "國發會", None)], NOW)
        .await?;
    let new = NewReviewCase {
        agency_code: "A0001".into(),
        card_kind: "xca_organization".into(),
        issuer: "i".into(),
        serial: "s1".into(),
        subject: "CN=x".into(),
        card_name: "x".into(),
        card_oid: Some("2.1".into()),
        card_business_id: None,
        card_institution_code: None,
        applicant_name: "王".into(),
        applicant_phone: "0227013411".into(),
        applicant_email: "a@example.tw".into(),
        lang: "zh-TW".into(),
        created_at: NOW,
    };
    let c = store.create_review_case(&new).await?;
    assert_eq!(c.status, status::PENDING);
    let (pending, total) = store.review_cases(Some(status::PENDING), 0, 10).await?;
    assert_eq!((pending.len(), total), (1, 1));
    let decided = store
        .decide_review(
            &c.id,
            status::APPROVED,
            None,
            "rev01",
            NOW + 5,
            Some(NOW + 100),
        )
        .await?;
    assert_eq!(decided.ok_or("decided")?.effective_at, Some(NOW + 100));
    assert!(
        store
            .decide_review(&c.id, status::REJECTED, Some("x"), "rev02", NOW + 6, None)
            .await?
            .is_none()
    );
    let latest = store
        .latest_review_for_card("A0001", "i", "s1")
        .await?
        .ok_or("latest")?;
    assert_eq!(
        (latest.status.as_str(), latest.decided_by.as_deref()),
        ("approved", Some("rev01"))
    );
    assert!(
        store
            .latest_review_for_card("A0001", "i", "s2")
            .await?
            .is_none()
    );
    assert_eq!(store.review_cases(Some(status::PENDING), 0, 10).await?.1, 0);
    Ok(())
}

async fn handlers_are_scoped_paged_and_searchable(store: Store, _db: TestDatabase) -> TestResult {
    store
        .import_organizations(
            &[
                record("A0001", "國發會", None),
                record("B0002", "他校", None),
            ],
            NOW,
        )
        .await?;
    let h = |i: usize| HandlerInput {
        national_id: format!("A1{i:08}"),
        name: if i.is_multiple_of(2) {
            format!("王{i}")
        } else {
            format!("林{i}")
        },
        cert_serial: format!("{i:x}"),
        permissions: vec!["premium.send".into()],
    };
    assert_eq!(
        store.add_handler("A0001", &h(1), NOW).await?,
        HandlerWrite::NotFound,
        "unregistered"
    );
    flow(&store, "f1", "details").await?;
    store
        .register_organization(&registration("f1", "o1"))
        .await?;
    for i in 0..23 {
        assert!(matches!(
            store.add_handler("A0001", &h(i), NOW).await?,
            HandlerWrite::Written(_)
        ));
    }
    assert_eq!(
        store.add_handler("A0001", &h(3), NOW).await?,
        HandlerWrite::Duplicate
    );
    let page = store.handlers_page("A0001", None, 20, 10).await?;
    assert_eq!((page.items.len(), page.total), (3, 23));
    assert_eq!(page.items[0].name, "王20");
    let page = store.handlers_page("A0001", Some("林"), 0, 10).await?;
    assert_eq!((page.items.len(), page.total), (10, 11));
    let page = store
        .handlers_page("A0001", Some("a100000012"), 0, 10)
        .await?;
    assert_eq!((page.total, page.items[0].name.as_str()), (1, "王12"));
    let first = store
        .handlers_page("A0001", None, 0, 1)
        .await?
        .items
        .remove(0);
    // Another organization's code never reaches this handler.
    assert!(store.handler("B0002", first.id).await?.is_none());
    assert_eq!(
        store.update_handler("B0002", first.id, &h(50), NOW).await?,
        HandlerWrite::NotFound
    );
    assert!(store.delete_handler("B0002", first.id).await?.is_none());
    assert_eq!(
        store.update_handler("A0001", first.id, &h(5), NOW).await?,
        HandlerWrite::Duplicate
    );
    let HandlerWrite::Written(updated) = store
        .update_handler("A0001", first.id, &h(99), NOW + 1)
        .await?
    else {
        return Err("update".into());
    };
    assert_eq!(
        (updated.id, updated.national_id.as_str()),
        (first.id, "A100000099")
    );
    let a = store.assignments_of("A100000099").await?;
    assert_eq!((a.len(), a[0].org_name.as_str()), (1, "國發會"));
    assert!(store.delete_handler("A0001", first.id).await?.is_some());
    assert_eq!(store.all_handlers("A0001").await?.len(), 22);
    Ok(())
}

async fn sessions_time_out_and_staff_have_roles(store: Store, _db: TestDatabase) -> TestResult {
    let s = OrgSession {
        id_hash: "h".into(),
        kind: session_kind::HANDLER.into(),
        national_id: "A123456789".into(),
        name: "王".into(),
        issuer: "i".into(),
        serial: "1".into(),
        agency_code: None,
        created_at: NOW,
        last_seen_at: NOW,
        expires_at: NOW + 3600,
    };
    store.create_org_session(&s).await?;
    assert!(
        store
            .org_session_if_live("h", session_kind::ASSIGNMENT, NOW, 600)
            .await?
            .is_none()
    );
    assert!(
        store
            .org_session_if_live("h", session_kind::HANDLER, NOW + 599, 600)
            .await?
            .is_some()
    );
    assert!(
        store
            .org_session_if_live("h", session_kind::HANDLER, NOW + 1198, 600)
            .await?
            .is_some()
    );
    assert!(
        store
            .org_session_if_live("h", session_kind::HANDLER, NOW + 1800, 600)
            .await?
            .is_none(),
        "idle"
    );
    let staff = store
        .create_staff(&new_account("rev01"), &["reviewer".into()])
        .await?;
    assert_eq!(staff.kind, kind::STAFF);
    assert_eq!(store.staff_roles(&staff.id).await?, ["reviewer"]);
    store
        .set_staff_roles(&staff.id, &["operator".into(), "reviewer".into()])
        .await?;
    assert_eq!(
        store.staff_roles(&staff.id).await?,
        ["operator", "reviewer"]
    );
    assert_eq!(store.staff_accounts().await?.len(), 1);
    let member = store.create_account(&new_account("member01")).await?;
    assert_eq!(member.kind, kind::MEMBER);
    assert!(
        store
            .inactive_accounts(NOW + 1)
            .await?
            .iter()
            .all(|a| a.kind == kind::MEMBER)
    );
    Ok(())
}
