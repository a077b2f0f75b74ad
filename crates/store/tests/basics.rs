//! Connecting, migrating, and the portable-SQL assumptions the store relies on.

mod common;

use common::{TestResult, raw_pool};
use sqlx::Row;
use tessera_store::testing::TestDatabase;
use tessera_store::{Backend, Store, StoreError};

tessera_store::both_backends!(dollar_placeholders_map_to_arguments, migrate_is_idempotent);

/// `$N` binds argument N on both backends, in any order and when repeated.
async fn dollar_placeholders_map_to_arguments(_store: Store, db: TestDatabase) -> TestResult {
    let pool = raw_pool(&db).await?;
    let row = sqlx::query("SELECT $2 AS b, $1 AS a, $1 AS again")
        .bind(7_i64)
        .bind("two")
        .fetch_one(&pool)
        .await?;
    assert_eq!(row.try_get::<String, _>("b")?, "two");
    assert_eq!(row.try_get::<i64, _>("a")?, 7);
    assert_eq!(row.try_get::<i64, _>("again")?, 7);
    Ok(())
}

async fn migrate_is_idempotent(store: Store, db: TestDatabase) -> TestResult {
    store.migrate().await?;
    store.ping().await?;
    assert_eq!(store.backend(), db.backend());
    let other = db.connect().await?;
    other.migrate().await?;
    other.close().await;
    Ok(())
}

#[tokio::test]
async fn sqlite_file_and_directory_are_created_in_wal_mode() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("a").join("b").join("tessera.db");
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(file.exists());
    store.close().await;

    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?;
    let mode: String = sqlx::query("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await?
        .try_get(0)?;
    assert_eq!(mode.to_lowercase(), "wal");
    Ok(())
}

#[tokio::test]
async fn in_memory_sqlite_keeps_its_data() -> TestResult {
    let store = Store::connect("sqlite::memory:").await?;
    store.migrate().await?;
    common::register(&store, "Alice01").await?;
    // Several round trips: they must all see the one in-memory database.
    for _ in 0..3 {
        assert!(store.account_by_username("alice01").await?.is_some());
    }
    Ok(())
}

#[tokio::test]
async fn unsupported_url_is_refused_without_echoing_it() {
    let result = Store::connect("mysql://root:secret@localhost/db").await;
    match result {
        Err(e @ StoreError::UnsupportedUrl) => assert!(!e.to_string().contains("secret")),
        other => panic!("expected UnsupportedUrl, got {other:?}"),
    }
}

tessera_store::both_backends!(errors_and_debug_never_show_secrets);

/// Database error texts carry no bound values; `Debug` of accounts and sessions hides the
/// password hash and the CSRF token.
async fn errors_and_debug_never_show_secrets(store: Store, _db: TestDatabase) -> TestResult {
    let account = common::register(&store, "Secret1").await?;
    let token = tessera_store::Token {
        hash: "tok-hash-0123456789abcdef".into(),
        purpose: "password-reset".into(),
        account_id: account.id.clone(),
        data: None,
        expires_at: common::NOW,
    };
    store.create_token(&token).await?;
    let err = store
        .create_token(&token)
        .await
        .err()
        .ok_or("duplicate token hash was accepted")?;
    assert!(matches!(err, StoreError::Database(_)));
    assert!(!err.to_string().contains("tok-hash"), "{err}");

    let shown = format!("{account:?}");
    assert!(!shown.contains("argon2"), "{shown}");
    assert!(!format!("{:?}", common::new_account("Secret2")).contains("argon2"));
    let session = tessera_store::Session {
        id_hash: "sid".into(),
        account_id: account.id,
        loa: "password".into(),
        created_at: 0,
        last_seen_at: 0,
        expires_at: 1,
        csrf_token: "csrf-secret-value".into(),
        password_change_only: false,
        ip: None,
        user_agent: None,
    };
    assert!(!format!("{session:?}").contains("csrf-secret"));
    Ok(())
}
