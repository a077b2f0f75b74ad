//! Organization storage on both backends: registry import (re-import updates), registration
//! and replacement transactions (all or nothing, history kept, one winner), flows advanced by
//! compare-and-set, review cases decided once, handlers scoped to their organization with
//! paging and search, organization and staff sessions with timeouts, account kinds.

mod common;

use common::{NOW, TestResult, new_account};
use tessera_store::orgs::*;
use tessera_store::testing::TestDatabase;
use tessera_store::{Store, kind};

tessera_store::both_backends!(
    import_creates_updates_and_leaves_unchanged,
    registration_is_one_transaction_with_one_winner,
    replacement_keeps_history_and_ends_assignment_sessions,
    flows_advance_once,
    review_cases_are_decided_once,
    handlers_are_scoped_paged_and_searchable,
    sessions_time_out_and_staff_have_roles,
);

fn record(code: &str, name: &str, oid: Option<&str>) -> OrgRecord {
    OrgRecord {
        agency_code: code.to_owned(),
        name: name.to_owned(),
        organization_oid: oid.map(str::to_owned),
        business_id: None,
        institution_code: None,
        kind: "agency".to_owned(),
    }
}

fn cert(serial: &str, kind: &str, national_id: Option<&str>) -> CertRecord {
    CertRecord {
        issuer: "C=TW, O=行政院, OU=測試".to_owned(),
        serial: serial.to_owned(),
        kind: kind.to_owned(),
        subject: format!("C=TW, CN={serial}"),
        holder_name: "國家發展委員會".to_owned(),
        card_number: None,
        national_id: national_id.map(str::to_owned),
        not_before: NOW - 10,
        not_after: NOW + 1000,
    }
}

fn manager(id: &str) -> ManagerContact {
    ManagerContact {
        national_id: id.to_owned(),
        name: "王小明".to_owned(),
        email: "wang@example.tw".to_owned(),
        phone: "0227013411".to_owned(),
        extension: Some("5312".to_owned()),
        notes: None,
    }
}

async fn flow(store: &Store, id: &str, step: &str) -> TestResult {
    store
        .create_org_flow(&OrgFlow {
            id_hash: id.to_owned(),
            kind: "register".to_owned(),
            step: step.to_owned(),
            browser: "b".to_owned(),
            agency_code: Some("A0001".to_owned()),
            data: "{}".to_owned(),
            created_at: NOW,
            expires_at: NOW + 600,
        })
        .await?;
    Ok(())
}

fn registration(flow_id: &str, org_serial: &str) -> Registration {
    Registration {
        flow_id_hash: flow_id.to_owned(),
        flow_step: "details".to_owned(),
        agency_code: "A0001".to_owned(),
        org_cert: cert(org_serial, "gca_agency", None),
        manager_cert: cert("m1", "moica_citizen", Some("A123456789")),
        manager: manager("A123456789"),
        account: new_account("A0001"),
        receipt_detail: None,
        at: NOW,
    }
}

async fn import_creates_updates_and_leaves_unchanged(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let first = [
        record("A0001", "國發會", Some("2.16.886.101.1")),
        record("B0002", "學校", None),
    ];
    let s = store.import_organizations(&first, NOW).await?;
    assert_eq!((s.created, s.updated, s.unchanged), (2, 0, 0));
    let second = [
        record("A0001", "國家發展委員會", Some("2.16.886.101.1")),
        record("B0002", "學校", None),
    ];
    let s = store.import_organizations(&second, NOW + 5).await?;
    assert_eq!((s.created, s.updated, s.unchanged), (0, 1, 1));
    let o = store.organization("A0001").await?.ok_or("missing")?;
    assert_eq!(o.name, "國家發展委員會");
    assert_eq!(
        (o.created_at, o.updated_at, o.registered_at),
        (NOW, NOW + 5, None)
    );
    let (found, total) = store.search_organizations("發展", 0, 10).await?;
    assert_eq!((found.len(), total), (1, 1));
    let (found, total) = store.search_organizations("b000", 0, 10).await?;
    assert_eq!((found[0].agency_code.as_str(), total), ("B0002", 1));
    let (_, total) = store.search_organizations("%", 0, 10).await?;
    assert_eq!(total, 0, "wildcards typed by users are literal");
    Ok(())
}

async fn registration_is_one_transaction_with_one_winner(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    store
        .import_organizations(&[record("A0001", "國發會", None)], NOW)
        .await?;
    // A taken username rolls everything back, flow included.
    store.create_account(&new_account("a0001")).await?;
    flow(&store, "f1", "details").await?;
    assert!(matches!(
        store
            .register_organization(&registration("f1", "o1"))
            .await?,
        Completed::UsernameTaken
    ));
    assert!(
        store
            .organization("A0001")
            .await?
            .ok_or("x")?
            .registered_at
            .is_none()
    );
    assert!(
        store.org_flow("f1", NOW).await?.is_some(),
        "flow kept after the rollback"
    );
    assert!(
        store
            .live_org_cert("A0001", role::ORGANIZATION)
            .await?
            .is_none()
    );

    let (store, _db2) = tessera_store::testing::store_for(store.backend()).await?;
    store
        .import_organizations(&[record("A0001", "國發會", None)], NOW)
        .await?;
    flow(&store, "f1", "details").await?;
    flow(&store, "f2", "details").await?;
    let Completed::Done {
        receipt, account, ..
    } = store
        .register_organization(&registration("f1", "o1"))
        .await?
    else {
        return Err("first registration should succeed".into());
    };
    let account = account.ok_or("account")?;
    assert_eq!(
        (account.kind.as_str(), account.username.as_str()),
        (kind::ORGANIZATION, "A0001")
    );
    assert_eq!(
        (receipt.item.as_str(), receipt.org_name.as_str()),
        ("first_registration", "國發會")
    );
    assert!(matches!(
        store
            .register_organization(&registration("f1", "o1"))
            .await?,
        Completed::Stale
    ));
    assert!(matches!(
        store
            .register_organization(&registration("f2", "o2"))
            .await?,
        Completed::AlreadyRegistered
    ));
    assert_eq!(
        store
            .org_manager("A0001")
            .await?
            .ok_or("manager")?
            .extension
            .as_deref(),
        Some("5312")
    );
    assert_eq!(
        store
            .org_of_certificate("C=TW, O=行政院, OU=測試", "o1")
            .await?
            .as_deref(),
        Some("A0001")
    );
    Ok(())
}

async fn replacement_keeps_history_and_ends_assignment_sessions(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    store
        .import_organizations(
            &[
                record("A0001", "國發會", None),
                record("B0002", "他校", None),
            ],
            NOW,
        )
        .await?;
    flow(&store, "f1", "details").await?;
    store
        .register_organization(&registration("f1", "o1"))
        .await?;
    store
        .create_org_session(&OrgSession {
            id_hash: "s".into(),
            kind: session_kind::ASSIGNMENT.into(),
            national_id: "A123456789".into(),
            name: "王".into(),
            issuer: "i".into(),
            serial: "m1".into(),
            agency_code: Some("A0001".into()),
            created_at: NOW,
            last_seen_at: NOW,
            expires_at: NOW + 600,
        })
        .await?;
    let replacement = |flow_id: &str, keep: &str| Replacement {
        flow_id_hash: flow_id.to_owned(),
        flow_step: "details".to_owned(),
        agency_code: "A0001".to_owned(),
        item: "replace_manager".to_owned(),
        new_org_cert: None,
        new_manager_cert: Some(cert("m2", "moica_citizen", Some("F223456781"))),
        still_current: vec![(
            role::ORGANIZATION.to_owned(),
            "C=TW, O=行政院, OU=測試".to_owned(),
            keep.to_owned(),
        )],
        manager: manager("F223456781"),
        receipt_detail: None,
        at: NOW + 60,
    };
    flow(&store, "f2", "details").await?;
    assert!(matches!(
        store
            .replace_org_certificates(&replacement("f2", "not-live"))
            .await?,
        Completed::Stale
    ));
    let Completed::Done {
        replaced,
        sessions_ended,
        ..
    } = store
        .replace_org_certificates(&replacement("f2", "o1"))
        .await?
    else {
        return Err("replacement should succeed".into());
    };
    assert_eq!(
        (
            replaced.len(),
            replaced[0].cert.serial.as_str(),
            sessions_ended
        ),
        (1, "m1", 1)
    );
    assert_eq!(
        store.org_manager("A0001").await?.ok_or("m")?.national_id,
        "F223456781"
    );
    let history = store.org_cert_history("A0001").await?;
    assert_eq!(history.len(), 3, "old manager certificate kept");
    assert!(
        history
            .iter()
            .any(|c| c.cert.serial == "m1" && c.unbound_reason.as_deref() == Some("replaced"))
    );
    let receipts = store.org_receipts("A0001").await?;
    let items: Vec<&str> = receipts.iter().map(|r| r.item.as_str()).collect();
    assert_eq!(items, ["first_registration", "replace_manager"]);
    // An organization card live for A0001 cannot be registered for B0002.
    let mut other = registration("f3", "o1");
    other.agency_code = "B0002".into();
    other.account = new_account("B0002");
    flow(&store, "f3", "details").await?;
    assert!(matches!(
        store.register_organization(&other).await?,
        Completed::OrgCertElsewhere
    ));
    assert!(
        store
            .organization("B0002")
            .await?
            .ok_or("b")?
            .registered_at
            .is_none()
    );
    Ok(())
}

async fn flows_advance_once(store: Store, _db: TestDatabase) -> TestResult {
    flow(&store, "f", "terms").await?;
    assert!(
        store
            .advance_org_flow("f", "terms", "org_certificate", None, "{\"a\":1}", NOW)
            .await?
    );
    assert!(
        !store
            .advance_org_flow("f", "terms", "org_certificate", None, "{}", NOW)
            .await?
    );
    let f = store.org_flow("f", NOW).await?.ok_or("flow")?;
    assert_eq!(
        (f.step.as_str(), f.data.as_str()),
        ("org_certificate", "{\"a\":1}")
    );
    assert!(store.org_flow("f", NOW + 600).await?.is_none(), "expired");
    assert!(
        !store
            .advance_org_flow("f", "org_certificate", "x", None, "{}", NOW + 600)
            .await?
    );
    assert!(
        store
            .take_org_flow("f", "org_certificate", NOW)
            .await?
            .is_some()
    );
    assert!(
        store
            .take_org_flow("f", "org_certificate", NOW)
            .await?
            .is_none()
    );
    flow(&store, "g", "terms").await?;
    assert_eq!(store.purge_org_state(NOW + 600).await?, 1);
    Ok(())
}

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
        name: if i % 2 == 0 {
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
