//! Challenges: issued with 32 random bytes and a 5-minute expiry, bound to a session and a
//! purpose, consumed exactly once — also under concurrency — and verified end to end against
//! a signature made by the `openssl` CLI.

mod common;

use std::sync::Arc;

use common::*;
use tessera_pki::challenge::{self, ChallengeError, ChallengeResponse, verify_challenge_response};
use tessera_pki::timeutil::now_unix;
use tessera_pki::{ChallengeStore, MemoryChallengeStore, RevocationMode};

fn code(r: Result<tessera_pki::Verified, ChallengeError>) -> Result<String, &'static str> {
    match r {
        Ok(v) => Ok(v.identity.name),
        Err(ChallengeError::Refused(e)) => Err(e.code()),
        Err(ChallengeError::Store(_)) => Err("store"),
    }
}

fn response(c: &tessera_pki::Challenge, id: &str) -> ChallengeResponse {
    ChallengeResponse {
        challenge_id: c.id.clone(),
        signature: cms_sign(id, &c.bytes, &[]),
        ..ChallengeResponse::default()
    }
}

#[tokio::test]
async fn issued_challenge_verifies_once_then_is_replayed() {
    let store = MemoryChallengeStore::default();
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let now = now_unix();
    let c = challenge::issue(&store, "login", "session-1", now)
        .await
        .expect("issue");
    assert_eq!(c.bytes.len(), 32);
    assert_eq!(c.expires_at, now + 300);
    let other = challenge::issue(&store, "login", "session-1", now)
        .await
        .expect("issue");
    assert_ne!(c.bytes, other.bytes, "random bytes differ");
    let resp = response(&c, "citizen-wang");
    assert_eq!(
        code(
            verify_challenge_response(&v, &store, resp.clone(), "session-1", "login", now + 10)
                .await
        ),
        Ok("王小明".into())
    );
    assert_eq!(
        code(verify_challenge_response(&v, &store, resp, "session-1", "login", now + 11).await),
        Err("challenge_replayed")
    );
}

#[tokio::test]
async fn expired_foreign_session_and_wrong_purpose_are_refused_and_consume_it() {
    let store = MemoryChallengeStore::default();
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let now = now_unix();
    let c = challenge::issue(&store, "login", "s", now)
        .await
        .expect("issue");
    assert_eq!(
        code(
            verify_challenge_response(
                &v,
                &store,
                response(&c, "citizen-wang"),
                "s",
                "login",
                now + 301
            )
            .await
        ),
        Err("challenge_expired")
    );
    let c = challenge::issue(&store, "login", "s", now)
        .await
        .expect("issue");
    assert_eq!(
        code(
            verify_challenge_response(
                &v,
                &store,
                response(&c, "citizen-wang"),
                "other",
                "login",
                now
            )
            .await
        ),
        Err("challenge_replayed")
    );
    assert_eq!(
        code(
            verify_challenge_response(&v, &store, response(&c, "citizen-wang"), "s", "login", now)
                .await
        ),
        Err("challenge_replayed"),
        "a failed attempt uses the challenge up"
    );
    let c = challenge::issue(&store, "register", "s", now)
        .await
        .expect("issue");
    assert_eq!(
        code(
            verify_challenge_response(&v, &store, response(&c, "citizen-wang"), "s", "login", now)
                .await
        ),
        Err("challenge_replayed")
    );
}

#[tokio::test]
async fn signature_over_another_challenge_is_a_content_mismatch() {
    let store = MemoryChallengeStore::default();
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let now = now_unix();
    let c1 = challenge::issue(&store, "login", "s", now)
        .await
        .expect("issue");
    let c2 = challenge::issue(&store, "login", "s", now)
        .await
        .expect("issue");
    let resp = ChallengeResponse {
        challenge_id: c2.id.clone(),
        ..response(&c1, "citizen-wang")
    };
    assert_eq!(
        code(verify_challenge_response(&v, &store, resp, "s", "login", now).await),
        Err("content_mismatch")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_takes_return_the_challenge_once() {
    let store: Arc<dyn ChallengeStore> = Arc::new(MemoryChallengeStore::default());
    let c = challenge::issue(store.as_ref(), "login", "s", now_unix())
        .await
        .expect("issue");
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (store, id) = (store.clone(), c.id.clone());
        tasks.push(tokio::spawn(async move {
            store.take(&id).await.map(|o| o.is_some())
        }));
    }
    let mut got = 0;
    for t in tasks {
        if t.await.expect("join").expect("store") {
            got += 1;
        }
    }
    assert_eq!(got, 1);
}
