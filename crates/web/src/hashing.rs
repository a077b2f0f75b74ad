//! Password hashing with Argon2id on the blocking pool, constant-time dummy work for unknown
//! accounts, and detection of hashes made with outdated parameters (rehash on login).

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::error::Failure;
use crate::settings::HashParams;

/// Hashes and verifies passwords with one set of Argon2id parameters.
#[derive(Clone)]
pub struct Hasher {
    inner: Arc<Inner>,
}

struct Inner {
    argon: Argon2<'static>,
    params: HashParams,
    /// A hash of a random password, verified against when the account does not exist so that
    /// an unknown username costs as much as a wrong password.
    dummy: String,
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but the hash uses other parameters than the configured ones.
    YesNeedsRehash,
}

impl Hasher {
    pub fn new(params: HashParams) -> Result<Self, Failure> {
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            None,
        )
        .map_err(|e| {
            tracing::error!(error = %e, "invalid Argon2 parameters");
            Failure::internal()
        })?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        let dummy_pw: [u8; 16] = rand::random();
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon
            .hash_password(&dummy_pw, &salt)
            .map_err(|_| Failure::internal())?
            .to_string();
        Ok(Self {
            inner: Arc::new(Inner {
                argon,
                params,
                dummy,
            }),
        })
    }

    pub fn params(&self) -> HashParams {
        self.inner.params
    }

    /// Hashes a new password (PHC string) on the blocking pool.
    pub async fn hash(&self, password: &str) -> Result<String, Failure> {
        let inner = self.inner.clone();
        let password = Zeroizing::new(password.as_bytes().to_vec());
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            inner
                .argon
                .hash_password(&password, &salt)
                .map(|h| h.to_string())
                .map_err(|_| Failure::internal())
        })
        .await
        .map_err(|_| Failure::internal())?
    }

    /// Verifies `password` against `stored`; with `None` verifies against the dummy hash and
    /// answers `No`, taking the same time as a real check.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified, Failure> {
        let inner = self.inner.clone();
        let password = Zeroizing::new(password.as_bytes().to_vec());
        let stored = stored.map(str::to_owned);
        tokio::task::spawn_blocking(move || {
            let real = stored.is_some();
            let phc = stored.unwrap_or_else(|| inner.dummy.clone());
            let Ok(parsed) = PasswordHash::new(&phc) else {
                tracing::error!("stored password hash is not a PHC string");
                return Verified::No;
            };
            // Verify with the parameters embedded in the hash, not the configured ones.
            let ok = Argon2::default()
                .verify_password(&password, &parsed)
                .is_ok();
            match (real, ok) {
                (true, true) if needs_rehash(&parsed, inner.params) => Verified::YesNeedsRehash,
                (true, true) => Verified::Yes,
                _ => Verified::No,
            }
        })
        .await
        .map_err(|_| Failure::internal())
    }
}

fn needs_rehash(hash: &PasswordHash<'_>, want: HashParams) -> bool {
    if hash.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(hash) {
        Ok(p) => {
            p.m_cost() != want.memory_kib
                || p.t_cost() != want.iterations
                || p.p_cost() != want.parallelism
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> HashParams {
        HashParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[tokio::test]
    async fn verifies_right_password_only() {
        let h = Hasher::new(cheap()).unwrap();
        let stored = h.hash("correct horse 1").await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert_eq!(
            h.verify("correct horse 1", Some(&stored)).await.unwrap(),
            Verified::Yes
        );
        assert_eq!(
            h.verify("correct horse 2", Some(&stored)).await.unwrap(),
            Verified::No
        );
        assert_eq!(
            h.verify("correct horse 1", None).await.unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn changed_parameters_ask_for_rehash() {
        let old = Hasher::new(cheap()).unwrap();
        let stored = old.hash("Passw0rd!x").await.unwrap();
        let new = Hasher::new(HashParams {
            memory_kib: 2048,
            ..cheap()
        })
        .unwrap();
        assert_eq!(
            new.verify("Passw0rd!x", Some(&stored)).await.unwrap(),
            Verified::YesNeedsRehash
        );
    }

    #[tokio::test]
    async fn garbage_hash_is_refused_not_panicking() {
        let h = Hasher::new(cheap()).unwrap();
        assert_eq!(
            h.verify("x", Some("not-a-hash")).await.unwrap(),
            Verified::No
        );
    }
}
