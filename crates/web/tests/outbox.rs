//! Mail through the outbox, and registration as one transaction, on SQLite and PostgreSQL:
//! the verification mail of a registration arrives and leaves nothing queued; concurrent
//! registrations mixed with other audited events keep the audit chain valid; a failed send
//! is tried again later, one failing for a day is given up and audited without the message;
//! mail queued by a node that stopped before sending is sent by another; parallel workers on
//! two nodes send every message exactly once.

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::*;
use tessera_app::clock::now;
use tessera_app::flows::outbox::{
    self, Delivery, FIRST_RETRY_SECS, GIVE_UP_AFTER_SECS, LEASE_SECS, deliver_due, deliver_due_at,
    send_later,
};
use tessera_notify::Email;
use tessera_store::testing::TestDatabase;
use tessera_store::{AuditVerify, NewAuditEvent, Store};

type R = Result<(), String>;

fn ensure(cond: bool, msg: impl Into<String>) -> R {
    if cond { Ok(()) } else { Err(msg.into()) }
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn email(i: usize) -> Email {
    Email {
        to: format!("user{i}@example.tw"),
        subject: format!("通知 {i}"),
        body_text: format!("重設密碼：{BASE}/password/reset?token=secret-token-{i}"),
    }
}

/// Every delivered message's recipient, with how many it got.
fn recipients(dir: &std::path::Path) -> BTreeMap<String, usize> {
    let mut to = BTreeMap::new();
    for entry in std::fs::read_dir(dir.join("mail").join("new"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.starts_with("To: ")) {
            *to.entry(line[4..].trim().to_owned()).or_insert(0) += 1;
        }
    }
    to
}

/// Waits (up to 5 s) until `done` holds for the outbox.
async fn outbox_until(
    store: &Store,
    done: impl Fn(&[tessera_store::OutboxMail]) -> bool,
) -> Result<Vec<tessera_store::OutboxMail>, String> {
    for _ in 0..250 {
        let rows = store.outbox(100).await.map_err(err)?;
        if done(&rows) {
            return Ok(rows);
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Err(format!(
        "outbox never settled: {:?}",
        store.outbox(100).await
    ))
}

/// A second application on the same database whose mail cannot be delivered (its Maildir
/// path is a file).
fn failing_node(store: Store) -> (tessera_web::AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mail"), "not a directory").expect("blocker");
    (state_on(store, dir.path(), test_settings()), dir)
}

async fn registration_mail_arrives_and_leaves_nothing_queued(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let r = register(&h.app, "Alice01", "alice@example.tw").await;
    ensure(r.status == StatusCode::CREATED, r.text.clone())?;
    let link = link_in_mail(h.dir.path(), &format!("{BASE}/verify-email?token=")).await;
    outbox_until(&h.state.store, <[_]>::is_empty).await?;
    let r = call(
        &h.app,
        axum::http::Method::POST,
        "/api/v1/email-verifications",
        Some(serde_json::json!({ "token": token_of(&link) })),
        None,
    )
    .await;
    ensure(r.status == StatusCode::NO_CONTENT, r.text)
}

async fn concurrent_registrations_and_audited_events_keep_one_chain(
    store: Store,
    db: TestDatabase,
) -> R {
    let h = harness(store, db);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let app = h.app.clone();
        tasks.push(tokio::spawn(async move {
            let r = register(&app, &format!("Member{i:03}"), &format!("m{i}@example.tw")).await;
            (r.status, r.text)
        }));
        let app = h.app.clone();
        tasks.push(tokio::spawn(async move {
            let r = login(&app, &format!("Nobody{i:03}"), "wrong-password-1", None).await;
            (r.status, r.text)
        }));
        let store = h.state.store.clone();
        tasks.push(tokio::spawn(async move {
            let event = NewAuditEvent {
                at: now(),
                kind: "logout".to_owned(),
                account_id: None,
                username: Some(format!("Other{i:03}")),
                ip: None,
                user_agent: None,
                outcome: "ok".to_owned(),
                detail: None,
            };
            match store.append_audit(&event).await {
                Ok(_) => (StatusCode::OK, String::new()),
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }));
    }
    for t in tasks {
        let (status, text) = t.await.map_err(err)?;
        ensure(status.as_u16() < 500, text)?;
    }
    let verify = h.state.store.verify_audit_chain().await.map_err(err)?;
    ensure(verify.first_bad_seq.is_none(), format!("{verify:?}"))?;
    ensure(verify.entries >= 36, format!("{verify:?}"))?;
    for i in 0..12 {
        let a = h
            .state
            .store
            .account_by_username(&format!("Member{i:03}"))
            .await
            .map_err(err)?
            .ok_or("account")?;
        let entries = h
            .state
            .store
            .audit_entries(Some(&a.id), 10)
            .await
            .map_err(err)?;
        ensure(
            entries
                .iter()
                .any(|e| e.event.kind == "account_registered" && e.event.outcome == "ok"),
            format!("{}: {entries:?}", a.username),
        )?;
    }
    // Each registration's verification mail, once.
    for _ in 0..250 {
        if recipients(h.dir.path()).len() == 12 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let to = recipients(h.dir.path());
    ensure(
        (0..12).all(|i| to.get(&format!("m{i}@example.tw")) == Some(&1)),
        format!("{to:?}"),
    )
}

async fn a_failed_send_is_retried_later(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (failing, _blocked) = failing_node(h.state.store.clone());
    send_later(&failing, email(1)).await.map_err(|f| f.code)?;
    // The immediate try fails: the row stays, due again after the first backoff.
    let rows = outbox_until(&h.state.store, |rows| {
        rows.len() == 1 && rows[0].last_error.is_some()
    })
    .await?;
    let row = &rows[0];
    ensure(row.attempts == 1, format!("{row:?}"))?;
    let wait = row.next_attempt_at - now();
    ensure(
        (FIRST_RETRY_SECS - 5..=FIRST_RETRY_SECS).contains(&wait),
        format!("retry in {wait} s"),
    )?;
    let error = row.last_error.clone().unwrap_or_default();
    ensure(
        !error.contains("secret-token") && !error.contains("重設密碼"),
        error.clone(),
    )?;
    // Not due yet: nothing is sent, by any node.
    let d = deliver_due(&h.state).await.map_err(err)?;
    ensure(d == Delivery::default(), format!("{d:?}"))?;
    // Due again, it still fails on the failing node, and the wait doubles.
    let at = now() + FIRST_RETRY_SECS;
    let d = deliver_due_at(&failing, at).await.map_err(err)?;
    ensure(d.retried == 1, format!("{d:?}"))?;
    let rows = h.state.store.outbox(10).await.map_err(err)?;
    ensure(
        rows.len() == 1
            && rows[0].attempts == 2
            && rows[0].next_attempt_at == at + 2 * FIRST_RETRY_SECS,
        format!("{rows:?}"),
    )?;
    // A later run on a working node delivers it and empties the outbox.
    let d = deliver_due_at(&h.state, at + 2 * FIRST_RETRY_SECS)
        .await
        .map_err(err)?;
    ensure(d.sent == 1, format!("{d:?}"))?;
    ensure(
        mail_with(h.dir.path(), &["secret-token-1"]).await.is_some(),
        "mail delivered",
    )?;
    ensure(
        h.state.store.outbox(10).await.map_err(err)?.is_empty(),
        "outbox empty",
    )
}

async fn mail_failing_for_a_day_is_given_up_and_audited(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let (failing, _blocked) = failing_node(h.state.store.clone());
    h.state
        .store
        .enqueue_mail(&outbox::outbox_mail(&email(7)), now())
        .await
        .map_err(err)?;
    let d = deliver_due_at(&failing, now() + GIVE_UP_AFTER_SECS)
        .await
        .map_err(err)?;
    ensure(d.given_up == 1, format!("{d:?}"))?;
    ensure(
        h.state.store.outbox(10).await.map_err(err)?.is_empty(),
        "given up: the message (and its link) is gone",
    )?;
    let entries = h.state.store.audit_entries(None, 10).await.map_err(err)?;
    let failed = entries
        .iter()
        .find(|e| e.event.kind == "mail_failed")
        .ok_or("mail_failed audited")?;
    let detail = failed.event.detail.clone().unwrap_or_default();
    ensure(detail.contains("user7@example.tw"), detail.clone())?;
    ensure(
        !detail.contains("secret-token") && !detail.contains("password/reset"),
        format!("the message leaked into the audit log: {detail}"),
    )?;
    ensure(
        h.state
            .store
            .verify_audit_chain()
            .await
            .map_err(err)?
            .first_bad_seq
            .is_none(),
        "chain intact",
    )
}

/// A node queued mail and stopped before sending it (or while sending it): another node on
/// the same database sends it — at once, or once the stopped sender's lease has run out.
async fn mail_of_a_stopped_node_is_sent_by_another(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    {
        // The first half of `send_later` only: queued, then the node is gone.
        let node_a = h.db.connect().await.map_err(err)?;
        node_a
            .enqueue_mail(&outbox::outbox_mail(&email(1)), now())
            .await
            .map_err(err)?;
        let id = node_a
            .enqueue_mail(&outbox::outbox_mail(&email(2)), now())
            .await
            .map_err(err)?;
        // This one it had begun to send.
        node_a
            .claim_mail(&id, now(), now() + LEASE_SECS)
            .await
            .map_err(err)?
            .ok_or("claimed")?;
        node_a.close().await;
    }
    let d = deliver_due(&h.state).await.map_err(err)?;
    ensure(d.sent == 1, format!("{d:?}"))?;
    ensure(
        mail_with(h.dir.path(), &["secret-token-1"]).await.is_some(),
        "queued mail delivered",
    )?;
    let d = deliver_due_at(&h.state, now() + LEASE_SECS)
        .await
        .map_err(err)?;
    ensure(d.sent == 1, format!("{d:?}"))?;
    ensure(
        mail_with(h.dir.path(), &["secret-token-2"]).await.is_some(),
        "mail of the interrupted send delivered after the lease",
    )?;
    ensure(
        h.state.store.outbox(10).await.map_err(err)?.is_empty(),
        "outbox empty",
    )
}

async fn parallel_workers_on_two_nodes_send_each_mail_once(store: Store, db: TestDatabase) -> R {
    let h = harness(store, db);
    let node_b = state_on(
        h.db.connect().await.map_err(err)?,
        h.dir.path(),
        test_settings(),
    );
    for i in 0..30 {
        h.state
            .store
            .enqueue_mail(&outbox::outbox_mail(&email(i)), now())
            .await
            .map_err(err)?;
    }
    let mut runs = Vec::new();
    for w in 0..6 {
        let state = if w % 2 == 0 {
            h.state.clone()
        } else {
            node_b.clone()
        };
        runs.push(tokio::spawn(async move { deliver_due(&state).await }));
    }
    let mut sent = 0;
    for run in runs {
        sent += run.await.map_err(err)?.map_err(err)?.sent;
    }
    // A claimer that lost a race stops its run early: a later run sends what is left.
    sent += deliver_due(&h.state).await.map_err(err)?.sent;
    ensure(sent == 30, format!("{sent} sent"))?;
    let to = recipients(h.dir.path());
    ensure(
        to.len() == 30 && to.values().all(|n| *n == 1),
        format!("{to:?}"),
    )?;
    let verify = h.state.store.verify_audit_chain().await.map_err(err)?;
    ensure(
        verify
            == AuditVerify {
                entries: 0,
                first_bad_seq: None,
            },
        format!("{verify:?}"),
    )
}

tessera_store::both_backends!(
    registration_mail_arrives_and_leaves_nothing_queued,
    concurrent_registrations_and_audited_events_keep_one_chain,
    a_failed_send_is_retried_later,
    mail_failing_for_a_day_is_given_up_and_audited,
    mail_of_a_stopped_node_is_sent_by_another,
    parallel_workers_on_two_nodes_send_each_mail_once,
);
