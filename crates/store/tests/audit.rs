//! The audit hash chain: appends from many tasks and two nodes stay one chain, it
//! verifies, and raw-SQL tampering is detected at the right entry.

mod common;

use common::{NOW, TestResult, raw_pool};
use tessera_store::testing::TestDatabase;
use tessera_store::{AuditVerify, NewAuditEvent, Store};

tessera_store::both_backends!(
    entries_chain_and_verify,
    concurrent_appends_from_two_nodes_form_one_chain,
    edited_row_is_detected,
    deleted_row_is_detected,
    truncated_tail_is_detected,
    row_beyond_the_head_is_detected,
    verifying_during_appends_reports_no_damage,
    filtered_listing_is_newest_first,
    many_concurrent_appends_on_one_node_are_all_committed,
    a_failing_event_does_not_take_its_batch_down,
);

fn event(i: i64, account_id: Option<&str>) -> NewAuditEvent {
    NewAuditEvent {
        at: NOW + i,
        kind: "login".to_owned(),
        account_id: account_id.map(str::to_owned),
        username: Some("Alice01".to_owned()),
        ip: Some("203.0.113.7".to_owned()),
        user_agent: Some("Mozilla/5.0 測試".to_owned()),
        outcome: if i % 2 == 0 { "ok" } else { "failed" }.to_owned(),
        detail: Some(format!(r#"{{"attempt":{i}}}"#)),
    }
}

async fn append_n(store: &Store, n: i64) -> TestResult {
    for i in 0..n {
        store.append_audit(&event(i, Some("acc-1"))).await?;
    }
    Ok(())
}

async fn entries_chain_and_verify(store: Store, _db: TestDatabase) -> TestResult {
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 0,
            first_bad_seq: None
        }
    );
    let first = store.append_audit(&event(0, None)).await?;
    assert_eq!(first.seq, 1);
    assert_eq!(first.prev_hash, "0".repeat(64));
    let second = store.append_audit(&event(1, Some("acc-1"))).await?;
    assert_eq!(second.seq, 2);
    assert_eq!(second.prev_hash, first.hash);
    assert_ne!(second.hash, first.hash);
    assert_eq!(store.audit_head().await?, (2, second.hash.clone()));
    assert_eq!(
        store.audit_entries(None, 10).await?,
        [second.clone(), first.clone()]
    );
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 2,
            first_bad_seq: None
        }
    );
    Ok(())
}

async fn concurrent_appends_from_two_nodes_form_one_chain(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let node_b = db.connect().await?;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let node = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        tasks.push(tokio::spawn(async move {
            node.append_audit(&event(i, Some("acc-1"))).await
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await??.seq);
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>());
    assert_eq!(
        node_b.verify_audit_chain().await?,
        AuditVerify {
            entries: 60,
            first_bad_seq: None
        }
    );
    node_b.close().await;
    Ok(())
}

async fn edited_row_is_detected(store: Store, db: TestDatabase) -> TestResult {
    append_n(&store, 10).await?;
    let pool = raw_pool(&db).await?;
    sqlx::query("UPDATE audit_log SET outcome = 'tampered' WHERE seq = 7")
        .execute(&pool)
        .await?;
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 10,
            first_bad_seq: Some(7)
        }
    );
    Ok(())
}

async fn deleted_row_is_detected(store: Store, db: TestDatabase) -> TestResult {
    append_n(&store, 10).await?;
    let pool = raw_pool(&db).await?;
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(&pool)
        .await?;
    let verify = store.verify_audit_chain().await?;
    assert_eq!(verify.first_bad_seq, Some(4));
    assert_eq!(verify.entries, 9);
    Ok(())
}

async fn truncated_tail_is_detected(store: Store, db: TestDatabase) -> TestResult {
    append_n(&store, 5).await?;
    let pool = raw_pool(&db).await?;
    sqlx::query("DELETE FROM audit_log WHERE seq >= 4")
        .execute(&pool)
        .await?;
    assert_eq!(store.verify_audit_chain().await?.first_bad_seq, Some(4));
    Ok(())
}

async fn filtered_listing_is_newest_first(store: Store, _db: TestDatabase) -> TestResult {
    for i in 0..6 {
        let account = if i % 3 == 0 { "acc-a" } else { "acc-b" };
        store.append_audit(&event(i, Some(account))).await?;
    }
    let a = store.audit_entries(Some("acc-a"), 10).await?;
    assert_eq!(a.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 1]);
    let b = store.audit_entries(Some("acc-b"), 2).await?;
    assert_eq!(b.iter().map(|e| e.seq).collect::<Vec<_>>(), [6, 5]);
    assert_eq!(b[0].event, event(5, Some("acc-b")));
    assert!(store.audit_entries(Some("acc-c"), 10).await?.is_empty());
    Ok(())
}

async fn row_beyond_the_head_is_detected(store: Store, db: TestDatabase) -> TestResult {
    append_n(&store, 3).await?;
    let pool = raw_pool(&db).await?;
    sqlx::query(
        "INSERT INTO audit_log (seq, at, kind, outcome, prev_hash, hash) \
         VALUES (4, 0, 'forged', 'ok', 'x', 'y')",
    )
    .execute(&pool)
    .await?;
    assert_eq!(store.verify_audit_chain().await?.first_bad_seq, Some(4));
    Ok(())
}

async fn verifying_during_appends_reports_no_damage(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let appender = tokio::spawn(async move {
        for i in 0..80 {
            node_b.append_audit(&event(i, None)).await?;
        }
        Ok::<_, tessera_store::StoreError>(())
    });
    let mut checks = 0;
    while !appender.is_finished() {
        let verify = store.verify_audit_chain().await?;
        assert_eq!(verify.first_bad_seq, None, "{verify:?}");
        checks += 1;
    }
    appender.await??;
    assert!(checks > 0);
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 80,
            first_bad_seq: None
        }
    );
    Ok(())
}

/// Group commit: 300 appends at once from one node each get their own committed entry,
/// exactly as stored, in one unbroken chain (beyond one batch of 64).
async fn many_concurrent_appends_on_one_node_are_all_committed(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move { store.append_audit(&event(i, Some("acc-1"))).await })
        })
        .collect();
    let mut returned = Vec::new();
    for task in tasks {
        returned.push(task.await??);
    }
    returned.sort_by_key(|e| e.seq);
    assert_eq!(
        returned.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=300).collect::<Vec<_>>()
    );
    let mut stored = store.audit_entries(None, 1000).await?;
    stored.reverse();
    assert_eq!(
        stored, returned,
        "each caller got exactly what was committed"
    );
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 300,
            first_bad_seq: None
        }
    );
    Ok(())
}

/// An event the database refuses (a NUL character: PostgreSQL text cannot hold it; SQLite
/// takes it) fails alone: the events batched with it are still committed and chained.
async fn a_failing_event_does_not_take_its_batch_down(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let bad = NewAuditEvent {
        detail: Some("nul \0 byte".to_owned()),
        ..event(0, None)
    };
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (store, bad) = (store.clone(), bad.clone());
        tasks.push(tokio::spawn(async move {
            if i == 20 {
                (true, store.append_audit(&bad).await.is_ok())
            } else {
                (false, store.append_audit(&event(i, None)).await.is_ok())
            }
        }));
    }
    let mut bad_written = false;
    for task in tasks {
        let (is_bad, ok) = task.await?;
        if is_bad {
            bad_written = ok;
        } else {
            assert!(ok, "a good event failed with the bad one");
        }
    }
    let postgres = store.backend() == tessera_store::Backend::Postgres;
    assert_eq!(bad_written, !postgres);
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: if bad_written { 40 } else { 39 },
            first_bad_seq: None
        }
    );
    Ok(())
}
