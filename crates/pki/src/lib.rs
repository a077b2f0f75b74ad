//! Certificate verification core: CMS/PKCS#7 signatures over issued challenges, chains to trust
//! anchors, revocation (OCSP, CRL), Taiwan certificate profiles and the test-PKI builder.
//!
//! Entry points: [`PkiSettings::build`] (or [`TrustStore::load`] + [`Verifier::new`]),
//! [`Verifier::verify`] / [`Verifier::verify_async`], [`challenge::issue`] and
//! [`challenge::verify_challenge_response`], [`testpki::init_test`] and [`cli::run`].
//! See `docs/pki.md`.

pub mod certcache;
pub mod certinfo;
pub mod chain;
pub mod challenge;
pub mod cli;
pub mod cms;
pub mod config;
pub mod der;
pub mod error;
pub mod input;
pub mod profile;
pub mod revocation;
pub mod signature;
pub mod testpki;
pub mod timeutil;
pub mod trust;
pub mod verifier;

pub use chain::{PolicyConfig, VerifiedChain};
pub use challenge::{Challenge, ChallengeResponse, ChallengeStore, MemoryChallengeStore};
pub use config::{PkiSettings, SettingsError};
pub use error::VerifyError;
pub use profile::{CaKind, CertKind, Identity, ProfileOids};
pub use revocation::{RevocationConfig, RevocationMode, RevocationOutcome};
pub use signature::{DigestAlg, RsaPadding};
pub use trust::{TrustError, TrustStore};
pub use verifier::{SignatureFormat, Verified, Verifier, VerifierConfig, VerifyRequest};
