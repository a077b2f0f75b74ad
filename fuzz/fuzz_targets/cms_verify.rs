//! Fuzz target: CMS parsing and the whole verification pipeline (signature, chain, profile,
//! CRL revocation from files) on arbitrary signature / certificate / content bytes. Any panic
//! is a bug; every refusal must carry one of the stable codes.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tessera_pki::error::ALL_CODES;
use tessera_pki::{
    DigestAlg, RevocationConfig, RevocationMode, RsaPadding, SignatureFormat, TrustStore, Verifier,
    VerifierConfig, VerifyRequest,
};

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tessera-fuzz-pki-{}", std::process::id()));
        if !dir.join("manifest.json").exists() {
            tessera_pki::testpki::init_test(&dir).expect("test PKI");
        }
        let trust = TrustStore::load(&dir.join("trust")).expect("trust dir");
        let config = VerifierConfig {
            revocation: RevocationConfig {
                mode: RevocationMode::Crl,
                ..RevocationConfig::default()
            },
            ..VerifierConfig::default()
        };
        Verifier::new(trust, config)
    })
}

fuzz_target!(|data: &[u8]| {
    let _ = tessera_pki::cms::parse(data);
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // Split the rest into signature | certificate | content at two positions from the input.
    let (a, b) = match rest {
        [x, y, tail @ ..] if !tail.is_empty() => {
            let a = usize::from(*x) * tail.len() / 256;
            let b = a + (tail.len() - a) * usize::from(*y) / 256;
            (a, b)
        }
        _ => (rest.len(), rest.len()),
    };
    let body = rest.get(2..).unwrap_or(&[]);
    let (sig, cert, content) = (
        body.get(..a).unwrap_or(body),
        body.get(a..b).unwrap_or(&[]),
        body.get(b..).unwrap_or(&[]),
    );
    let format = match selector % 3 {
        0 => SignatureFormat::Cms,
        1 => SignatureFormat::Raw {
            digest: DigestAlg::Sha256,
            padding: RsaPadding::Pkcs1,
        },
        _ => SignatureFormat::Raw {
            digest: DigestAlg::Sha384,
            padding: RsaPadding::Pss,
        },
    };
    let req = VerifyRequest {
        signature: if selector & 0x80 != 0 {
            body.to_vec()
        } else {
            sig.to_vec()
        },
        format,
        cert: (selector & 0x40 != 0).then(|| cert.to_vec()),
        expected_content: content.to_vec(),
        purpose: Some("login".into()),
        at: None,
    };
    if let Err(e) = verifier().verify(&req) {
        assert!(ALL_CODES.contains(&e.code()));
    }
});
