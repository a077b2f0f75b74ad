//! Which web sites may use the signer: origins pre-approved on the command line plus those
//! the user approved on the first-use page, remembered in a small per-user file
//! (`$XDG_CONFIG_HOME/tessera-signer/approved-origins.json` on Linux,
//! `~/Library/Application Support/tessera-signer/approved-origins.json` on macOS).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Problems with the approvals file or an origin given on the command line.
#[derive(Debug, thiserror::Error)]
pub enum OriginError {
    #[error("not a web origin (scheme://host[:port]): {0:?}")]
    Invalid(String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Format { path: PathBuf, reason: String },
}

#[derive(Serialize, Deserialize, Default)]
struct FileFormat {
    approved: BTreeSet<String>,
}

/// The normalized form of a web origin (`https://example.gov.tw`, `http://127.0.0.1:8080`):
/// lower-case, default port dropped. `None` for anything else (paths, `null`, other schemes).
pub fn normalize(origin: &str) -> Option<String> {
    let lower = origin.trim().to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let (host, port) = if rest.starts_with('[') {
        let end = rest.find(']')?;
        let (h, tail) = rest.split_at(end + 1);
        match tail {
            "" => (h, None),
            t => (h, Some(t.strip_prefix(':')?)),
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        && (host.starts_with('[') || !host.contains(':'));
    if !host_ok {
        return None;
    }
    let port = match port {
        None => None,
        Some(p) => {
            let n: u16 = p.parse().ok()?;
            let default = if scheme == "https" { 443 } else { 80 };
            (n != default).then_some(n)
        }
    };
    Some(match port {
        Some(p) => format!("{scheme}://{host}:{p}"),
        None => format!("{scheme}://{host}"),
    })
}

/// The per-user approvals file for this platform.
pub fn default_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("tessera-signer").join("approved-origins.json"))
}

#[cfg(target_os = "macos")]
fn config_dir() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
}

#[cfg(not(target_os = "macos"))]
fn config_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
}

/// Approved origins.
#[derive(Debug)]
pub struct Origins {
    preapproved: BTreeSet<String>,
    file: Option<PathBuf>,
    remembered: Mutex<BTreeSet<String>>,
}

impl Origins {
    /// Pre-approved origins and the approvals file (read now if it exists).
    pub fn new(preapproved: &[String], file: Option<PathBuf>) -> Result<Origins, OriginError> {
        let pre = preapproved
            .iter()
            .map(|o| normalize(o).ok_or_else(|| OriginError::Invalid(o.clone())))
            .collect::<Result<_, _>>()?;
        let remembered = match &file {
            Some(path) if path.exists() => read_file(path)?,
            _ => BTreeSet::new(),
        };
        Ok(Origins {
            preapproved: pre,
            file,
            remembered: Mutex::new(remembered),
        })
    }

    /// True when `origin` (as sent by the browser) is approved.
    pub fn is_approved(&self, origin: &str) -> bool {
        let Some(o) = normalize(origin) else {
            return false;
        };
        self.preapproved.contains(&o)
            || self
                .remembered
                .lock()
                .map(|r| r.contains(&o))
                .unwrap_or(false)
    }

    /// Remembers the user's approval of `origin`.
    pub fn approve(&self, origin: &str) -> Result<(), OriginError> {
        let o = normalize(origin).ok_or_else(|| OriginError::Invalid(origin.into()))?;
        let snapshot = {
            let mut r = self.remembered.lock().map_err(|_| OriginError::Format {
                path: PathBuf::new(),
                reason: "lock poisoned".into(),
            })?;
            r.insert(o);
            r.clone()
        };
        match &self.file {
            Some(path) => write_file(path, snapshot),
            None => Ok(()),
        }
    }
}

fn read_file(path: &Path) -> Result<BTreeSet<String>, OriginError> {
    let text = std::fs::read_to_string(path).map_err(|source| OriginError::Io {
        path: path.into(),
        source,
    })?;
    let parsed: FileFormat = serde_json::from_str(&text).map_err(|e| OriginError::Format {
        path: path.into(),
        reason: e.to_string(),
    })?;
    Ok(parsed
        .approved
        .iter()
        .filter_map(|o| normalize(o))
        .collect())
}

fn write_file(path: &Path, approved: BTreeSet<String>) -> Result<(), OriginError> {
    let io = |source| OriginError::Io {
        path: path.into(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(&FileFormat { approved }).map_err(|e| {
        OriginError::Format {
            path: path.into(),
            reason: e.to_string(),
        }
    })?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_origins() {
        assert_eq!(
            normalize("HTTPS://Gov.TW:443").as_deref(),
            Some("https://gov.tw")
        );
        assert_eq!(
            normalize("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(normalize("null"), None);
        assert_eq!(normalize("https://a.tw/path"), None);
        assert_eq!(normalize("file:///etc"), None);
        assert_eq!(normalize("https://a b"), None);
        assert_eq!(normalize("https://x.tw:99999"), None);
    }

    #[test]
    fn remembers_approvals_across_restarts() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let file = dir.path().join("sub/approved-origins.json");
        let o = Origins::new(&["https://pre.tw".into()], Some(file.clone()))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(o.is_approved("https://pre.tw"));
        assert!(!o.is_approved("https://evil.tw"));
        o.approve("https://site.tw")
            .unwrap_or_else(|e| panic!("{e}"));
        let again = Origins::new(&[], Some(file)).unwrap_or_else(|e| panic!("{e}"));
        assert!(again.is_approved("https://site.tw"));
        assert!(!again.is_approved("https://pre.tw"));
    }
}
