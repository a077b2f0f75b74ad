//! The `[pki]` section of the service configuration, flat as operators write it, with the
//! `TESSERA_PKI_TRUST_DIR` / `TESSERA_PKI_REVOCATION` environment overrides, and the step
//! that turns it into a ready [`Verifier`].
//!
//! ```toml
//! [pki]
//! trust_dir = "/etc/tessera/trust"
//! revocation = "ocsp"            # ocsp (CRL fallback) | crl | none
//! fail_open = ["moica-g3.pem"]   # CAs that pass with an audit warning if status is unknown
//! allowed_hosts = ["ocsp.moica.nat.gov.tw", "moica.nat.gov.tw"]
//! [pki.policies.by_purpose]
//! login = ["2.16.886.101.0.3.3"]
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::chain::PolicyConfig;
use crate::profile::ProfileOids;
use crate::revocation::{RevocationConfig, RevocationMode};
use crate::trust::{TrustError, TrustStore};
use crate::verifier::{Verifier, VerifierConfig};

/// `[pki]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PkiSettings {
    pub trust_dir: Option<PathBuf>,
    pub revocation: RevocationMode,
    pub crl_fallback: bool,
    pub ocsp_responder: Option<String>,
    pub ocsp_responders: BTreeMap<String, String>,
    pub allowed_hosts: Option<Vec<String>>,
    pub fail_open: Vec<String>,
    pub timeout_ms: u64,
    pub require_nonce: bool,
    pub policies: PolicyConfig,
    pub profile_oids: ProfileOids,
}

impl Default for PkiSettings {
    fn default() -> Self {
        let r = RevocationConfig::default();
        PkiSettings {
            trust_dir: None,
            revocation: r.mode,
            crl_fallback: r.crl_fallback,
            ocsp_responder: None,
            ocsp_responders: BTreeMap::new(),
            allowed_hosts: None,
            fail_open: Vec::new(),
            timeout_ms: r.timeout_ms,
            require_nonce: r.require_nonce,
            policies: PolicyConfig::default(),
            profile_oids: ProfileOids::default(),
        }
    }
}

/// Why the settings cannot produce a verifier.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("no trust directory: set [pki] trust_dir or TESSERA_PKI_TRUST_DIR")]
    NoTrustDir,
    #[error("TESSERA_PKI_REVOCATION must be ocsp, crl or none, not {0:?}")]
    BadRevocation(String),
    #[error(transparent)]
    Trust(#[from] TrustError),
}

impl PkiSettings {
    /// Applies `TESSERA_PKI_TRUST_DIR` and `TESSERA_PKI_REVOCATION` if set.
    pub fn apply_env(&mut self) -> Result<(), SettingsError> {
        self.apply_vars(
            std::env::var_os("TESSERA_PKI_TRUST_DIR").map(PathBuf::from),
            std::env::var("TESSERA_PKI_REVOCATION").ok(),
        )
    }

    /// Applies the two overrides from given values (testable without touching the process env).
    pub fn apply_vars(
        &mut self,
        trust_dir: Option<PathBuf>,
        revocation: Option<String>,
    ) -> Result<(), SettingsError> {
        if let Some(dir) = trust_dir {
            self.trust_dir = Some(dir);
        }
        if let Some(mode) = revocation {
            self.revocation = match mode.trim().to_ascii_lowercase().as_str() {
                "ocsp" => RevocationMode::Ocsp,
                "crl" => RevocationMode::Crl,
                "none" => RevocationMode::None,
                _ => return Err(SettingsError::BadRevocation(mode)),
            };
        }
        Ok(())
    }

    /// Warnings to log loudly at start-up (e.g. revocation checking disabled).
    pub fn startup_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.revocation == RevocationMode::None {
            out.push("PKI revocation checking is DISABLED ([pki] revocation = \"none\"): revoked certificates will be accepted".into());
        }
        if !self.fail_open.is_empty() {
            out.push(format!(
                "PKI revocation fails OPEN for {:?}: unknown status is accepted with an audit warning",
                self.fail_open
            ));
        }
        out
    }

    /// Loads the trust directory and builds the verifier.
    pub fn build(&self) -> Result<Verifier, SettingsError> {
        let dir = self.trust_dir.as_ref().ok_or(SettingsError::NoTrustDir)?;
        let trust = TrustStore::load(dir)?;
        let revocation = RevocationConfig {
            mode: self.revocation,
            crl_fallback: self.crl_fallback,
            ocsp_responder: self.ocsp_responder.clone(),
            ocsp_responders: self.ocsp_responders.clone(),
            allowed_hosts: self.allowed_hosts.clone(),
            fail_open: self.fail_open.clone(),
            timeout_ms: self.timeout_ms,
            require_nonce: self.require_nonce,
            ..RevocationConfig::default()
        };
        let config = VerifierConfig {
            policies: self.policies.clone(),
            profile_oids: self.profile_oids.clone(),
            revocation,
        };
        Ok(Verifier::new(trust, config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_section_and_env_overrides() {
        let text = "trust_dir = \"/t\"\nrevocation = \"crl\"\nfail_open = [\"a.pem\"]\n[policies.by_purpose]\nlogin = [\"1.2.3\"]\n";
        let mut s: PkiSettings = toml::from_str(text).unwrap();
        assert_eq!(s.revocation, RevocationMode::Crl);
        assert_eq!(s.policies.by_purpose["login"], vec!["1.2.3".to_string()]);
        assert!(s.crl_fallback, "defaults fill the rest");
        s.apply_vars(Some("/other".into()), Some("NONE".into()))
            .unwrap();
        assert_eq!(s.trust_dir.as_deref(), Some(std::path::Path::new("/other")));
        assert_eq!(s.startup_warnings().len(), 2);
        assert!(s.apply_vars(None, Some("maybe".into())).is_err());
        let empty = PkiSettings::default();
        assert!(matches!(empty.build(), Err(SettingsError::NoTrustDir)));
    }
}
