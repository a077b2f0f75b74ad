//! The negative suite: every malformed, tampered, mismatched, untrusted, expired, revoked or
//! otherwise unacceptable input is refused with its stable failure code, and nothing panics.

mod common;

use std::sync::atomic::Ordering;

use common::*;
use tessera_pki::error::ALL_CODES;
use tessera_pki::testpki::build;
use tessera_pki::{
    DigestAlg, RevocationConfig, RevocationMode, RsaPadding, SignatureFormat, Verifier,
    VerifyRequest,
};

const C: &[u8] = b"negative-suite-challenge-32bytes";

fn cms(sig: Vec<u8>) -> VerifyRequest {
    VerifyRequest {
        signature: sig,
        expected_content: C.to_vec(),
        purpose: Some("login".into()),
        ..VerifyRequest::default()
    }
}

fn with_cert(sig: Vec<u8>, cert: Vec<u8>) -> VerifyRequest {
    VerifyRequest {
        cert: Some(cert),
        ..cms(sig)
    }
}

fn raw(sig: Vec<u8>, cert: Option<Vec<u8>>) -> VerifyRequest {
    VerifyRequest {
        format: SignatureFormat::Raw {
            digest: DigestAlg::Sha256,
            padding: RsaPadding::Pkcs1,
        },
        cert,
        ..cms(sig)
    }
}

fn sign_with(cert: &str, key: &str, extra: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("c.bin");
    let out = dir.path().join("s.der");
    std::fs::write(&input, C).expect("write");
    let (cert, key) = (pki().path(cert), pki().path(key));
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-outform",
        "DER",
        "-in",
        input.to_str().unwrap_or_default(),
        "-out",
        out.to_str().unwrap_or_default(),
        "-signer",
        cert.to_str().unwrap_or_default(),
        "-inkey",
        key.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(extra);
    openssl(&args);
    std::fs::read(out).expect("read")
}

fn at(offset: i64) -> Option<i64> {
    Some(tessera_pki::timeutil::now_unix() + offset)
}

/// A trust dir whose only MOICA CRL is stale, and one whose MOICA CRL is forged.
fn crl_variants() -> (tempfile::TempDir, tempfile::TempDir) {
    let p = pki();
    let ca =
        openssl::x509::X509::from_pem(&std::fs::read(p.path("trust/moica-test.pem")).expect("ca"))
            .expect("ca pem");
    let ca_key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(p.path("ca/moica-test.key")).expect("key"),
    )
    .expect("key pem");
    let stranger_key = openssl::pkey::PKey::private_key_from_pem(
        &std::fs::read(p.path("stranger/root.key")).expect("key"),
    )
    .expect("key pem");
    let now = tessera_pki::timeutil::now_unix();
    let stale = trust_dir_without_crls();
    let crl =
        build::crl(&ca, &ca_key, &[], now - 10 * 86_400, now - 3 * 86_400).expect("stale CRL");
    std::fs::write(
        stale.path().join("moica-test.crl"),
        crl.to_pem().expect("pem"),
    )
    .expect("write");
    let forged = trust_dir_without_crls();
    let crl = build::crl(&ca, &stranger_key, &[], now - 3600, now + 86_400).expect("forged CRL");
    std::fs::write(
        forged.path().join("moica-test.crl"),
        crl.to_pem().expect("pem"),
    )
    .expect("write");
    (stale, forged)
}

#[test]
fn negative_suite_each_case_refused_with_its_code() {
    let crl_mode = || verifier_with(mode(RevocationMode::Crl), login_policies()).0;
    let v = crl_mode();
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
    let wang_attached = cms_sign("citizen-wang", C, &["-nodetach"]);
    let wang_nocerts = cms_sign("citizen-wang", C, &["-nocerts"]);
    let wang_cert = pki().cert_der("citizen-wang");
    let chen_cert = pki().cert_der("citizen-chen");
    let raw_wang = raw_sign("citizen-wang", C, "-sha256", &[]);
    let mut flipped_sig = wang.clone();
    if let Some(last) = flipped_sig.last_mut() {
        *last ^= 0x01;
    }
    let mut trailing = wang.clone();
    trailing.extend_from_slice(b"junk");
    let two_signers = cms_sign(
        "citizen-wang",
        C,
        &[
            "-signer",
            pki().cert_of("citizen-chen").to_str().unwrap_or_default(),
            "-inkey",
            pki().key_of("citizen-chen").to_str().unwrap_or_default(),
        ],
    );
    let data_only = {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("c.bin");
        std::fs::write(&input, C).expect("write");
        openssl(&[
            "cms",
            "-data_create",
            "-binary",
            "-outform",
            "DER",
            "-in",
            input.to_str().unwrap_or_default(),
        ])
    };
    let s = &pki().manifest.strangers;
    let cases: Vec<(&str, &Verifier, VerifyRequest, &str)> = vec![
        ("empty signature", &v, cms(Vec::new()), "malformed"),
        (
            "truncated DER (half)",
            &v,
            cms(wang[..wang.len() / 2].to_vec()),
            "malformed",
        ),
        (
            "truncated DER (one byte short)",
            &v,
            cms(wang[..wang.len() - 1].to_vec()),
            "malformed",
        ),
        ("trailing bytes after DER", &v, cms(trailing), "malformed"),
        (
            "random binary",
            &v,
            cms(vec![0x30, 0x82, 0xff, 0xff, 1, 2, 3]),
            "malformed",
        ),
        (
            "certificate instead of CMS",
            &v,
            cms(wang_cert.clone()),
            "malformed",
        ),
        (
            "not base64",
            &v,
            cms(b"!!! not a signature !!!".to_vec()),
            "malformed",
        ),
        (
            "PEM with broken body",
            &v,
            cms(b"-----BEGIN CMS-----\n@@@@\n-----END CMS-----\n".to_vec()),
            "malformed",
        ),
        ("CMS data, not signedData", &v, cms(data_only), "malformed"),
        ("two signers", &v, cms(two_signers), "malformed"),
        (
            "SHA-1 digest",
            &v,
            cms(cms_sign("citizen-wang", C, &["-md", "sha1"])),
            "malformed",
        ),
        (
            "no signer certificate anywhere",
            &v,
            cms(wang_nocerts.clone()),
            "malformed",
        ),
        (
            "garbage certificate field",
            &v,
            with_cert(wang.clone(), b"garbage".to_vec()),
            "malformed",
        ),
        (
            "truncated certificate field",
            &v,
            with_cert(wang.clone(), wang_cert[..100].to_vec()),
            "malformed",
        ),
        (
            "raw signature without certificate",
            &v,
            raw(raw_wang.clone(), None),
            "malformed",
        ),
        (
            "tampered signature value",
            &v,
            cms(flipped_sig),
            "signature_invalid",
        ),
        (
            "swapped certificate (no bundled cert)",
            &v,
            with_cert(wang_nocerts, chen_cert.clone()),
            "signature_invalid",
        ),
        (
            "swapped certificate (bundled differs)",
            &v,
            with_cert(wang.clone(), chen_cert.clone()),
            "signature_invalid",
        ),
        (
            "raw signature garbage",
            &v,
            raw(vec![7u8; 256], Some(wang_cert.clone())),
            "signature_invalid",
        ),
        (
            "raw signature, other person's cert",
            &v,
            raw(raw_wang.clone(), Some(chen_cert)),
            "signature_invalid",
        ),
        (
            "raw signature over other content",
            &v,
            VerifyRequest {
                expected_content: b"other".to_vec(),
                ..raw(raw_wang, Some(wang_cert.clone()))
            },
            "signature_invalid",
        ),
        (
            "detached, wrong content",
            &v,
            VerifyRequest {
                expected_content: b"other challenge".to_vec(),
                ..cms(wang.clone())
            },
            "content_mismatch",
        ),
        (
            "detached, empty expected content",
            &v,
            VerifyRequest {
                expected_content: Vec::new(),
                ..cms(wang.clone())
            },
            "content_mismatch",
        ),
        (
            "attached, wrong content",
            &v,
            VerifyRequest {
                expected_content: b"other challenge".to_vec(),
                ..cms(wang_attached.clone())
            },
            "content_mismatch",
        ),
        (
            "attached, one extra byte expected",
            &v,
            VerifyRequest {
                expected_content: [C, b"!"].concat(),
                ..cms(wang_attached)
            },
            "content_mismatch",
        ),
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
    assert!(cases.len() >= 40, "the suite has {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, verifier, req, want) in &cases {
        let got = verifier
            .verify(req)
            .map(|ok| ok.identity.name)
            .map_err(|e| (e.code(), e.to_string()));
        match got {
            Err((code, _)) if code == *want => {}
            other => failures.push(format!("{name}: want {want}, got {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases wrong:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The refusals above must not be an artefact of a broken setup: the good cases pass.
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

#[test]
fn garbage_in_every_field_never_panics() {
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let wang = cms_sign("citizen-wang", C, &[]);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..300u32 {
        let mut sig = wang.clone();
        let pos = (next() as usize) % sig.len();
        sig[pos] ^= (next() as u8) | 1;
        let garbage: Vec<u8> = (0..(next() % 64)).map(|_| next() as u8).collect();
        let req = VerifyRequest {
            signature: if round % 3 == 0 { garbage.clone() } else { sig },
            cert: (round % 4 == 1).then(|| garbage.clone()),
            expected_content: if round % 5 == 2 {
                garbage.clone()
            } else {
                C.to_vec()
            },
            purpose: (round % 2 == 0).then(|| String::from_utf8_lossy(&garbage).into_owned()),
            format: if round % 7 == 3 {
                SignatureFormat::Raw {
                    digest: DigestAlg::Sha384,
                    padding: RsaPadding::Pss,
                }
            } else {
                SignatureFormat::Cms
            },
            at: (round % 6 == 5).then(|| next() as i64),
        };
        if let Err(e) = v.verify(&req) {
            assert!(ALL_CODES.contains(&e.code()));
        }
    }
}
