//! Negative suite, part 2: untrusted chains, validity, keyUsage, policy and revocation (CRL
//! files and a real `openssl ocsp` responder) are refused with their codes; an untrusted
//! certificate's AIA at 10.0.0.1 causes no fetch.

mod common;

use std::sync::atomic::Ordering;

use common::cases::*;
use common::*;
use tessera_pki::{RevocationConfig, RevocationMode, VerifyRequest};

#[test]
fn untrusted_invalid_and_revoked_certificates_are_refused() {
    let v = verifier_with(mode(RevocationMode::Crl), login_policies()).0;
    let good_ocsp = Responder::start(
        free_port(),
        "moica-test",
        "ocsp/moica-test-ocsp.pem",
        "ocsp/moica-test-ocsp.key",
        5,
    );
    let stale_ocsp = Responder::start(
        free_port(),
        "moica-test",
        "ocsp/moica-test-ocsp.pem",
        "ocsp/moica-test-ocsp.key",
        1,
    );
    let stranger_ocsp = Responder::start(
        free_port(),
        "moica-test",
        "stranger/ocsp.pem",
        "stranger/ocsp.key",
        5,
    );
    let other_ca_ocsp = Responder::start(
        free_port(),
        "moica-test",
        "ocsp/gca-test-ocsp.pem",
        "ocsp/gca-test-ocsp.key",
        5,
    );
    let ocsp_v = |r: &Responder| {
        let config = RevocationConfig {
            crl_fallback: false,
            ocsp_responder: Some(r.url()),
            ..mode(RevocationMode::Ocsp)
        };
        verifier_with(config, login_policies()).0
    };
    let (v_good, v_stale, v_stranger, v_other) = (
        ocsp_v(&good_ocsp),
        ocsp_v(&stale_ocsp),
        ocsp_v(&stranger_ocsp),
        ocsp_v(&other_ca_ocsp),
    );
    let (stale_dir, forged_dir) = crl_variants();
    let v_stale_crl = verifier_in(
        stale_dir.path(),
        mode(RevocationMode::Crl),
        login_policies(),
    )
    .0;
    let v_forged_crl = verifier_in(
        forged_dir.path(),
        mode(RevocationMode::Crl),
        login_policies(),
    )
    .0;
    let wang = cms_sign("citizen-wang", C, &[]);
    let s = &pki().manifest.strangers;
    let cases: Vec<Case<'_>> = vec![
        (
            "self-signed leaf",
            &v,
            cms(sign_with(&s.self_signed, &s.self_signed_key, &[])),
            "untrusted_chain",
        ),
        (
            "leaf of a stranger CA",
            &v,
            cms(sign_with(&s.leaf, &s.leaf_key, &[])),
            "untrusted_chain",
        ),
        (
            "leaf naming MOICA as issuer, signed by another key",
            &v,
            cms(sign_with(&s.fake_moica_leaf, &s.fake_moica_leaf_key, &[])),
            "untrusted_chain",
        ),
        (
            "root certificate as signer",
            &v,
            cms(sign_with("trust/grca-test.pem", "ca/grca-test.key", &[])),
            "untrusted_chain",
        ),
        (
            "expired certificate",
            &v,
            cms(cms_sign("citizen-huang-expired", C, &[])),
            "expired",
        ),
        (
            "valid certificate after its notAfter",
            &v,
            VerifyRequest {
                at: at(20 * 365 * 86_400),
                ..cms(wang.clone())
            },
            "expired",
        ),
        (
            "not yet valid certificate",
            &v,
            cms(cms_sign("citizen-chang-future", C, &[])),
            "not_yet_valid",
        ),
        (
            "valid certificate before its notBefore",
            &v,
            VerifyRequest {
                at: at(-2 * 365 * 86_400),
                ..cms(wang.clone())
            },
            "not_yet_valid",
        ),
        (
            "keyUsage keyEncipherment only",
            &v,
            cms(cms_sign("citizen-wu-nosign", C, &[])),
            "key_usage",
        ),
        (
            "CA certificate as signer",
            &v,
            cms(sign_with("trust/moica-test.pem", "ca/moica-test.key", &[])),
            "key_usage",
        ),
        (
            "low-assurance policy for login",
            &v,
            cms(cms_sign("citizen-chou-lowpolicy", C, &[])),
            "policy_not_allowed",
        ),
        (
            "revoked by CRL",
            &v,
            cms(cms_sign("citizen-lin-revoked", C, &[])),
            "revoked",
        ),
        (
            "revoked by OCSP",
            &v_good,
            cms(cms_sign("citizen-lin-revoked", C, &[])),
            "revoked",
        ),
        (
            "OCSP answers unknown",
            &v_good,
            cms(cms_sign("citizen-tsai-unknown", C, &[])),
            "revocation_unknown",
        ),
        (
            "OCSP signed by a stranger",
            &v_stranger,
            cms(wang.clone()),
            "revocation_unknown",
        ),
        (
            "OCSP signed by another CA's responder",
            &v_other,
            cms(wang.clone()),
            "revocation_unknown",
        ),
        (
            "stale OCSP answer",
            &v_stale,
            VerifyRequest {
                at: at(3600),
                ..cms(wang.clone())
            },
            "revocation_unknown",
        ),
        (
            "stale CRL only",
            &v_stale_crl,
            cms(wang.clone()),
            "revocation_unknown",
        ),
        (
            "forged CRL only",
            &v_forged_crl,
            cms(wang.clone()),
            "revocation_unknown",
        ),
    ];
    assert!(cases.len() >= 19, "part 2 has {} cases", cases.len());
    check(&cases);
    assert!(v.verify(&cms(wang.clone())).is_ok());
    assert!(v_good.verify(&cms(wang)).is_ok());
}

#[test]
fn untrusted_certificate_with_aia_at_10_0_0_1_causes_no_fetch() {
    let s = &pki().manifest.strangers;
    for config in [mode(RevocationMode::Ocsp), mode(RevocationMode::Crl)] {
        let (v, counter) = verifier_with(config, login_policies());
        let err = v
            .verify(&cms(sign_with(&s.leaf, &s.leaf_key, &[])))
            .expect_err("untrusted");
        assert_eq!(err.code(), "untrusted_chain");
        assert_eq!(
            counter.calls.load(Ordering::SeqCst),
            0,
            "no connection attempt for an unverified chain"
        );
        assert!(counter.urls.lock().map(|u| u.is_empty()).unwrap_or(false));
    }
}
