//! The store's error type. Texts never carry SQL parameters (passwords, hashes, tokens).

/// Everything a store operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The username is taken (case-insensitively) or was used by an account that has since
    /// been deleted: usernames are never reusable.
    #[error("username is not available")]
    UsernameTaken,
    /// The account (or other row) the operation addresses does not exist.
    #[error("not found")]
    NotFound,
    /// The row changed since it was read: the write named a row_version that is no longer
    /// the row's (another node or request wrote it first). Nothing was written; read again.
    #[error("the row changed since it was read")]
    Conflict,
    /// The database URL is neither `sqlite:…` nor `postgres://…`. (The URL itself is left
    /// out of the message: it may hold a password.)
    #[error("unsupported database URL: expected sqlite:… or postgres://…")]
    UnsupportedUrl,
    /// The SQLite database's directory could not be created.
    #[error("cannot create database directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database stores something the store never writes (e.g. the audit head is missing).
    #[error("database is inconsistent: {0}")]
    Inconsistent(&'static str),
    /// A database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration error.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Whether `err` is a violation of a unique (or primary key) constraint.
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
