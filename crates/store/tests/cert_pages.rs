//! State behind the certificate pages on both backends: rate limits counted across nodes and
//! under concurrency, with a new window starting from one; pending cards (the verified card
//! between the steps of a certificate sign-in) that expire, carry their steps and are purged.

mod common;

use common::{NOW, TestResult};
use tessera_store::Store;
use tessera_store::certs::PendingCard;
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    rate_limits_count_per_window_across_nodes,
    concurrent_hits_are_all_counted,
    pending_cards_carry_their_steps_and_expire,
);

async fn rate_limits_count_per_window_across_nodes(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let t = NOW + 5; // NOW is a multiple of 60
    assert_eq!(store.hit_rate_limit("ip:a", 60, t).await?, 1);
    assert_eq!(node_b.hit_rate_limit("ip:a", 60, t + 10).await?, 2);
    assert_eq!(store.hit_rate_limit("ip:a", 60, t + 54).await?, 3);
    assert_eq!(store.hit_rate_limit("ip:b", 60, t).await?, 1, "keys apart");
    // The next window starts from one again.
    assert_eq!(node_b.hit_rate_limit("ip:a", 60, t + 55).await?, 1);
    assert_eq!(store.hit_rate_limit("ip:a", 60, t + 56).await?, 2);
    // Old windows are purged with the challenges a day later.
    store.purge_cert_challenges(t + 60 + 86_400).await?;
    assert_eq!(store.hit_rate_limit("ip:b", 60, t + 60).await?, 1);
    Ok(())
}

async fn concurrent_hits_are_all_counted(store: Store, _db: TestDatabase) -> TestResult {
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.hit_rate_limit("browser:x", 60, NOW).await
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await??);
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=20).collect::<Vec<i64>>(),
        "every hit counted once"
    );
    Ok(())
}

async fn pending_cards_carry_their_steps_and_expire(store: Store, db: TestDatabase) -> TestResult {
    let p = PendingCard {
        id_hash: "p1".to_owned(),
        identity: r#"{"serial":"0e01"}"#.to_owned(),
        not_before: NOW - 10,
        not_after: NOW + 1000,
        national_id: None,
        removed: vec![],
        expires_at: NOW + 600,
    };
    store.put_pending_card(&p).await?;
    let node_b = db.connect().await?;
    assert_eq!(node_b.pending_card("p1", NOW).await?, Some(p.clone()));
    let removed = vec!["alice01".to_owned(), "bob0002".to_owned()];
    assert!(
        node_b
            .update_pending_card("p1", Some("A123456789"), &removed)
            .await?
    );
    let got = store.pending_card("p1", NOW).await?.ok_or("pending card")?;
    assert_eq!(got.national_id.as_deref(), Some("A123456789"));
    assert_eq!(got.removed, removed);
    assert_eq!(store.pending_card("p1", NOW + 600).await?, None, "expired");
    assert_eq!(store.pending_card("other", NOW).await?, None);
    // A new card under the same cookie replaces the old one.
    store.put_pending_card(&p).await?;
    assert_eq!(store.pending_card("p1", NOW).await?, Some(p));
    assert!(store.delete_pending_card("p1").await?);
    assert!(!store.delete_pending_card("p1").await?, "taken once");
    store
        .put_pending_card(&PendingCard {
            id_hash: "p2".to_owned(),
            expires_at: NOW + 1,
            ..got
        })
        .await?;
    assert!(store.purge_cert_challenges(NOW + 1).await? >= 1);
    assert!(!store.delete_pending_card("p2").await?, "purged");
    Ok(())
}
