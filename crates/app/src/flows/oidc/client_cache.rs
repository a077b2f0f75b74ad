//! A node's short-lived copy of registered clients, so the token, revocation and
//! introspection endpoints do not read the client row on every call (it changes only when an
//! operator adds or removes a client). Correctness: removal on this node forgets the entry
//! at once; on other nodes a removed client is remembered at most [`CACHE_FOR`], during
//! which it still cannot obtain anything — its grants, codes and refresh tokens were deleted
//! with it (`ON DELETE CASCADE`). Unknown ids are never cached, so a client added on another
//! node works immediately. Client ids are random and never reused.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tessera_store::Store;
use tessera_store::oidc::OidcClient;

use crate::error::Failure;

/// How long a node trusts its copy of a client row.
pub const CACHE_FOR: Duration = Duration::from_secs(10);

/// Entries kept at most (the cache is emptied when full; it only holds registered clients).
const MAX_ENTRIES: usize = 1024;

/// The node's view of the client table.
#[derive(Default)]
pub struct ClientCache {
    rows: Mutex<HashMap<String, (OidcClient, Instant)>>,
}

impl ClientCache {
    pub fn new() -> Self {
        Self::default()
    }

    fn cached(&self, id: &str) -> Option<OidcClient> {
        let rows = self.rows.lock().ok()?;
        rows.get(id)
            .filter(|(_, at)| at.elapsed() < CACHE_FOR)
            .map(|(c, _)| c.clone())
    }

    /// The client with this id: from the cache while fresh, else from the store.
    pub async fn get(&self, store: &Store, id: &str) -> Result<Option<OidcClient>, Failure> {
        if let Some(c) = self.cached(id) {
            return Ok(Some(c));
        }
        let client = store.oidc_client(id).await?;
        if let (Some(c), Ok(mut rows)) = (&client, self.rows.lock()) {
            if rows.len() >= MAX_ENTRIES {
                rows.clear();
            }
            rows.insert(c.id.clone(), (c.clone(), Instant::now()));
        }
        Ok(client)
    }

    /// Forgets a client (after it was removed on this node).
    pub fn forget(&self, id: &str) {
        if let Ok(mut rows) = self.rows.lock() {
            rows.remove(id);
        }
    }
}
