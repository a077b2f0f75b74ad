//! Shared helpers for the signer's integration tests: one test PKI per test binary, SoftHSM2
//! tokens set up with `softhsm2-util` and `pkcs11-tool` under a private `SOFTHSM2_CONF`, the
//! PIN-counting test module, the built `tessera-signer` binary on a free loopback port, and
//! verification with Tessera's verifier and the `openssl cms` CLI. A missing tool fails the
//! test with the package to install; nothing is skipped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tessera_pki::testpki::{Manifest, init_test};
use tessera_pki::{
    RevocationConfig, RevocationMode, SignatureFormat, TrustStore, Verified, Verifier,
    VerifierConfig, VerifyRequest,
};

pub const SOFTHSM_MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
pub const USER_PIN: &str = "123456";
pub const SO_PIN: &str = "87654321";
pub const SITE: &str = "https://portal.example.gov.tw";

pub struct Pki {
    pub dir: PathBuf,
    pub manifest: Manifest,
    _tmp: tempfile::TempDir,
}

impl Pki {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
    pub fn entity(&self, id: &str) -> &tessera_pki::testpki::manifest::EntityEntry {
        self.manifest
            .entity(id)
            .unwrap_or_else(|| panic!("no test entity {id}"))
    }
    pub fn cert_der(&self, id: &str) -> Vec<u8> {
        let pem = std::fs::read(self.path(&self.entity(id).cert)).expect("read cert");
        openssl::x509::X509::from_pem(&pem)
            .and_then(|c| c.to_der())
            .expect("cert PEM")
    }
    pub fn key_der(&self, id: &str) -> Vec<u8> {
        let pem = std::fs::read(self.path(&self.entity(id).key)).expect("read key");
        openssl::pkey::PKey::private_key_from_pem(&pem)
            .and_then(|k| k.private_key_to_pkcs8())
            .expect("key PEM")
    }
    /// The root certificate file (for `openssl cms -verify -CAfile`).
    pub fn root_pem(&self) -> PathBuf {
        self.path(&self.manifest.root.cert)
    }
    /// The issuing CA of entity `id` (for `-untrusted`).
    pub fn ca_pem(&self, id: &str) -> PathBuf {
        let ca = &self.entity(id).ca;
        let entry = self.manifest.ca(ca).unwrap_or_else(|| panic!("no CA {ca}"));
        self.path(&entry.cert)
    }
}

/// The test PKI of this test binary.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tempdir");
        let manifest = init_test(tmp.path()).expect("init test PKI");
        Pki {
            dir: tmp.path().to_owned(),
            manifest,
            _tmp: tmp,
        }
    })
}

/// Runs a tool; fails the test when it is missing or fails.
pub fn run_tool(program: &str, args: &[&str], envs: &[(&str, &Path)], package: &str) -> String {
    let out = Command::new(program)
        .args(args)
        .envs(envs.iter().map(|(k, v)| (*k, *v)))
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is required (apt-get install -y {package}; scripts/install-test-deps.sh): {e}")
        });
    assert!(
        out.status.success(),
        "{program} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A private SoftHSM2 configuration and token directory.
pub struct SoftHsm {
    pub dir: tempfile::TempDir,
    pub conf: PathBuf,
}

impl SoftHsm {
    /// An empty SoftHSM2 (no initialized token: a reader without a card).
    pub fn empty() -> SoftHsm {
        assert!(
            Path::new(SOFTHSM_MODULE).exists(),
            "{SOFTHSM_MODULE} is required (apt-get install -y softhsm2)"
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let tokens = dir.path().join("tokens");
        std::fs::create_dir_all(&tokens).expect("token dir");
        let conf = dir.path().join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                tokens.display()
            ),
        )
        .expect("write softhsm2.conf");
        SoftHsm { dir, conf }
    }

    /// A token labelled `label` holding entity `id`'s key and certificate (CKA_ID `01`).
    pub fn with_entity(label: &str, id: &str) -> SoftHsm {
        let hsm = SoftHsm::empty();
        hsm.init_token(label);
        hsm.import(label, id, "01");
        hsm
    }

    fn env(&self) -> [(&str, &Path); 1] {
        [("SOFTHSM2_CONF", self.conf.as_path())]
    }

    pub fn init_token(&self, label: &str) {
        run_tool(
            "softhsm2-util",
            &[
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                SO_PIN,
                "--pin",
                USER_PIN,
            ],
            &self.env(),
            "softhsm2",
        );
    }

    /// Imports entity `id` (key and certificate) with `pkcs11-tool --write-object`.
    pub fn import(&self, label: &str, id: &str, key_id: &str) {
        let p = pki();
        let key = self.dir.path().join(format!("{id}.key.der"));
        let cert = self.dir.path().join(format!("{id}.crt.der"));
        std::fs::write(&key, p.key_der(id)).expect("write key");
        std::fs::write(&cert, p.cert_der(id)).expect("write cert");
        let common = [
            "--module",
            SOFTHSM_MODULE,
            "--token-label",
            label,
            "--login",
            "--pin",
            USER_PIN,
        ];
        let key_s = key.to_string_lossy().into_owned();
        let cert_s = cert.to_string_lossy().into_owned();
        let mut args: Vec<&str> = common.to_vec();
        args.extend([
            "--write-object",
            &key_s,
            "--type",
            "privkey",
            "--id",
            key_id,
            "--label",
            id,
            "--usage-sign",
        ]);
        run_tool("pkcs11-tool", &args, &self.env(), "opensc");
        let mut args: Vec<&str> = common.to_vec();
        args.extend([
            "--write-object",
            &cert_s,
            "--type",
            "cert",
            "--id",
            key_id,
            "--label",
            id,
        ]);
        run_tool("pkcs11-tool", &args, &self.env(), "opensc");
    }
}

/// Builds the PIN-counting PKCS#11 module (tests/shim/pinlock.c) into `dir`.
pub fn build_pinlock(dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shim/pinlock.c");
    let out = dir.join("libpinlock.so");
    let src_s = src.to_string_lossy().into_owned();
    let out_s = out.to_string_lossy().into_owned();
    run_tool(
        "cc",
        &["-shared", "-fPIC", "-O1", "-o", &out_s, &src_s, "-ldl"],
        &[],
        "gcc",
    );
    out
}

/// A running `tessera-signer` process; killed when dropped.
pub struct Signer {
    child: Child,
    pub base: String,
    pub port: u16,
    pub approvals: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Signer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the built binary with `args` and `envs` on a free loopback port.
pub fn start_signer(args: &[&str], envs: &[(&str, &str)]) -> Signer {
    start_signer_with_approvals(args, envs, None)
}

pub fn start_signer_with_approvals(
    args: &[&str],
    envs: &[(&str, &str)],
    approvals: Option<&Path>,
) -> Signer {
    spawn_signer(args, envs, approvals, None)
}

/// Starts the signer with its log (stderr, at `RUST_LOG=trace`) written to `log`.
pub fn start_signer_logged(args: &[&str], envs: &[(&str, &str)], log: &Path) -> Signer {
    spawn_signer(args, envs, None, Some(log))
}

fn spawn_signer(
    args: &[&str],
    envs: &[(&str, &str)],
    approvals: Option<&Path>,
    log: Option<&Path>,
) -> Signer {
    let dir = tempfile::tempdir().expect("tempdir");
    let approvals = approvals
        .map(Path::to_owned)
        .unwrap_or_else(|| dir.path().join("approved-origins.json"));
    let approvals_s = approvals.to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera-signer"))
        .args(["--listen", "127.0.0.1:0", "--approvals-file", &approvals_s])
        .args(args)
        .envs(envs.iter().copied())
        .env("RUST_LOG", if log.is_some() { "trace" } else { "warn" })
        .stdout(Stdio::piped())
        .stderr(match log {
            Some(path) => Stdio::from(std::fs::File::create(path).expect("log file")),
            None => Stdio::inherit(),
        })
        .spawn()
        .expect("start tessera-signer");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read listening line");
    let base = line
        .trim()
        .strip_prefix("tessera-signer listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let port = base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    Signer {
        child,
        base,
        port,
        approvals,
        _dir: dir,
    }
}

/// A signer on a SoftHSM2 configuration, `SITE` pre-approved.
pub fn start_on(hsm: &SoftHsm, module: &str, extra_env: &[(&str, &str)]) -> Signer {
    let conf = hsm.conf.to_string_lossy().into_owned();
    let mut envs = vec![("SOFTHSM2_CONF", conf.as_str())];
    envs.extend_from_slice(extra_env);
    start_signer(&["--pkcs11-module", module, "--allow-origin", SITE], &envs)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("http client")
}

/// `POST /sign` with a JSON body as `origin`.
pub async fn sign_json(s: &Signer, origin: &str, body: serde_json::Value) -> serde_json::Value {
    client()
        .post(format!("{}/sign", s.base))
        .header("Origin", origin)
        .json(&body)
        .send()
        .await
        .expect("POST /sign")
        .json()
        .await
        .expect("JSON answer")
}

/// A MakeSignature request.
pub fn make_signature(tbs: &str, pin: &str, hash: &str, sig_type: &str) -> serde_json::Value {
    serde_json::json!({
        "func": "MakeSignature",
        "tbs": tbs,
        "tbsEncoding": "NONE",
        "hashAlgorithm": hash,
        "signatureType": sig_type,
        "pin": pin,
        "withCardSN": "true",
        "nonce": "n-1",
    })
}

pub fn b64(v: &serde_json::Value, field: &str) -> Vec<u8> {
    let s = v[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {v}"));
    STANDARD.decode(s).expect("base64")
}

pub fn verifier() -> Verifier {
    let p = pki();
    let trust = TrustStore::load(&p.path(&p.manifest.trust_dir)).expect("trust dir");
    Verifier::new(
        trust,
        VerifierConfig {
            revocation: RevocationConfig {
                mode: RevocationMode::None,
                ..RevocationConfig::default()
            },
            ..VerifierConfig::default()
        },
    )
}

/// Verifies a signature with Tessera's verifier.
pub fn tessera_verify(
    signature: &[u8],
    format: SignatureFormat,
    cert: Option<Vec<u8>>,
    content: &[u8],
) -> Verified {
    verifier()
        .verify(&VerifyRequest {
            signature: signature.to_vec(),
            format,
            cert,
            expected_content: content.to_vec(),
            purpose: None,
            at: None,
        })
        .unwrap_or_else(|e| panic!("Tessera's verifier refused the signature: {e}"))
}

/// Verifies a CMS SignedData with `openssl cms -verify` against the test root; returns the
/// content the CLI extracted (attached) or checks `detached_content`.
pub fn openssl_cms_verify(
    cms_der: &[u8],
    entity: &str,
    detached_content: Option<&[u8]>,
) -> Vec<u8> {
    let p = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    let sig = dir.path().join("sig.der");
    let out = dir.path().join("out.bin");
    std::fs::write(&sig, cms_der).expect("write sig");
    let sig_s = sig.to_string_lossy().into_owned();
    let out_s = out.to_string_lossy().into_owned();
    // The test root and the entity's issuing CA, as one CA bundle.
    let bundle = dir.path().join("ca-bundle.pem");
    let mut pem = std::fs::read(p.root_pem()).expect("read root");
    pem.extend(std::fs::read(p.ca_pem(entity)).expect("read CA"));
    std::fs::write(&bundle, pem).expect("write bundle");
    let bundle_s = bundle.to_string_lossy().into_owned();
    let mut args = vec![
        "cms", "-verify", "-binary", "-inform", "DER", "-in", &sig_s, "-CAfile", &bundle_s,
        "-purpose", "any", "-out", &out_s,
    ];
    let content_path = dir.path().join("content.bin");
    let content_s = content_path.to_string_lossy().into_owned();
    if let Some(c) = detached_content {
        std::fs::write(&content_path, c).expect("write content");
        args.extend(["-content", &content_s]);
    }
    run_tool("openssl", &args, &[], "openssl");
    std::fs::read(&out).expect("read verified content")
}
