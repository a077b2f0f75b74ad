//! Shared test helpers: one test PKI per test binary, signing with the `openssl` CLI (an
//! independent producer), verifiers with chosen revocation settings, a fetch counter, and a
//! real `openssl ocsp` responder on a loopback port. A missing tool fails the test loudly.
#![allow(dead_code)]

pub mod cases;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tessera_pki::revocation::RevocationChecker;
use tessera_pki::revocation::fetch::{FetchError, FetchRequest, Fetcher, HttpFetcher};
use tessera_pki::testpki::{Manifest, TestPkiOptions, init_test_with};
use tessera_pki::{
    PolicyConfig, ProfileOids, RevocationConfig, RevocationMode, TrustStore, Verifier,
};

pub struct Pki {
    pub dir: PathBuf,
    pub manifest: Manifest,
    /// The loopback port written in the MOICA test CA's AIA.
    pub moica_ocsp_port: u16,
    /// The loopback port of the CRL distribution points (`/crl/{ca}.crl`).
    pub crl_port: u16,
    _tmp: tempfile::TempDir,
}

impl Pki {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }
    pub fn trust_dir(&self) -> PathBuf {
        self.dir.join(&self.manifest.trust_dir)
    }
    pub fn entity(&self, id: &str) -> &tessera_pki::testpki::manifest::EntityEntry {
        self.manifest
            .entity(id)
            .unwrap_or_else(|| panic!("no entity {id}"))
    }
    pub fn cert_of(&self, id: &str) -> PathBuf {
        self.path(&self.entity(id).cert)
    }
    pub fn key_of(&self, id: &str) -> PathBuf {
        self.path(&self.entity(id).key)
    }
    pub fn cert_der(&self, id: &str) -> Vec<u8> {
        let pem = std::fs::read(self.cert_of(id)).expect("read cert");
        openssl::x509::X509::from_pem(&pem)
            .and_then(|c| c.to_der())
            .expect("cert PEM")
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The test PKI of this test binary, AIA of moica-test pointing at a free loopback port.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let tmp = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let crl_port = free_port();
        let opts = TestPkiOptions {
            ocsp_base_port: port - 1,
            crl_base_url: format!("http://127.0.0.1:{crl_port}/crl"),
            ..TestPkiOptions::default()
        };
        let manifest = init_test_with(tmp.path(), &opts).expect("init test PKI");
        Pki {
            dir: tmp.path().to_owned(),
            manifest,
            moica_ocsp_port: port,
            crl_port,
            _tmp: tmp,
        }
    })
}

/// Runs the `openssl` CLI; panics (failing the test) if it is missing or fails.
pub fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl CLI must be installed (apt-get install openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Signs `content` with the `openssl cms` CLI as entity `id`; `extra` adds options such as
/// `-nodetach`, `-md sha384`, `-keyopt rsa_padding_mode:pss`, `-nocerts`.
pub fn cms_sign(id: &str, content: &[u8], extra: &[&str]) -> Vec<u8> {
    let pki = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("content.bin");
    let output = dir.path().join("sig.der");
    std::fs::write(&input, content).expect("write content");
    let cert = pki.cert_of(id);
    let key = pki.key_of(id);
    let mut args = vec![
        "cms",
        "-sign",
        "-binary",
        "-outform",
        "DER",
        "-in",
        input.to_str().unwrap_or_default(),
        "-out",
        output.to_str().unwrap_or_default(),
        "-signer",
        cert.to_str().unwrap_or_default(),
        "-inkey",
        key.to_str().unwrap_or_default(),
    ];
    args.extend_from_slice(extra);
    openssl(&args);
    std::fs::read(&output).expect("read signature")
}

/// A raw signature (`openssl dgst -sign`) over `content`.
pub fn raw_sign(id: &str, content: &[u8], digest: &str, extra: &[&str]) -> Vec<u8> {
    let pki = pki();
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("content.bin");
    std::fs::write(&input, content).expect("write content");
    let key = pki.key_of(id);
    let mut args = vec![digest, "-sign", key.to_str().unwrap_or_default()];
    args.extend_from_slice(extra);
    args.push(input.to_str().unwrap_or_default());
    let mut full = vec!["dgst"];
    full.extend(args);
    openssl(&full)
}

/// Counts fetches, then delegates to the real client.
#[derive(Default)]
pub struct CountingFetcher {
    pub calls: AtomicUsize,
    pub urls: std::sync::Mutex<Vec<String>>,
}

impl Fetcher for CountingFetcher {
    fn fetch(&self, req: &FetchRequest) -> Result<Vec<u8>, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut u) = self.urls.lock() {
            u.push(req.url.clone());
        }
        HttpFetcher.fetch(req)
    }
}

/// A verifier over the test trust dir with `config`, observing fetches through the counter.
pub fn verifier_with(
    config: RevocationConfig,
    policies: PolicyConfig,
) -> (Verifier, Arc<CountingFetcher>) {
    verifier_in(&pki().trust_dir(), config, policies)
}

pub fn verifier_in(
    dir: &Path,
    config: RevocationConfig,
    policies: PolicyConfig,
) -> (Verifier, Arc<CountingFetcher>) {
    let trust = TrustStore::load(dir).expect("load trust dir");
    let counter = Arc::new(CountingFetcher::default());
    let checker = RevocationChecker::with_fetcher(config, counter.clone());
    (
        Verifier::with_checker(trust, policies, ProfileOids::default(), checker),
        counter,
    )
}

pub fn mode(mode: RevocationMode) -> RevocationConfig {
    RevocationConfig {
        mode,
        timeout_ms: 2_000,
        ..RevocationConfig::default()
    }
}

/// `login` allows only the high-assurance test policy.
pub fn login_policies() -> PolicyConfig {
    let mut p = PolicyConfig::default();
    p.by_purpose.insert(
        "login".into(),
        vec![tessera_pki::testpki::POLICY_HIGH.into()],
    );
    p
}

/// A running `openssl ocsp` responder, killed on drop.
pub struct Responder {
    child: Child,
    pub port: u16,
}

impl Responder {
    /// Serves the test index for `ca` (e.g. "moica-test"), signed by `signer`/`key`
    /// (paths relative to the PKI dir), answers valid for `nmin` minutes (0 = no nextUpdate).
    pub fn start(port: u16, ca: &str, signer: &str, key: &str, nmin: u32) -> Responder {
        let pki = pki();
        let ca_cert = pki.path(&format!("trust/{ca}.pem"));
        let index = pki.path(&pki.manifest.ocsp_index);
        let port_s = port.to_string();
        let nmin_s = nmin.to_string();
        let signer = pki.path(signer);
        let key = pki.path(key);
        let mut args: Vec<&str> = vec![
            "ocsp",
            "-index",
            index.to_str().unwrap_or_default(),
            "-port",
            &port_s,
            "-rsigner",
            signer.to_str().unwrap_or_default(),
            "-rkey",
            key.to_str().unwrap_or_default(),
            "-CA",
            ca_cert.to_str().unwrap_or_default(),
            "-ignore_err",
        ];
        if nmin > 0 {
            args.extend(["-nmin", &nmin_s]);
        }
        let mut child = Command::new("openssl")
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the openssl CLI must be installed to run the OCSP responder");
        // Wait for its "waiting for OCSP client connections" line. (A probe connection would
        // wedge the single-threaded responder, so none is made.)
        let stderr = child.stderr.take().expect("stderr pipe");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut tx = Some(tx);
            for line in std::io::BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
            {
                if line.contains("waiting for OCSP client connections")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| panic!("openssl ocsp did not start on port {port}"));
        Responder { child, port }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies the trust dir without its CRL files (to force CRL fetching or OCSP only).
pub fn trust_dir_without_crls() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(pki().trust_dir())
        .expect("read trust dir")
        .flatten()
    {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with(".crl") {
            std::fs::copy(entry.path(), tmp.path().join(&name)).expect("copy");
        }
    }
    tmp
}

/// Serves the files of the PKI's `trust/` directory at `/crl/{name}` on `port` (one thread,
/// HTTP/1.0), counting requests.
pub fn serve_crls(port: u16) -> Arc<AtomicUsize> {
    use std::io::{Read, Write};
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind CRL server");
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let dir = pki().trust_dir();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 2048];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).to_string();
            let path = head.split(' ').nth(1).unwrap_or("/").to_string();
            counter.fetch_add(1, Ordering::SeqCst);
            let file = path.strip_prefix("/crl/").map(|f| dir.join(f));
            let reply = match file.and_then(|f| std::fs::read(f).ok()) {
                Some(body) => {
                    let mut r =
                        format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len())
                            .into_bytes();
                    r.extend(body);
                    r
                }
                None => b"HTTP/1.0 404 Not Found\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&reply);
        }
    });
    hits
}
