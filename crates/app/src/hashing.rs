//! Password hashing with Argon2id: a bounded pool (one slot per core) whose memory blocks are
//! allocated once and reused, so memory stays bounded and no hash pays for fresh pages;
//! constant-time dummy work for unknown accounts; detection of hashes made with outdated
//! parameters (rehash on login).

use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier, SaltString};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use crate::error::Failure;
use crate::settings::HashParams;

const OUTPUT_LEN: usize = 32;

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
    /// At most this many hashes run at once; more wait their turn instead of thrashing.
    slots: Arc<Semaphore>,
    /// Reusable Argon2 memory, at most one buffer per slot.
    memory: Mutex<Vec<Vec<Block>>>,
    blocks: usize,
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    No,
    Yes,
    /// Correct, but the hash uses other parameters than the configured ones.
    YesNeedsRehash,
}

fn internal<E: std::fmt::Display>(what: &'static str) -> impl FnOnce(E) -> Failure {
    move |e| {
        tracing::error!(error = %e, "{what}");
        Failure::internal()
    }
}

impl Inner {
    /// Runs `f` with a memory buffer from the pool (allocating one the first time).
    fn with_memory<R>(&self, f: impl FnOnce(&mut [Block]) -> R) -> R {
        let taken = self
            .memory
            .lock()
            .map(|mut pool| pool.pop())
            .unwrap_or(None);
        let mut buf = taken.unwrap_or_else(|| vec![Block::default(); self.blocks]);
        let result = f(&mut buf);
        if let Ok(mut pool) = self.memory.lock() {
            pool.push(buf);
        }
        result
    }

    fn raw(&self, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), Failure> {
        self.with_memory(|mem| {
            self.argon
                .hash_password_into_with_memory(password, salt, out, mem)
        })
        .map_err(internal("argon2 hashing failed"))
    }

    fn hash(&self, password: &[u8]) -> Result<String, Failure> {
        let salt = SaltString::generate(&mut OsRng);
        let mut salt_buf = [0u8; 64];
        let salt_bytes = salt
            .as_salt()
            .decode_b64(&mut salt_buf)
            .map_err(internal("salt encoding"))?;
        let mut out = [0u8; OUTPUT_LEN];
        self.raw(password, salt_bytes, &mut out)?;
        let phc = PasswordHash {
            algorithm: ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(self.argon.params()).map_err(internal("params"))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(internal("output"))?),
        };
        Ok(phc.to_string())
    }

    /// Whether `hash` was made with exactly the configured parameters.
    fn current(&self, hash: &PasswordHash<'_>) -> bool {
        hash.algorithm == ARGON2ID_IDENT
            && hash.version == Some(Version::V0x13.into())
            && hash.hash.is_some_and(|h| h.len() == OUTPUT_LEN)
            && Params::try_from(hash).is_ok_and(|p| {
                p.m_cost() == self.params.memory_kib
                    && p.t_cost() == self.params.iterations
                    && p.p_cost() == self.params.parallelism
            })
    }

    fn verify(&self, password: &[u8], phc: &str) -> Verified {
        let Ok(parsed) = PasswordHash::new(phc) else {
            tracing::error!("stored password hash is not a PHC string");
            return Verified::No;
        };
        if !self.current(&parsed) {
            // Older parameters: verify with those (rare, allocates), then ask for a rehash.
            let ok = Argon2::default().verify_password(password, &parsed).is_ok();
            return if ok {
                Verified::YesNeedsRehash
            } else {
                Verified::No
            };
        }
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Verified::No;
        };
        let mut salt_buf = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
            return Verified::No;
        };
        let mut out = Zeroizing::new([0u8; OUTPUT_LEN]);
        if self.raw(password, salt, &mut out[..]).is_err() {
            return Verified::No;
        }
        if bool::from(out[..].ct_eq(expected.as_bytes())) {
            Verified::Yes
        } else {
            Verified::No
        }
    }
}

impl Hasher {
    pub fn new(params: HashParams) -> Result<Self, Failure> {
        let p = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            Some(OUTPUT_LEN),
        )
        .map_err(internal("invalid Argon2 parameters"))?;
        let blocks = p.block_count();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        let mut inner = Inner {
            argon,
            params,
            dummy: String::new(),
            slots: Arc::new(Semaphore::new(slots)),
            memory: Mutex::new(Vec::with_capacity(slots)),
            blocks,
        };
        let dummy_pw: [u8; 16] = rand::random();
        inner.dummy = inner.hash(&dummy_pw)?;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    pub fn params(&self) -> HashParams {
        self.inner.params
    }

    /// Runs one hashing job on the blocking pool once a slot is free.
    async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&Inner) -> R + Send + 'static,
    ) -> Result<R, Failure> {
        let permit = self
            .inner
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(internal("hash slots closed"))?;
        let inner = self.inner.clone();
        let result = tokio::task::spawn_blocking(move || {
            let r = job(&inner);
            drop(permit);
            r
        })
        .await
        .map_err(internal("hashing task failed"))?;
        Ok(result)
    }

    /// Hashes a new password (PHC string).
    pub async fn hash(&self, password: &str) -> Result<String, Failure> {
        let password = Zeroizing::new(password.as_bytes().to_vec());
        self.run(move |inner| inner.hash(&password)).await?
    }

    /// Verifies `password` against `stored`; with `None` verifies against the dummy hash and
    /// answers `No`, taking the same time as a real check.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<Verified, Failure> {
        let password = Zeroizing::new(password.as_bytes().to_vec());
        let stored = stored.map(str::to_owned);
        self.run(move |inner| match stored {
            Some(phc) => inner.verify(&password, &phc),
            None => {
                let _ = inner.verify(&password, &inner.dummy);
                Verified::No
            }
        })
        .await
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
        assert!(
            stored.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"),
            "{stored}"
        );
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
    async fn hashes_verify_with_the_reference_implementation() {
        // Our pooled hashing must produce standard PHC strings any Argon2 library accepts.
        let h = Hasher::new(cheap()).unwrap();
        let stored = h.hash("Interop2026").await.unwrap();
        let parsed = PasswordHash::new(&stored).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Interop2026", &parsed)
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"Interop2027", &parsed)
                .is_err()
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
        assert_eq!(
            new.verify("Passw0rd!y", Some(&stored)).await.unwrap(),
            Verified::No
        );
    }

    #[tokio::test]
    async fn memory_is_reused_not_grown() {
        let h = Hasher::new(cheap()).unwrap();
        let stored = h.hash("Reuse2026x").await.unwrap();
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let h = h.clone();
            let s = stored.clone();
            tasks.push(tokio::spawn(async move {
                h.verify("Reuse2026x", Some(&s)).await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), Verified::Yes);
        }
        let buffers = h.inner.memory.lock().unwrap().len();
        let slots = std::thread::available_parallelism().map_or(2, |n| n.get());
        assert!(
            buffers >= 1 && buffers <= slots,
            "{buffers} buffers for {slots} slots"
        );
    }

    #[tokio::test]
    async fn garbage_hash_is_refused_not_panicking() {
        let h = Hasher::new(cheap()).unwrap();
        for bad in [
            "not-a-hash",
            "$argon2id$v=19$m=1024,t=1,p=1$$",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$",
        ] {
            assert_eq!(
                h.verify("x", Some(bad)).await.unwrap(),
                Verified::No,
                "{bad}"
            );
        }
    }
}
