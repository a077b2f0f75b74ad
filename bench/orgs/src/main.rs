//! Handler-list benchmark (target: "listing page N of an organization with 10,000 handlers
//! takes ≤ 20 ms"). Run:
//!
//! ```sh
//! cargo run --release -p tessera-bench-orgs -- [sqlite|postgres] [ITERATIONS]
//! ```
//!
//! Seeds a fresh database (SQLite file in a temporary directory, or a throw-away PostgreSQL
//! database on `TESSERA_TEST_PG_URL`) with a registered organization holding 10,000 handlers
//! and two others holding 2,000 each, runs `ANALYZE` (`VACUUM ANALYZE` on PostgreSQL, as
//! autovacuum would after such a load), then times, ITERATIONS times each (default 300):
//! the store query for the last page (page 200 of 50), a middle page and a search; the same
//! last page over HTTP (`GET /api/v1/orgs/{code}/handlers`, through the permission guard, with
//! an assignment session); and, as baselines measured in the same run, `SELECT 1` through the
//! store and `GET /healthz` over HTTP. Prints median and p95 of each, the ratios to the
//! baselines, and PASS when the HTTP p95 of page N is within 20 ms.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tessera_app::flows::orgs::sessions::{self, Holder, Kind};
use tessera_notify::{Mailer, SmsSender};
use tessera_store::orgs::{
    CertRecord, HandlerInput, ManagerContact, OrgFlow, OrgRecord, Registration,
};
use tessera_store::testing::{TestDatabase, store_for};
use tessera_store::{Backend, NewAccount, Store};
use tessera_web::{AppState, Settings};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const CODE: &str = "A0001";
const HANDLERS: u32 = 10_000;
const TARGET: Duration = Duration::from_millis(20);

fn cert(serial: &str, national_id: Option<&str>) -> CertRecord {
    CertRecord {
        issuer: "C=TW, O=行政院, OU=bench".into(),
        serial: serial.into(),
        kind: if national_id.is_some() {
            "moica_citizen"
        } else {
            "gca_agency"
        }
        .into(),
        subject: format!("CN={serial}"),
        holder_name: "效能測試".into(),
        card_number: None,
        national_id: national_id.map(Into::into),
        not_before: 0,
        not_after: i64::MAX / 2,
    }
}

/// Imports and registers `code`, then adds `n` handlers.
async fn seed_org(store: &Store, code: &str, n: u32) -> Result<(), BoxError> {
    let now = tessera_app::clock::now();
    let record = OrgRecord {
        agency_code: code.into(),
        name: format!("效能測試機關 {code}"),
        organization_oid: Some(format!("2.16.886.101.{}", &code[1..])),
        business_id: None,
        institution_code: None,
        kind: "agency".into(),
    };
    store.import_organizations(&[record], now).await?;
    let flow = format!("bench-{code}");
    store
        .create_org_flow(&OrgFlow {
            id_hash: flow.clone(),
            kind: "register".into(),
            step: "details".into(),
            browser: "bench".into(),
            agency_code: Some(code.into()),
            data: "{}".into(),
            created_at: now,
            expires_at: now + 3600,
        })
        .await?;
    store
        .register_organization(&Registration {
            flow_id_hash: flow,
            flow_step: "details".into(),
            agency_code: code.into(),
            org_cert: cert(&format!("{code}org"), None),
            manager_cert: cert(&format!("{code}mgr"), Some("A123456789")),
            manager: ManagerContact {
                national_id: "A123456789".into(),
                name: "王小明".into(),
                email: "bench@example.tw".into(),
                phone: "0227013411".into(),
                extension: None,
                notes: None,
            },
            account: NewAccount {
                username: code.into(),
                name: "效能測試機關".into(),
                email: "bench@example.tw".into(),
                mobile: None,
                national_id: None,
                birthday: None,
                landline: None,
                password_hash: "x".into(),
                terms_version: "bench".into(),
                terms_accepted_at: now,
                created_at: now,
            },
            receipt_detail: None,
            at: now,
        })
        .await?;
    let surnames = ["王", "林", "陳", "張", "李"];
    for i in 0..n {
        let h = HandlerInput {
            national_id: format!("B{:09}", u64::from(i) * 7 + u64::from(code.as_bytes()[0])),
            name: format!("{}經辦{i}", surnames[i as usize % surnames.len()]),
            cert_serial: format!("{:x}", 0x1000_0000 + i),
            permissions: vec!["premium.send".into(), "premium.query".into()],
        };
        store.add_handler(code, &h, now).await?;
    }
    Ok(())
}

/// Median and 95th percentile of `n` runs of `f`.
async fn time<F, Fut>(n: usize, mut f: F) -> Result<(Duration, Duration), BoxError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxError>>,
{
    for _ in 0..n.min(20) {
        f().await?;
    }
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f().await?;
        samples.push(t.elapsed());
    }
    samples.sort();
    Ok((samples[n / 2], samples[(n * 95 / 100).min(n - 1)]))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(label: &str, (median, p95): (Duration, Duration), base: Option<(Duration, Duration)>) {
    let ratio = base
        .map(|(b, _)| {
            format!(
                "  ({:.1}× baseline median)",
                median.as_secs_f64() / b.as_secs_f64().max(1e-9)
            )
        })
        .unwrap_or_default();
    println!(
        "{label:<52} median {:>7.3} ms   p95 {:>7.3} ms{ratio}",
        ms(median),
        ms(p95)
    );
}

async fn serve(store: Store, dir: &std::path::Path) -> Result<(SocketAddr, AppState), BoxError> {
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

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = match args.first().map(String::as_str) {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let n: usize = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300)
        .max(10);
    let (store, _db): (Store, TestDatabase) = store_for(backend).await?;
    let seeding = Instant::now();
    seed_org(&store, CODE, HANDLERS).await?;
    seed_org(&store, "B0002", 2_000).await?;
    seed_org(&store, "C0003", 2_000).await?;
    // Statistics as autovacuum (PostgreSQL) or an operator's ANALYZE keeps them.
    let maintenance = match backend {
        Backend::Postgres => "VACUUM ANALYZE",
        Backend::Sqlite => "ANALYZE",
    };
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(_db.url()).await?;
    sqlx::Executor::execute(&mut conn, maintenance).await?;
    println!(
        "backend {backend:?}: seeded {} handlers in {:.1} s; {n} timed runs each",
        HANDLERS + 4_000,
        seeding.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir()?;
    let (addr, state) = serve(store.clone(), dir.path()).await?;
    let (_, set_cookie) = sessions::start(
        &state,
        Kind::Assignment,
        Holder {
            national_id: "A123456789",
            name: "王小明",
            issuer: "C=TW, O=行政院, OU=bench",
            serial: "A0001mgr",
            agency_code: Some(CODE),
        },
    )
    .await
    .map_err(|f| format!("session: {}", f.code))?;
    let cookie = set_cookie.split(';').next().unwrap_or("").to_owned();

    let last_page = i64::from(HANDLERS - 50);
    let s = &store;
    let ping = time(n, move || async move { Ok(s.ping().await?) }).await?;
    report("store: SELECT 1 (baseline)", ping, None);
    let last = time(n, move || async move {
        let p = s.handlers_page(CODE, None, last_page, 50).await?;
        assert_eq!((p.items.len(), p.total), (50, i64::from(HANDLERS)));
        Ok(())
    })
    .await?;
    report(
        "store: page 200 of 50 (handlers 9,951-10,000)",
        last,
        Some(ping),
    );
    let middle = time(n, move || async move {
        Ok(s.handlers_page(CODE, None, 4_950, 50).await.map(|_| ())?)
    })
    .await?;
    report("store: page 100 of 50", middle, Some(ping));
    let search = time(n, move || async move {
        Ok(s.handlers_page(CODE, Some("林"), 950, 50)
            .await
            .map(|_| ())?)
    })
    .await?;
    report(
        "store: search 林 (2,000 matches), page 20 of 50",
        search,
        Some(ping),
    );

    let client = reqwest::Client::builder().build()?;
    let (http, cookie) = (&client, cookie.as_str());
    let health_url = format!("http://{addr}/healthz");
    let health_url = health_url.as_str();
    let healthz = time(n, move || async move {
        let r = http.get(health_url).send().await?;
        assert!(r.status().is_success());
        r.bytes().await?;
        Ok(())
    })
    .await?;
    report("HTTP: GET /healthz (baseline)", healthz, None);
    let page_url = format!("http://{addr}/api/v1/orgs/{CODE}/handlers?page=200&per_page=50");
    let page_url = page_url.as_str();
    let page = time(n, move || async move {
        let r = http.get(page_url).header("cookie", cookie).send().await?;
        assert!(r.status().is_success(), "page N: {}", r.status());
        let body = r.text().await?;
        assert!(
            body.contains("顯示第 9951 至 10000 項結果，共 10000 項"),
            "{body}"
        );
        Ok(())
    })
    .await?;
    report(
        "HTTP: GET …/handlers?page=200&per_page=50 (guarded)",
        page,
        Some(healthz),
    );
    let verdict = if page.1 <= TARGET { "PASS" } else { "FAIL" };
    println!(
        "target: page N over HTTP within {} ms at p95 → {verdict}",
        TARGET.as_millis()
    );
    if page.1 > TARGET {
        std::process::exit(1);
    }
    Ok(())
}
