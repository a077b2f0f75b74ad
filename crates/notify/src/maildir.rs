//! Delivery into a Maildir: the message is written under `tmp/`, flushed, then renamed into
//! `new/` under a unique name, so readers never see a partial file.

use crate::NotifyError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static DELIVERIES: AtomicU64 = AtomicU64::new(0);

/// A file name unique across processes and hosts: `<secs>.M<usec>P<pid>Q<n>R<random>.tessera`.
fn unique_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let n = DELIVERIES.fetch_add(1, Ordering::Relaxed);
    format!(
        "{}.M{}P{}Q{}R{}.tessera",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        n,
        uuid::Uuid::new_v4().simple()
    )
}

/// Creates `tmp/`, `new/` and `cur/` under `dir` if missing.
pub(crate) fn ensure_dirs(dir: &Path) -> Result<(), NotifyError> {
    for sub in ["tmp", "new", "cur"] {
        let path = dir.join(sub);
        fs::create_dir_all(&path).map_err(NotifyError::io("create directory", path))?;
    }
    Ok(())
}

/// Writes one message (blocking) and returns its final path under `new/`.
pub(crate) fn deliver(dir: &Path, message: &[u8]) -> Result<PathBuf, NotifyError> {
    ensure_dirs(dir)?;
    let name = unique_name();
    let tmp = dir.join("tmp").join(&name);
    let new = dir.join("new").join(&name);
    let write = || -> std::io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        file.write_all(message)?;
        file.sync_all()
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(NotifyError::io("write", &tmp)(e));
    }
    fs::rename(&tmp, &new).map_err(NotifyError::io("rename into new/", &new))?;
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let names: std::collections::HashSet<String> = (0..1000).map(|_| unique_name()).collect();
        assert_eq!(names.len(), 1000);
        assert!(names.iter().all(|n| !n.contains('/') && !n.contains(':')));
    }

    #[test]
    fn delivery_leaves_tmp_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = deliver(dir.path(), b"Subject: x\n\nbody\n").unwrap();
        assert!(path.starts_with(dir.path().join("new")));
        assert_eq!(fs::read(&path).unwrap(), b"Subject: x\n\nbody\n");
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
        assert!(dir.path().join("cur").is_dir());
    }
}
