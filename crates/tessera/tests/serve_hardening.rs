//! `tessera serve` against slow and idle clients, over real sockets: stalled headers are cut off
//! at the header timeout and cannot crowd out other clients at the connection limit, a slowly
//! sent body ends in 408, a half-sent request cannot hold up a graceful stop past its
//! deadline, keep-alive still works; and `/metrics` on a listener of its own.

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `tessera serve` with its data in a temporary directory; killed when dropped.
struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `tessera serve` on a free loopback port with `config` as its tessera.toml and
/// waits until `/healthz` answers.
fn serve(config: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tessera.toml");
    std::fs::write(&cfg, config).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("--config")
        .arg(&cfg)
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("Tessera listening on http://")
        .unwrap_or_else(|| panic!("first line: {line}"))
        .to_string();
    let server = Server {
        child,
        addr,
        _dir: dir,
    };
    let started = Instant::now();
    while get(&server.addr, "/healthz", &[]).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "never ready");
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

/// One request on a fresh connection (`Connection: close`); the whole answer.
fn get(addr: &str, path: &str, headers: &[&str]) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits up to `limit` for the process to exit; how long it took, or `None`.
fn exit_within(child: &mut Child, limit: Duration) -> Option<(Duration, bool)> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(code) = child.try_wait().unwrap() {
            return Some((start.elapsed(), code.success()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// Whether the server has closed `s` (EOF or reset); `s` is non-blocking.
fn closed(s: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    match s.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if e.kind() == ErrorKind::WouldBlock => false,
        Err(_) => true,
    }
}

/// Records when each stalled connection was found closed.
fn note_closed(stalled: &mut [(TcpStream, Instant, Option<Instant>)]) {
    for (s, _, c) in stalled.iter_mut().filter(|(_, _, c)| c.is_none()) {
        if closed(s) {
            *c = Some(Instant::now());
        }
    }
}

const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
const MARGIN: Duration = Duration::from_secs(3);

#[test]
fn stalled_headers_are_cut_off_and_cannot_crowd_out_health_checks() {
    let server = serve("[http]\nmax_connections = 200\nheader_timeout_seconds = 2\n");
    // The attack: many connections that send part of a request's headers, then nothing.
    const STALLED: usize = 600;
    let mut stalled: Vec<(TcpStream, Instant, Option<Instant>)> = Vec::new();
    for _ in 0..STALLED {
        let mut s = TcpStream::connect(&server.addr).unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: tessera.test\r\nX-Slow: a")
            .unwrap();
        s.set_nonblocking(true).unwrap();
        stalled.push((s, Instant::now(), None));
    }
    // While they are held, health checks on fresh connections answer at once.
    let mut worst = Duration::ZERO;
    let mut held_at_check = usize::MAX;
    for _ in 0..5 {
        note_closed(&mut stalled);
        let open = stalled.iter().filter(|(_, _, c)| c.is_none()).count();
        held_at_check = held_at_check.min(open);
        let t = Instant::now();
        let r = get(&server.addr, "/healthz", &[]).unwrap();
        let took = t.elapsed();
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        assert!(
            took < Duration::from_secs(1),
            "/healthz took {took:?} with {open} stalled connections open"
        );
        worst = worst.max(took);
        std::thread::sleep(Duration::from_millis(100));
    }
    // The server closes every stalled connection by the header timeout.
    let deadline = stalled.last().map(|(_, t, _)| *t).unwrap() + HEADER_TIMEOUT + MARGIN;
    while Instant::now() < deadline && stalled.iter().any(|(_, _, c)| c.is_none()) {
        note_closed(&mut stalled);
        std::thread::sleep(Duration::from_millis(20));
    }
    let open = stalled.iter().filter(|(_, _, c)| c.is_none()).count();
    assert_eq!(open, 0, "{open} stalled connections still open");
    for (i, (_, opened, c)) in stalled.iter().enumerate() {
        let after = c.unwrap_or_else(Instant::now) - *opened;
        assert!(
            after <= HEADER_TIMEOUT + MARGIN,
            "#{i} closed after {after:?}"
        );
    }
    // The last ones fit under the limit: the header timeout, not a place for a newcomer,
    // closed them — not before it had passed.
    for (i, (_, opened, c)) in stalled.iter().enumerate().skip(STALLED - 100) {
        let after = c.unwrap_or_else(Instant::now) - *opened;
        assert!(
            after >= HEADER_TIMEOUT - Duration::from_millis(300),
            "#{i} closed after only {after:?}"
        );
    }
    eprintln!(
        "{STALLED} stalled connections opened (limit 200); at least {held_at_check} open during \
         the checks; slowest /healthz {worst:?}"
    );
}

#[test]
fn a_half_sent_request_does_not_hold_up_shutdown_past_the_deadline() {
    let mut server = serve("[http]\nshutdown_timeout_seconds = 2\n");
    let mut s = TcpStream::connect(&server.addr).unwrap();
    // Headers promise 100 bytes of body; 10 come; then nothing.
    write!(
        s,
        "POST /oidc/token HTTP/1.1\r\nHost: tessera.test\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
         grant_type"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    sigterm(&server.child);
    let deadline = Duration::from_secs(2);
    let exited = exit_within(&mut server.child, deadline + MARGIN);
    let Some((took, success)) = exited else {
        panic!("still running {:?} after SIGTERM", deadline + MARGIN);
    };
    assert!(success, "exit status");
    // The request in progress had its chance until the deadline.
    assert!(
        took >= deadline - Duration::from_millis(300),
        "stopped after {took:?}"
    );
    eprintln!("exited {took:?} after SIGTERM (deadline {deadline:?})");
}

#[test]
fn idle_connections_do_not_delay_shutdown() {
    let mut server = serve("[http]\nshutdown_timeout_seconds = 5\n");
    let mut idle = TcpStream::connect(&server.addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: t").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    sigterm(&server.child);
    let exited = exit_within(&mut server.child, Duration::from_secs(2));
    assert!(
        exited.is_some_and(|(_, ok)| ok),
        "a connection without a request in progress held up the stop: {exited:?}"
    );
}

/// Reads from `s` until the server closes it or `limit` passes: what came, and when it ended.
fn read_until_closed(s: &mut TcpStream, limit: Duration) -> (String, Option<Duration>) {
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let start = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while start.elapsed() < limit {
        match s.read(&mut buf) {
            Ok(0) => return (String::from_utf8_lossy(&out).into(), Some(start.elapsed())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return (String::from_utf8_lossy(&out).into(), Some(start.elapsed())),
        }
    }
    (String::from_utf8_lossy(&out).into(), None)
}

#[test]
fn a_slow_body_ends_in_408_and_the_connection_closes() {
    let server = serve("[http]\nbody_timeout_seconds = 1\n");
    // Ten bytes of a hundred, then nothing.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /oidc/token HTTP/1.1\r\nHost: tessera.test\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n\
         grant_type"
    )
    .unwrap();
    let (answer, ended) = read_until_closed(&mut s, Duration::from_secs(1) + MARGIN);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");
    assert!(ended.is_some(), "connection left open: {answer}");
    // A byte at a time, each well inside a second: the deadline is for the whole body.
    let mut s = TcpStream::connect(&server.addr).unwrap();
    write!(
        s,
        "POST /oidc/token HTTP/1.1\r\nHost: tessera.test\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    .unwrap();
    let start = Instant::now();
    for _ in 0..8 {
        if s.write_all(b"a").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(300));
    }
    let (answer, ended) = read_until_closed(&mut s, Duration::from_secs(1) + MARGIN);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let ended = ended.map(|_| start.elapsed());
    assert!(
        ended.is_some_and(|e| e <= Duration::from_secs(1) + MARGIN),
        "{ended:?}"
    );
}

#[test]
fn keep_alive_still_serves_several_requests_on_one_connection() {
    let server = serve("[http]\nheader_timeout_seconds = 2\n");
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    for round in 0..3 {
        write!(s, "GET /healthz HTTP/1.1\r\nHost: tessera.test\r\n\r\n").unwrap();
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "round {round}: {status}"
        );
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        assert_eq!(body, b"ok\n");
    }
    // Idle after its last request, the connection is closed at the header timeout.
    let (_, ended) = read_until_closed(&mut s, HEADER_TIMEOUT + MARGIN);
    assert!(ended.is_some(), "idle keep-alive connection left open");
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn metrics_on_a_listener_of_their_own_and_not_on_the_main_one() {
    let metrics = format!("127.0.0.1:{}", free_port());
    let server = serve(&format!("metrics_listen = \"{metrics}\"\n"));
    let main = get(&server.addr, "/metrics", &[]).unwrap();
    assert!(main.starts_with("HTTP/1.1 404"), "{main}");
    assert!(!main.contains("tessera_http_requests_total"), "{main}");
    let m = get(&metrics, "/metrics", &[]).unwrap();
    assert!(m.starts_with("HTTP/1.1 200"), "{m}");
    assert!(m.contains("tessera_http_requests_total"), "{m}");
    // Only metrics there.
    let other = get(&metrics, "/healthz", &[]).unwrap();
    assert!(other.starts_with("HTTP/1.1 404"), "{other}");
}

#[test]
fn metrics_on_the_main_listener_need_the_bearer_token() {
    let token = "s3cret-metrics-token-0123";
    let server = serve(&format!("metrics_token = \"{token}\"\n"));
    for headers in [
        &[][..],
        &["Authorization: Bearer wrong-token-wrong-token"][..],
        &["Authorization: Basic czNjcmV0LW1ldHJpY3MtdG9rZW4tMDEyMw=="][..],
    ] {
        let r = get(&server.addr, "/metrics", headers).unwrap();
        assert!(r.starts_with("HTTP/1.1 401"), "{headers:?}: {r}");
        assert!(!r.contains("tessera_http_requests_total"), "{r}");
    }
    let auth = format!("Authorization: Bearer {token}");
    let r = get(&server.addr, "/metrics", &[&auth]).unwrap();
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.contains("tessera_http_requests_total"), "{r}");
}
