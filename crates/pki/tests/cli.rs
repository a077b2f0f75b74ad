//! The `pki` command line as `tessera pki …` will run it: `init-test` writes a usable PKI, and
//! `verify` prints the identity (text or the JSON shape) or the failure code, with
//! exit codes 0 (verified), 1 (refused), 2 (setup error).

mod common;

use clap::Parser;
use common::*;
use tessera_pki::cli::{PkiCommand, run_to};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: PkiCommand,
}

fn run_args(args: &[&str]) -> (i32, String) {
    let cli = Cli::try_parse_from(std::iter::once("pki").chain(args.iter().copied()))
        .expect("arguments parse");
    let mut out = Vec::new();
    let code = run_to(cli.command, &mut out);
    (code, String::from_utf8(out).expect("utf-8 output"))
}

#[test]
fn init_test_writes_a_pki_that_verify_accepts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("pki");
    let (code, text) = run_args(&["init-test", "--out", out.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{text}");
    let manifest = tessera_pki::testpki::Manifest::load(&out).expect("manifest");
    assert_eq!(manifest.cas.len(), 5);
    assert!(manifest.entities.len() >= 10);
    for e in &manifest.entities {
        for f in [&e.cert, &e.key, &e.p12] {
            assert!(out.join(f).is_file(), "{f} missing");
        }
    }
    let wang = manifest.entity("citizen-wang").expect("wang");
    let p12 = openssl::pkcs12::Pkcs12::from_der(&std::fs::read(out.join(&wang.p12)).expect("p12"))
        .expect("p12 DER");
    let parsed = p12
        .parse2(&manifest.p12_password)
        .expect("documented password opens it");
    assert!(parsed.pkey.is_some() && parsed.cert.is_some());
    // Sign with the freshly written PKI and verify through the CLI.
    let content = dir.path().join("challenge.bin");
    std::fs::write(&content, b"cli challenge").expect("write");
    let sig = dir.path().join("sig.der");
    let (cert, key) = (out.join(&wang.cert), out.join(&wang.key));
    openssl(&[
        "cms",
        "-sign",
        "-binary",
        "-outform",
        "DER",
        "-in",
        content.to_str().unwrap_or_default(),
        "-out",
        sig.to_str().unwrap_or_default(),
        "-signer",
        cert.to_str().unwrap_or_default(),
        "-inkey",
        key.to_str().unwrap_or_default(),
    ]);
    let trust = out.join(&manifest.trust_dir);
    let base = [
        "verify",
        "--signature",
        sig.to_str().unwrap_or_default(),
        "--content",
        content.to_str().unwrap_or_default(),
        "--trust-dir",
        trust.to_str().unwrap_or_default(),
        "--revocation",
        "crl",
    ];
    let (code, text) = run_args(&base);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("王小明") && text.contains("moica_citizen"),
        "{text}"
    );
    let (code, text) = run_args(&[&base[..], &["--json"]].concat());
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(json["ok"], true);
    assert_eq!(json["identity"]["kind"], "moica_citizen");
    assert_eq!(
        json["identity"]["national_id_last4"],
        wang.national_id_last4.as_deref().unwrap_or_default()
    );
    assert_eq!(json["identity"]["serial"], wang.serial.as_str());
    assert!(json["identity"]["not_after"].is_string());
}

#[test]
fn refusals_print_the_code_and_exit_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let content = dir.path().join("c.bin");
    let wrong = dir.path().join("wrong.bin");
    let sig = dir.path().join("sig.der");
    std::fs::write(&content, b"expected").expect("write");
    std::fs::write(&wrong, b"something else").expect("write");
    std::fs::write(&sig, cms_sign("citizen-wang", b"expected", &[])).expect("write");
    let trust = pki().trust_dir();
    let args = |c: &std::path::Path| {
        vec![
            "verify".to_string(),
            "--signature".into(),
            sig.display().to_string(),
            "--content".into(),
            c.display().to_string(),
            "--trust-dir".into(),
            trust.display().to_string(),
            "--revocation".into(),
            "crl".into(),
            "--json".into(),
        ]
    };
    let a = args(&wrong);
    let (code, text) = run_args(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        (json["ok"].clone(), json["code"].clone()),
        (false.into(), "content_mismatch".into())
    );
    assert_eq!(json["message"], "簽章內容與本次驗證碼不符。");
    let mut a = args(&content);
    a.extend(["--at".into(), "2099-01-01T00:00:00Z".into()]);
    let (code, text) = run_args(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, 1);
    assert!(text.contains("\"expired\""), "{text}");
    let (code, _) = run_args(&[
        "verify",
        "--signature",
        sig.to_str().unwrap_or_default(),
        "--trust-dir",
        "/nonexistent/trust",
    ]);
    assert_eq!(code, 2, "a missing trust dir is a setup error");
    let (code, text) = run_args(&[
        "verify",
        "--signature",
        sig.to_str().unwrap_or_default(),
        "--trust-dir",
        trust.to_str().unwrap_or_default(),
        "--revocation",
        "none",
    ]);
    assert_eq!(code, 1, "a detached signature without --content is refused");
    assert!(text.contains("malformed"), "{text}");
}
