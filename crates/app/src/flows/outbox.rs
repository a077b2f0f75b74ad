//! Outgoing email through the database's outbox (`tessera-store`'s `outbox.rs`), so that mail
//! a request has promised is not lost with the node that was to send it.
//!
//! A flow that mails queues the message ([`send_later`]; a registration inside its own
//! transaction) and this node sends it right away, in a task of its own, so answers neither
//! wait for nor reveal delivery. Every node's background job ([`spawn_worker`]) sends what is
//! due every few seconds: mail a stopped node left behind, and failed sends, tried again
//! after 30 s, 1 min, 2 min … at most an hour apart, and given up a day after they were
//! queued (logged loudly and audited as `mail_failed`, without the message). A claim holds a
//! row for [`LEASE_SECS`], longer than a send may take ([`SEND_TIMEOUT`]), so one node sends
//! it; delivery is at least once: only a node stopping between a send and the row's
//! deletion sends twice.

use std::time::Duration;

use serde_json::json;
use tessera_core::audit::AuditKind;
use tessera_notify::Email;
use tessera_store::{NewAuditEvent, NewMail, OutboxMail, StoreError};

use crate::clock::now;
use crate::error::Failure;
use crate::state::AppState;

/// How long a claim holds a row (seconds): a node that stops while sending leaves the row
/// to the others for this long.
pub const LEASE_SECS: i64 = 60;
/// A send that has not finished by then counts as failed (within the lease).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(50);
/// The wait before the second try (seconds); it doubles with each further failure…
pub const FIRST_RETRY_SECS: i64 = 30;
/// … up to this (seconds).
pub const MAX_RETRY_SECS: i64 = 3600;
/// A message still failing this long after it was queued is given up (seconds).
pub const GIVE_UP_AFTER_SECS: i64 = 86_400;
/// How often the background job looks for due mail.
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// Longest delivery error kept with a row.
const MAX_ERROR_CHARS: usize = 500;

/// The wait (seconds) after the `attempts`-th failed send: 30 s, 1 min, 2 min … 1 h.
pub fn retry_delay(attempts: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 16) as u32;
    (FIRST_RETRY_SECS << doublings).min(MAX_RETRY_SECS)
}

/// The outbox row for `email`.
pub fn outbox_mail(email: &Email) -> NewMail {
    NewMail {
        to: email.to.clone(),
        subject: email.subject.clone(),
        body_text: email.body_text.clone(),
    }
}

fn email_of(mail: &NewMail) -> Email {
    Email {
        to: mail.to.clone(),
        subject: mail.subject.clone(),
        body_text: mail.body_text.clone(),
    }
}

/// Queues `email` in the outbox and has this node send it at once, without waiting for the
/// send. Fails (500) only when the message could not be queued.
pub async fn send_later(state: &AppState, email: Email) -> Result<(), Failure> {
    let id = state
        .store
        .enqueue_mail(&outbox_mail(&email), now())
        .await?;
    send_now(state, vec![id]);
    Ok(())
}

/// Sends the queued rows `ids` in a task of this node, unless another sender holds them.
/// What fails here is left to the background job.
pub fn send_now(state: &AppState, ids: Vec<String>) {
    if ids.is_empty() {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        for id in ids {
            let t = now();
            match state.store.claim_mail(&id, t, t + LEASE_SECS).await {
                Ok(Some(row)) => {
                    deliver(&state, row, t).await;
                }
                // Sent already, or in another sender's hands.
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, id = %id, "outbox claim failed; the background job will send it")
                }
            }
        }
    });
}

/// What one run of [`deliver_due`] did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: u64,
    pub retried: u64,
    pub given_up: u64,
}

/// Sends every row due now.
pub async fn deliver_due(state: &AppState) -> Result<Delivery, StoreError> {
    deliver_due_at(state, now()).await
}

/// Sends every row due at `at` (tests pass a later time to reach a retry; the clock is used
/// once it has passed `at`).
pub async fn deliver_due_at(state: &AppState, at: i64) -> Result<Delivery, StoreError> {
    let mut done = Delivery::default();
    // A claimed row is not due again within this run (leased, then deleted or moved to its
    // next try), so the loop ends; the bound only guards against a clock gone wrong.
    for _ in 0..10_000 {
        let t = at.max(now());
        let Some(row) = state.store.claim_due_mail(t, t + LEASE_SECS).await? else {
            break;
        };
        match deliver(state, row, t).await {
            Outcome::Sent => done.sent += 1,
            Outcome::Retried => done.retried += 1,
            Outcome::GivenUp => done.given_up += 1,
        }
    }
    Ok(done)
}

/// Runs [`deliver_due`] every [`POLL_EVERY`], the first time at once, for as long as the
/// runtime lives.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(POLL_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match deliver_due(&state).await {
                Ok(d) if d != Delivery::default() => tracing::info!(
                    sent = d.sent,
                    retried = d.retried,
                    given_up = d.given_up,
                    "outbox delivered due mail"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "outbox run failed"),
            }
        }
    });
}

enum Outcome {
    Sent,
    Retried,
    GivenUp,
}

/// Sends the claimed `row` (claimed at `t`), then deletes it or sets its next try.
async fn deliver(state: &AppState, row: OutboxMail, t: i64) -> Outcome {
    let sent =
        match tokio::time::timeout(SEND_TIMEOUT, state.mailer.send(&email_of(&row.mail))).await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "no answer within {} seconds",
                SEND_TIMEOUT.as_secs()
            )),
        };
    match sent {
        Ok(()) => {
            if let Err(e) = state.store.delete_mail(&row.id).await {
                // Sent, still queued: it goes again when the lease ends (one duplicate).
                tracing::error!(error = %e, id = %row.id, "sent mail could not be removed from the outbox");
            }
            Outcome::Sent
        }
        Err(error) => failed(state, &row, t, &error).await,
    }
}

async fn failed(state: &AppState, row: &OutboxMail, t: i64, error: &str) -> Outcome {
    // Delivery errors name no credential or message content (`NotifyError`).
    let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
    if t - row.created_at < GIVE_UP_AFTER_SECS {
        let wait = retry_delay(row.attempts);
        match state
            .store
            .retry_mail(&row.id, row.attempts, t + wait, &error)
            .await
        {
            Ok(_) => tracing::warn!(
                id = %row.id,
                attempts = row.attempts,
                retry_in_secs = wait,
                error = %error,
                "mail delivery failed; it will be tried again"
            ),
            // The lease then ends the claim and the row is tried again.
            Err(e) => {
                tracing::error!(error = %e, id = %row.id, "outbox could not record a failed send")
            }
        }
        return Outcome::Retried;
    }
    if let Err(e) = state.store.delete_mail(&row.id).await {
        tracing::error!(error = %e, id = %row.id, "outbox could not drop a mail it gave up");
    }
    tracing::error!(
        id = %row.id,
        attempts = row.attempts,
        queued_at = row.created_at,
        error = %error,
        "MAIL GIVEN UP: not delivered within a day of being queued"
    );
    // Who and what, never the body: it may carry a single-use link.
    let event = NewAuditEvent {
        at: now(),
        kind: AuditKind::MailFailed.as_str().to_owned(),
        account_id: None,
        username: None,
        ip: None,
        user_agent: Some("tessera mail outbox".to_owned()),
        outcome: "given_up".to_owned(),
        detail: Some(
            json!({
                "outbox_id": row.id,
                "to": row.mail.to,
                "subject": row.mail.subject,
                "attempts": row.attempts,
                "queued_at": row.created_at,
                "last_error": error,
            })
            .to_string(),
        ),
    };
    if let Err(e) = state.store.append_audit(&event).await {
        tracing::error!(error = %e, kind = "mail_failed", "AUDIT LOG WRITE FAILED");
    }
    Outcome::GivenUp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(retry_delay).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(0), 30);
        assert_eq!(retry_delay(i64::MAX), 3600);
        // A day of failures is about thirty tries, not thousands.
        let mut elapsed = 0;
        let mut tries = 0;
        while elapsed < GIVE_UP_AFTER_SECS {
            tries += 1;
            elapsed += retry_delay(tries);
        }
        assert!((20..40).contains(&tries), "{tries} tries in a day");
        assert!(LEASE_SECS as u64 > SEND_TIMEOUT.as_secs());
    }
}
