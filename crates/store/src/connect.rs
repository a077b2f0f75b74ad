//! Opening a [`Store`]: URL handling, SQLite file creation and pragmas, pool sizing,
//! migrations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Executor, Row};

use crate::StoreError;
use crate::audit_queue::AuditQueue;

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (the embedded default).
    Sqlite,
    /// PostgreSQL (for several nodes sharing one database).
    Postgres,
}

/// Tuning for [`Store::connect_with`].
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// Pool size; default 8 on SQLite (writes serialise anyway), 16 on PostgreSQL.
    /// An in-memory SQLite database always uses exactly one connection.
    pub max_connections: Option<u32>,
}

/// The persistence layer: one implementation over [`sqlx::AnyPool`], portable SQL.
/// Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// Where the group-committed writers write: on an SQLite file a pool of one
    /// connection of their own, else the same pool.
    pub(crate) writer: AnyPool,
    backend: Backend,
    /// This node's audit appends waiting to be group-committed (shared by clones).
    pub(crate) audit: Arc<AuditQueue>,
    /// This node's code exchanges waiting to be group-committed (shared by clones).
    pub(crate) exchanges: Arc<crate::oidc::ExchangeQueue>,
}

/// A parsed `sqlite:` URL.
struct SqliteUrl {
    /// The URL to hand to sqlx (with `mode=rwc` added when no mode was given).
    url: String,
    /// The database file, `None` in memory.
    file: Option<PathBuf>,
}

fn parse_sqlite_url(url: &str) -> SqliteUrl {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let (path, params) = match rest.split_once('?') {
        Some((path, params)) => (path, Some(params)),
        None => (rest, None),
    };
    let has_param = |key: &str, value: Option<&str>| {
        params.is_some_and(|p| {
            p.split('&').any(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                k == key && value.is_none_or(|value| v == value)
            })
        })
    };
    if path == ":memory:" || path.is_empty() || has_param("mode", Some("memory")) {
        return SqliteUrl {
            url: url.to_owned(),
            file: None,
        };
    }
    let url = if has_param("mode", None) {
        url.to_owned()
    } else if params.is_some() {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    };
    SqliteUrl {
        url,
        file: Some(PathBuf::from(path)),
    }
}

fn create_parent_dir(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Per-connection SQLite settings. (sqlx already turns foreign keys on and sets a 5 s busy
/// timeout; they are repeated here so the store does not depend on those defaults.)
async fn sqlite_after_connect(conn: &mut AnyConnection, file_backed: bool) -> sqlx::Result<()> {
    conn.execute("PRAGMA foreign_keys = ON").await?;
    conn.execute("PRAGMA busy_timeout = 5000").await?;
    // Statement journals (a multi-row write inside a transaction) and RETURNING's
    // ephemeral tables stay in memory: by default each is a file SQLite creates, writes
    // page by page and unlinks again in /var/tmp, once per transaction.
    conn.execute("PRAGMA temp_store = MEMORY").await?;
    if file_backed {
        // WAL is persistent in the file: switch only once (it needs an exclusive lock).
        let mode: String = sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
        // Another process may be switching the same fresh file right now (the switch
        // cannot wait for locks): fine if WAL is what it ended up as.
        if !mode.eq_ignore_ascii_case("wal")
            && let Err(e) = conn.execute("PRAGMA journal_mode = WAL").await
        {
            let mode: String = sqlx::query("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await?
                .try_get(0)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(e);
            }
        }
        conn.execute("PRAGMA synchronous = NORMAL").await?;
    }
    Ok(())
}

/// Options of a pool of exactly one connection that is never closed.
fn forever() -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
}

/// Opens an SQLite pool with `options` and the per-connection settings.
async fn sqlite_pool(
    options: AnyPoolOptions,
    url: &str,
    file_backed: bool,
) -> Result<AnyPool, StoreError> {
    // No ping before handing out a connection: an SQLite connection cannot drop (it is a
    // file handle), and the ping was a round trip to sqlx's SQLite worker thread on every
    // query. (sqlx still pings once when a connection comes back.)
    Ok(options
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .after_connect(move |conn, _meta| {
            Box::pin(async move { sqlite_after_connect(conn, file_backed).await })
        })
        .connect(url)
        .await?)
}

impl Store {
    /// Opens a store: `sqlite://path` (file and parent directory created when missing),
    /// `sqlite::memory:` (one private in-memory database), or `postgres://…`.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, &StoreOptions::default()).await
    }

    /// [`Store::connect`] with tuning.
    pub async fn connect_with(url: &str, options: &StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            let parsed = parse_sqlite_url(url);
            let file_backed = parsed.file.is_some();
            let (pool, writer) = if let Some(file) = &parsed.file {
                create_parent_dir(file)?;
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections.unwrap_or(8).max(1))
                    .min_connections(1);
                let pool = sqlite_pool(pool, &parsed.url, file_backed).await?;
                // The group-committed writers (audit log, code exchanges) get a connection
                // of their own, kept for good: SQLite drops a connection's page cache
                // whenever another connection has written, so writing every batch through
                // the same one keeps the pages it touches cached between batches.
                let writer = sqlite_pool(forever(), &parsed.url, file_backed).await?;
                (pool, writer)
            } else {
                // Every new connection to `sqlite::memory:` would open a new, empty
                // database: keep exactly one connection, forever.
                let pool = sqlite_pool(forever(), &parsed.url, file_backed).await?;
                (pool.clone(), pool)
            };
            Ok(Store {
                pool,
                writer,
                backend: Backend::Sqlite,
                audit: Arc::default(),
                exchanges: Arc::default(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(options.max_connections.unwrap_or(16).max(1))
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await?;
            Ok(Store {
                writer: pool.clone(),
                pool,
                backend: Backend::Postgres,
                audit: Arc::default(),
                exchanges: Arc::default(),
            })
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Applies the pending migrations of this backend (embedded in the binary).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator.run(&self.pool).await?;
        Ok(())
    }

    /// Succeeds once the database answers a query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// The backend this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes the pool, waiting for checked-out connections to come back.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls() {
        let u = parse_sqlite_url("sqlite://tessera-data/tessera.db");
        assert_eq!(u.url, "sqlite://tessera-data/tessera.db?mode=rwc");
        assert_eq!(u.file, Some(PathBuf::from("tessera-data/tessera.db")));

        let u = parse_sqlite_url("sqlite:///tmp/x/t.db?cache=shared");
        assert_eq!(u.url, "sqlite:///tmp/x/t.db?cache=shared&mode=rwc");
        assert_eq!(u.file, Some(PathBuf::from("/tmp/x/t.db")));

        let u = parse_sqlite_url("sqlite:t.db?mode=ro");
        assert_eq!(u.url, "sqlite:t.db?mode=ro");

        assert!(parse_sqlite_url("sqlite::memory:").file.is_none());
        assert!(parse_sqlite_url("sqlite://?mode=memory").file.is_none());
    }
}
