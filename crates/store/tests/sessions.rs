//! Sessions: storage, idle and absolute expiry, ending, and sharing between nodes.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::testing::TestDatabase;
use tessera_store::{Session, Store};

tessera_store::both_backends!(
    sessions_round_trip_and_end,
    live_check_applies_idle_and_absolute_limits,
    sessions_cross_between_two_stores,
    purge_removes_only_expired_rows,
);

fn session(id_hash: &str, account_id: &str) -> Session {
    Session {
        id_hash: id_hash.to_owned(),
        account_id: account_id.to_owned(),
        loa: "password".to_owned(),
        created_at: NOW,
        last_seen_at: NOW,
        expires_at: NOW + 12 * 3600,
        csrf_token: format!("csrf-{id_hash}"),
        password_change_only: true,
        ip: Some("203.0.113.7".to_owned()),
        user_agent: Some("Mozilla/5.0 測試".to_owned()),
    }
}

async fn sessions_round_trip_and_end(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Sess001").await?;
    let other = register(&store, "Sess002").await?;
    let s = session("h1", &account.id);
    store.create_session(&s).await?;
    store.create_session(&session("h2", &account.id)).await?;
    store.create_session(&session("h3", &account.id)).await?;
    store.create_session(&session("o1", &other.id)).await?;
    assert_eq!(store.session("h1").await?, Some(s.clone()));
    assert_eq!(store.session("nope").await?, None);

    assert!(store.touch_session("h1", NOW + 60).await?);
    assert!(!store.touch_session("nope", NOW + 60).await?);
    let touched = store.session("h1").await?.ok_or("session vanished")?;
    assert_eq!(touched.last_seen_at, NOW + 60);

    assert_eq!(store.delete_other_sessions(&account.id, "h1").await?, 2);
    assert_eq!(store.session("h2").await?, None);
    assert!(store.session("h1").await?.is_some());
    assert!(store.delete_session("h1").await?);
    assert!(!store.delete_session("h1").await?);

    store.create_session(&session("h4", &account.id)).await?;
    store.create_session(&session("h5", &account.id)).await?;
    assert_eq!(store.delete_sessions_for_account(&account.id).await?, 2);
    assert!(
        store.session("o1").await?.is_some(),
        "other accounts untouched"
    );
    Ok(())
}

async fn live_check_applies_idle_and_absolute_limits(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Idle001").await?;
    let idle = 30 * 60;
    store.create_session(&session("a", &account.id)).await?;

    // Within the idle window: live, and touched.
    let live = store.session_if_live("a", NOW + idle - 1, idle).await?;
    assert_eq!(live.map(|s| s.last_seen_at), Some(NOW + idle - 1));
    // Idle exactly `idle` seconds after the touch: dead, and deleted.
    assert_eq!(
        store.session_if_live("a", NOW + 2 * idle - 1, idle).await?,
        None
    );
    assert_eq!(store.session("a").await?, None);

    // Absolute expiry wins even when active.
    let mut short = session("b", &account.id);
    short.expires_at = NOW + 100;
    store.create_session(&short).await?;
    assert!(store.session_if_live("b", NOW + 99, idle).await?.is_some());
    assert_eq!(store.session_if_live("b", NOW + 100, idle).await?, None);
    assert_eq!(store.session("b").await?, None);

    // Unknown ids are simply not live.
    assert_eq!(store.session_if_live("zzz", NOW, idle).await?, None);

    // Idle sessions can be purged in bulk.
    store.create_session(&session("c", &account.id)).await?;
    assert_eq!(store.purge_idle_sessions(NOW + 1).await?, 1);
    Ok(())
}

async fn sessions_cross_between_two_stores(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let account = register(&store, "Cross01").await?;
    store.create_session(&session("x", &account.id)).await?;
    let seen = node_b
        .session_if_live("x", NOW + 5, 1800)
        .await?
        .ok_or("node B does not see node A's session")?;
    assert_eq!(seen.account_id, account.id);
    assert_eq!(
        store.session("x").await?.map(|s| s.last_seen_at),
        Some(NOW + 5)
    );
    assert!(node_b.delete_session("x").await?);
    assert_eq!(store.session("x").await?, None, "logout on B ends it on A");
    node_b.close().await;
    Ok(())
}

async fn purge_removes_only_expired_rows(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Purge01").await?;
    let mut old = session("old", &account.id);
    old.expires_at = NOW - 1;
    store.create_session(&old).await?;
    store.create_session(&session("new", &account.id)).await?;
    store
        .create_token(&tessera_store::Token {
            hash: "t-old".into(),
            purpose: "p".into(),
            account_id: account.id.clone(),
            data: None,
            expires_at: NOW,
        })
        .await?;
    store
        .create_token(&tessera_store::Token {
            hash: "t-new".into(),
            purpose: "p".into(),
            account_id: account.id.clone(),
            data: None,
            expires_at: NOW + 10,
        })
        .await?;
    store
        .put_code(&account.id, "old", "h", NOW - 5, 5, NOW - 3600, 3600)
        .await?;
    store
        .put_code(&account.id, "new", "h", NOW + 5, 5, NOW, 3600)
        .await?;
    assert!(store.mark_captcha_used("c-old", NOW - 1).await?);
    assert!(store.mark_captcha_used("c-new", NOW + 1).await?);

    assert_eq!(store.purge_expired(NOW).await?, 4);
    assert!(store.session("new").await?.is_some());
    assert!(store.take_token("t-new", "p", NOW).await?.is_some());
    assert!(store.try_code(&account.id, "new", NOW).await?.is_some());
    assert!(!store.mark_captcha_used("c-new", NOW + 1).await?);
    assert!(store.mark_captcha_used("c-old", NOW + 600).await?);
    assert_eq!(store.purge_expired(NOW).await?, 0);
    Ok(())
}
