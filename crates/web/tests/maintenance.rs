//! The inactive-account job, on SQLite and PostgreSQL: a warning email first, deletion only
//! 30 days after the warning, usernames kept reserved, and a dry run that changes nothing.

mod common;

use common::*;
use tessera_app::clock::now;
use tessera_app::flows::inactive;
use tessera_store::testing::TestDatabase;
use tessera_store::{NewAccount, Store};

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

const YEAR: i64 = 365 * 86_400;

async fn old_account(store: &Store, username: &str, created_at: i64) -> Result<String, String> {
    store
        .create_account(&NewAccount {
            username: username.into(),
            password_hash: "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".into(),
            name: "林老".into(),
            email: format!("{}@example.tw", username.to_lowercase()),
            mobile: None,
            national_id: None,
            birthday: None,
            landline: None,
            terms_version: "old".into(),
            terms_accepted_at: created_at,
            created_at,
        })
        .await
        .map(|a| a.id)
        .map_err(|e| e.to_string())
}

async fn inactive_accounts_warned_then_deleted(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let t = now();
    let store = &h.state.store;
    let _warn_me = old_account(store, "Oldie01", t - 6 * YEAR).await?;
    let delete_me = old_account(store, "Oldie02", t - 6 * YEAR).await?;
    old_account(store, "Fresh01", t - YEAR).await?;
    // Oldie02 was warned 31 days ago.
    ensure(
        store
            .mark_inactivity_warned(&delete_me, t - 31 * 86_400)
            .await
            .map_err(|e| e.to_string())?,
        "first warning claim",
    )?;

    let dry = inactive::run(&h.state, true)
        .await
        .map_err(|f| f.code.to_string())?;
    let mut listed: Vec<(String, &str)> =
        dry.iter().map(|a| (a.username.clone(), a.action)).collect();
    listed.sort();
    ensure(
        listed
            == vec![
                ("Oldie01".to_string(), "warn"),
                ("Oldie02".to_string(), "delete"),
            ],
        format!("dry run lists {listed:?}"),
    )?;
    ensure(
        store
            .account_by_id(&delete_me)
            .await
            .map_err(|e| e.to_string())?
            .is_some(),
        "dry run deletes nothing",
    )?;

    inactive::run(&h.state, false)
        .await
        .map_err(|f| f.code.to_string())?;
    ensure(
        store
            .account_by_id(&delete_me)
            .await
            .map_err(|e| e.to_string())?
            .is_none(),
        "Oldie02 deleted",
    )?;
    let warned = store
        .account_by_username("Oldie01")
        .await
        .map_err(|e| e.to_string())?
        .ok_or("Oldie01 kept")?;
    ensure(warned.inactivity_warned_at.is_some(), "Oldie01 warned")?;
    ensure(
        mail_with(h.dir.path(), &["Oldie01", "30"]).await.is_some(),
        "warning mail",
    )?;

    // A second run the same day neither warns again nor deletes the freshly warned account.
    let again = inactive::run(&h.state, false)
        .await
        .map_err(|f| f.code.to_string())?;
    ensure(again.is_empty(), format!("second run acted: {again:?}"))?;
    // The deleted username stays reserved.
    let r = register(&h.app, "oldie02", "new@example.tw").await;
    ensure(
        r.status == axum::http::StatusCode::CONFLICT,
        "username reserved after purge",
    )?;
    Ok(())
}

tessera_store::both_backends!(inactive_accounts_warned_then_deleted);
