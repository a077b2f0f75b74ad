//! Throw-away stores for tests, on both backends (feature `test-support`).
//!
//! [`sqlite_store`] makes a migrated store on a SQLite file in a fresh temporary directory;
//! [`postgres_store`] creates a fresh database `tessera_t_<random>` on the PostgreSQL server
//! named by `TESSERA_TEST_PG_URL` (default `postgres://postgres@127.0.0.1:5432/test`). The
//! returned [`TestDatabase`] guard deletes the directory or drops the database (`WITH
//! (FORCE)`) when dropped, so tests run in parallel safely. PostgreSQL being unreachable is
//! an error, never a skip. [`both_backends!`](crate::both_backends) turns one async test
//! function into a SQLite test and a PostgreSQL test.

use std::fmt::Display;
use std::time::Duration;

use sqlx::{AnyConnection, Connection, Executor};

use crate::{Backend, Store, StoreError};

/// The environment variable naming the PostgreSQL server (and an existing database on it)
/// that tests create their databases on.
pub const PG_URL_ENV: &str = "TESSERA_TEST_PG_URL";
/// The PostgreSQL URL used when [`PG_URL_ENV`] is unset.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL URL tests use: `$TESSERA_TEST_PG_URL` or [`DEFAULT_PG_URL`].
pub fn pg_admin_url() -> String {
    std::env::var(PG_URL_ENV)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_owned())
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// `url` with any password replaced by `***`, for messages.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].find(':') {
            Some(colon) => format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            ),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// A test database; dropping it deletes it.
pub struct TestDatabase {
    url: String,
    backend: Backend,
    cleanup: Cleanup,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("url", &self.url)
            .field("backend", &self.backend)
            .finish()
    }
}

impl TestDatabase {
    /// The database URL (for a second node, or for raw SQL in tests).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Opens another [`Store`] on the same database, as a second node would.
    pub async fn connect(&self) -> Result<Store, StoreError> {
        Store::connect(&self.url).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return; // the TempDir deletes itself
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop is synchronous and may run inside a runtime: use a thread with its own.
        let dropper = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => return eprintln!("cannot drop test database {name}: {e}"),
            };
            let result: Result<(), sqlx::Error> = runtime.block_on(async {
                let mut conn = AnyConnection::connect(&admin_url).await?;
                conn.execute(&*format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await?;
                conn.close().await
            });
            if let Err(e) = result {
                eprintln!("cannot drop test database {name}: {e}");
            }
        });
        let _ = dropper.join();
    }
}

/// A migrated store on a SQLite file in a fresh temporary directory.
pub async fn sqlite_store() -> Result<(Store, TestDatabase), StoreError> {
    let dir = tempfile::tempdir().map_err(|source| StoreError::CreateDir {
        path: std::env::temp_dir(),
        source,
    })?;
    let url = format!("sqlite://{}", dir.path().join("tessera.db").display());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let db = TestDatabase {
        url,
        backend: Backend::Sqlite,
        cleanup: Cleanup::Sqlite(dir),
    };
    Ok((store, db))
}

/// `url` with its database name replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// A migrated store on a fresh PostgreSQL database (see the module documentation).
pub async fn postgres_store() -> Result<(Store, TestDatabase), StoreError> {
    sqlx::any::install_default_drivers();
    let admin_url = pg_admin_url();
    let name = format!("tessera_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = AnyConnection::connect(&admin_url).await?;
    let create = format!("CREATE DATABASE \"{name}\"");
    let mut tries = 0;
    loop {
        match conn.execute(&*create).await {
            Ok(_) => break,
            // 55006: template1 is momentarily in use by a concurrent CREATE DATABASE.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55006") && tries < 50 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    conn.close().await?;
    let db = TestDatabase {
        url: with_database(&admin_url, &name),
        backend: Backend::Postgres,
        cleanup: Cleanup::Postgres { admin_url, name },
    };
    let store = db.connect().await?;
    store.migrate().await?;
    Ok((store, db))
}

/// A migrated test store on `backend`.
pub async fn store_for(backend: Backend) -> Result<(Store, TestDatabase), StoreError> {
    match backend {
        Backend::Sqlite => sqlite_store().await,
        Backend::Postgres => postgres_store().await,
    }
}

/// Panics with the backend named when a test body returned an error.
pub fn check<E: Display>(backend: Backend, result: Result<(), E>) {
    if let Err(e) = result {
        panic!("test failed on {backend:?}: {e}");
    }
}

/// Turns `async fn name(store: Store, db: TestDatabase) -> Result<(), E>` into a module
/// `name` with two tests, `name::sqlite` and `name::postgres`, each on a fresh database.
/// The calling crate needs `tokio` (macros, multi-thread runtime) as a dev-dependency.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (store, db) = $crate::testing::sqlite_store()
                    .await
                    .unwrap_or_else(|e| panic!("cannot make the SQLite test store: {e}"));
                $crate::testing::check($crate::Backend::Sqlite, super::$name(store, db).await);
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let (store, db) = $crate::testing::postgres_store().await.unwrap_or_else(|e| {
                    panic!(
                        "cannot make the PostgreSQL test store (is PostgreSQL at {} up? set {}): {e}",
                        $crate::testing::redact_url(&$crate::testing::pg_admin_url()),
                        $crate::testing::PG_URL_ENV,
                    )
                });
                $crate::testing::check($crate::Backend::Postgres, super::$name(store, db).await);
            }
        }
    )+};
}

#[cfg(test)]
mod tests {
    use super::{redact_url, with_database};

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:pw@h:5432/test?x=1"),
            "postgres://u:***@h:5432/test?x=1"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn database_name_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/test?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(
            with_database("postgres://h:5432", "x"),
            "postgres://h:5432/x"
        );
    }
}
