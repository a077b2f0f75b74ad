//! Why the configuration could not be used: the one error type of `config.rs` and of the
//! sections it delegates (`orgs_config.rs`), kept apart so neither imports the other in a circle.

use std::path::PathBuf;

/// Why the configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {key}: {message}")]
    Invalid { key: &'static str, message: String },
}
