//! Login benchmark. Run: `cargo run --release -p tessera-bench-login -- [SECONDS]`.
//!
//! Starts Tessera in-process on loopback (SQLite in a temporary directory, production Argon2id
//! parameters m=19456 KiB t=2 p=1), creates accounts, then for SECONDS (default 10) drives
//! `POST /api/v1/session` with as many concurrent clients as there are cores × 4, counting
//! successful sign-ins. In the same run it measures raw Argon2id verifications per second with
//! the same parameters on one thread per core. Prints both rates and their ratio (target ≥ 0.9).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tessera_notify::{Mailer, SmsSender};
use tessera_store::{NewAccount, Store};
use tessera_web::{AppState, HashParams, Settings};

const ACCOUNTS: usize = 64;
const PASSWORD: &str = "Bench2026Login";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn argon() -> Result<Argon2<'static>, BoxError> {
    let p = HashParams::default();
    let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None)
        .map_err(|e| format!("argon2 params: {e}"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn make_hash() -> Result<String, BoxError> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon()?
        .hash_password(PASSWORD.as_bytes(), &salt)
        .map_err(|e| format!("hash: {e}"))?
        .to_string())
}

/// Raw Argon2id verifications per second on `threads` threads for `secs` seconds.
fn raw_rate(threads: usize, secs: f64) -> Result<f64, BoxError> {
    let hash = make_hash()?;
    let count = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.clone();
            let count = count.clone();
            std::thread::spawn(move || {
                let Ok(a) = argon() else { return };
                let Ok(parsed) = PasswordHash::new(&hash) else {
                    return;
                };
                while Instant::now() < deadline {
                    if a.verify_password(PASSWORD.as_bytes(), &parsed).is_ok() {
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
    Ok(count.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}

async fn start_server(dir: &std::path::Path) -> Result<(SocketAddr, Store), BoxError> {
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let settings = Settings::new(&format!("http://{addr}"), "bench-secret".into());
    let state = AppState::new(
        store.clone(),
        settings,
        Mailer::maildir(dir.join("mail")),
        SmsSender::file(dir.join("sms.jsonl")),
    )
    .map_err(|f| format!("state: {}", f.code))?;
    let app = tessera_web::app(state);
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    Ok((addr, store))
}

async fn login_rate(addr: SocketAddr, clients: usize, secs: f64) -> Result<(f64, u64), BoxError> {
    let http = reqwest::Client::builder().build()?;
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let http = http.clone();
        let ok = ok.clone();
        let failed = failed.clone();
        let url = format!("http://{addr}/api/v1/session");
        tasks.push(tokio::spawn(async move {
            let mut i = c;
            while Instant::now() < deadline {
                let body = serde_json::json!({ "username": format!("bench{:04}", i % ACCOUNTS), "password": PASSWORD });
                match http.post(&url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
                i += clients;
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let rate = ok.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();
    Ok((rate, failed.load(Ordering::Relaxed)))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let dir = tempfile::tempdir()?;
    let (addr, store) = start_server(dir.path()).await?;
    let hash = make_hash()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    for i in 0..ACCOUNTS {
        store
            .create_account(&NewAccount {
                username: format!("bench{i:04}"),
                password_hash: hash.clone(),
                name: "效能測試".into(),
                email: format!("bench{i}@example.tw"),
                mobile: None,
                national_id: None,
                birthday: None,
                landline: None,
                terms_version: "bench".into(),
                terms_accepted_at: now,
                created_at: now,
            })
            .await?;
    }
    // Warm up both paths, then measure the baseline and the service back to back.
    let _ = login_rate(addr, cores * 4, 1.0).await?;
    let raw = tokio::task::spawn_blocking(move || raw_rate(cores, secs)).await??;
    let (logins, failed) = login_rate(addr, cores * 4, secs).await?;
    println!("cores: {cores}, duration: {secs} s per measurement");
    println!("raw Argon2id verifications/s (m=19456 KiB, t=2, p=1, {cores} threads): {raw:.1}");
    println!(
        "password logins/s over HTTP ({} clients, SQLite): {logins:.1} ({failed} failed)",
        cores * 4
    );
    println!("ratio logins/raw: {:.3} (target >= 0.9)", logins / raw);
    Ok(())
}
