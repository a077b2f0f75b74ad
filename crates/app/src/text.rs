//! Small text rules the use cases share with the web layer: timestamps as RFC 3339, text as
//! the audit log may store it, and which `next` targets are paths on this site.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Unix seconds as RFC 3339 (UTC).
pub fn rfc3339(t: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&Rfc3339).ok())
}

/// `text` as the audit log may store it: NUL replaced by U+FFFD, at most 64 characters.
pub fn shown(text: &str) -> String {
    text.chars()
        .take(64)
        .map(|c| if c == '\0' { '\u{FFFD}' } else { c })
        .collect()
}

/// Is `next` a path on this site (and nothing that a browser could read as another host)?
pub fn is_local_path(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
}
