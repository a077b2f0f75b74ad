//! The provider's signing keys: kept in the database (shared by all nodes), cached here for
//! a short while, created at start (`tessera serve`) or on first use, rotated on demand or
//! on schedule with the previous key still published until every token it signed has
//! expired. Private keys never leave this module and are never logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use josekit::jwk::{Jwk, KeyPair};
use josekit::jws::{ES256, JwsHeader, JwsSigner, JwsVerifier, RS256};
use josekit::jwt::{self, JwtPayload};
use tessera_store::Store;
use tessera_store::oidc::SigningKey;
use tokio::sync::RwLock;

use crate::error::Failure;

/// Algorithms Tessera signs with: ES256 by default, RS256 for clients that need it.
pub const ALGS: [&str; 2] = ["ES256", "RS256"];

/// How long a node trusts its cached copy of the key table.
const CACHE_FOR: Duration = Duration::from_secs(30);

struct LoadedKey {
    kid: String,
    alg: String,
    active: bool,
    signer: Arc<dyn JwsSigner>,
    verifier: Arc<dyn JwsVerifier>,
    public_jwk: Jwk,
}

struct Ring {
    keys: Vec<LoadedKey>,
    loaded: Instant,
}

/// The node's view of the key table.
pub struct KeyCache {
    ring: RwLock<Option<Arc<Ring>>>,
}

impl Default for KeyCache {
    fn default() -> Self {
        Self::new()
    }
}

fn jose(e: josekit::JoseError) -> Failure {
    tracing::error!(error = %e, "JOSE operation failed");
    Failure::internal()
}

/// Makes a fresh key of `alg` (`ES256`: P-256; `RS256`: RSA 2048).
pub fn generate(alg: &str, now: i64) -> Result<SigningKey, Failure> {
    let (pem, mut jwk) = match alg {
        "RS256" => {
            let kp = RS256.generate_key_pair(2048).map_err(jose)?;
            (kp.to_pem_private_key(), kp.to_jwk_public_key())
        }
        _ => {
            let kp = ES256.generate_key_pair().map_err(jose)?;
            (kp.to_pem_private_key(), kp.to_jwk_public_key())
        }
    };
    let kid = crate::secrets::token()[..16].to_string();
    jwk.set_key_id(&kid);
    jwk.set_algorithm(alg);
    jwk.set_key_use("sig");
    Ok(SigningKey {
        kid,
        alg: alg.to_string(),
        private_pem: String::from_utf8(pem).map_err(|_| Failure::internal())?,
        public_jwk: jwk.to_string(),
        created_at: now,
        retired_at: None,
        publish_until: None,
    })
}

fn load(k: &SigningKey) -> Result<LoadedKey, Failure> {
    let jwk = Jwk::from_bytes(k.public_jwk.as_bytes()).map_err(jose)?;
    let (signer, verifier): (Arc<dyn JwsSigner>, Arc<dyn JwsVerifier>) = match k.alg.as_str() {
        "RS256" => (
            Arc::new(RS256.signer_from_pem(&k.private_pem).map_err(jose)?),
            Arc::new(RS256.verifier_from_jwk(&jwk).map_err(jose)?),
        ),
        "ES256" => (
            Arc::new(ES256.signer_from_pem(&k.private_pem).map_err(jose)?),
            Arc::new(ES256.verifier_from_jwk(&jwk).map_err(jose)?),
        ),
        _ => return Err(Failure::internal()),
    };
    Ok(LoadedKey {
        kid: k.kid.clone(),
        alg: k.alg.clone(),
        active: k.retired_at.is_none(),
        signer,
        verifier,
        public_jwk: jwk,
    })
}

impl KeyCache {
    pub fn new() -> Self {
        Self {
            ring: RwLock::new(None),
        }
    }

    async fn ring(&self, store: &Store, now: i64, force: bool) -> Result<Arc<Ring>, Failure> {
        if !force
            && let Some(r) = self.ring.read().await.as_ref()
            && r.loaded.elapsed() < CACHE_FOR
        {
            return Ok(r.clone());
        }
        let mut guard = self.ring.write().await;
        if !force
            && let Some(r) = guard.as_ref()
            && r.loaded.elapsed() < CACHE_FOR
        {
            return Ok(r.clone());
        }
        let mut rows = store.oidc_keys(now).await?;
        for alg in ALGS {
            if !rows.iter().any(|k| k.alg == alg && k.retired_at.is_none()) {
                let fresh = generate(alg, now)?;
                store.add_oidc_key_if_none(&fresh).await?;
                rows = store.oidc_keys(now).await?;
            }
        }
        let keys = rows.iter().map(load).collect::<Result<Vec<_>, _>>()?;
        let ring = Arc::new(Ring {
            keys,
            loaded: Instant::now(),
        });
        *guard = Some(ring.clone());
        Ok(ring)
    }

    /// Forgets the cached copy (after a rotation on this node).
    pub async fn invalidate(&self) {
        *self.ring.write().await = None;
    }

    /// Signs `payload` with the active key of `alg` (newest first), header `typ` as given.
    pub async fn sign(
        &self,
        store: &Store,
        now: i64,
        alg: &str,
        typ: &str,
        payload: &JwtPayload,
    ) -> Result<String, Failure> {
        let ring = self.ring(store, now, false).await?;
        let key = ring
            .keys
            .iter()
            .find(|k| k.active && k.alg == alg)
            .ok_or_else(Failure::internal)?;
        let mut header = JwsHeader::new();
        header.set_token_type(typ);
        header.set_key_id(&key.kid);
        jwt::encode_with_signer(payload, &header, key.signer.as_ref()).map_err(jose)
    }

    /// Verifies a JWT this provider signed (any published key, selected by `kid`, the
    /// header's `alg` must be the key's). Returns the payload and header; `None` when the
    /// signature or format is bad. Claims are the caller's to check.
    pub async fn verify(
        &self,
        store: &Store,
        now: i64,
        token: &str,
    ) -> Result<Option<(JwtPayload, JwsHeader)>, Failure> {
        let Ok(header) = jwt::decode_header(token) else {
            return Ok(None);
        };
        let Some(kid) = header
            .claim("kid")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
        else {
            return Ok(None);
        };
        let mut ring = self.ring(store, now, false).await?;
        if !ring.keys.iter().any(|k| k.kid == kid) {
            // Perhaps another node rotated a moment ago.
            ring = self.ring(store, now, true).await?;
        }
        let Some(key) = ring.keys.iter().find(|k| k.kid == kid) else {
            return Ok(None);
        };
        let alg_ok = header.claim("alg").and_then(|v| v.as_str()) == Some(key.alg.as_str());
        if !alg_ok {
            return Ok(None);
        }
        Ok(jwt::decode_with_verifier(token, key.verifier.as_ref()).ok())
    }

    /// The published keys as a JWK Set document.
    pub async fn jwks(&self, store: &Store, now: i64) -> Result<serde_json::Value, Failure> {
        let ring = self.ring(store, now, false).await?;
        let keys: Vec<serde_json::Value> = ring
            .keys
            .iter()
            .map(|k| serde_json::Value::Object(k.public_jwk.as_ref().clone()))
            .collect();
        Ok(serde_json::json!({ "keys": keys }))
    }

    /// Rotates `alg`: a new active key; the old one stays published for `keep_secs`.
    /// Returns the new kid and the retired ones.
    pub async fn rotate(
        &self,
        store: &Store,
        now: i64,
        alg: &str,
        keep_secs: i64,
    ) -> Result<(String, Vec<String>), Failure> {
        let fresh = generate(alg, now)?;
        let retired = store.rotate_oidc_key(&fresh, now + keep_secs).await?;
        self.invalidate().await;
        Ok((fresh.kid, retired))
    }

    /// Age in seconds of the active key of `alg` (for scheduled rotation).
    pub async fn active_age(&self, store: &Store, now: i64, alg: &str) -> Result<i64, Failure> {
        let rows = store.oidc_keys(now).await?;
        Ok(rows
            .iter()
            .filter(|k| k.alg == alg && k.retired_at.is_none())
            .map(|k| now - k.created_at)
            .min()
            .unwrap_or(i64::MAX))
    }
}

/// Whether the kid list of the ring includes `kid` (for tests and the admin command).
pub async fn published_kids(
    cache: &KeyCache,
    store: &Store,
    now: i64,
) -> Result<Vec<String>, Failure> {
    let ring = cache.ring(store, now, true).await?;
    Ok(ring.keys.iter().map(|k| k.kid.clone()).collect())
}
