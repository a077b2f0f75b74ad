//! Shared helpers for the store's integration tests.

#![allow(dead_code)]

use sqlx::AnyPool;
use tessera_store::testing::TestDatabase;
use tessera_store::{Account, NewAccount, Store};

/// What test bodies return.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A fixed "now" for tests (2026-01-01T00:00:00Z).
pub const NOW: i64 = 1_767_225_600;

/// Registration data for `username`.
pub fn new_account(username: &str) -> NewAccount {
    NewAccount {
        username: username.to_owned(),
        name: "王小明 𡘙".to_owned(),
        email: format!("{}@example.tw", username.to_lowercase()),
        mobile: Some("0912345678".to_owned()),
        national_id: Some("A123456789".to_owned()),
        birthday: Some("1990-01-02".to_owned()),
        landline: Some("0212345678#123".to_owned()),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        terms_version: "2026-01".to_owned(),
        terms_accepted_at: NOW,
        created_at: NOW,
    }
}

/// Registers `username`.
pub async fn register(store: &Store, username: &str) -> Result<Account, tessera_store::StoreError> {
    store.create_account(&new_account(username)).await
}

/// A raw pool on the test database, for SQL the store never runs (inspection, tampering).
pub async fn raw_pool(db: &TestDatabase) -> Result<AnyPool, sqlx::Error> {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(db.url())
        .await
}
