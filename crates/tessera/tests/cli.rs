//! The `tessera` binary as an operator uses it: zero-configuration serve (fast start, health,
//! graceful stop on SIGTERM), migrate, admin commands on the same data, refused bad config.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn tessera() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
}

fn http_get(addr: &str, path: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

/// `tessera serve` on a free loopback port with its data in `dir`: the child and the
/// address its first line announces.
fn serve(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut child = tessera()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("Tessera listening on ")
        .unwrap_or_else(|| panic!("first line: {line}"));
    let addr = url.trim_start_matches("http://").to_string();
    (child, addr)
}

#[test]
fn serve_starts_fast_answers_health_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (mut child, addr) = serve(dir.path());
    let health = loop {
        if let Ok(r) = http_get(&addr, "/healthz") {
            break r;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never answered"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let ready = started.elapsed();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    // Generous bound for a debug build on a busy CI machine; the release figure is in the notes.
    assert!(ready < Duration::from_secs(3), "ready after {ready:?}");
    assert!(
        dir.path().join("tessera.db").exists(),
        "SQLite database in the data dir"
    );
    // Metrics are not public: neither a token nor a listener of their own is configured.
    let metrics = http_get(&addr, "/metrics").unwrap();
    assert!(metrics.starts_with("HTTP/1.1 404"), "{metrics}");
    assert!(
        !metrics.contains("tessera_http_requests_total"),
        "{metrics}"
    );

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            assert!(code.success(), "exit status {code:?}");
            break;
        }
        assert!(Instant::now() < deadline, "did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn serve_makes_the_openid_signing_keys_at_start_not_in_the_first_token_request() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _addr) = serve(dir.path());
    // No OpenID request is made: the keys must appear on their own.
    let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let algs = loop {
        let keys = rt.block_on(async {
            let store = tessera_store::Store::connect(&url).await.unwrap();
            store.oidc_keys(0).await.unwrap_or_default()
        });
        let mut algs: Vec<String> = keys.into_iter().map(|k| k.alg).collect();
        algs.sort();
        if algs.len() >= 2 || Instant::now() > deadline {
            break algs;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(algs, ["ES256", "RS256"], "one active key per algorithm");
}

#[test]
fn migrate_then_admin_commands_work_on_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = tessera()
        .arg("migrate")
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("tessera.db").exists());
    let out = tessera()
        .args(["admin", "purge-inactive", "--dry-run", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("would act on 0 account(s)"));
    let out = tessera()
        .args(["admin", "verify-audit", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit log intact"));
}

#[test]
fn bad_configuration_is_refused_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tessera.toml");
    std::fs::write(&cfg, "[lockout]\ndisable_after = \"five\"\n").unwrap();
    let out = tessera()
        .arg("--config")
        .arg(&cfg)
        .arg("migrate")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tessera.toml"));
    let out = tessera()
        .args(["serve", "--listen", "not-an-address", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot listen on not-an-address"));
}
