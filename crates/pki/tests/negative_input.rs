//! Negative suite, part 1: malformed input, bad signatures, swapped certificates and wrong
//! content are refused with their codes (`malformed`, `signature_invalid`,
//! `content_mismatch`); garbage in every field never panics.

mod common;

use common::cases::*;
use common::*;
use tessera_pki::error::ALL_CODES;
use tessera_pki::{DigestAlg, RevocationMode, RsaPadding, SignatureFormat, VerifyRequest};

#[test]
fn malformed_tampered_and_mismatched_inputs_are_refused() {
    let v = verifier_with(mode(RevocationMode::Crl), login_policies()).0;
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
    let cases: Vec<Case<'_>> = vec![
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
            "content_mismatch",
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
    ];
    assert!(cases.len() >= 24, "part 1 has {} cases", cases.len());
    check(&cases);
    assert!(
        v.verify(&cms(wang)).is_ok(),
        "the unmodified signature verifies"
    );
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
