//! The test PKI's manifest (`manifest.json`): every CA and end entity with its files and
//! profile values, so other crates' tests and demo mode can find them. Paths are relative to
//! the output directory.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Password of every PKCS#12 file the test PKI writes.
pub const P12_PASSWORD: &str = "tessera-test";

/// High-assurance test policy OID (GPKI class 3 arc), accepted by default for login.
pub const POLICY_HIGH: &str = "2.16.886.101.0.3.3";
/// Low-assurance test policy OID (GPKI class 1 arc), for `policy_not_allowed` cases.
pub const POLICY_LOW: &str = "2.16.886.101.0.3.1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub p12_password: String,
    /// The directory to pass as `--trust-dir` (root, CA certificates, CRLs, kinds.toml).
    pub trust_dir: String,
    pub root: CaEntry,
    pub cas: Vec<CaEntry>,
    /// `openssl ocsp -index` file covering every CA's end entities.
    pub ocsp_index: String,
    pub policies: Policies,
    pub entities: Vec<EntityEntry>,
    /// Certificates outside the trust: a stranger root, CA and their leaves.
    pub strangers: Strangers,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    pub high: String,
    pub low: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaEntry {
    pub name: String,
    /// kinds.toml value (`moica_citizen`, `hca` …); `root` for the root.
    pub kind: String,
    pub subject: String,
    pub cert: String,
    pub key: String,
    pub crl: String,
    /// The OCSP URL written in this CA's end-entity certificates.
    pub ocsp_url: Option<String>,
    /// Delegated OCSP signer (EKU OCSPSigning) for `openssl ocsp -rsigner/-rkey`.
    pub ocsp_cert: Option<String>,
    pub ocsp_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityEntry {
    pub id: String,
    pub kind: String,
    pub ca: String,
    pub name: String,
    /// `valid`, `revoked`, `expired`, `not_yet_valid`, `no_signing_usage`, `low_policy`,
    /// `unknown_to_ocsp`.
    pub status: String,
    pub key_type: String,
    pub serial: String,
    pub national_id: Option<String>,
    pub national_id_last4: Option<String>,
    pub business_id: Option<String>,
    pub organization_oid: Option<String>,
    pub institution_code: Option<String>,
    pub card_number: Option<String>,
    pub policy: String,
    pub not_after: String,
    pub cert: String,
    pub key: String,
    pub p12: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strangers {
    pub root: String,
    pub root_key: String,
    /// A leaf issued by the stranger root, AIA and CRL DP pointing at 10.0.0.1.
    pub leaf: String,
    pub leaf_key: String,
    /// A self-signed leaf with signing keyUsage.
    pub self_signed: String,
    pub self_signed_key: String,
    /// A leaf whose issuer name is the test MOICA CA's, signed by the stranger key.
    pub fake_moica_leaf: String,
    pub fake_moica_leaf_key: String,
    /// An OCSP signer issued by the stranger root.
    pub ocsp_cert: String,
    pub ocsp_key: String,
}

impl Manifest {
    /// Reads `manifest.json` from a test PKI directory.
    pub fn load(dir: &Path) -> Result<Manifest, super::TestPkiError> {
        let text = std::fs::read_to_string(dir.join("manifest.json"))?;
        serde_json::from_str(&text).map_err(|e| super::TestPkiError::Manifest(e.to_string()))
    }

    /// The entity with `id`.
    pub fn entity(&self, id: &str) -> Option<&EntityEntry> {
        self.entities.iter().find(|e| e.id == id)
    }

    /// The CA entry named `name`.
    pub fn ca(&self, name: &str) -> Option<&CaEntry> {
        self.cas.iter().find(|c| c.name == name)
    }
}
