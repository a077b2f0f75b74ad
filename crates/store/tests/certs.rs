//! Certificate sign-in state on both backends: challenges taken once (also across nodes and
//! concurrently), bindings with history and renewal, one live binding per certificate,
//! lookups by national ID and by certificate, "not mine" reports.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::Store;
use tessera_store::certs::{BindOutcome, CertChallenge, CertReport, CertSession, NewBinding};
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    challenge_is_taken_once_even_across_nodes,
    concurrent_challenge_takers_have_one_winner,
    expired_challenges_are_purged,
    binding_history_and_renewal,
    a_certificate_binds_to_one_account,
    lookups_by_national_id_and_certificate,
    not_mine_reports_are_kept,
    certificate_only_sessions_expire,
);

fn challenge(id: &str, expires_at: i64) -> CertChallenge {
    CertChallenge {
        id: id.to_owned(),
        bytes: vec![7u8; 32],
        purpose: "login".to_owned(),
        session_binding: "browser-a".to_owned(),
        expires_at,
    }
}

fn binding(account_id: &str, serial: &str, at: i64) -> NewBinding {
    NewBinding {
        account_id: account_id.to_owned(),
        issuer: "C=TW, O=行政院, OU=內政部憑證管理中心-測試".to_owned(),
        serial: serial.to_owned(),
        kind: "moica_citizen".to_owned(),
        subject: "C=TW, CN=王小明".to_owned(),
        not_before: NOW - 10,
        not_after: NOW + 1000,
        bound_at: at,
    }
}

async fn challenge_is_taken_once_even_across_nodes(store: Store, db: TestDatabase) -> TestResult {
    let c = challenge("c1", NOW + 300);
    store.insert_cert_challenge(&c).await?;
    let node_b = db.connect().await?;
    assert_eq!(node_b.take_cert_challenge("c1").await?, Some(c));
    assert_eq!(store.take_cert_challenge("c1").await?, None);
    assert_eq!(store.take_cert_challenge("never").await?, None);
    Ok(())
}

async fn concurrent_challenge_takers_have_one_winner(store: Store, db: TestDatabase) -> TestResult {
    store
        .insert_cert_challenge(&challenge("race", NOW + 300))
        .await?;
    let node_b = db.connect().await?;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        tasks.push(tokio::spawn(
            async move { s.take_cert_challenge("race").await },
        ));
    }
    let mut winners = 0;
    for t in tasks {
        if t.await??.is_some() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    Ok(())
}

async fn expired_challenges_are_purged(store: Store, _db: TestDatabase) -> TestResult {
    store
        .insert_cert_challenge(&challenge("old", NOW - 1))
        .await?;
    store
        .insert_cert_challenge(&challenge("new", NOW + 300))
        .await?;
    assert_eq!(store.purge_cert_challenges(NOW).await?, 1);
    assert_eq!(store.take_cert_challenge("old").await?, None);
    assert!(store.take_cert_challenge("new").await?.is_some());
    Ok(())
}

async fn binding_history_and_renewal(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Cert0001").await?;
    let BindOutcome::Bound { cert, replaced } =
        store.bind_certificate(&binding(&a.id, "0a01", NOW)).await?
    else {
        panic!("first binding refused");
    };
    assert!(replaced.is_empty());
    assert_eq!(cert.serial, "0a01");
    // Binding it again changes nothing.
    assert!(matches!(
        store
            .bind_certificate(&binding(&a.id, "0a01", NOW + 1))
            .await?,
        BindOutcome::AlreadyBound(_)
    ));
    // Renewal: the new card replaces the old one, whose serial stays in the history.
    let BindOutcome::Bound { replaced, .. } = store
        .bind_certificate(&binding(&a.id, "0a02", NOW + 5))
        .await?
    else {
        panic!("renewal refused");
    };
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0].serial, "0a01");
    let live = store.account_certificates(&a.id, false).await?;
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].serial, "0a02");
    let history = store.account_certificates(&a.id, true).await?;
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].unbound_reason.as_deref(), Some("replaced"));
    // Unbinding: once.
    assert!(store.unbind_certificate(&a.id, "0A02", NOW + 9).await?);
    assert!(!store.unbind_certificate(&a.id, "0a02", NOW + 9).await?);
    assert!(store.account_certificates(&a.id, false).await?.is_empty());
    let history = store.account_certificates(&a.id, true).await?;
    assert_eq!(history[1].unbound_at, Some(NOW + 9));
    assert_eq!(history[1].unbound_reason.as_deref(), Some("unbound"));
    Ok(())
}

async fn a_certificate_binds_to_one_account(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Cert0002").await?;
    let b = register(&store, "Cert0003").await?;
    assert!(matches!(
        store.bind_certificate(&binding(&a.id, "0b01", NOW)).await?,
        BindOutcome::Bound { .. }
    ));
    assert_eq!(
        store.bind_certificate(&binding(&b.id, "0b01", NOW)).await?,
        BindOutcome::BoundElsewhere
    );
    // Once unbound from the first, the second may bind it.
    assert!(store.unbind_certificate(&a.id, "0b01", NOW).await?);
    assert!(matches!(
        store.bind_certificate(&binding(&b.id, "0b01", NOW)).await?,
        BindOutcome::Bound { .. }
    ));
    Ok(())
}

async fn lookups_by_national_id_and_certificate(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Cert0004").await?;
    let b = register(&store, "Cert0005").await?;
    let mut ids: Vec<String> = store
        .accounts_by_national_id("a123456789")
        .await?
        .into_iter()
        .map(|x| x.id)
        .collect();
    ids.sort();
    let mut want = vec![a.id.clone(), b.id.clone()];
    want.sort();
    assert_eq!(ids, want);
    assert!(
        store
            .accounts_by_national_id("B123456780")
            .await?
            .is_empty()
    );
    let bnd = binding(&b.id, "0c01", NOW);
    store.bind_certificate(&bnd).await?;
    let found = store.account_by_certificate(&bnd.issuer, "0c01").await?;
    assert_eq!(found.map(|x| x.id), Some(b.id.clone()));
    assert_eq!(store.account_by_certificate("other", "0c01").await?, None);
    store.unbind_certificate(&b.id, "0c01", NOW).await?;
    assert_eq!(
        store.account_by_certificate(&bnd.issuer, "0c01").await?,
        None
    );
    Ok(())
}

async fn not_mine_reports_are_kept(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Cert0006").await?;
    let r = CertReport {
        id: "r1".to_owned(),
        account_id: a.id.clone(),
        reporter_issuer: "issuer".to_owned(),
        reporter_serial: "0d01".to_owned(),
        reporter_name: "王小明".to_owned(),
        reported_at: NOW,
    };
    store.report_not_mine(&r).await?;
    assert_eq!(store.cert_reports(&a.id).await?, vec![r]);
    // Deleting the account removes its bindings and reports with it.
    store.bind_certificate(&binding(&a.id, "0d02", NOW)).await?;
    assert!(store.delete_account(&a.id, NOW).await?);
    assert!(store.cert_reports(&a.id).await?.is_empty());
    assert!(store.account_certificates(&a.id, true).await?.is_empty());
    Ok(())
}

async fn certificate_only_sessions_expire(store: Store, db: TestDatabase) -> TestResult {
    let s = CertSession {
        id_hash: "h1".to_owned(),
        national_id: "A123456789".to_owned(),
        name: "王小明".to_owned(),
        issuer: "issuer".to_owned(),
        serial: "0e01".to_owned(),
        created_at: NOW,
        expires_at: NOW + 60,
    };
    store.create_cert_session(&s).await?;
    let node_b = db.connect().await?;
    assert_eq!(node_b.cert_session("h1", NOW).await?, Some(s));
    assert_eq!(store.cert_session("h1", NOW + 60).await?, None, "expired");
    assert_eq!(store.purge_cert_challenges(NOW + 60).await?, 1);
    assert!(!store.delete_cert_session("h1").await?);
    Ok(())
}
