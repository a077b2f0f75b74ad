//! Random single-use secrets (link tokens, 6-digit codes) and their stored digests.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A 256-bit URL-safe token for links.
pub fn token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A 6-digit numeric code for SMS.
pub fn code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// The digest stored instead of a secret; parts are length-prefixed so they cannot be shifted.
pub fn digest(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Constant-time equality of two digests.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_tokens_unique() {
        for _ in 0..100 {
            let c = code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|ch| ch.is_ascii_digit()));
        }
        assert_ne!(token(), token());
        assert_eq!(token().len(), 43);
    }

    #[test]
    fn digest_binds_every_part() {
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert!(same(&digest(&["x"]), &digest(&["x"])));
        assert!(!same(&digest(&["x"]), &digest(&["y"])));
    }
}
