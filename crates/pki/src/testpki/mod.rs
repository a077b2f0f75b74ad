//! The test PKI builder behind `tessera pki init-test --out DIR`: a root "GRCA-test", the five
//! CA kinds with realistic Chinese DNs, end entities carrying the Taiwan profile attributes,
//! PKCS#12 files, revoked / expired / not-yet-valid examples, CRLs, an `openssl ocsp` index
//! and delegated OCSP signers, kinds.toml and `manifest.json`. Layout (fixed file names):
//! `trust/` (CA certs, CRLs, kinds.toml), `ca/` (CA keys), `ocsp/`, `ee/`, `stranger/`.

pub mod build;
mod entities;
pub mod manifest;
mod strangers;

use std::path::Path;

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

pub use manifest::{Manifest, P12_PASSWORD, POLICY_HIGH, POLICY_LOW};

/// Failure to build or read a test PKI.
#[derive(Debug, thiserror::Error)]
pub enum TestPkiError {
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("openssl: {0}")]
    OpenSsl(#[from] openssl::error::ErrorStack),
    #[error("manifest: {0}")]
    Manifest(String),
}

/// Where the test PKI's URLs point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPkiOptions {
    /// CA number i (moica=1 … hca=5) gets `http://127.0.0.1:{ocsp_base_port + i}/` in AIA.
    pub ocsp_base_port: u16,
    /// End entities get `{crl_base_url}/{ca}.crl` as CRL distribution point.
    pub crl_base_url: String,
    /// "Now" for validity periods (Unix seconds).
    pub now: i64,
}

impl Default for TestPkiOptions {
    fn default() -> Self {
        TestPkiOptions {
            ocsp_base_port: 18100,
            crl_base_url: "http://127.0.0.1:18199/crl".into(),
            now: crate::timeutil::now_unix(),
        }
    }
}

/// A CA held in memory while building.
pub(crate) struct Ca {
    pub name: &'static str,
    pub kind: &'static str,
    pub dn: Vec<(&'static str, &'static str)>,
    pub cert: X509,
    pub key: PKey<Private>,
}

const DAY: i64 = 86_400;

/// Builds the test PKI in `out` with default options.
pub fn init_test(out: &Path) -> Result<Manifest, TestPkiError> {
    init_test_with(out, &TestPkiOptions::default())
}

/// Builds the test PKI in `out`.
pub fn init_test_with(out: &Path, opts: &TestPkiOptions) -> Result<Manifest, TestPkiError> {
    for sub in ["trust", "ca", "ocsp", "ee", "stranger"] {
        std::fs::create_dir_all(out.join(sub))?;
    }
    let now = opts.now;
    let root_dn = vec![("C", "TW"), ("O", "行政院"), ("CN", "GRCA-test")];
    let root_key = build::generate_key(build::KeyType::Rsa2048)?;
    let root_name = build::name(&root_dn)?;
    let root_cert = build::issue(
        &ca_spec(&root_name, build::random_serial()?, now),
        &root_key,
        None,
    )?;
    let root = Ca {
        name: "grca-test",
        kind: "root",
        dn: root_dn,
        cert: root_cert,
        key: root_key,
    };
    let ca_defs: [(&str, &str, &str); 5] = [
        ("moica-test", "moica_citizen", "內政部憑證管理中心-測試"),
        ("gca-test", "gca_agency", "政府憑證管理中心-測試"),
        (
            "xca-test",
            "xca_organization",
            "組織及團體憑證管理中心-測試",
        ),
        ("moeaca-test", "moeaca_business", "工商憑證管理中心-測試"),
        ("hca-test", "hca", "衛生福利部醫事憑證管理中心-測試"),
    ];
    let mut cas = Vec::new();
    for (name, kind, ou) in ca_defs {
        let dn = vec![("C", "TW"), ("O", "行政院"), ("OU", ou)];
        let key = build::generate_key(build::KeyType::Rsa2048)?;
        let subject = build::name(&dn)?;
        let spec = ca_spec(&subject, build::random_serial()?, now);
        let cert = build::issue(&spec, &key, Some((&root.cert, &root.key)))?;
        cas.push(Ca {
            name,
            kind,
            dn,
            cert,
            key,
        });
    }
    let kinds: String = cas
        .iter()
        .map(|c| format!("\"{}.pem\" = \"{}\"\n", c.name, c.kind))
        .collect();
    std::fs::write(out.join("trust/kinds.toml"), kinds)?;
    entities::build_all(out, opts, &root, &cas)
}

fn ca_spec<'a>(
    subject: &'a openssl::x509::X509Name,
    serial: Vec<u8>,
    now: i64,
) -> build::CertSpec<'a> {
    build::CertSpec {
        subject,
        serial,
        not_before: now - 365 * DAY,
        not_after: now + 10 * 365 * DAY,
        is_ca: true,
        signing_usage: false,
        ocsp_signer: false,
        policies: &[],
        directory_attrs: &[],
        ocsp_url: None,
        crl_url: None,
    }
}

/// Writes a certificate as PEM.
pub(crate) fn write_cert(path: &Path, cert: &X509) -> Result<(), TestPkiError> {
    std::fs::write(path, cert.to_pem()?)?;
    Ok(())
}

/// Writes a private key as unencrypted PKCS#8 PEM.
pub(crate) fn write_key(path: &Path, key: &PKey<Private>) -> Result<(), TestPkiError> {
    std::fs::write(path, key.private_key_to_pem_pkcs8()?)?;
    Ok(())
}
