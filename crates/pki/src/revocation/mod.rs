//! Revocation checking of an already verified chain: OCSP first (AIA of the verified leaf or a
//! configured responder), CRL fallback (configured files, then the verified leaf's
//! distribution points), answers cached until nextUpdate, per-CA fail-closed or fail-open.
//! Nothing is fetched unless the caller holds a `VerifiedChain`.

pub mod crl;
pub mod fetch;
pub mod ocsp;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::x509::X509Crl;
use serde::{Deserialize, Serialize};

use crate::chain::VerifiedChain;
use crate::error::VerifyError;
use crate::trust::TrustStore;
use fetch::{FetchRequest, Fetcher, HttpFetcher};
use ocsp::OcspAnswer;

/// `ocsp` (with CRL fallback), `crl`, or `none`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RevocationMode {
    #[default]
    Ocsp,
    Crl,
    None,
}

/// Revocation settings (`[pki]` in the service configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RevocationConfig {
    pub mode: RevocationMode,
    /// In `ocsp` mode, use CRLs when no trustworthy OCSP answer can be had.
    pub crl_fallback: bool,
    /// A responder used for every CA (overrides AIA).
    pub ocsp_responder: Option<String>,
    /// Responders per CA, keyed by the CA certificate's file name in the trust directory.
    pub ocsp_responders: BTreeMap<String, String>,
    /// If set, only these hosts are ever contacted.
    pub allowed_hosts: Option<Vec<String>>,
    /// CAs (file name in the trust directory, or kind such as `moica`) that fail open.
    pub fail_open: Vec<String>,
    pub timeout_ms: u64,
    pub max_ocsp_bytes: usize,
    pub max_crl_bytes: usize,
    /// Refuse OCSP answers that do not echo the nonce (some responders pre-produce answers).
    pub require_nonce: bool,
    /// Clock skew tolerated on thisUpdate/nextUpdate, seconds.
    pub skew_secs: i64,
    /// How long an OCSP answer without nextUpdate counts, seconds after thisUpdate.
    pub max_age_without_next_update: i64,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        RevocationConfig {
            mode: RevocationMode::Ocsp,
            crl_fallback: true,
            ocsp_responder: None,
            ocsp_responders: BTreeMap::new(),
            allowed_hosts: None,
            fail_open: Vec::new(),
            timeout_ms: 5_000,
            max_ocsp_bytes: 64 * 1024,
            max_crl_bytes: 64 * 1024 * 1024,
            require_nonce: false,
            skew_secs: 300,
            max_age_without_next_update: 300,
        }
    }
}

/// What revocation checking concluded for a certificate that was not refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RevocationOutcome {
    Good {
        source: String,
    },
    NotChecked,
    /// Status unknown but the CA is configured fail-open: audit this warning.
    FailOpen {
        warning: String,
    },
}

/// Upper bound on cached OCSP answers (expired ones are dropped first when it is reached).
const OCSP_CACHE_MAX: usize = 100_000;

/// (SHA-256 of the issuer certificate, serial content octets).
type OcspKey = (Vec<u8>, Vec<u8>);

#[derive(Debug, Clone)]
struct CachedOcsp {
    revoked: bool,
    this_update: i64,
    next_update: i64,
}

/// Checks revocation; holds the caches. Shared by all verifications.
pub struct RevocationChecker {
    config: RevocationConfig,
    fetcher: Arc<dyn Fetcher>,
    ocsp_cache: Mutex<HashMap<OcspKey, CachedOcsp>>,
    crl_cache: Mutex<HashMap<String, Arc<X509Crl>>>,
}

impl std::fmt::Debug for RevocationChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RevocationChecker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RevocationChecker {
    /// A checker using the built-in HTTP client.
    pub fn new(config: RevocationConfig) -> Self {
        Self::with_fetcher(config, Arc::new(HttpFetcher))
    }

    /// A checker using `fetcher` for every network access (tests, proxies, audits).
    pub fn with_fetcher(config: RevocationConfig, fetcher: Arc<dyn Fetcher>) -> Self {
        RevocationChecker {
            config,
            fetcher,
            ocsp_cache: Mutex::new(HashMap::new()),
            crl_cache: Mutex::new(HashMap::new()),
        }
    }

    pub fn config(&self) -> &RevocationConfig {
        &self.config
    }

    /// Checks the leaf of `chain`.
    pub fn check(
        &self,
        chain: &VerifiedChain,
        trust: &TrustStore,
    ) -> Result<RevocationOutcome, VerifyError> {
        if self.config.mode != RevocationMode::None {
            check_ca_crls(chain, trust)?;
        }
        let soft = match self.config.mode {
            RevocationMode::None => return Ok(RevocationOutcome::NotChecked),
            RevocationMode::Ocsp => match self.check_ocsp(chain, trust) {
                Ok(outcome) => return outcome,
                Err(reason) if self.config.crl_fallback => match self.check_crl(chain, trust) {
                    Ok(outcome) => return outcome,
                    Err(crl_reason) => format!("OCSP: {reason}; CRL: {crl_reason}"),
                },
                Err(reason) => format!("OCSP: {reason}"),
            },
            RevocationMode::Crl => match self.check_crl(chain, trust) {
                Ok(outcome) => return outcome,
                Err(reason) => format!("CRL: {reason}"),
            },
        };
        self.unknown(chain, soft)
    }

    fn unknown(
        &self,
        chain: &VerifiedChain,
        reason: String,
    ) -> Result<RevocationOutcome, VerifyError> {
        let kind = chain
            .ca_kind()
            .map(|k| format!("{k:?}").to_ascii_lowercase());
        let fail_open = self.config.fail_open.iter().any(|ca| {
            Some(ca.as_str()) == chain.issuer_file() || Some(ca.to_ascii_lowercase()) == kind
        });
        if fail_open {
            Ok(RevocationOutcome::FailOpen { warning: reason })
        } else {
            Err(VerifyError::RevocationUnknown(reason))
        }
    }

    fn fetch(
        &self,
        url: &str,
        post: Option<(Vec<u8>, &'static str)>,
        max: usize,
    ) -> Result<Vec<u8>, String> {
        let (_, host, _, _) = fetch::parse_url(url).map_err(|e| e.to_string())?;
        if let Some(allowed) = &self.config.allowed_hosts
            && !allowed.iter().any(|h| h.eq_ignore_ascii_case(&host))
        {
            return Err(format!("host {host} not in the allow-list"));
        }
        let req = FetchRequest {
            url: url.to_owned(),
            post,
            timeout: Duration::from_millis(self.config.timeout_ms),
            max_bytes: max,
        };
        self.fetcher.fetch(&req).map_err(|e| e.to_string())
    }

    /// `Ok(outcome)` for a definitive answer; `Err(reason)` when no trustworthy answer came.
    fn check_ocsp(
        &self,
        chain: &VerifiedChain,
        trust: &TrustStore,
    ) -> Result<Result<RevocationOutcome, VerifyError>, String> {
        let at = chain.at();
        let id = ocsp::cert_id(chain)?;
        let issuer_fp = chain
            .issuer()
            .digest(openssl::hash::MessageDigest::sha256())
            .map_err(|e| e.to_string())?
            .to_vec();
        let key = (issuer_fp, id.serial.clone());
        if let Ok(cache) = self.ocsp_cache.lock()
            && let Some(c) = cache.get(&key)
            && c.this_update <= at + self.config.skew_secs
            && at <= c.next_update
        {
            return Ok(if c.revoked {
                Err(VerifyError::Revoked("OCSP (cached)".into()))
            } else {
                Ok(RevocationOutcome::Good {
                    source: "ocsp-cache".into(),
                })
            });
        }
        let urls = self.ocsp_urls(chain);
        if urls.is_empty() {
            return Err("no OCSP responder".into());
        }
        let mut nonce = [0u8; 16];
        openssl::rand::rand_bytes(&mut nonce).map_err(|e| e.to_string())?;
        let request = ocsp::build_request(&id, &nonce);
        let mut last = String::new();
        for url in urls {
            let body = match self.fetch(
                &url,
                Some((request.clone(), "application/ocsp-request")),
                self.config.max_ocsp_bytes,
            ) {
                Ok(b) => b,
                Err(e) => {
                    last = format!("{url}: {e}");
                    continue;
                }
            };
            let answer =
                ocsp::check_response(&body, chain, trust, &id, &nonce, self.config.require_nonce)
                    .map_err(|e| format!("{url}: {e}"))?;
            let (revoked, this_update, next_update) = match answer {
                OcspAnswer::Unknown => {
                    return Ok(self.unknown(chain, "OCSP responder answered unknown".into()));
                }
                OcspAnswer::Good {
                    this_update,
                    next_update,
                } => (false, this_update, next_update),
                OcspAnswer::Revoked {
                    this_update,
                    next_update,
                    ..
                } => (true, this_update, next_update),
            };
            let skew = self.config.skew_secs;
            if this_update > at + skew {
                return Err("OCSP thisUpdate is in the future".into());
            }
            let valid_until =
                next_update.unwrap_or(this_update + self.config.max_age_without_next_update);
            if at > valid_until + skew {
                return Err("OCSP answer is stale (past nextUpdate)".into());
            }
            if let (Some(next), Ok(mut cache)) = (next_update, self.ocsp_cache.lock()) {
                if cache.len() >= OCSP_CACHE_MAX {
                    cache.retain(|_, c| c.next_update >= at);
                    if cache.len() >= OCSP_CACHE_MAX {
                        cache.clear();
                    }
                }
                cache.insert(
                    key.clone(),
                    CachedOcsp {
                        revoked,
                        this_update,
                        next_update: next,
                    },
                );
            }
            return Ok(if revoked {
                Err(VerifyError::Revoked("OCSP".into()))
            } else {
                Ok(RevocationOutcome::Good {
                    source: "ocsp".into(),
                })
            });
        }
        Err(last)
    }

    fn ocsp_urls(&self, chain: &VerifiedChain) -> Vec<String> {
        if let Some(url) = &self.config.ocsp_responder {
            return vec![url.clone()];
        }
        if let Some(url) = chain
            .issuer_file()
            .and_then(|f| self.config.ocsp_responders.get(f))
        {
            return vec![url.clone()];
        }
        let Ok(der) = chain.leaf().to_der() else {
            return Vec::new();
        };
        crate::certinfo::parse(&der)
            .map(|i| i.ocsp_urls())
            .unwrap_or_default()
    }

    /// `Ok(outcome)` for a definitive answer; `Err(reason)` when no usable CRL was found.
    fn check_crl(
        &self,
        chain: &VerifiedChain,
        trust: &TrustStore,
    ) -> Result<Result<RevocationOutcome, VerifyError>, String> {
        let (leaf, issuer, at) = (chain.leaf(), chain.issuer(), chain.at());
        let skew = self.config.skew_secs;
        let decide = |crl: &X509Crl, source: &str| match crl::check(crl, leaf, issuer, at, skew) {
            crl::CrlAnswer::Good => Some(Ok(RevocationOutcome::Good {
                source: source.into(),
            })),
            crl::CrlAnswer::Revoked => Some(Err(VerifyError::Revoked("CRL".into()))),
            crl::CrlAnswer::NotApplicable(_) => None,
        };
        let issuer_fp = fingerprint(issuer)?;
        for c in trust
            .crls
            .iter()
            .filter(|c| c.issuer_fingerprint == issuer_fp)
        {
            match crl::check_verified(&c.crl, leaf, at, skew) {
                crl::CrlAnswer::Good => {
                    return Ok(Ok(RevocationOutcome::Good {
                        source: "crl-file".into(),
                    }));
                }
                crl::CrlAnswer::Revoked => return Ok(Err(VerifyError::Revoked("CRL".into()))),
                crl::CrlAnswer::NotApplicable(_) => {}
            }
        }
        let urls = crate::certinfo::parse(&leaf.to_der().map_err(|e| e.to_string())?)
            .map(|i| i.crl_urls())
            .unwrap_or_default();
        let mut last = "no usable CRL".to_string();
        for url in urls {
            let cached = self
                .crl_cache
                .lock()
                .ok()
                .and_then(|c| c.get(&url).cloned());
            if let Some(c) = cached
                && crl::next_update(&c).is_some_and(|n| at + skew < n)
                && let Some(outcome) = decide(&c, "crl-cache")
            {
                return Ok(outcome);
            }
            let fetched = self
                .fetch(&url, None, self.config.max_crl_bytes)
                .and_then(|b| crl::parse(&b).ok_or_else(|| "not a CRL".into()));
            match fetched {
                Ok(c) => {
                    let c = Arc::new(c);
                    if crl::issued_by(&c, issuer)
                        && let Ok(mut cache) = self.crl_cache.lock()
                    {
                        cache.insert(url.clone(), c.clone());
                    }
                    if let Some(outcome) = decide(&c, "crl") {
                        return Ok(outcome);
                    }
                    last = format!("{url}: CRL not usable");
                }
                Err(e) => last = format!("{url}: {e}"),
            }
        }
        Err(last)
    }
}

fn fingerprint(cert: &openssl::x509::X509Ref) -> Result<Vec<u8>, String> {
    cert.digest(openssl::hash::MessageDigest::sha256())
        .map(|d| d.to_vec())
        .map_err(|e| e.to_string())
}

/// CA certificates of the chain listed in a configured CRL of their issuer (an ARL) are
/// refused. Without such a CRL, CA certificates are trusted as configured.
fn check_ca_crls(chain: &VerifiedChain, trust: &TrustStore) -> Result<(), VerifyError> {
    let certs = chain.certs();
    for pair in certs.windows(2).skip(1) {
        let (ca, issuer) = (&pair[0], &pair[1]);
        let Ok(issuer_fp) = fingerprint(issuer) else {
            continue;
        };
        for c in trust
            .crls
            .iter()
            .filter(|c| c.issuer_fingerprint == issuer_fp)
        {
            if crl::check_verified(&c.crl, ca, chain.at(), 0) == crl::CrlAnswer::Revoked {
                return Err(VerifyError::Revoked(
                    "issuing CA certificate revoked (CRL)".into(),
                ));
            }
        }
    }
    Ok(())
}
