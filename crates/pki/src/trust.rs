//! The trust directory: root certificates (self-signed), intermediate CA certificates, CRL files
//! and an optional `kinds.toml` mapping a CA certificate's file name to a kind. Loaded once and
//! shared read-only by every verification.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use openssl::hash::MessageDigest;
use openssl::x509::store::{X509Store, X509StoreBuilder};
use openssl::x509::verify::X509VerifyFlags;
use openssl::x509::{X509, X509Crl};

use crate::profile::CaKind;

/// Problems loading a trust directory (configuration errors, reported at start-up).
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("trust directory {0} holds no self-signed root certificate")]
    NoRoots(PathBuf),
    #[error("openssl: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
}

/// One CA certificate with the file it came from.
#[derive(Clone)]
pub struct CaCert {
    pub cert: X509,
    pub file_name: String,
    pub fingerprint: Vec<u8>,
}

/// A configured CRL and the SHA-256 fingerprint of the CA certificate that signed it.
pub struct TrustedCrl {
    pub crl: X509Crl,
    pub issuer_fingerprint: Vec<u8>,
}

/// Loaded trust anchors, intermediates, CRLs and CA kinds.
pub struct TrustStore {
    pub(crate) roots: Vec<CaCert>,
    pub(crate) intermediates: Vec<CaCert>,
    /// CRL files whose signature verified with a CA of this store at load time.
    pub(crate) crls: Vec<TrustedCrl>,
    /// Roots only; time checks are done by this crate at the requested time.
    pub(crate) chain_store: X509Store,
    /// Roots, checking time at "now"; used for OCSP responder certificates.
    pub(crate) ocsp_store: X509Store,
    kinds: HashMap<Vec<u8>, CaKind>,
    dir: PathBuf,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("dir", &self.dir)
            .field("roots", &self.roots.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .finish()
    }
}

fn fingerprint(cert: &X509) -> Result<Vec<u8>, TrustError> {
    Ok(cert.digest(MessageDigest::sha256())?.to_vec())
}

fn is_self_signed(cert: &X509) -> bool {
    cert.issued(cert) == openssl::x509::X509VerifyResult::OK
        && cert
            .public_key()
            .and_then(|k| cert.verify(&k))
            .unwrap_or(false)
}

impl TrustStore {
    /// Loads every certificate and CRL file (PEM or DER) in `dir` (not recursive), plus
    /// `kinds.toml`. Files that are neither certificates nor CRLs are ignored.
    pub fn load(dir: &Path) -> Result<TrustStore, TrustError> {
        let io = |path: &Path, source| TrustError::Io {
            path: path.to_owned(),
            source,
        };
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        entries.sort();
        let mut certs: Vec<CaCert> = Vec::new();
        let mut crls = Vec::new();
        for path in &entries {
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file_name == "kinds.toml" {
                continue;
            }
            let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
            if let Ok(list) = X509::stack_from_pem(&bytes)
                && !list.is_empty()
            {
                for cert in list {
                    let fingerprint = fingerprint(&cert)?;
                    certs.push(CaCert {
                        cert,
                        file_name: file_name.clone(),
                        fingerprint,
                    });
                }
            } else if let Ok(cert) = X509::from_der(&bytes) {
                let fingerprint = fingerprint(&cert)?;
                certs.push(CaCert {
                    cert,
                    file_name,
                    fingerprint,
                });
            } else if let Ok(crl) = X509Crl::from_pem(&bytes).or_else(|_| X509Crl::from_der(&bytes))
            {
                crls.push(crl);
            }
        }
        let (roots, intermediates): (Vec<_>, Vec<_>) =
            certs.into_iter().partition(|c| is_self_signed(&c.cert));
        if roots.is_empty() {
            return Err(TrustError::NoRoots(dir.to_owned()));
        }
        let kinds = load_kinds(dir, roots.iter().chain(&intermediates))?;
        // A CRL file counts only if a CA of this directory signed it (checked once, here).
        let crls = crls
            .into_iter()
            .filter_map(|crl| {
                let issuer = roots.iter().chain(&intermediates).find(|ca| {
                    crate::revocation::crl::issued_by(&crl, &ca.cert)
                        && ca
                            .cert
                            .public_key()
                            .and_then(|k| crl.verify(&k))
                            .unwrap_or(false)
                })?;
                Some(TrustedCrl {
                    issuer_fingerprint: issuer.fingerprint.clone(),
                    crl,
                })
            })
            .collect();
        let chain_store = build_store(&roots, X509VerifyFlags::NO_CHECK_TIME)?;
        let ocsp_store = build_store(&roots, X509VerifyFlags::empty())?;
        Ok(TrustStore {
            roots,
            intermediates,
            crls,
            chain_store,
            ocsp_store,
            kinds,
            dir: dir.to_owned(),
        })
    }

    /// The directory this store was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Number of roots and intermediates loaded.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.roots.len(), self.intermediates.len(), self.crls.len())
    }

    /// The kind of a CA certificate: kinds.toml first, then the real CAs' subject DNs.
    pub fn ca_kind(&self, ca: &X509) -> Option<CaKind> {
        let fp = fingerprint(ca).ok()?;
        if let Some(kind) = self.kinds.get(&fp) {
            return Some(*kind);
        }
        let der = ca.to_der().ok()?;
        let info = crate::certinfo::parse(&der)?;
        crate::profile::ca_kind_from_subject(&info.subject_attributes())
    }

    /// The trust-directory file name a CA certificate was loaded from.
    pub fn file_name_of(&self, ca: &X509) -> Option<&str> {
        let fp = fingerprint(ca).ok()?;
        self.roots
            .iter()
            .chain(&self.intermediates)
            .find(|c| c.fingerprint == fp)
            .map(|c| c.file_name.as_str())
    }
}

fn build_store(roots: &[CaCert], flags: X509VerifyFlags) -> Result<X509Store, TrustError> {
    let mut builder = X509StoreBuilder::new()?;
    for root in roots {
        builder.add_cert(root.cert.clone())?;
    }
    builder.set_flags(flags)?;
    Ok(builder.build())
}

fn load_kinds<'a>(
    dir: &Path,
    certs: impl Iterator<Item = &'a CaCert>,
) -> Result<HashMap<Vec<u8>, CaKind>, TrustError> {
    let path = dir.join("kinds.toml");
    let mut out = HashMap::new();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(TrustError::Io { path, source: e }),
    };
    let invalid = |reason: String| TrustError::Invalid {
        path: path.clone(),
        reason,
    };
    let table: HashMap<String, String> =
        toml::from_str(&text).map_err(|e| invalid(e.to_string()))?;
    let certs: Vec<&CaCert> = certs.collect();
    for (file, kind_text) in table {
        let kind = CaKind::parse(&kind_text)
            .ok_or_else(|| invalid(format!("unknown kind {kind_text:?} for {file}")))?;
        let matching: Vec<_> = certs.iter().filter(|c| c.file_name == file).collect();
        if matching.is_empty() {
            return Err(invalid(format!(
                "{file} is not a certificate in the directory"
            )));
        }
        for c in matching {
            out.insert(c.fingerprint.clone(), kind);
        }
    }
    Ok(out)
}
