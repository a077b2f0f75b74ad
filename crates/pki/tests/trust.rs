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

#[test]
fn a_ca_listed_in_the_roots_crl_revokes_its_whole_branch() {
    let p = pki();
    let read = |rel: &str| std::fs::read(p.path(rel)).expect("read");
    let root = openssl::x509::X509::from_pem(&read("trust/grca-test.pem")).expect("root");
    let root_key =
        openssl::pkey::PKey::private_key_from_pem(&read("ca/grca-test.key")).expect("key");
    let moica = openssl::x509::X509::from_pem(&read("trust/moica-test.pem")).expect("moica");
    let serial = moica.serial_number().to_bn().expect("bn").to_vec();
    let now = tessera_pki::timeutil::now_unix();
    let arl = tessera_pki::testpki::build::crl(
        &root,
        &root_key,
        &[(serial, now - 60)],
        now - 3600,
        now + 86_400,
    )
    .expect("ARL");
    let dir = copy_trust_with_kinds(Some("\"moica-test.pem\" = \"moica\"\n"));
    for entry in std::fs::read_dir(p.trust_dir()).expect("dir").flatten() {
        if entry.file_name().to_string_lossy().ends_with(".crl") {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
    }
    std::fs::write(dir.path().join("grca-test.crl"), arl.to_pem().expect("pem")).expect("write");
    let (v, _) = verifier_in(dir.path(), mode(RevocationMode::Crl), login_policies());
    let req = |id: &str| VerifyRequest {
        signature: cms_sign(id, b"c", &[]),
        expected_content: b"c".to_vec(),
        ..VerifyRequest::default()
    };
    let err = v
        .verify(&req("citizen-wang"))
        .expect_err("MOICA-test is revoked");
    assert_eq!(err.code(), "revoked");
    assert!(err.to_string().contains("CA"), "{err}");
    assert!(
        v.verify(&req("business-acme")).is_ok(),
        "other branches are unaffected"
    );
}

#[test]
fn crl_files_not_signed_by_a_trusted_ca_are_ignored() {
    let p = pki();
    let read = |rel: &str| std::fs::read(p.path(rel)).expect("read");
    let moica = openssl::x509::X509::from_pem(&read("trust/moica-test.pem")).expect("moica");
    let stranger_key =
        openssl::pkey::PKey::private_key_from_pem(&read("stranger/root.key")).expect("key");
    let now = tessera_pki::timeutil::now_unix();
    let forged =
        tessera_pki::testpki::build::crl(&moica, &stranger_key, &[], now - 60, now + 86_400)
            .expect("CRL");
    let dir = copy_trust_with_kinds(None);
    std::fs::write(
        dir.path().join("moica-test.crl"),
        forged.to_pem().expect("pem"),
    )
    .expect("write");
    let loaded = TrustStore::load(dir.path()).expect("loads");
    assert_eq!(loaded.counts(), (1, 5, 0), "the forged CRL is not counted");
}
