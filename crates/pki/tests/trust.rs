//! Trust directory loading: kinds.toml overrides the CA kind, real-CA DN recognition works
//! without it, and configuration mistakes are reported at load time instead of at login.

mod common;

use common::*;
use tessera_pki::{CertKind, RevocationMode, TrustError, TrustStore, VerifyRequest};

fn copy_trust_with_kinds(kinds: Option<&str>) -> tempfile::TempDir {
    let dir = trust_dir_without_crls();
    let _ = std::fs::remove_file(dir.path().join("kinds.toml"));
    if let Some(text) = kinds {
        std::fs::write(dir.path().join("kinds.toml"), text).expect("write kinds");
    }
    dir
}

fn kind_of(dir: &std::path::Path, id: &str) -> CertKind {
    let (v, _) = verifier_in(dir, mode(RevocationMode::None), login_policies());
    let req = VerifyRequest {
        signature: cms_sign(id, b"c", &[]),
        expected_content: b"c".to_vec(),
        ..VerifyRequest::default()
    };
    v.verify(&req).expect("verifies").identity.kind
}

#[test]
fn kinds_toml_overrides_dn_recognition() {
    let dir = copy_trust_with_kinds(Some("\"moica-test.pem\" = \"gca_agency\"\n"));
    assert_eq!(kind_of(dir.path(), "citizen-wang"), CertKind::GcaAgency);
}

#[test]
fn without_kinds_toml_the_chinese_ca_dns_are_recognised() {
    let dir = copy_trust_with_kinds(None);
    assert_eq!(kind_of(dir.path(), "citizen-wang"), CertKind::MoicaCitizen);
    assert_eq!(
        kind_of(dir.path(), "business-acme"),
        CertKind::MoeacaBusiness
    );
    assert_eq!(
        kind_of(dir.path(), "medical-hospital"),
        CertKind::HcaInstitution
    );
    assert_eq!(
        kind_of(dir.path(), "medical-doctor"),
        CertKind::HcaPersonnel
    );
}

#[test]
fn configuration_mistakes_fail_at_load_time() {
    let unknown_kind = copy_trust_with_kinds(Some("\"moica-test.pem\" = \"moica_people\"\n"));
    assert!(matches!(
        TrustStore::load(unknown_kind.path()),
        Err(TrustError::Invalid { .. })
    ));
    let missing_file = copy_trust_with_kinds(Some("\"moica-g9.pem\" = \"moica\"\n"));
    assert!(matches!(
        TrustStore::load(missing_file.path()),
        Err(TrustError::Invalid { .. })
    ));
    let empty = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        TrustStore::load(empty.path()),
        Err(TrustError::NoRoots(_))
    ));
    assert!(matches!(
        TrustStore::load(&empty.path().join("absent")),
        Err(TrustError::Io { .. })
    ));
    let loaded = TrustStore::load(&pki().trust_dir()).expect("test trust dir");
    assert_eq!(loaded.counts(), (1, 5, 6), "1 root, 5 CAs, 6 CRLs");
}
