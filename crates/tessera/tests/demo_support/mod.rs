//! Shared by the demo tests (`demo.rs`, `demo_orgs.rs`): starts `tessera serve --demo` on a
//! data directory with a free signer port, reads what it printed, and talks to `/demo`, the
//! demo signer and `tessera admin`. Not every test file uses every helper.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

pub struct Demo {
    pub child: Child,
    pub base: String,
    pub lines: Vec<String>,
    pub _dir: Option<tempfile::TempDir>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts the demo with the signer address `signer`; collects stdout up to the listening line.
pub fn start_demo(signer: &str) -> Demo {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = start_demo_in(dir.path(), signer);
    d._dir = Some(dir);
    d
}

/// Starts the demo on the data directory `dir` (the caller keeps it).
pub fn start_demo_in(dir: &std::path::Path, signer: &str) -> Demo {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir)
        .args([
            "--signer-url",
            signer,
            "serve",
            "--demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("TESSERA_PKI_TRUST_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("tessera");
    let mut lines = Vec::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let base = loop {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read") == 0 {
            panic!("tessera exited: {lines:?}");
        }
        if let Some(url) = line.trim().strip_prefix("Tessera listening on ") {
            break url.to_owned();
        }
        lines.push(line.trim().to_owned());
    };
    Demo {
        child,
        base,
        lines,
        _dir: None,
    }
}

/// The signer URL the demo printed.
pub fn signer_url(d: &Demo) -> String {
    d.lines
        .iter()
        .find_map(|l| {
            l.strip_prefix("Demo signer (in-process, test cards, PIN = tessera-test) on ")
        })
        .unwrap_or_else(|| panic!("no signer line in {:?}", d.lines))
        .to_owned()
}

pub async fn certs_on_card(http: &reqwest::Client, signer: &str, origin: &str) -> String {
    let r = http
        .get(format!("{signer}/pkcs11info?withcert=true"))
        .header("origin", origin)
        .send()
        .await
        .expect("pkcs11info");
    r.text().await.expect("body")
}

/// `tessera admin …` on the demo's data directory; its stdout.
pub fn admin(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--data-dir")
        .arg(dir)
        .arg("admin")
        .args(args)
        .env_remove("TESSERA_PKI_TRUST_DIR")
        .output()
        .expect("tessera admin");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The `/demo` page and its CSRF token.
pub async fn demo_page(http: &reqwest::Client, base: &str) -> (String, String) {
    let page = http
        .get(format!("{base}/demo"))
        .send()
        .await
        .expect("demo page");
    let csrf = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("tessera_csrf="))
        .and_then(|c| c.split(';').next())
        .expect("csrf cookie")
        .to_owned();
    (page.text().await.expect("page"), csrf)
}
