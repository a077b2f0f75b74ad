//! The failed-login counter: atomic under heavy concurrency, stops once disabled, and
//! shared by every node on the database.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::testing::TestDatabase;
use tessera_store::{LoginFailure, Store};

tessera_store::both_backends!(
    two_hundred_parallel_failures_record_exactly_the_limit,
    failures_count_up_and_success_resets,
    disabled_account_refuses_login_success_until_reset,
    zero_limit_never_disables,
    lockout_crosses_between_two_stores,
);

async fn two_hundred_parallel_failures_record_exactly_the_limit(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Target1").await?;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (store, id) = (store.clone(), account.id.clone());
        tasks.push(tokio::spawn(async move {
            store.record_login_failure(&id, 5, NOW).await
        }));
    }
    let mut just_disabled = 0;
    let mut counts = Vec::new();
    for task in tasks {
        let failure = task.await??;
        assert!(failure.failed_logins <= 5, "{failure:?}");
        just_disabled += i32::from(failure.just_disabled);
        counts.push(failure.failed_logins);
    }
    assert_eq!(just_disabled, 1, "exactly one attempt disables the account");
    // Each of the first five attempts saw its own count.
    for n in 1..=4 {
        assert_eq!(counts.iter().filter(|&&c| c == n).count(), 1, "count {n}");
    }
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert!(after.disabled);
    assert_eq!(after.failed_logins, 5);
    Ok(())
}

async fn failures_count_up_and_success_resets(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Count01").await?;
    for n in 1..=3 {
        let failure = store.record_login_failure(&account.id, 5, NOW).await?;
        assert_eq!(
            failure,
            LoginFailure {
                failed_logins: n,
                disabled: false,
                just_disabled: false
            }
        );
    }
    assert!(store.record_login_success(&account.id, NOW + 1).await?);
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(after.failed_logins, 0);
    assert_eq!(after.last_login_at, Some(NOW + 1));
    let failure = store.record_login_failure(&account.id, 5, NOW).await?;
    assert_eq!(failure.failed_logins, 1);
    Ok(())
}

async fn disabled_account_refuses_login_success_until_reset(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Locked1").await?;
    for n in 1..=5 {
        let failure = store.record_login_failure(&account.id, 5, NOW).await?;
        assert_eq!(failure.failed_logins, n);
        assert_eq!(failure.just_disabled, n == 5);
        assert_eq!(failure.disabled, n == 5);
    }
    let more = store.record_login_failure(&account.id, 5, NOW).await?;
    assert_eq!(
        more,
        LoginFailure {
            failed_logins: 5,
            disabled: true,
            just_disabled: false
        }
    );
    assert!(!store.record_login_success(&account.id, NOW).await?);
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(after.last_login_at, None);

    store
        .set_password(&account.id, "reset-hash", NOW + 1)
        .await?;
    assert!(store.record_login_success(&account.id, NOW + 2).await?);
    Ok(())
}

async fn zero_limit_never_disables(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "NoLimit").await?;
    for n in 1..=7 {
        let failure = store.record_login_failure(&account.id, 0, NOW).await?;
        assert_eq!(failure.failed_logins, n);
        assert!(!failure.disabled);
    }
    Ok(())
}

async fn lockout_crosses_between_two_stores(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let account = register(&store, "TwoNode").await?;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let node = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        let id = account.id.clone();
        tasks.push(tokio::spawn(async move {
            node.record_login_failure(&id, 5, NOW).await
        }));
    }
    for task in tasks {
        task.await??;
    }
    for node in [&store, &node_b] {
        let seen = node
            .account_by_id(&account.id)
            .await?
            .ok_or("account vanished")?;
        assert!(seen.disabled);
        assert_eq!(seen.failed_logins, 5);
        assert!(!node.record_login_success(&account.id, NOW).await?);
    }
    node_b.close().await;
    Ok(())
}
