//! Certificate sign-in benchmark. Run: `cargo run --release -p tessera-bench-cert -- [SECONDS]`.
//!
//! Starts Tessera in-process on loopback (SQLite in a temporary directory) trusting a fresh test
//! PKI, with OCSP revocation answered by a real `openssl ocsp` responder (cached after the
//! first answer per card, as in production). Three citizens' cards are bound to accounts. Not
//! timed: the challenges are issued over HTTP (`POST /api/v1/cert/challenges`) and signed by
//! the cards (CMS SignedData, measured separately). Timed for SECONDS (default 5): as many
//! concurrent clients as cores × 8 post `POST /api/v1/cert/session` with a signed challenge,
//! counting sign-ins at level `certificate`. Baselines in the same run: raw verifications/s
//! (`tessera_pki::Verifier::verify` of the same kind of signature, cached OCSP, one thread per
//! core, no HTTP, no database) and `GET /healthz` requests/s over HTTP with the same clients.
//! Each is also given as CPU time per operation (this process: server and HTTP clients), which
//! other programs loading the shared machine hardly move.

mod cpu;
mod setup;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use setup::{BoxError, CITIZENS, Card};
use tessera_pki::{Verifier, VerifyRequest};

/// One browser: its CSRF cookie, sent back with every request.
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    base: String,
    csrf: String,
}

impl Browser {
    async fn new(base: String) -> Result<Self, BoxError> {
        let http = reqwest::Client::builder().build()?;
        let r = http.get(format!("{base}/healthz")).send().await?;
        let csrf = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("tessera_csrf="))
            .and_then(|c| c.split(';').next())
            .ok_or("no CSRF cookie")?
            .to_owned();
        Ok(Self { http, base, csrf })
    }

    fn post(&self, path: &str, body: String) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("cookie", format!("tessera_csrf={}", self.csrf))
            .header("x-csrf-token", &self.csrf)
            .body(body)
    }
}

/// Issues `n` login challenges with 32 concurrent requests: (challenge_id, bytes).
async fn issue(b: &Browser, n: usize) -> Result<Vec<(String, Vec<u8>)>, BoxError> {
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let (b, next) = (b.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < n {
                let r = b.post("/api/v1/cert/challenges", r#"{"purpose":"login"}"#.into());
                let v: serde_json::Value = r.send().await?.json().await?;
                let id = v["challenge_id"].as_str().ok_or("no challenge")?.to_owned();
                let tbs = STANDARD.decode(v["tbs"].as_str().ok_or("no tbs")?)?;
                out.push((id, tbs));
            }
            Ok::<_, BoxError>(out)
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(all)
}

/// Signs every challenge (round-robin over the cards) on one thread per core: the bodies and
/// the signatures per second.
fn sign_all(
    challenges: Vec<(String, Vec<u8>)>,
    cards: &[Card],
    threads: usize,
) -> Result<(Vec<String>, f64), BoxError> {
    let start = Instant::now();
    let chunk = challenges.len().div_ceil(threads).max(1);
    let handles: Vec<_> = challenges
        .chunks(chunk)
        .enumerate()
        .map(|(t, part)| {
            let (part, cards) = (part.to_vec(), cards.to_vec());
            std::thread::spawn(move || {
                part.iter()
                    .enumerate()
                    .map(|(i, (id, tbs))| {
                        let card = &cards[(t + i) % cards.len()];
                        setup::sign(card, tbs).map(|sig| setup::body(id, &sig))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
        })
        .collect();
    let mut bodies = Vec::new();
    for h in handles {
        bodies.extend(h.join().map_err(|_| "signing thread")??);
    }
    let rate = bodies.len() as f64 / start.elapsed().as_secs_f64();
    Ok((bodies, rate))
}

/// Posts the signed bodies with `clients` concurrent clients for at most `secs`: sign-ins/s,
/// failures, and whether the bodies ran out first.
async fn sign_in_rate(
    b: &Browser,
    bodies: Vec<String>,
    clients: usize,
    secs: f64,
) -> (f64, u64, bool) {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (b, bodies, next, ok, failed) = (
            b.clone(),
            bodies.clone(),
            next.clone(),
            ok.clone(),
            failed.clone(),
        );
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                let r = b.post("/api/v1/cert/session", body.clone()).send().await;
                let signed_in = match r {
                    Ok(r) if r.status().is_success() => r
                        .text()
                        .await
                        .is_ok_and(|t| t.contains("\"loa\":\"certificate\"")),
                    _ => false,
                };
                let counter = if signed_in { &ok } else { &failed };
                counter.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let ran_out = next.load(Ordering::Relaxed) >= bodies.len();
    (
        ok.load(Ordering::Relaxed) as f64 / elapsed,
        failed.load(Ordering::Relaxed),
        ran_out,
    )
}

/// `GET /healthz` requests/s with `clients` concurrent clients for `secs`.
async fn trivial_rate(b: &Browser, clients: usize, secs: f64) -> f64 {
    let ok = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (b, ok) = (b.clone(), ok.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let r = b.http.get(format!("{}/healthz", b.base)).send().await;
                if r.is_ok_and(|r| r.status().is_success()) {
                    ok.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// Raw verifications/s: the verifier alone (cached OCSP), one thread per core.
fn raw_rate(verifier: &Verifier, req: VerifyRequest, threads: usize, secs: f64) -> f64 {
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (v, r, count) = (verifier.clone(), req.clone(), count.clone());
            std::thread::spawn(move || {
                while Instant::now() < deadline {
                    if v.verify(&r).is_ok() {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let clients = cores * 8;
    let dir = tempfile::tempdir()?;
    let pki_dir = dir.path().join("pki");
    let manifest = tessera_pki::testpki::init_test(&pki_dir)?;
    let port = setup::free_port()?;
    let _responder = setup::start_responder(&pki_dir, &manifest, port)?;
    let verifier = setup::verifier(&pki_dir, &manifest, &format!("http://127.0.0.1:{port}/"))?;
    let cards = CITIZENS
        .iter()
        .map(|id| setup::card(&pki_dir, &manifest, id))
        .collect::<Result<Vec<_>, _>>()?;
    let (addr, store) = setup::start_server(dir.path(), verifier.clone()).await?;
    setup::bind_cards(&store, &verifier, &manifest, &cards).await?;
    let browser = Browser::new(format!("http://{addr}")).await?;

    // Not timed: challenges issued over HTTP, then signed by the cards.
    let n = ((secs * 2500.0) as usize).max(2000);
    let t = Instant::now();
    let challenges = issue(&browser, n + 3 * cards.len()).await?;
    let issue_rate = challenges.len() as f64 / t.elapsed().as_secs_f64();
    let (mut bodies, sign_rate) = sign_all(challenges, &cards, cores)?;
    // Warm-up: every card's first sign-in fetches its OCSP answer.
    let warm: Vec<String> = bodies.drain(..3 * cards.len()).collect();
    let (_, warm_failed, _) = sign_in_rate(&browser, warm, cards.len(), 30.0).await;
    if warm_failed > 0 {
        return Err(format!("{warm_failed} warm-up sign-ins failed").into());
    }

    let (c0, t0) = (cpu::cpu_secs(None), Instant::now());
    let (rate, failed, ran_out) = sign_in_rate(&browser, bodies, clients, secs).await;
    let sign_in_cpu = cpu::micros_per(c0, cpu::cpu_secs(None), rate * t0.elapsed().as_secs_f64());
    let content = b"raw verification baseline".to_vec();
    let req = VerifyRequest {
        signature: setup::sign(&cards[0], &content)?,
        expected_content: content,
        ..VerifyRequest::default()
    };
    let (c0, t0) = (cpu::cpu_secs(None), Instant::now());
    let raw = tokio::task::block_in_place(|| raw_rate(&verifier, req, cores, secs));
    let raw_cpu = cpu::micros_per(c0, cpu::cpu_secs(None), raw * t0.elapsed().as_secs_f64());
    let (c0, t0) = (cpu::cpu_secs(None), Instant::now());
    let trivial = trivial_rate(&browser, clients, secs).await;
    let trivial_cpu = cpu::micros_per(
        c0,
        cpu::cpu_secs(None),
        trivial * t0.elapsed().as_secs_f64(),
    );

    println!(
        "cores: {cores}, clients: {clients}, {secs} s per measurement, SQLite, OCSP from openssl ocsp (cached)"
    );
    println!(
        "not timed: challenges issued {issue_rate:.0}/s over HTTP; card signatures (CMS, RSA-2048/EC) {sign_rate:.0}/s"
    );
    println!(
        "certificate sign-ins/s over HTTP: {rate:.0} ({failed} failed{}) — target >= 1000",
        if ran_out {
            "; signed challenges ran out before the time was up"
        } else {
            ""
        }
    );
    println!("raw verifications/s (tessera-pki Verifier, {cores} threads, no HTTP/DB): {raw:.0}");
    println!("trivial endpoint GET /healthz requests/s over HTTP: {trivial:.0}");
    println!(
        "ratio sign-ins/raw verifications: {:.3}; sign-ins/trivial requests: {:.3}",
        rate / raw,
        rate / trivial
    );
    println!(
        "CPU per operation (server + clients, this process): sign-in {}, raw verification {}, GET /healthz {}",
        cpu::show(sign_in_cpu),
        cpu::show(raw_cpu),
        cpu::show(trivial_cpu)
    );
    if let (Some(s), Some(r)) = (sign_in_cpu, raw_cpu) {
        println!(
            "CPU bound on {cores} idle cores: {:.0} sign-ins/s (CPU ratio raw/sign-in {:.3})",
            cores as f64 * 1e6 / s,
            r / s
        );
    }
    Ok(())
}
