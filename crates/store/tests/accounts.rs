//! Accounts: case-insensitive, never-reusable usernames; profile, password and
//! verification updates; deletion; inactivity.

mod common;

use common::{NOW, TestResult, new_account, raw_pool, register};
use sqlx::Row;
use tessera_store::testing::TestDatabase;
use tessera_store::{ProfileUpdate, Session, Store, StoreError, Token};

tessera_store::both_backends!(
    registration_stores_every_field,
    usernames_are_unique_case_insensitively,
    concurrent_registrations_of_one_name_have_one_winner,
    deleted_usernames_are_never_reusable,
    profile_update_replaces_fields_but_not_username,
    set_password_unlocks_and_update_hash_changes_nothing_else,
    verification_only_applies_to_the_current_address,
    inactivity_uses_last_login_or_registration,
    missing_accounts_are_not_found,
);

async fn registration_stores_every_field(store: Store, _db: TestDatabase) -> TestResult {
    let new = new_account("Alice01");
    let account = store.create_account(&new).await?;
    assert_eq!(account.id.len(), 36);
    assert_eq!(account.username, "Alice01");
    assert_eq!(account.name, "王小明 𡘙");
    assert_eq!(account.email, new.email);
    assert!(!account.email_verified);
    assert_eq!(account.mobile, new.mobile);
    assert!(!account.mobile_verified);
    assert_eq!(account.national_id, new.national_id);
    assert_eq!(account.birthday, new.birthday);
    assert_eq!(account.landline, new.landline);
    assert_eq!(account.password_hash, new.password_hash);
    assert_eq!(account.password_changed_at, NOW);
    assert_eq!(account.failed_logins, 0);
    assert!(!account.disabled);
    assert_eq!(account.created_at, NOW);
    assert_eq!(account.last_login_at, None);
    assert_eq!(account.inactivity_warned_at, None);
    assert_eq!(account.terms_version, "2026-01");
    assert_eq!(account.terms_accepted_at, NOW);

    assert_eq!(
        store.account_by_id(&account.id).await?,
        Some(account.clone())
    );
    assert_eq!(store.account_by_username("ALICE01").await?, Some(account));
    Ok(())
}

async fn usernames_are_unique_case_insensitively(store: Store, _db: TestDatabase) -> TestResult {
    register(&store, "Alice01").await?;
    for taken in ["alice01", "ALICE01", "aLiCe01"] {
        match register(&store, taken).await {
            Err(StoreError::UsernameTaken) => {}
            other => panic!("{taken}: expected UsernameTaken, got {other:?}"),
        }
    }
    assert!(store.username_reserved("ALICE01").await?);
    assert!(!store.username_reserved("Bob0001").await?);
    register(&store, "Bob0001").await?;
    Ok(())
}

async fn concurrent_registrations_of_one_name_have_one_winner(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        let name = if i % 2 == 0 { "Carol01" } else { "CAROL01" };
        tasks.push(tokio::spawn(async move { register(&store, name).await }));
    }
    let (mut ok, mut taken) = (0, 0);
    for task in tasks {
        match task.await? {
            Ok(_) => ok += 1,
            Err(StoreError::UsernameTaken) => taken += 1,
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!((ok, taken), (1, 19));
    Ok(())
}

async fn deleted_usernames_are_never_reusable(store: Store, db: TestDatabase) -> TestResult {
    let account = register(&store, "Dave001").await?;
    store
        .create_session(&Session {
            id_hash: "s1".into(),
            account_id: account.id.clone(),
            loa: "password".into(),
            created_at: NOW,
            last_seen_at: NOW,
            expires_at: NOW + 3600,
            csrf_token: "c".into(),
            password_change_only: false,
            ip: None,
            user_agent: None,
        })
        .await?;
    store
        .create_token(&Token {
            hash: "t1".into(),
            purpose: "password-reset".into(),
            account_id: account.id.clone(),
            data: None,
            expires_at: NOW + 3600,
        })
        .await?;
    store
        .put_code(&account.id, "sms-reset", "h", NOW + 600, 5, NOW, 3600)
        .await?;

    assert!(store.delete_account(&account.id, NOW + 10).await?);

    assert_eq!(store.account_by_id(&account.id).await?, None);
    assert_eq!(store.account_by_username("dave001").await?, None);
    assert_eq!(store.session("s1").await?, None);
    assert_eq!(store.take_token("t1", "password-reset", NOW).await?, None);
    assert_eq!(store.try_code(&account.id, "sms-reset", NOW).await?, None);
    for again in ["Dave001", "dave001", "DAVE001"] {
        match register(&store, again).await {
            Err(StoreError::UsernameTaken) => {}
            other => panic!("{again}: expected UsernameTaken, got {other:?}"),
        }
    }
    // Personal data is gone from the database: only the reservation remains.
    let pool = raw_pool(&db).await?;
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM accounts")
        .fetch_one(&pool)
        .await?
        .try_get("n")?;
    assert_eq!(left, 0);
    let row = sqlx::query("SELECT account_id, deleted_at FROM reserved_usernames")
        .fetch_one(&pool)
        .await?;
    assert_eq!(row.try_get::<String, _>("account_id")?, account.id);
    assert_eq!(row.try_get::<Option<i64>, _>("deleted_at")?, Some(NOW + 10));
    // Deleting again (another node's purge, say) is a no-op that changes nothing.
    assert!(!store.delete_account(&account.id, NOW + 20).await?);
    let row = sqlx::query("SELECT deleted_at FROM reserved_usernames")
        .fetch_one(&pool)
        .await?;
    assert_eq!(row.try_get::<Option<i64>, _>("deleted_at")?, Some(NOW + 10));
    Ok(())
}

async fn profile_update_replaces_fields_but_not_username(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Erin001").await?;
    let update = ProfileUpdate {
        name: "林𠀋".into(),
        email: "new@example.tw".into(),
        email_verified: false,
        mobile: None,
        mobile_verified: false,
        national_id: None,
        birthday: Some("1991-02-03".into()),
        landline: None,
    };
    let updated = store.update_profile(&account.id, &update).await?;
    assert_eq!(updated.username, "Erin001");
    assert_eq!(updated.name, "林𠀋");
    assert_eq!(updated.email, "new@example.tw");
    assert_eq!(updated.mobile, None);
    assert_eq!(updated.national_id, None);
    assert_eq!(updated.birthday.as_deref(), Some("1991-02-03"));
    assert_eq!(updated.landline, None);
    assert_eq!(updated.password_hash, account.password_hash);
    assert_eq!(store.account_by_id(&account.id).await?, Some(updated));
    Ok(())
}

async fn set_password_unlocks_and_update_hash_changes_nothing_else(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Fred001").await?;
    for _ in 0..5 {
        store.record_login_failure(&account.id, 5, NOW).await?;
    }
    let locked = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert!(locked.disabled);

    store.update_password_hash(&account.id, "rehashed").await?;
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(after.password_hash, "rehashed");
    assert!(after.disabled);
    assert_eq!(after.failed_logins, 5);
    assert_eq!(after.password_changed_at, NOW);

    store
        .set_password(&account.id, "new-hash", NOW + 99)
        .await?;
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(after.password_hash, "new-hash");
    assert_eq!(after.password_changed_at, NOW + 99);
    assert_eq!(after.failed_logins, 0);
    assert!(!after.disabled);
    Ok(())
}

async fn verification_only_applies_to_the_current_address(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Gina001").await?;
    assert!(
        !store
            .set_email_verified(&account.id, "old@example.tw")
            .await?
    );
    assert!(!store.set_mobile_verified(&account.id, "0900000000").await?);
    assert!(
        store
            .set_email_verified(&account.id, &account.email)
            .await?
    );
    assert!(store.set_mobile_verified(&account.id, "0912345678").await?);
    let after = store
        .account_by_id(&account.id)
        .await?
        .ok_or("account vanished")?;
    assert!(after.email_verified);
    assert!(after.mobile_verified);
    Ok(())
}

async fn inactivity_uses_last_login_or_registration(store: Store, _db: TestDatabase) -> TestResult {
    let never = store
        .create_account(&tessera_store::NewAccount {
            created_at: NOW - 1000,
            ..new_account("Hank001")
        })
        .await?;
    let logged_in = store
        .create_account(&tessera_store::NewAccount {
            created_at: NOW - 2000,
            ..new_account("Ivan001")
        })
        .await?;
    assert!(store.record_login_success(&logged_in.id, NOW - 10).await?);
    let _fresh = register(&store, "Jill001").await?;

    let inactive = store.inactive_accounts(NOW - 500).await?;
    let ids: Vec<_> = inactive.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [never.id.as_str()]);
    let inactive = store.inactive_accounts(NOW).await?;
    let ids: Vec<_> = inactive.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, [never.id.as_str(), logged_in.id.as_str()]);

    // Exactly one of many concurrent warners wins.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (store, id) = (store.clone(), never.id.clone());
        tasks.push(tokio::spawn(async move {
            store.mark_inactivity_warned(&id, NOW).await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        winners += i32::from(task.await??);
    }
    assert_eq!(winners, 1);
    let warned = store
        .account_by_id(&never.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(warned.inactivity_warned_at, Some(NOW));

    // A login clears the warning.
    assert!(store.record_login_success(&never.id, NOW + 5).await?);
    let back = store
        .account_by_id(&never.id)
        .await?
        .ok_or("account vanished")?;
    assert_eq!(back.inactivity_warned_at, None);
    assert_eq!(back.last_login_at, Some(NOW + 5));
    Ok(())
}

async fn missing_accounts_are_not_found(store: Store, _db: TestDatabase) -> TestResult {
    let nobody = "00000000-0000-4000-8000-000000000000";
    assert_eq!(store.account_by_id(nobody).await?, None);
    assert_eq!(store.account_by_username("nobody1").await?, None);
    assert!(matches!(
        store.set_password(nobody, "h", NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.update_password_hash(nobody, "h").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.record_login_failure(nobody, 5, NOW).await,
        Err(StoreError::NotFound)
    ));
    assert!(!store.record_login_success(nobody, NOW).await?);
    assert!(!store.mark_inactivity_warned(nobody, NOW).await?);
    Ok(())
}
