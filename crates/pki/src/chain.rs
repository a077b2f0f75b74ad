//! Chain building and certificate checks: from a signer certificate to a configured root
//! (signatures and basicConstraints by OpenSSL), then validity at the requested time,
//! keyUsage and the certificate policies allowed for a purpose. A `VerifiedChain` can only be
//! made here, which is what lets the revocation layer refuse to fetch for unverified input.

use std::collections::BTreeMap;

use openssl::asn1::Asn1Time;
use openssl::stack::Stack;
use openssl::x509::{X509, X509StoreContext};
use serde::{Deserialize, Serialize};

use crate::certinfo;
use crate::error::VerifyError;
use crate::profile::CaKind;
use crate::trust::TrustStore;

/// Allowed certificate policy OIDs per purpose (`login`, `register` …). A purpose without an
/// entry uses `default`; an empty list means "any policy".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PolicyConfig {
    pub default: Vec<String>,
    pub by_purpose: BTreeMap<String, Vec<String>>,
}

impl PolicyConfig {
    fn allowed(&self, purpose: Option<&str>) -> &[String] {
        purpose
            .and_then(|p| self.by_purpose.get(p))
            .unwrap_or(&self.default)
    }
}

/// A chain that verified to a trust anchor at `at`: leaf first, root last.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    certs: Vec<X509>,
    ca_kind: Option<CaKind>,
    issuer_file: Option<String>,
    at: i64,
}

impl VerifiedChain {
    pub fn leaf(&self) -> &X509 {
        &self.certs[0]
    }
    /// The leaf's issuer (a verified chain always has at least leaf and root).
    pub fn issuer(&self) -> &X509 {
        &self.certs[1]
    }
    pub fn certs(&self) -> &[X509] {
        &self.certs
    }
    pub fn ca_kind(&self) -> Option<CaKind> {
        self.ca_kind
    }
    /// Trust-directory file name of the leaf's issuer (per-CA configuration key).
    pub fn issuer_file(&self) -> Option<&str> {
        self.issuer_file.as_deref()
    }
    pub fn at(&self) -> i64 {
        self.at
    }
}

/// Builds and checks the chain of `leaf` (with `extra` untrusted certificates, e.g. those
/// bundled in the CMS) at Unix time `at`.
pub fn verify_chain(
    trust: &TrustStore,
    leaf: &X509,
    extra: &[X509],
    at: i64,
) -> Result<VerifiedChain, VerifyError> {
    let openssl_err = |e: openssl::error::ErrorStack| VerifyError::UntrustedChain(e.to_string());
    let mut untrusted = Stack::new().map_err(openssl_err)?;
    for c in trust.intermediates.iter().map(|c| &c.cert).chain(extra) {
        untrusted.push(c.clone()).map_err(openssl_err)?;
    }
    let mut ctx = X509StoreContext::new().map_err(openssl_err)?;
    let built = ctx
        .init(&trust.chain_store, leaf, &untrusted, |c| {
            let ok = c.verify_cert()?;
            let chain: Option<Vec<X509>> =
                c.chain().map(|s| s.iter().map(|x| x.to_owned()).collect());
            Ok((ok, c.error(), chain))
        })
        .map_err(openssl_err)?;
    let certs = match built {
        (true, _, Some(chain)) if chain.len() >= 2 => chain,
        (true, _, _) => {
            return Err(VerifyError::UntrustedChain(
                "the signer certificate is itself a trust anchor".into(),
            ));
        }
        (false, err, _) => return Err(VerifyError::UntrustedChain(err.error_string().into())),
    };
    let now = Asn1Time::from_unix(at).map_err(|e| VerifyError::Malformed(e.to_string()))?;
    for cert in &certs {
        if cert.not_before() > now {
            return Err(VerifyError::NotYetValid);
        }
        if cert.not_after() < now {
            return Err(VerifyError::Expired);
        }
    }
    let ca_kind = trust.ca_kind(&certs[1]);
    let issuer_file = trust.file_name_of(&certs[1]).map(str::to_owned);
    Ok(VerifiedChain {
        certs,
        ca_kind,
        issuer_file,
        at,
    })
}

/// keyUsage must be present with digitalSignature or nonRepudiation.
pub fn check_key_usage(info: &certinfo::CertInfo<'_>) -> Result<(), VerifyError> {
    match info.key_usage() {
        Ok(Some(ku)) if ku.digital_signature || ku.non_repudiation => Ok(()),
        Ok(_) => Err(VerifyError::KeyUsage),
        Err(_) => Err(VerifyError::malformed("keyUsage extension")),
    }
}

/// The leaf must carry one of the policies allowed for `purpose` (if any are configured).
pub fn check_policy(
    info: &certinfo::CertInfo<'_>,
    config: &PolicyConfig,
    purpose: Option<&str>,
) -> Result<(), VerifyError> {
    let allowed = config.allowed(purpose);
    if allowed.is_empty() {
        return Ok(());
    }
    let have = info
        .policies()
        .map_err(|_| VerifyError::malformed("certificatePolicies extension"))?;
    if have.iter().any(|p| allowed.contains(p)) {
        Ok(())
    } else {
        Err(VerifyError::PolicyNotAllowed(
            purpose.unwrap_or("default").to_owned(),
        ))
    }
}
