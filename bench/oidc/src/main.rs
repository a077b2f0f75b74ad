//! Code→token benchmark. Run: `bash bench/oidc/run.sh [CODES] [CONCURRENCY]` (installs the
//! npm baseline, then `cargo run --release -p tessera-bench-oidc -- CODES CONCURRENCY`).
//!
//! Starts Tessera in-process on loopback (SQLite in a temporary directory, the production
//! configuration: ES256 tokens, refresh tokens, audit log) and panva `oidc-provider` (npm,
//! an in-memory store, issuing the same ES256 ID and JWT access tokens) as a child process. Both get one confidential client with
//! `client_secret_basic` and CODES authorization codes with a PKCE S256 challenge, issued
//! before timing (Tessera's through its own authorization endpoint; oidc-provider's through
//! its models). Then, one server at a time, the same HTTP client exchanges every code at the
//! token endpoint with CONCURRENCY requests in flight, and the exchanges per second of each
//! are printed with their ratio (target: Tessera ≥ 5 × oidc-provider). Also printed: CPU time
//! per exchange of each server (oidc-provider: its process; Tessera: this process minus the
//! HTTP client's share, measured while the client talked to oidc-provider), which other
//! programs loading the shared machine hardly move.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use tessera_app::flows::oidc::clients::{NewClient, register};
use tessera_core::loa::Loa;
use tessera_notify::{Mailer, SmsSender};
use tessera_store::{NewAccount, Store};
use tessera_web::{AppState, Settings};

#[path = "../../cert/src/cpu.rs"]
mod cpu;

/// The allocator of the `tessera` binary, so the in-process server runs as it does there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const REDIRECT: &str = "http://127.0.0.1:9/cb";
const VERIFIER: &str = "bench-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

struct Target {
    name: &'static str,
    token_url: String,
    basic: String,
    codes: Vec<String>,
}

async fn start_tessera(dir: &std::path::Path) -> Result<(SocketAddr, AppState), BoxError> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let settings = Settings::new(&format!("http://{addr}"), "bench-secret".into());
    let state = AppState::new(
        store,
        settings,
        Mailer::maildir(dir.join("mail")),
        SmsSender::file(dir.join("sms.jsonl")),
    )
    .map_err(|f| format!("state: {}", f.code))?;
    let app = tessera_web::app(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok((addr, state))
}

/// Tessera's codes, through its authorization endpoint with a signed-in session.
async fn tessera_codes(
    http: &reqwest::Client,
    addr: SocketAddr,
    state: &AppState,
    count: usize,
    challenge: &str,
) -> Result<(String, String, Vec<String>), BoxError> {
    let ctx = tessera_web::context::Ctx {
        browser: None,
        ip: None,
        user_agent: None,
        lang: tessera_core::lang::Lang::En,
    };
    let client = NewClient {
        name: "bench".into(),
        redirect_uris: vec![REDIRECT.into()],
        no_consent: true,
        ..NewClient::default()
    };
    let reg = register(state, &client, &ctx, "bench")
        .await
        .map_err(|f| format!("client: {}", f.code))?;
    let account = state
        .store
        .create_account(&NewAccount {
            username: "bench0001".into(),
            name: "效能測試".into(),
            email: "bench@example.tw".into(),
            mobile: None,
            national_id: None,
            birthday: None,
            landline: None,
            password_hash: "x".into(),
            terms_version: "bench".into(),
            terms_accepted_at: 0,
            created_at: tessera_app::clock::now(),
        })
        .await?;
    let set = tessera_web::session::start(state, &account.id, Loa::Password, false, None, None)
        .await
        .map_err(|f| format!("session: {}", f.code))?;
    let cookie = set.split(';').next().unwrap_or("").to_string();
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("response_type", "code")
        .append_pair("client_id", &reg.client.id)
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid")
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .finish();
    let url = format!("http://{addr}/oidc/authorize?{query}");
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (http, url, cookie, next) = (http.clone(), url.clone(), cookie.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let r = http.get(&url).header("cookie", &cookie).send().await?;
                let loc = r
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let code = loc
                    .split_once('?')
                    .map(|(_, q)| q)
                    .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "code"))
                    .map(|(_, v)| v.into_owned())
                    .ok_or_else(|| format!("no code in {loc:?}"))?;
                out.push(code);
            }
            Ok::<_, BoxError>(out)
        }));
    }
    let mut codes = Vec::with_capacity(count);
    for t in tasks {
        codes.extend(t.await??);
    }
    let secret = reg.secret.unwrap_or_default();
    Ok((reg.client.id, secret, codes))
}

/// oidc-provider as a child process with its codes; returns it and its target.
async fn start_oidc_provider(
    count: usize,
    challenge: &str,
) -> Result<(tokio::process::Child, Target), BoxError> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"));
    let (id, secret) = ("bench-client", "bench-secret-0123456789abcdef");
    let mut child = tokio::process::Command::new("node")
        .current_dir(dir)
        .args([
            "provider.mjs",
            id,
            secret,
            REDIRECT,
            challenge,
            &count.to_string(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let line = lines
        .next_line()
        .await?
        .ok_or("oidc-provider printed nothing")?;
    let v: serde_json::Value = serde_json::from_str(&line)?;
    let port = v["port"].as_u64().ok_or("no port")?;
    let codes = v["codes"]
        .as_array()
        .ok_or("no codes")?
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    Ok((
        child,
        Target {
            name: "oidc-provider",
            token_url: format!("http://127.0.0.1:{port}/token"),
            basic: format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
            codes,
        },
    ))
}

/// Whether an answer carries what both servers must issue per exchange: an ID token, a JWT
/// access token (three dot-separated parts) and a refresh token.
fn same_tokens(v: &serde_json::Value) -> bool {
    v["id_token"].is_string()
        && v["refresh_token"].is_string()
        && v["access_token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
}

/// Exchanges every code with `concurrency` requests in flight: (exchanges/s, failures).
async fn exchange_all(
    http: &reqwest::Client,
    t: &Target,
    concurrency: usize,
) -> Result<(f64, u64), BoxError> {
    let codes = Arc::new(t.codes.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (http, codes, next, ok, failed) = (
            http.clone(),
            codes.clone(),
            next.clone(),
            ok.clone(),
            failed.clone(),
        );
        let (url, basic) = (t.token_url.clone(), t.basic.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(code) = codes.get(i) else { break };
                let body: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "authorization_code")
                    .append_pair("code", code)
                    .append_pair("redirect_uri", REDIRECT)
                    .append_pair("code_verifier", VERIFIER)
                    .finish();
                let r = http
                    .post(&url)
                    .header("authorization", &basic)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await;
                let good = match r {
                    Ok(r) if r.status().is_success() => r
                        .json::<serde_json::Value>()
                        .await
                        .is_ok_and(|v| same_tokens(&v)),
                    _ => false,
                };
                if good {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let rate = ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    Ok((rate, failed.load(Ordering::Relaxed)))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let concurrency: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let dir = tempfile::tempdir()?;
    let (addr, state) = start_tessera(dir.path()).await?;
    let (mut node, baseline) = start_oidc_provider(count, &challenge).await?;

    // Baseline first, then Tessera, each alone on the machine while timed.
    let node_pid = node.id();
    let (n0, c0) = (cpu::cpu_secs(node_pid), cpu::cpu_secs(None));
    let (base_rate, base_failed) = exchange_all(&http, &baseline, concurrency).await?;
    let ops = count as f64;
    let base_cpu = cpu::micros_per(n0, cpu::cpu_secs(node_pid), ops);
    let client_cpu = cpu::micros_per(c0, cpu::cpu_secs(None), ops);
    let _ = node.kill().await;
    // Tessera's codes live 60 s: issued after the baseline's run, so that a
    // large CODES does not let them expire before they are exchanged.
    let (id, secret, codes) = tessera_codes(&http, addr, &state, count, &challenge).await?;
    // Tessera makes its signing keys on first use (RSA 2048 keygen takes 0.1 s and more):
    // done before timing, as a deployed server has them long before; oidc-provider gets
    // its key at start.
    http.get(format!("http://{addr}/oidc/jwks"))
        .send()
        .await?
        .error_for_status()?;
    let tessera = Target {
        name: "tessera",
        token_url: format!("http://{addr}/oidc/token"),
        basic: format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        codes,
    };
    let c0 = cpu::cpu_secs(None);
    let (rate, failed) = exchange_all(&http, &tessera, concurrency).await?;
    let tessera_cpu = cpu::micros_per(c0, cpu::cpu_secs(None), ops)
        .zip(client_cpu)
        .map(|(all, client)| all - client);
    println!(
        "cores: {cores}; codes per server: {count}; concurrency: {concurrency}; client auth: client_secret_basic; PKCE S256"
    );
    println!(
        "{}: {base_rate:.0} code→token exchanges/s ({base_failed} failed; in-memory store, ES256 ID token + JWT access token, refresh token)",
        baseline.name
    );
    println!(
        "{}: {rate:.0} code→token exchanges/s ({failed} failed; SQLite, ES256 ID token + JWT access token, refresh token, audit log)",
        tessera.name
    );
    println!(
        "ratio tessera/oidc-provider: {:.2} (target >= 5)",
        rate / base_rate
    );
    println!(
        "CPU per exchange: oidc-provider {} (its process), tessera {} (this process minus the HTTP client's {})",
        cpu::show(base_cpu),
        cpu::show(tessera_cpu),
        cpu::show(client_cpu)
    );
    if let (Some(b), Some(t)) = (base_cpu, tessera_cpu) {
        println!(
            "CPU ratio oidc-provider/tessera: {:.2} (exchanges per CPU-second, server side)",
            b / t
        );
    }
    Ok(())
}
