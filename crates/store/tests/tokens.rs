//! Single-use tokens, short codes with limited attempts, and CAPTCHA replay protection,
//! all with exactly one winner under concurrency.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::testing::TestDatabase;
use tessera_store::{Store, Token};

tessera_store::both_backends!(
    token_is_taken_once_and_only_for_its_purpose,
    concurrent_token_takers_have_one_winner,
    expired_tokens_are_not_taken,
    checking_a_token_neither_takes_nor_extends_it,
    code_attempts_run_out,
    new_code_replaces_old_and_one_deleter_wins,
    expired_codes_are_not_tried,
    captcha_is_used_once_across_nodes,
);

fn token(hash: &str, account_id: &str, expires_at: i64) -> Token {
    Token {
        hash: hash.to_owned(),
        purpose: "password-reset".to_owned(),
        account_id: account_id.to_owned(),
        data: Some("a@example.tw".to_owned()),
        expires_at,
    }
}

async fn token_is_taken_once_and_only_for_its_purpose(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Tok0001").await?;
    let t = token("th", &account.id, NOW + 60);
    store.create_token(&t).await?;
    assert_eq!(
        store.take_token("th", "email-verification", NOW).await?,
        None
    );
    assert_eq!(
        store.take_token("th", "password-reset", NOW).await?,
        Some(t)
    );
    assert_eq!(store.take_token("th", "password-reset", NOW).await?, None);

    store
        .create_token(&token("a", &account.id, NOW + 60))
        .await?;
    store
        .create_token(&token("b", &account.id, NOW + 60))
        .await?;
    assert_eq!(store.delete_tokens(&account.id, "other").await?, 0);
    assert_eq!(store.delete_tokens(&account.id, "password-reset").await?, 2);
    assert_eq!(store.take_token("a", "password-reset", NOW).await?, None);
    Ok(())
}

async fn concurrent_token_takers_have_one_winner(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let account = register(&store, "Tok0002").await?;
    for round in 0..5 {
        let hash = format!("race-{round}");
        store
            .create_token(&token(&hash, &account.id, NOW + 60))
            .await?;
        let mut tasks = Vec::new();
        for i in 0..50 {
            let node = if i % 2 == 0 {
                store.clone()
            } else {
                node_b.clone()
            };
            let hash = hash.clone();
            tasks.push(tokio::spawn(async move {
                node.take_token(&hash, "password-reset", NOW).await
            }));
        }
        let mut winners = 0;
        for task in tasks {
            if let Some(t) = task.await?? {
                assert_eq!(t.account_id, account.id);
                winners += 1;
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
    node_b.close().await;
    Ok(())
}

async fn expired_tokens_are_not_taken(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Tok0003").await?;
    store.create_token(&token("e", &account.id, NOW)).await?;
    assert_eq!(store.take_token("e", "password-reset", NOW).await?, None);
    assert_eq!(
        store.take_token("e", "password-reset", NOW + 1).await?,
        None
    );
    Ok(())
}

async fn checking_a_token_neither_takes_nor_extends_it(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Tok0004").await?;
    let t = token("peek", &account.id, NOW + 60);
    store.create_token(&t).await?;
    // Checked any number of times, it stays for the one who takes it.
    for _ in 0..3 {
        assert!(store.token_is_live("peek", "password-reset", NOW).await?);
    }
    assert!(
        !store
            .token_is_live("peek", "email-verification", NOW)
            .await?
    );
    assert!(
        !store
            .token_is_live("unknown", "password-reset", NOW)
            .await?
    );
    assert!(
        !store
            .token_is_live("peek", "password-reset", NOW + 60)
            .await?,
        "expired"
    );
    assert_eq!(
        store.take_token("peek", "password-reset", NOW).await?,
        Some(t)
    );
    assert!(
        !store.token_is_live("peek", "password-reset", NOW).await?,
        "used"
    );
    Ok(())
}

async fn code_attempts_run_out(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Code001").await?;
    store
        .put_code(&account.id, "sms-reset", "hash-1", NOW + 600, 5, NOW, 3600)
        .await?;
    for left in (0..5).rev() {
        assert_eq!(
            store.try_code(&account.id, "sms-reset", NOW).await?,
            Some(("hash-1".to_owned(), left))
        );
    }
    assert_eq!(store.try_code(&account.id, "sms-reset", NOW).await?, None);
    assert_eq!(store.try_code(&account.id, "other", NOW).await?, None);

    // A resend within the budget's window brings no fresh tries.
    store
        .put_code(
            &account.id,
            "sms-reset",
            "hash-2",
            NOW + 600,
            5,
            NOW + 60,
            3600,
        )
        .await?;
    assert_eq!(
        store.try_code(&account.id, "sms-reset", NOW + 60).await?,
        None
    );

    // Concurrent tries cannot spend more attempts than there are (a fresh budget, once the
    // window is over).
    store
        .put_code(
            &account.id,
            "sms-reset",
            "hash-2",
            NOW + 600,
            5,
            NOW + 3600,
            3600,
        )
        .await?;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let (store, id) = (store.clone(), account.id.clone());
        tasks.push(tokio::spawn(async move {
            store.try_code(&id, "sms-reset", NOW).await
        }));
    }
    let mut lefts = Vec::new();
    for task in tasks {
        if let Some((_, left)) = task.await?? {
            lefts.push(left);
        }
    }
    lefts.sort_unstable();
    assert_eq!(lefts, [0, 1, 2, 3, 4]);
    Ok(())
}

async fn new_code_replaces_old_and_one_deleter_wins(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Code002").await?;
    store
        .put_code(&account.id, "sms-verify", "old", NOW + 600, 5, NOW, 3600)
        .await?;
    store.try_code(&account.id, "sms-verify", NOW).await?;
    store
        .put_code(&account.id, "sms-verify", "new", NOW + 900, 3, NOW, 3600)
        .await?;
    assert_eq!(
        store.try_code(&account.id, "sms-verify", NOW).await?,
        Some(("new".to_owned(), 2))
    );

    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (store, id) = (store.clone(), account.id.clone());
        tasks.push(tokio::spawn(async move {
            store.delete_code(&id, "sms-verify").await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        winners += i32::from(task.await??);
    }
    assert_eq!(winners, 1);
    assert_eq!(store.try_code(&account.id, "sms-verify", NOW).await?, None);
    Ok(())
}

async fn expired_codes_are_not_tried(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Code003").await?;
    store
        .put_code(&account.id, "sms-reset", "h", NOW + 600, 5, NOW, 3600)
        .await?;
    assert_eq!(
        store.try_code(&account.id, "sms-reset", NOW + 600).await?,
        None
    );
    assert!(store.delete_code(&account.id, "sms-reset").await?);
    Ok(())
}

async fn captcha_is_used_once_across_nodes(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let node = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        tasks.push(tokio::spawn(async move {
            node.mark_captcha_used("challenge-sig", NOW + 600).await
        }));
    }
    let mut fresh = 0;
    for task in tasks {
        fresh += i32::from(task.await??);
    }
    assert_eq!(fresh, 1);
    assert!(store.mark_captcha_used("another", NOW + 600).await?);
    node_b.close().await;
    Ok(())
}
