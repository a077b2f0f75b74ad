//! The certificate service held in `AppState`: the verifier built from `[pki]` and the
//! challenge store, which lives in the database so every node accepts every node's
//! challenges (`tessera_pki::ChallengeStore` over `tessera_store`).

use std::sync::Arc;

use tessera_pki::challenge::{BoxFuture, StoreError as ChallengeStoreError};
use tessera_pki::{Challenge, ChallengeStore, Verifier};
use tessera_store::Store;
use tessera_store::certs::CertChallenge;

/// Verifier plus shared challenge store.
pub struct CertService {
    pub verifier: Verifier,
    pub challenges: Arc<dyn ChallengeStore>,
}

impl CertService {
    pub fn new(verifier: Verifier, store: Store) -> Self {
        Self {
            verifier,
            challenges: Arc::new(DbChallengeStore(store)),
        }
    }
}

/// `ChallengeStore` on the database: insert, and take-once by `DELETE … RETURNING`.
pub struct DbChallengeStore(pub Store);

fn store_error(e: tessera_store::StoreError) -> ChallengeStoreError {
    ChallengeStoreError(e.to_string())
}

impl ChallengeStore for DbChallengeStore {
    fn insert(&self, c: Challenge) -> BoxFuture<'_, Result<(), ChallengeStoreError>> {
        Box::pin(async move {
            let row = CertChallenge {
                id: c.id,
                bytes: c.bytes,
                purpose: c.purpose,
                session_binding: c.session_binding,
                expires_at: c.expires_at,
            };
            self.0
                .insert_cert_challenge(&row)
                .await
                .map_err(store_error)
        })
    }

    fn take<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<Challenge>, ChallengeStoreError>> {
        Box::pin(async move {
            let taken = self.0.take_cert_challenge(id).await.map_err(store_error)?;
            Ok(taken.map(|c| Challenge {
                id: c.id,
                bytes: c.bytes,
                purpose: c.purpose,
                session_binding: c.session_binding,
                expires_at: c.expires_at,
            }))
        })
    }
}
