//! Signatures made by the `openssl` CLI (an independent producer) verify, with the identity
//! read from the Taiwan profile of each CA kind in the test PKI.

mod common;

use common::*;
use tessera_pki::{
    CertKind, DigestAlg, RevocationMode, RsaPadding, SignatureFormat, VerifyRequest,
};

const CHALLENGE: &[u8] = b"tessera-challenge-0123456789abcdef";

fn request(sig: Vec<u8>, cert: Option<Vec<u8>>) -> VerifyRequest {
    VerifyRequest {
        signature: sig,
        cert,
        expected_content: CHALLENGE.to_vec(),
        purpose: Some("login".into()),
        ..VerifyRequest::default()
    }
}

#[test]
fn detached_cms_from_openssl_gives_citizen_identity() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let sig = cms_sign("citizen-wang", CHALLENGE, &[]);
    let verified = v.verify(&request(sig, None)).expect("verifies");
    let id = &verified.identity;
    let entity = pki().entity("citizen-wang");
    assert_eq!(id.kind, CertKind::MoicaCitizen);
    assert_eq!(id.name, "王小明");
    assert_eq!(id.serial, entity.serial);
    assert_eq!(id.card_number.as_deref(), Some("TP03000000000001"));
    assert_eq!(id.national_id_last4.as_deref(), Some("6789"));
    assert!(id.matches_national_id("A123456789"));
    assert!(id.matches_national_id(" a123456789 "));
    assert!(
        !id.matches_national_id("B123456789"),
        "other letter, same digits"
    );
    assert!(!id.matches_national_id("A123450789"));
    assert!(id.issuer.contains("內政部憑證管理中心-測試"));
}

#[test]
fn attached_cms_and_every_digest() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    for md in ["sha256", "sha384", "sha512"] {
        let sig = cms_sign("citizen-wang", CHALLENGE, &["-nodetach", "-md", md]);
        let ok = v.verify(&request(sig, None));
        assert!(ok.is_ok(), "{md}: {ok:?}");
    }
}

#[test]
fn rsa_pss_and_ecdsa_p256_p384() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let pss = cms_sign(
        "citizen-wang",
        CHALLENGE,
        &["-keyopt", "rsa_padding_mode:pss"],
    );
    assert_eq!(
        v.verify(&request(pss, None)).map(|x| x.identity.name),
        Ok("王小明".into())
    );
    let p256 = cms_sign("citizen-chen", CHALLENGE, &["-md", "sha256"]);
    let id = v.verify(&request(p256, None)).expect("P-256").identity;
    assert_eq!(
        (id.name.as_str(), id.kind),
        ("陳美麗", CertKind::MoicaCitizen)
    );
    let p384 = cms_sign("citizen-li", CHALLENGE, &["-md", "sha384", "-nodetach"]);
    assert_eq!(
        v.verify(&request(p384, None)).map(|x| x.identity.name),
        Ok("李大同".into())
    );
}

#[test]
fn cms_without_bundled_cert_uses_the_supplied_one() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let sig = cms_sign("citizen-wang", CHALLENGE, &["-nocerts"]);
    let cert = pki().cert_der("citizen-wang");
    assert!(v.verify(&request(sig.clone(), Some(cert))).is_ok());
    let err = v
        .verify(&request(sig, None))
        .expect_err("no certificate anywhere");
    assert_eq!(err.code(), "malformed");
}

#[test]
fn base64_and_pem_signatures_are_accepted() {
    use base64::Engine;
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let der = cms_sign("citizen-wang", CHALLENGE, &[]);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&der);
    assert!(v.verify(&request(b64.clone().into_bytes(), None)).is_ok());
    let pem = format!("-----BEGIN CMS-----\n{b64}\n-----END CMS-----\n");
    assert!(v.verify(&request(pem.into_bytes(), None)).is_ok());
}

#[test]
fn raw_pkcs1_pss_and_ecdsa_signatures() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let raw = |id: &str, digest: DigestAlg, padding: RsaPadding, sig: Vec<u8>| VerifyRequest {
        format: SignatureFormat::Raw { digest, padding },
        ..request(sig, Some(pki().cert_der(id)))
    };
    let sig = raw_sign("citizen-wang", CHALLENGE, "-sha256", &[]);
    assert!(
        v.verify(&raw(
            "citizen-wang",
            DigestAlg::Sha256,
            RsaPadding::Pkcs1,
            sig.clone()
        ))
        .is_ok()
    );
    let err = v
        .verify(&raw(
            "citizen-wang",
            DigestAlg::Sha512,
            RsaPadding::Pkcs1,
            sig,
        ))
        .expect_err("wrong digest");
    assert_eq!(err.code(), "signature_invalid");
    let pss = raw_sign(
        "citizen-wang",
        CHALLENGE,
        "-sha384",
        &["-sigopt", "rsa_padding_mode:pss"],
    );
    assert!(
        v.verify(&raw(
            "citizen-wang",
            DigestAlg::Sha384,
            RsaPadding::Pss,
            pss
        ))
        .is_ok()
    );
    let ec = raw_sign("citizen-chen", CHALLENGE, "-sha256", &[]);
    assert!(
        v.verify(&raw(
            "citizen-chen",
            DigestAlg::Sha256,
            RsaPadding::Pkcs1,
            ec
        ))
        .is_ok()
    );
}

#[test]
fn every_ca_kind_yields_its_profile() {
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let cases = [
        ("agency-ndc", CertKind::GcaAgency),
        ("org-school", CertKind::XcaOrganization),
        ("business-acme", CertKind::MoeacaBusiness),
        ("medical-doctor", CertKind::HcaPersonnel),
        ("medical-hospital", CertKind::HcaInstitution),
    ];
    for (id, kind) in cases {
        let entity = pki().entity(id);
        let got = v
            .verify(&request(cms_sign(id, CHALLENGE, &[]), None))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(got.identity.kind, kind, "{id}");
        assert_eq!(got.identity.kind.as_str(), entity.kind);
        assert_eq!(got.identity.name, entity.name);
        assert_eq!(got.identity.business_id, entity.business_id, "{id}");
        assert_eq!(
            got.identity.organization_oid, entity.organization_oid,
            "{id}"
        );
        assert_eq!(
            got.identity.institution_code, entity.institution_code,
            "{id}"
        );
        assert_eq!(
            got.identity.national_id_last4, entity.national_id_last4,
            "{id}"
        );
        assert!(
            !got.identity.matches_national_id("A123456789"),
            "only MOICA matches IDs"
        );
    }
}

#[test]
fn crl_files_in_trust_dir_answer_revocation() {
    let (v, counter) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let ok = v
        .verify(&request(cms_sign("citizen-wang", CHALLENGE, &[]), None))
        .expect("good");
    assert_eq!(
        serde_json::to_value(&ok.revocation).expect("json")["source"],
        "crl-file"
    );
    let err = v
        .verify(&request(
            cms_sign("citizen-lin-revoked", CHALLENGE, &[]),
            None,
        ))
        .expect_err("revoked");
    assert_eq!(err.code(), "revoked");
    assert_eq!(counter.calls.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn async_verify_runs_on_the_blocking_pool() {
    let (v, _) = verifier_with(mode(RevocationMode::None), login_policies());
    let sig = cms_sign("citizen-wang", CHALLENGE, &[]);
    let got = v.verify_async(request(sig, None)).await.expect("verifies");
    assert_eq!(got.identity.name, "王小明");
}
