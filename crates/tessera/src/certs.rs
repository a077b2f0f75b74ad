//! Certificate sign-in at start-up: the `[pki]` section (plus `TESSERA_PKI_TRUST_DIR` /
//! `TESSERA_PKI_REVOCATION`) becomes the web app's verifier. Without a trust directory the
//! certificate endpoints answer `cert_unavailable`. In demo mode (`serve --demo`) a test PKI
//! is built once into `<data-dir>/demo-pki` and trusted, with revocation from its CRLs; the
//! demo people and the in-process signer are `demo.rs`.

use std::path::Path;

use tessera_pki::testpki::{self, Manifest};
use tessera_pki::{RevocationMode, Verifier};

use crate::config::Config;
use crate::runtime::RunError;

/// The verifier to use, if certificate sign-in is configured (or demo mode is on).
pub fn verifier(config: &Config, demo: bool, base_url: &str) -> Result<Option<Verifier>, RunError> {
    let mut settings = config.file.pki.clone();
    settings.apply_env()?;
    if demo && settings.trust_dir.is_none() {
        let dir = config.data_dir.join("demo-pki");
        let manifest = demo_pki(&dir)?;
        settings.trust_dir = Some(dir.join(&manifest.trust_dir));
        settings.revocation = RevocationMode::Crl;
        println!(
            "Demo PKI (test certificates, NOT real ones): {} — for {base_url}",
            dir.display()
        );
    }
    let Some(trust_dir) = settings.trust_dir.clone() else {
        tracing::info!("no [pki] trust_dir: certificate sign-in is off (cert_unavailable)");
        return Ok(None);
    };
    for w in settings.startup_warnings() {
        tracing::warn!("{w}");
    }
    let verifier = settings
        .build()
        .map_err(|e| format!("[pki] trust directory {}: {e}", trust_dir.display()))?;
    tracing::info!(trust_dir = %trust_dir.display(), revocation = ?settings.revocation, "certificate sign-in on");
    Ok(Some(verifier))
}

/// The test PKI's CRLs are current for 7 days: rebuild a demo PKI older than this.
const DEMO_PKI_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(6 * 86_400);

/// Builds the demo test PKI in `dir` on first start; later starts reuse it while its CRLs
/// are current, and rebuild it (new cards: bind again) once they would have expired.
fn demo_pki(dir: &Path) -> Result<Manifest, RunError> {
    let manifest = dir.join("manifest.json");
    let age = std::fs::metadata(&manifest)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok());
    match age {
        Some(age) if age < DEMO_PKI_MAX_AGE => return Ok(Manifest::load(dir)?),
        Some(_) => {
            tracing::warn!(dir = %dir.display(), "demo PKI older than its CRLs: rebuilding (bind the new demo cards again)");
            std::fs::remove_dir_all(dir)?;
        }
        None => {}
    }
    std::fs::create_dir_all(dir)?;
    tracing::info!(dir = %dir.display(), "building the demo test PKI");
    Ok(testpki::init_test(dir)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommonOpts;

    fn config(dir: &Path, toml_text: &str) -> Config {
        let path = dir.join("tessera.toml");
        std::fs::write(&path, toml_text).unwrap();
        Config::load(&CommonOpts {
            config: Some(path),
            data_dir: Some(dir.join("data")),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn no_trust_dir_means_no_certificates_and_demo_builds_its_own_pki() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path(), "[pki]\nrevocation = \"crl\"\n");
        assert_eq!(c.file.pki.revocation, RevocationMode::Crl);
        if std::env::var_os("TESSERA_PKI_TRUST_DIR").is_none() {
            assert!(
                verifier(&c, false, "http://127.0.0.1:8080")
                    .unwrap()
                    .is_none()
            );
        }
        let v = verifier(&c, true, "http://127.0.0.1:8080").unwrap();
        assert!(v.is_some(), "demo mode trusts its test PKI");
        let manifest = dir.path().join("data/demo-pki/manifest.json");
        assert!(manifest.is_file());
        let before = std::fs::read(&manifest).unwrap();
        verifier(&c, true, "http://127.0.0.1:8080").unwrap();
        assert_eq!(
            std::fs::read(&manifest).unwrap(),
            before,
            "built once, then reused"
        );
    }

    #[test]
    fn a_missing_trust_dir_is_a_start_up_error() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path(), "[pki]\ntrust_dir = \"/nonexistent/trust\"\n");
        if std::env::var_os("TESSERA_PKI_TRUST_DIR").is_none() {
            assert!(verifier(&c, false, "http://127.0.0.1:8080").is_err());
        }
    }
}
