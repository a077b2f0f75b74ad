//! A real PKCS#11 token: SoftHSM2 holds citizen-wang's key (imported with `pkcs11-tool
//! --write-object`), and `pkcs11-tool --sign` makes (a) a raw PKCS#1 signature, as the signer
//! component's PKCS1 mode returns, and (b) the signature inside a CMS SignedData assembled the
//! way a card-based component does (signed attributes hashed and signed on the token).
//! Needs Debian packages `softhsm2` and `opensc`; fails loudly if they are missing.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use openssl::hash::{MessageDigest, hash};
use tessera_pki::der::{self, encode, encode_parts, tag};
use tessera_pki::{
    CertKind, DigestAlg, RevocationMode, RsaPadding, SignatureFormat, VerifyRequest,
};

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const PIN: &str = "1234";

fn tool(conf: &Path, program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .env("SOFTHSM2_CONF", conf)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} must be installed (apt-get install softhsm2 opensc): {e}")
        });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

struct Token {
    dir: tempfile::TempDir,
    conf: std::path::PathBuf,
}

impl Token {
    fn with_key_of(id: &str) -> Token {
        assert!(
            Path::new(MODULE).exists(),
            "SoftHSM2 module missing: apt-get install softhsm2"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir_all(&tokens).expect("tokens dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                tokens.display()
            ),
        )
        .expect("conf");
        tool(
            &conf,
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                "tessera",
                "--pin",
                PIN,
                "--so-pin",
                "5678",
            ],
        );
        let key_der = dir.path().join("key.der");
        openssl(&[
            "pkey",
            "-in",
            pki().key_of(id).to_str().unwrap_or_default(),
            "-outform",
            "DER",
            "-out",
            key_der.to_str().unwrap_or_default(),
        ]);
        let cert_der = dir.path().join("cert.der");
        std::fs::write(&cert_der, pki().cert_der(id)).expect("cert");
        for (file, kind) in [(&key_der, "privkey"), (&cert_der, "cert")] {
            tool(
                &conf,
                "pkcs11-tool",
                &[
                    "--module",
                    MODULE,
                    "--token-label",
                    "tessera",
                    "--login",
                    "--pin",
                    PIN,
                    "--write-object",
                    file.to_str().unwrap_or_default(),
                    "--type",
                    kind,
                    "--id",
                    "01",
                    "--label",
                    id,
                ],
            );
        }
        std::fs::remove_file(&key_der).expect("the key now lives only on the token");
        Token { dir, conf }
    }

    /// SHA256-RSA-PKCS signature over `data`, made on the token.
    fn sign(&self, data: &[u8]) -> Vec<u8> {
        let input = self.dir.path().join("in.bin");
        let output = self.dir.path().join("sig.bin");
        std::fs::write(&input, data).expect("write");
        tool(
            &self.conf,
            "pkcs11-tool",
            &[
                "--module",
                MODULE,
                "--token-label",
                "tessera",
                "--login",
                "--pin",
                PIN,
                "--sign",
                "--id",
                "01",
                "--mechanism",
                "SHA256-RSA-PKCS",
                "--input-file",
                input.to_str().unwrap_or_default(),
                "--output-file",
                output.to_str().unwrap_or_default(),
            ],
        );
        std::fs::read(output).expect("signature")
    }
}

fn oid(text: &str) -> Vec<u8> {
    der::encode_oid(text).expect("oid")
}

/// A detached CMS SignedData whose signature over the signed attributes comes from the token.
fn token_cms(token: &Token, cert_der: &[u8], content: &[u8]) -> Vec<u8> {
    let info = tessera_pki::certinfo::parse(cert_der).expect("cert");
    let sha256 = encode(tag::SEQUENCE, &oid("2.16.840.1.101.3.4.2.1"));
    let data_oid = oid("1.2.840.113549.1.7.1");
    let content_type = encode_parts(
        tag::SEQUENCE,
        &[&oid("1.2.840.113549.1.9.3"), &encode(tag::SET, &data_oid)],
    );
    let digest = hash(MessageDigest::sha256(), content).expect("sha256");
    let message_digest = encode_parts(
        tag::SEQUENCE,
        &[
            &oid("1.2.840.113549.1.9.4"),
            &encode(tag::SET, &encode(tag::OCTET_STRING, &digest)),
        ],
    );
    let attrs = [content_type, message_digest].concat();
    let signature = token.sign(&encode(tag::SET, &attrs));
    let sid = encode_parts(
        tag::SEQUENCE,
        &[info.issuer, &encode(tag::INTEGER, info.serial)],
    );
    let rsa = encode_parts(
        tag::SEQUENCE,
        &[&oid("1.2.840.113549.1.1.1"), &encode(tag::NULL, &[])],
    );
    let signer_info = encode_parts(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[1]),
            &sid,
            &sha256,
            &encode(0xa0, &attrs),
            &rsa,
            &encode(tag::OCTET_STRING, &signature),
        ],
    );
    let signed_data = encode_parts(
        tag::SEQUENCE,
        &[
            &encode(tag::INTEGER, &[1]),
            &encode(tag::SET, &sha256),
            &encode(tag::SEQUENCE, &data_oid),
            &encode(0xa0, cert_der),
            &encode(tag::SET, &signer_info),
        ],
    );
    encode_parts(
        tag::SEQUENCE,
        &[&oid("1.2.840.113549.1.7.2"), &encode(0xa0, &signed_data)],
    )
}

#[test]
fn softhsm_token_signatures_verify_raw_and_cms() {
    let token = Token::with_key_of("citizen-wang");
    let (v, _) = verifier_with(mode(RevocationMode::Crl), login_policies());
    let challenge = b"softhsm-challenge-bytes-32-long!";
    let cert = pki().cert_der("citizen-wang");

    let raw = VerifyRequest {
        signature: token.sign(challenge),
        format: SignatureFormat::Raw {
            digest: DigestAlg::Sha256,
            padding: RsaPadding::Pkcs1,
        },
        cert: Some(cert.clone()),
        expected_content: challenge.to_vec(),
        purpose: Some("login".into()),
        at: None,
    };
    let id = v.verify(&raw).expect("raw PKCS#1 from the token").identity;
    assert_eq!(
        (id.kind, id.name.as_str()),
        (CertKind::MoicaCitizen, "王小明")
    );

    let cms = VerifyRequest {
        signature: token_cms(&token, &cert, challenge),
        format: SignatureFormat::Cms,
        cert: None,
        ..raw.clone()
    };
    assert!(
        v.verify(&cms)
            .expect("CMS from the token")
            .identity
            .matches_national_id("A123456789")
    );

    let replayed_elsewhere = VerifyRequest {
        expected_content: b"another challenge".to_vec(),
        ..cms
    };
    assert_eq!(
        v.verify(&replayed_elsewhere)
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("content_mismatch")
    );
}
