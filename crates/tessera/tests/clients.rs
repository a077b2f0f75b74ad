//! `tessera admin clients …` and `tessera admin oidc-keys …` as an operator uses them, on
//! SQLite (`--data-dir`) and PostgreSQL (`--database-url`): add prints the client id and a
//! secret (JSON too), list shows it without the secret, the store keeps only the secret's
//! hash, bad redirect URIs are refused, remove deletes it, key rotation keeps the old key
//! published.

use std::process::{Command, Output};

use tessera_store::Store;

fn tessera(db: &[&str], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(db)
        .args(args)
        .env("TESSERA_LOG", "error")
        .output()
        .expect("run tessera")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn clients_on(db: &[&str], store: &Store) {
    let add = tessera(
        db,
        &[
            "admin",
            "clients",
            "add",
            "--name",
            "報備支援系統",
            "--redirect-uri",
            "https://rp.example.tw/cb",
            "--redirect-uri",
            "https://rp.example.tw/cb2",
            "--allow-national-id",
            "--json",
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    let v: serde_json::Value = serde_json::from_slice(&add.stdout).expect("JSON");
    let id = v["client_id"].as_str().expect("client_id").to_string();
    let secret = v["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_string();
    assert_eq!(secret.len(), 43, "256-bit secret");
    let stored = store
        .oidc_client(&id)
        .await
        .expect("store")
        .expect("stored");
    assert_eq!(stored.redirect_uris.len(), 2);
    assert!(stored.allow_national_id && stored.consent_required);
    let hash = stored.secret_hash.clone().unwrap_or_default();
    assert!(
        !hash.contains(&secret) && hash.len() == 64,
        "only the hash is stored"
    );

    let public = tessera(
        db,
        &[
            "admin",
            "clients",
            "add",
            "--name",
            "行動 App",
            "--redirect-uri",
            "http://127.0.0.1:7000/cb",
            "--public",
            "--no-consent",
        ],
    );
    assert!(public.status.success(), "{}", text(&public));
    assert!(
        !text(&public).contains("client_secret"),
        "public clients get no secret"
    );

    let bad = tessera(
        db,
        &[
            "admin",
            "clients",
            "add",
            "--name",
            "x",
            "--redirect-uri",
            "http://evil.example/cb",
        ],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad).contains("oidc_redirect_uri_rejected"),
        "{}",
        text(&bad)
    );

    let list = tessera(db, &["admin", "clients", "list", "--json"]);
    assert!(list.status.success(), "{}", text(&list));
    let all: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    assert_eq!(all.as_array().map(Vec::len), Some(2));
    assert!(!text(&list).contains(&secret), "list never shows secrets");

    let rm = tessera(db, &["admin", "clients", "remove", &id]);
    assert!(rm.status.success(), "{}", text(&rm));
    assert!(store.oidc_client(&id).await.expect("store").is_none());
    let again = tessera(db, &["admin", "clients", "remove", &id]);
    assert!(!again.status.success(), "unknown client refused");

    let keys = tessera(db, &["admin", "oidc-keys", "list"]);
    let before = text(&keys);
    let rotate = tessera(db, &["admin", "oidc-keys", "rotate"]);
    assert!(rotate.status.success(), "{}", text(&rotate));
    let after = text(&tessera(db, &["admin", "oidc-keys", "list"]));
    let old_es = before
        .lines()
        .find(|l| l.ends_with("ES256"))
        .and_then(|l| l.split('\t').next())
        .unwrap_or("")
        .to_string();
    assert!(
        !old_es.is_empty() && after.contains(&old_es),
        "old key still published"
    );
    assert_eq!(after.lines().filter(|l| l.ends_with("ES256")).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("path").to_string();
    let db = ["--data-dir", data.as_str()];
    let migrate = tessera(&db, &["migrate"]);
    assert!(migrate.status.success(), "{}", text(&migrate));
    let store = Store::connect(&format!("sqlite://{data}/tessera.db"))
        .await
        .expect("store");
    clients_on(&db, &store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_on_postgres() {
    let (store, test_db) = tessera_store::testing::postgres_store()
        .await
        .expect("PostgreSQL test database");
    let url = test_db.url().to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().to_str().expect("path").to_string();
    let db = ["--database-url", url.as_str(), "--data-dir", data.as_str()];
    clients_on(&db, &store).await;
}
