//! The mail outbox and the registration transaction: a row is claimed by exactly one of many
//! concurrent claimers on two nodes, a claim holds it for its lease and a failure until its
//! next try, and an account with its audit entry, token and mail is committed whole or not
//! at all while the audit chain stays one chain.

mod common;

use std::collections::BTreeMap;

use common::{NOW, TestResult, new_account, raw_pool};
use tessera_store::testing::TestDatabase;
use tessera_store::{
    AccountRecords, AuditVerify, NewAuditEvent, NewMail, Store, StoreError, Token,
};

tessera_store::both_backends!(
    concurrent_claimers_on_two_nodes_each_get_a_row_exactly_once,
    one_claim_of_a_row_wins,
    a_claim_holds_the_row_for_its_lease_and_a_failure_until_its_next_try,
    an_account_is_committed_with_its_audit_entry_token_and_mail,
    a_failed_registration_leaves_nothing_behind,
    registrations_and_other_appends_form_one_chain,
);

const LEASE: i64 = 60;

fn mail(i: usize) -> NewMail {
    NewMail {
        to: format!("user{i}@example.tw"),
        subject: "電子郵件驗證".to_owned(),
        body_text: format!("請開啟 https://tessera.test/verify-email?token=secret{i}"),
    }
}

fn records(i: usize) -> AccountRecords {
    AccountRecords {
        audit: vec![NewAuditEvent {
            at: NOW,
            kind: "account_registered".to_owned(),
            account_id: None,
            username: Some(format!("Member{i:03}")),
            ip: Some("203.0.113.7".to_owned()),
            user_agent: None,
            outcome: "ok".to_owned(),
            detail: None,
        }],
        tokens: vec![Token {
            hash: format!("token-hash-{i}"),
            purpose: "email_verify".to_owned(),
            account_id: String::new(),
            data: Some(format!("member{i:03}@example.tw")),
            expires_at: NOW + 86_400,
        }],
        mail: vec![mail(i)],
    }
}

async fn concurrent_claimers_on_two_nodes_each_get_a_row_exactly_once(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let node_b = db.connect().await?;
    let mut queued = Vec::new();
    for i in 0..40 {
        queued.push(store.enqueue_mail(&mail(i), NOW).await?);
    }
    let mut tasks = Vec::new();
    for t in 0..8 {
        let node = if t % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        tasks.push(tokio::spawn(async move {
            let mut claimed = Vec::new();
            loop {
                match node.claim_due_mail(NOW, NOW + LEASE).await? {
                    Some(row) => {
                        assert_eq!(row.attempts, 1);
                        node.delete_mail(&row.id).await?;
                        claimed.push(row.id);
                    }
                    // Another claimer took the chosen row in the same instant, or none is left.
                    None if node.outbox(1).await?.is_empty() => break,
                    None => tokio::task::yield_now().await,
                }
            }
            Ok::<_, StoreError>(claimed)
        }));
    }
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for task in tasks {
        for id in task.await?? {
            *times.entry(id).or_default() += 1;
        }
    }
    queued.sort();
    assert_eq!(times.keys().cloned().collect::<Vec<_>>(), queued);
    assert!(times.values().all(|n| *n == 1), "{times:?}");
    node_b.close().await;
    Ok(())
}

async fn one_claim_of_a_row_wins(store: Store, db: TestDatabase) -> TestResult {
    let node_b = db.connect().await?;
    let id = store.enqueue_mail(&mail(1), NOW).await?;
    let tasks: Vec<_> = (0..10)
        .map(|t| {
            let node = if t % 2 == 0 {
                store.clone()
            } else {
                node_b.clone()
            };
            let id = id.clone();
            tokio::spawn(async move { node.claim_mail(&id, NOW, NOW + LEASE).await })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await??.is_some());
    }
    assert_eq!(winners, 1);
    node_b.close().await;
    Ok(())
}

async fn a_claim_holds_the_row_for_its_lease_and_a_failure_until_its_next_try(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let id = store.enqueue_mail(&mail(1), NOW).await?;
    assert!(
        store.claim_due_mail(NOW - 1, NOW + LEASE).await?.is_none(),
        "not due yet"
    );
    let first = store
        .claim_mail(&id, NOW, NOW + LEASE)
        .await?
        .ok_or("claim")?;
    assert_eq!((first.attempts, first.mail.clone()), (1, mail(1)));
    // Held: nobody else gets it before the lease ends (its sender may still be at work)…
    assert!(store.claim_mail(&id, NOW + 1, NOW + LEASE).await?.is_none());
    assert!(
        store
            .claim_due_mail(NOW + LEASE - 1, NOW + 2 * LEASE)
            .await?
            .is_none()
    );
    // … then it is anyone's again (its sender stopped).
    let second = store
        .claim_due_mail(NOW + LEASE, NOW + 2 * LEASE)
        .await?
        .ok_or("claim after the lease")?;
    assert_eq!((second.id.as_str(), second.attempts), (id.as_str(), 2));
    // The first sender's late failure no longer counts; the current one's does.
    assert!(!store.retry_mail(&id, 1, NOW + 5, "stale").await?);
    assert!(
        store
            .retry_mail(&id, 2, NOW + 500, "smtp: connection refused")
            .await?
    );
    assert!(store.claim_due_mail(NOW + 499, NOW + 600).await?.is_none());
    let third = store
        .claim_due_mail(NOW + 500, NOW + 600)
        .await?
        .ok_or("claim at the next try")?;
    assert_eq!(third.attempts, 3);
    assert_eq!(
        third.last_error.as_deref(),
        Some("smtp: connection refused")
    );
    assert!(store.delete_mail(&id).await?);
    assert!(!store.delete_mail(&id).await?);
    assert!(store.outbox(10).await?.is_empty());
    Ok(())
}

async fn an_account_is_committed_with_its_audit_entry_token_and_mail(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let new = new_account("Member001");
    let (account, mail_ids) = store
        .create_account_with(&new, tessera_store::kind::MEMBER, &records(1))
        .await?;
    let entries = store.audit_entries(Some(&account.id), 10).await?;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].event.kind, "account_registered");
    let outbox = store.outbox(10).await?;
    assert_eq!(outbox.len(), 1);
    assert_eq!(mail_ids, [outbox[0].id.clone()]);
    assert_eq!((outbox[0].mail.clone(), outbox[0].attempts), (mail(1), 0));
    let token = store
        .take_token("token-hash-1", "email_verify", NOW)
        .await?
        .ok_or("token stored")?;
    assert_eq!(token.account_id, account.id);
    assert_eq!(store.verify_audit_chain().await?.first_bad_seq, None);

    // The username taken: nothing of the second attempt remains.
    let again = store
        .create_account_with(&new, tessera_store::kind::MEMBER, &records(2))
        .await;
    assert!(matches!(again, Err(StoreError::UsernameTaken)), "{again:?}");
    assert_eq!(store.outbox(10).await?.len(), 1);
    assert_eq!(store.audit_head().await?.0, 1);
    assert!(
        store
            .take_token("token-hash-2", "email_verify", NOW)
            .await?
            .is_none()
    );
    Ok(())
}

/// The outbox insert fails (its table is gone): the account, its username, its audit entry and
/// its token are rolled back with it.
async fn a_failed_registration_leaves_nothing_behind(store: Store, db: TestDatabase) -> TestResult {
    store.append_audit(&records(0).audit[0]).await?;
    let head = store.audit_head().await?;
    let pool = raw_pool(&db).await?;
    sqlx::query("DROP TABLE mail_outbox").execute(&pool).await?;
    pool.close().await;
    let failed = store
        .create_account_with(
            &new_account("Member001"),
            tessera_store::kind::MEMBER,
            &records(1),
        )
        .await;
    assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
    assert!(store.account_by_username("Member001").await?.is_none());
    assert!(!store.username_reserved("Member001").await?);
    assert_eq!(store.audit_head().await?, head);
    assert!(
        store
            .take_token("token-hash-1", "email_verify", NOW)
            .await?
            .is_none()
    );
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 1,
            first_bad_seq: None
        }
    );
    Ok(())
}

/// Registrations on two nodes, each appending inside its own transaction, interleave with
/// group-committed appends into one unbroken chain, each account with its entry.
async fn registrations_and_other_appends_form_one_chain(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let node_b = db.connect().await?;
    let mut registrations = Vec::new();
    let mut appends = Vec::new();
    for i in 0..20 {
        let node = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        registrations.push(tokio::spawn({
            let node = node.clone();
            async move {
                node.create_account_with(
                    &new_account(&format!("Member{i:03}")),
                    tessera_store::kind::MEMBER,
                    &records(i),
                )
                .await
            }
        }));
        for _ in 0..4 {
            let node = node.clone();
            let mut event = records(i).audit[0].clone();
            event.kind = "login_failed".to_owned();
            appends.push(tokio::spawn(async move { node.append_audit(&event).await }));
        }
    }
    let mut accounts = Vec::new();
    for task in registrations {
        accounts.push(task.await??.0);
    }
    for task in appends {
        task.await??;
    }
    assert_eq!(
        store.verify_audit_chain().await?,
        AuditVerify {
            entries: 100,
            first_bad_seq: None
        }
    );
    for account in &accounts {
        let entries = store.audit_entries(Some(&account.id), 10).await?;
        assert_eq!(entries.len(), 1, "{}", account.username);
        assert_eq!(entries[0].event.kind, "account_registered");
    }
    assert_eq!(store.outbox(100).await?.len(), 20);
    node_b.close().await;
    Ok(())
}
