//! Organization storage on both backends: registry import (re-import updates), registration
//! and replacement transactions (all or nothing, history kept, one winner), flows advanced by
//! compare-and-set. Review cases, handlers and sessions: `orgs_people.rs`.

mod common;
mod orgs_common;

use common::{NOW, TestResult, new_account};
use orgs_common::*;
use tessera_store::orgs::*;
use tessera_store::testing::TestDatabase;
use tessera_store::{Store, kind};

tessera_store::both_backends!(
    import_creates_updates_and_leaves_unchanged,
    registration_is_one_transaction_with_one_winner,
    replacement_keeps_history_and_ends_assignment_sessions,
    flows_advance_once,
);

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
