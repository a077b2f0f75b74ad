//! Helpers for the negative suites: request shapes, signing with arbitrary cert/key files,
//! CRL variants (stale, forged) and the table runner that reports every wrong case at once.

use tessera_pki::testpki::build;
use tessera_pki::{DigestAlg, RsaPadding, SignatureFormat, Verifier, VerifyRequest};

use super::*;

pub const C: &[u8] = b"negative-suite-challenge-32bytes";

pub fn cms(sig: Vec<u8>) -> VerifyRequest {
    VerifyRequest {
        signature: sig,
        expected_content: C.to_vec(),
        purpose: Some("login".into()),
        ..VerifyRequest::default()
    }
}

pub fn with_cert(sig: Vec<u8>, cert: Vec<u8>) -> VerifyRequest {
    VerifyRequest {
        cert: Some(cert),
        ..cms(sig)
    }
}

pub fn raw(sig: Vec<u8>, cert: Option<Vec<u8>>) -> VerifyRequest {
    VerifyRequest {
        format: SignatureFormat::Raw {
            digest: DigestAlg::Sha256,
            padding: RsaPadding::Pkcs1,
        },
        cert,
        ..cms(sig)
    }
}

pub fn sign_with(cert: &str, key: &str, extra: &[&str]) -> Vec<u8> {
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

pub fn at(offset: i64) -> Option<i64> {
    Some(tessera_pki::timeutil::now_unix() + offset)
}

/// A trust dir whose only MOICA CRL is stale, and one whose MOICA CRL is forged.
pub fn crl_variants() -> (tempfile::TempDir, tempfile::TempDir) {
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

/// One case: name, verifier, request, expected failure code.
pub type Case<'a> = (&'a str, &'a Verifier, VerifyRequest, &'a str);

/// Runs every case; fails listing each case whose outcome differs from its code.
pub fn check(cases: &[Case<'_>]) {
    let mut failures = Vec::new();
    for (name, verifier, req, want) in cases {
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
}
