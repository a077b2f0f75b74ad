//! Verification throughput: full verifications per second on 2 threads (CMS over a challenge,
//! 3-level chain GRCA-test → MOICA-test → citizen, cached OCSP answer from a real `openssl ocsp`
//! responder) and raw RSA-2048 verifications per second in the same run, with their ratio.
//! Run: `cargo bench -p tessera-pki --bench verify` (needs the openssl CLI).

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::{Signer, Verifier as RsaVerifier};
use openssl::x509::X509;
use tessera_pki::revocation::{RevocationConfig, RevocationMode};
use tessera_pki::{RevocationOutcome, TrustStore, Verifier, VerifierConfig, VerifyRequest};

const THREADS: usize = 2;
const SECONDS: u64 = 5;

fn measure(work: Arc<dyn Fn() -> bool + Send + Sync>) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let (stop, count, work) = (stop.clone(), count.clone(), work.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    assert!(work(), "a verification failed during the benchmark");
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(SECONDS));
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().expect("bench thread");
    }
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pki = tessera_pki::testpki::init_test(dir.path()).expect("test PKI");
    let wang = pki.entity("citizen-wang").expect("citizen-wang");
    let path = |rel: &str| dir.path().join(rel);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut responder = Command::new("openssl")
        .args([
            "ocsp",
            "-index",
            &path(&pki.ocsp_index).display().to_string(),
            "-port",
            &port.to_string(),
        ])
        .args([
            "-rsigner",
            &path("ocsp/moica-test-ocsp.pem").display().to_string(),
        ])
        .args([
            "-rkey",
            &path("ocsp/moica-test-ocsp.key").display().to_string(),
        ])
        .args([
            "-CA",
            &path("trust/moica-test.pem").display().to_string(),
            "-nmin",
            "60",
            "-ignore_err",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl CLI");
    std::thread::sleep(Duration::from_millis(500));

    let challenge = b"bench-challenge-0123456789abcdef".to_vec();
    let cert = X509::from_pem(&std::fs::read(path(&wang.cert)).expect("cert")).expect("cert pem");
    let key =
        PKey::private_key_from_pem(&std::fs::read(path(&wang.key)).expect("key")).expect("key pem");
    let cms = openssl::cms::CmsContentInfo::sign(
        Some(&cert),
        Some(&key),
        None,
        Some(&challenge),
        openssl::cms::CMSOptions::DETACHED | openssl::cms::CMSOptions::BINARY,
    )
    .and_then(|c| c.to_der())
    .expect("CMS");

    let config = VerifierConfig {
        revocation: RevocationConfig {
            mode: RevocationMode::Ocsp,
            crl_fallback: false,
            ocsp_responder: Some(format!("http://127.0.0.1:{port}/")),
            ..RevocationConfig::default()
        },
        ..VerifierConfig::default()
    };
    let verifier = Verifier::new(TrustStore::load(&path("trust")).expect("trust"), config);
    let req = VerifyRequest {
        signature: cms,
        expected_content: challenge.clone(),
        ..VerifyRequest::default()
    };
    let first = verifier
        .verify(&req)
        .expect("first verification (fetches OCSP)");
    assert!(matches!(first.revocation, RevocationOutcome::Good { .. }));
    let cached = verifier.verify(&req).expect("second verification");
    assert_eq!(
        cached.revocation,
        RevocationOutcome::Good {
            source: "ocsp-cache".into()
        }
    );
    let _ = responder.kill();
    let _ = responder.wait();

    let full = {
        let (v, r) = (verifier.clone(), req.clone());
        measure(Arc::new(move || v.verify(&r).is_ok()))
    };
    let mut signer = Signer::new(MessageDigest::sha256(), &key).expect("signer");
    let sig = signer.sign_oneshot_to_vec(&challenge).expect("sign");
    let public = cert.public_key().expect("public key");
    let raw = measure(Arc::new(move || {
        RsaVerifier::new(MessageDigest::sha256(), &public)
            .and_then(|mut v| v.verify_oneshot(&sig, &challenge))
            .unwrap_or(false)
    }));
    // Where the time goes (one thread, microseconds per call).
    let per_call = |f: &dyn Fn()| {
        let start = Instant::now();
        for _ in 0..2_000 {
            f();
        }
        start.elapsed().as_secs_f64() * 1e6 / 2_000.0
    };
    let cache = tessera_pki::certcache::CertCache::default();
    let sig_only = per_call(&|| {
        let _ =
            tessera_pki::signature::verify_cms(&req.signature, &req.expected_content, None, &cache);
    });
    let chain_only = per_call(&|| {
        let _ = tessera_pki::chain::verify_chain(
            verifier.trust(),
            &cert,
            &[],
            tessera_pki::timeutil::now_unix(),
        );
    });
    let full_one = per_call(&|| {
        let _ = verifier.verify(&req);
    });
    println!(
        "one thread, µs per call: CMS signature {sig_only:.1}, chain {chain_only:.1}, full {full_one:.1}"
    );
    println!("threads: {THREADS}, seconds per measurement: {SECONDS}");
    println!("full verifications/s (CMS + 3-level chain + cached OCSP): {full:.0}");
    println!("raw RSA-2048 verifications/s: {raw:.0}");
    println!(
        "ratio full/raw: {:.3} (one full verification costs {:.1} raw RSA verifications)",
        full / raw,
        raw / full
    );
}
