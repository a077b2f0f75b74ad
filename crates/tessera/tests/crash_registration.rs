//! Registration survives `kill -9`: `tessera serve` takes registrations from several clients
//! at once and is killed (SIGKILL) in the middle of them, several times, then started again.
//! Afterwards every account has its audit entry, its verification token and its mail, every
//! registration that was answered 201 has its mail delivered (by the restarted server, from
//! what the killed one had queued), and `tessera admin verify-audit` finds the chain intact.
//! On SQLite and on PostgreSQL.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use sqlx::Row;

/// Kill rounds, and the clients registering at once in each.
const ROUNDS: usize = 3;
const CLIENTS: usize = 4;
/// Successful registrations before the kill (plus what is in flight then).
const BEFORE_KILL: usize = 12;
/// How long the restarted server may take to send what is left: a mail claimed by the killed
/// server waits for the end of its claim's lease (60 s) before the next run of the outbox
/// job (every 5 s) takes it.
const DELIVERY_DEADLINE: Duration = Duration::from_secs(100);

fn tessera() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
}

/// Cheap hashing and a trivial CAPTCHA: the test is about what is committed, not the cost.
fn write_config(dir: &Path) -> PathBuf {
    let path = dir.join("tessera.toml");
    std::fs::write(
        &path,
        "[argon2]\nmemory_kib = 1024\niterations = 1\nparallelism = 1\n\
         [captcha]\ncost = 1\nmax_counter = 4\n",
    )
    .expect("config");
    path
}

/// `tessera` with the test's configuration, data directory and database.
fn command(dir: &Path, db_url: Option<&str>) -> Command {
    let mut cmd = tessera();
    cmd.arg("--config")
        .arg(dir.join("tessera.toml"))
        .arg("--data-dir")
        .arg(dir);
    if let Some(url) = db_url {
        cmd.args(["--database-url", url]);
    }
    cmd.env_remove("TESSERA_SMTP_URL")
        .env_remove("TESSERA_DATABASE_URL");
    cmd
}

/// Starts `tessera serve`; the child and its base URL.
fn start(dir: &Path, db_url: Option<&str>, run: usize) -> (Child, String) {
    let log = std::fs::File::create(dir.join(format!("serve-{run}.log"))).expect("log");
    let mut child = command(dir, db_url)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("tessera serve");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let base = loop {
        let mut line = String::new();
        if out.read_line(&mut line).expect("read") == 0 {
            panic!("tessera serve exited; see {}", dir.display());
        }
        if let Some(url) = line.trim().strip_prefix("Tessera listening on ") {
            break url.to_owned();
        }
    };
    (child, base)
}

/// One registration: a solved CAPTCHA, then the form. `None` when the server is gone.
async fn register(http: &reqwest::Client, base: &str, username: &str) -> Option<u16> {
    let challenge: Value = http
        .get(format!("{base}/api/v1/captcha"))
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    let challenge: altcha::Challenge = serde_json::from_value(challenge).ok()?;
    let solution = altcha::solve_challenge(altcha::SolveChallengeOptions::new(&challenge))
        .ok()
        .flatten()?;
    let captcha = base64::engine::general_purpose::STANDARD
        .encode(json!({ "challenge": challenge, "solution": solution }).to_string());
    let resp = http
        .post(format!("{base}/api/v1/accounts"))
        .header("origin", base)
        .json(&json!({
            "username": username, "password": "Tessera2026ok", "name": "王小明",
            "email": email_of(username), "accept_terms": true, "captcha": captcha
        }))
        .send()
        .await
        .ok()?;
    Some(resp.status().as_u16())
}

fn email_of(username: &str) -> String {
    format!("{}@example.tw", username.to_ascii_lowercase())
}

/// Registers from [`CLIENTS`] clients until the server is killed after [`BEFORE_KILL`]
/// successes; the answer each username got (`None`: no answer).
async fn load_and_kill(base: &str, child: &mut Child, round: usize) -> Vec<(String, Option<u16>)> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let created = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let (http, base) = (http.clone(), base.to_owned());
        let (created, stop) = (created.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for i in 0.. {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let username = format!("k{round}c{client}n{i:03}");
                let status = register(&http, &base, &username).await;
                if status == Some(201) {
                    created.fetch_add(1, Ordering::Relaxed);
                }
                answers.push((username, status));
                if status.is_none() {
                    break; // killed
                }
            }
            answers
        }));
    }
    let started = Instant::now();
    while created.load(Ordering::Relaxed) < BEFORE_KILL {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "registrations too slow"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().expect("wait");
    stop.store(true, Ordering::Relaxed);
    let mut answers = Vec::new();
    for t in tasks {
        answers.extend(t.await.expect("client task"));
    }
    answers
}

/// The recipients of every message in the Maildir, with the count of messages to each.
fn delivered(dir: &Path) -> BTreeMap<String, usize> {
    let mut to = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir.join("mail").join("new")) else {
        return to;
    };
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        if let Some(line) = text.lines().find(|l| l.starts_with("To: ")) {
            *to.entry(line["To: ".len()..].trim().to_owned())
                .or_insert(0) += 1;
        }
    }
    to
}

struct AccountRow {
    id: String,
    username: String,
    email: String,
}

async fn accounts(pool: &sqlx::AnyPool) -> Vec<AccountRow> {
    sqlx::query("SELECT id, username, email FROM accounts WHERE kind = 'member'")
        .fetch_all(pool)
        .await
        .expect("accounts")
        .iter()
        .map(|r| AccountRow {
            id: r.get("id"),
            username: r.get("username"),
            email: r.get("email"),
        })
        .collect()
}

async fn count(pool: &sqlx::AnyPool, sql: &str, id: &str) -> i64 {
    sqlx::query(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .expect(sql)
        .get::<i64, _>(0)
}

async fn survives_kill_9(dir: &Path, db_url: &str, external_db: bool) {
    write_config(dir);
    let url = external_db.then_some(db_url);
    let mut answers = Vec::new();
    for round in 1..=ROUNDS {
        let (mut child, base) = start(dir, url, round);
        answers.extend(load_and_kill(&base, &mut child, round).await);
    }
    let created: BTreeSet<String> = answers
        .iter()
        .filter(|(_, s)| *s == Some(201))
        .map(|(u, _)| u.clone())
        .collect();
    assert!(created.len() >= ROUNDS * BEFORE_KILL, "{answers:?}");

    // Restarted, the server sends what the killed ones had queued.
    let (mut child, _base) = start(dir, url, ROUNDS + 1);
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(db_url)
        .await
        .expect("database");
    let rows = accounts(&pool).await;
    let deadline = Instant::now() + DELIVERY_DEADLINE;
    let mail = loop {
        let mail = delivered(dir);
        if rows.iter().all(|a| mail.contains_key(&a.email)) || Instant::now() > deadline {
            break mail;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let _ = child.kill();
    let _ = child.wait();
    eprintln!(
        "{} answered 201, {} accounts, all mail delivered {:?} after the restart",
        created.len(),
        rows.len(),
        DELIVERY_DEADLINE.saturating_sub(deadline.saturating_duration_since(Instant::now()))
    );

    let usernames: BTreeSet<String> = rows.iter().map(|a| a.username.clone()).collect();
    let missing: Vec<&String> = created.difference(&usernames).collect();
    assert!(
        missing.is_empty(),
        "answered 201 but no account: {missing:?}"
    );
    let unmailed: Vec<&String> = created
        .iter()
        .filter(|u| !mail.contains_key(&email_of(u)))
        .collect();
    assert!(
        unmailed.is_empty(),
        "answered 201 but the verification mail never arrived: {unmailed:?}"
    );
    for a in &rows {
        let audited = count(
            &pool,
            "SELECT COUNT(*) FROM audit_log WHERE account_id = $1 \
             AND kind = 'account_registered' AND outcome = 'ok'",
            &a.id,
        )
        .await;
        assert_eq!(audited, 1, "{}: registration audit entries", a.username);
        let tokens = count(
            &pool,
            "SELECT COUNT(*) FROM tokens WHERE account_id = $1 AND purpose = 'email_verify'",
            &a.id,
        )
        .await;
        assert_eq!(tokens, 1, "{}: verification tokens", a.username);
        assert!(
            mail.contains_key(&a.email),
            "{}: no verification mail",
            a.username
        );
    }
    pool.close().await;

    let out = command(dir, url)
        .args(["admin", "verify-audit"])
        .output()
        .expect("verify-audit");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("audit log intact"),
        "verify-audit: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_survive_kill_9_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
    survives_kill_9(dir.path(), &url, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_survive_kill_9_on_postgres() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, db) = tessera_store::testing::postgres_store()
        .await
        .expect("PostgreSQL test database");
    store.close().await;
    survives_kill_9(dir.path(), db.url(), true).await;
}
