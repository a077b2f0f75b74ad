//! Challenges: 32 random bytes issued for a purpose and bound to a browser session, valid for
//! five minutes, consumed at most once. Storage is behind `ChallengeStore` (in-memory here; a
//! database implementation lives in the store crate). `take` must be atomic: two concurrent
//! takes of one id return it at most once.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::VerifyError;
use crate::verifier::{SignatureFormat, Verified, Verifier, VerifyRequest};

/// Default lifetime of a challenge, seconds.
pub const CHALLENGE_TTL_SECS: i64 = 300;

/// An issued challenge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Random identifier (hex), given to the browser with the bytes.
    pub id: String,
    /// The 32 bytes to be signed.
    pub bytes: Vec<u8>,
    pub purpose: String,
    /// Identifies the browser session that asked for it.
    pub session_binding: String,
    /// Unix seconds after which the challenge is refused.
    pub expires_at: i64,
}

/// A boxed, sendable future (keeps the trait object-safe: `Arc<dyn ChallengeStore>`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A storage failure (database down …); not a verification outcome.
#[derive(Debug, thiserror::Error)]
#[error("challenge store: {0}")]
pub struct StoreError(pub String);

/// Where challenges live between issue and use.
pub trait ChallengeStore: Send + Sync {
    fn insert(&self, challenge: Challenge) -> BoxFuture<'_, Result<(), StoreError>>;
    /// Removes and returns the challenge atomically; `None` if absent or already taken.
    fn take<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Challenge>, StoreError>>;
}

/// In-memory store (single process; tests and demo mode).
#[derive(Debug, Default)]
pub struct MemoryChallengeStore {
    map: Mutex<HashMap<String, Challenge>>,
}

impl ChallengeStore for MemoryChallengeStore {
    fn insert(&self, challenge: Challenge) -> BoxFuture<'_, Result<(), StoreError>> {
        let result = self
            .map
            .lock()
            .map(|mut m| {
                m.insert(challenge.id.clone(), challenge);
            })
            .map_err(|_| StoreError("lock poisoned".into()));
        Box::pin(async move { result })
    }

    fn take<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Option<Challenge>, StoreError>> {
        let result = self
            .map
            .lock()
            .map(|mut m| m.remove(id))
            .map_err(|_| StoreError("lock poisoned".into()));
        Box::pin(async move { result })
    }
}

/// Creates a fresh challenge (not stored).
pub fn new_challenge(
    purpose: &str,
    session_binding: &str,
    now: i64,
) -> Result<Challenge, StoreError> {
    let mut bytes = vec![0u8; 32];
    let mut id = [0u8; 16];
    openssl::rand::rand_bytes(&mut bytes).map_err(|e| StoreError(e.to_string()))?;
    openssl::rand::rand_bytes(&mut id).map_err(|e| StoreError(e.to_string()))?;
    Ok(Challenge {
        id: hex::encode(id),
        bytes,
        purpose: purpose.to_owned(),
        session_binding: session_binding.to_owned(),
        expires_at: now + CHALLENGE_TTL_SECS,
    })
}

/// Issues a challenge and stores it.
pub async fn issue(
    store: &dyn ChallengeStore,
    purpose: &str,
    session_binding: &str,
    now: i64,
) -> Result<Challenge, StoreError> {
    let c = new_challenge(purpose, session_binding, now)?;
    store.insert(c.clone()).await?;
    Ok(c)
}

/// Consumes a challenge for `session_binding` and `purpose`. The challenge is removed whatever
/// the outcome, so each one allows a single attempt.
pub async fn consume(
    store: &dyn ChallengeStore,
    id: &str,
    session_binding: &str,
    purpose: &str,
    now: i64,
) -> Result<Result<Challenge, VerifyError>, StoreError> {
    let Some(c) = store.take(id).await? else {
        return Ok(Err(VerifyError::ChallengeReplayed));
    };
    if c.session_binding != session_binding || c.purpose != purpose {
        return Ok(Err(VerifyError::ChallengeReplayed));
    }
    if now > c.expires_at {
        return Ok(Err(VerifyError::ChallengeExpired));
    }
    Ok(Ok(c))
}

/// A signed answer to a challenge, as the browser posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChallengeResponse {
    pub challenge_id: String,
    pub signature: Vec<u8>,
    pub cert: Option<Vec<u8>>,
    pub format: SignatureFormat,
}

/// Failure of `verify_challenge_response`: a verification refusal or a storage error.
#[derive(Debug, thiserror::Error)]
pub enum ChallengeError {
    #[error(transparent)]
    Refused(#[from] VerifyError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Takes the challenge (single use), then verifies the signature over its exact bytes.
pub async fn verify_challenge_response(
    verifier: &Verifier,
    store: &dyn ChallengeStore,
    response: ChallengeResponse,
    session_binding: &str,
    purpose: &str,
    now: i64,
) -> Result<Verified, ChallengeError> {
    let challenge = consume(store, &response.challenge_id, session_binding, purpose, now).await??;
    let req = VerifyRequest {
        signature: response.signature,
        format: response.format,
        cert: response.cert,
        expected_content: challenge.bytes,
        purpose: Some(challenge.purpose),
        at: Some(now),
    };
    Ok(verifier.verify_async(req).await?)
}
