//! The verification pipeline, in the order the architecture fixes: signature over exactly the
//! expected content → chain to a trust anchor → validity → keyUsage → policy → revocation →
//! identity. A sync core (CPU work plus blocking revocation fetches) and an async wrapper that
//! runs it on tokio's blocking pool.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::certinfo;
use crate::chain::{self, PolicyConfig};
use crate::error::VerifyError;
use crate::profile::{self, Identity, ProfileOids};
use crate::revocation::{RevocationChecker, RevocationOutcome};
use crate::signature::{self, DigestAlg, RsaPadding};
use crate::timeutil;
use crate::trust::TrustStore;

/// How the signature was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum SignatureFormat {
    /// CMS/PKCS#7 SignedData, attached or detached (the component's `PKCS7` mode).
    #[default]
    Cms,
    /// A raw signature over the content (the component's `PKCS1` mode); needs the certificate.
    Raw {
        digest: DigestAlg,
        padding: RsaPadding,
    },
}

/// One verification request. Byte fields accept DER, PEM or base64.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyRequest {
    pub signature: Vec<u8>,
    pub format: SignatureFormat,
    /// The signer certificate (`certb64`); optional for CMS that bundles it.
    pub cert: Option<Vec<u8>>,
    /// The exact content that must have been signed (the challenge bytes).
    pub expected_content: Vec<u8>,
    /// Purpose, selecting the allowed policies (`login`, `register` …).
    pub purpose: Option<String>,
    /// Verification time (Unix seconds); `None` = now.
    pub at: Option<i64>,
}

/// A successful verification.
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub identity: Identity,
    pub revocation: RevocationOutcome,
    /// DER of the signer certificate (for storing / binding).
    #[serde(skip)]
    pub cert_der: Vec<u8>,
    /// The certificate's validity, Unix seconds (read from the already parsed certificate, so
    /// callers need not parse `cert_der` again: OpenSSL's key decoding is the costly part).
    pub not_before: i64,
    pub not_after: i64,
}

/// Everything a verifier needs besides the trust store.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VerifierConfig {
    pub policies: PolicyConfig,
    pub profile_oids: ProfileOids,
    pub revocation: crate::revocation::RevocationConfig,
}

struct Inner {
    trust: TrustStore,
    certs: crate::certcache::CertCache,
    policies: PolicyConfig,
    oids: ProfileOids,
    revocation: RevocationChecker,
}

/// The verifier: cheap to clone, shareable across threads and tasks.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("trust", &self.inner.trust)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier with the built-in HTTP client for revocation.
    pub fn new(trust: TrustStore, config: VerifierConfig) -> Self {
        let revocation = RevocationChecker::new(config.revocation);
        Self::with_checker(trust, config.policies, config.profile_oids, revocation)
    }

    /// A verifier with a custom revocation checker (e.g. one with a test fetcher).
    pub fn with_checker(
        trust: TrustStore,
        policies: PolicyConfig,
        oids: ProfileOids,
        revocation: RevocationChecker,
    ) -> Self {
        Verifier {
            inner: Arc::new(Inner {
                trust,
                certs: crate::certcache::CertCache::default(),
                policies,
                oids,
                revocation,
            }),
        }
    }

    pub fn trust(&self) -> &TrustStore {
        &self.inner.trust
    }

    /// Verifies synchronously. May block on revocation fetches (bounded by the timeouts):
    /// from async code call [`Verifier::verify_async`].
    pub fn verify(&self, req: &VerifyRequest) -> Result<Verified, VerifyError> {
        let inner = &*self.inner;
        let at = req.at.unwrap_or_else(timeutil::now_unix);
        let sig = match req.format {
            SignatureFormat::Cms => crate::input::decode_blob(&req.signature)?,
            SignatureFormat::Raw { .. } => crate::input::decode_raw_signature(&req.signature)?,
        };
        let cert = req
            .cert
            .as_deref()
            .map(crate::input::decode_blob)
            .transpose()?;
        let outcome = match req.format {
            SignatureFormat::Cms => {
                signature::verify_cms(&sig, &req.expected_content, cert.as_deref(), &inner.certs)?
            }
            SignatureFormat::Raw { digest, padding } => {
                let cert = cert
                    .as_deref()
                    .ok_or_else(|| VerifyError::malformed("raw signature needs the certificate"))?;
                signature::verify_raw(
                    &sig,
                    cert,
                    &req.expected_content,
                    digest,
                    padding,
                    &inner.certs,
                )?
            }
        };
        let chain = chain::verify_chain(&inner.trust, &outcome.signer, &outcome.bundled, at)?;
        let leaf_der = chain
            .leaf()
            .to_der()
            .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let info = certinfo::parse(&leaf_der)
            .ok_or_else(|| VerifyError::malformed("certificate structure"))?;
        chain::check_key_usage(&info)?;
        chain::check_policy(&info, &inner.policies, req.purpose.as_deref())?;
        let revocation = inner.revocation.check(&chain, &inner.trust)?;
        let not_before_unix = timeutil::asn1_to_unix(chain.leaf().not_before()).unwrap_or(0);
        let not_after_unix = timeutil::asn1_to_unix(chain.leaf().not_after()).unwrap_or(0);
        let not_after = timeutil::asn1_to_unix(chain.leaf().not_after())
            .map(timeutil::unix_to_rfc3339)
            .unwrap_or_default();
        let issuer_line = certinfo::name_attributes(info.issuer)
            .map(|a| profile::dn_line(&a))
            .unwrap_or_default();
        let identity =
            profile::extract_identity(&info, chain.ca_kind(), &inner.oids, not_after, issuer_line)
                .map_err(|_| VerifyError::malformed("subjectDirectoryAttributes"))?;
        Ok(Verified {
            identity,
            revocation,
            cert_der: leaf_der,
            not_before: not_before_unix,
            not_after: not_after_unix,
        })
    }

    /// Verifies on tokio's blocking pool (signature and chain work is CPU-bound; revocation
    /// may wait on the network).
    pub async fn verify_async(&self, req: VerifyRequest) -> Result<Verified, VerifyError> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || me.verify(&req))
            .await
            .map_err(|e| VerifyError::Malformed(format!("verification task failed: {e}")))?
    }
}
