//! A bounded cache of parsed certificates keyed by the SHA-256 of their DER. OpenSSL 3 spends
//! most of a verification decoding public keys; people sign in again and again with the same
//! card, so parsing each certificate once keeps full verifications near the cost of the RSA
//! operations themselves. Identical DER is an identical certificate, so this cannot change a
//! verification outcome.

use std::collections::HashMap;
use std::sync::Mutex;

use openssl::hash::{MessageDigest, hash};
use openssl::x509::X509;

use crate::error::VerifyError;

/// Parsed certificates by DER hash; cleared when `capacity` is reached.
#[derive(Debug)]
pub struct CertCache {
    map: Mutex<HashMap<Vec<u8>, X509>>,
    capacity: usize,
}

impl Default for CertCache {
    fn default() -> Self {
        CertCache::new(4096)
    }
}

impl CertCache {
    pub fn new(capacity: usize) -> Self {
        CertCache {
            map: Mutex::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// The certificate encoded by `der`, parsed at most once while cached.
    pub fn get(&self, der: &[u8]) -> Result<X509, VerifyError> {
        let key = hash(MessageDigest::sha256(), der)
            .map_err(|e| VerifyError::Malformed(e.to_string()))?
            .to_vec();
        if let Some(cert) = self.map.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return Ok(cert);
        }
        let cert = X509::from_der(der).map_err(|_| VerifyError::malformed("certificate"))?;
        // Only exact, complete encodings are cached (from_der ignores trailing bytes).
        if cert.to_der().is_ok_and(|d| d == der)
            && let Ok(mut map) = self.map.lock()
        {
            if map.len() >= self.capacity {
                map.clear();
            }
            map.insert(key, cert.clone());
        }
        Ok(cert)
    }
}
