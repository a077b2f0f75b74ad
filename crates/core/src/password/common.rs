//! The bundled list of 30,000 common passwords (from zxcvbn, MIT) and an in-place binary
//! search over it: no table is built and nothing is allocated per lookup.

/// The data file: `#` header lines, then lowercase entries, byte-sorted, one per line.
const FILE: &str = include_str!("../../data/common-passwords.txt");

/// The entries without the header.
fn entries() -> &'static str {
    let mut rest = FILE;
    while rest.starts_with('#') {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    rest
}

/// Is `candidate` (already lowercased) in the list?
pub(crate) fn contains(candidate: &str) -> bool {
    let list = entries();
    // Binary search over byte offsets; `lo` and `hi` are always line starts (or the end).
    let (mut lo, mut hi) = (0usize, list.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = list[..mid].rfind('\n').map_or(0, |i| i + 1);
        let end = list[mid..].find('\n').map_or(list.len(), |i| mid + i);
        match list[start..end].cmp(candidate) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

/// Number of entries (for tests and diagnostics).
pub fn len() -> usize {
    entries().lines().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_large_sorted_lowercase_and_unique() {
        let lines: Vec<&str> = entries().lines().collect();
        assert!(lines.len() >= 10_000, "only {} entries", lines.len());
        assert_eq!(len(), lines.len());
        for pair in lines.windows(2) {
            assert!(pair[0] < pair[1], "{:?} not before {:?}", pair[0], pair[1]);
        }
        assert!(
            lines
                .iter()
                .all(|l| !l.is_empty() && *l == l.to_lowercase())
        );
    }

    #[test]
    fn finds_every_entry_and_nothing_else() {
        for line in entries().lines() {
            assert!(contains(line), "{line} not found");
            assert!(!contains(&format!("{line}\u{1}")));
        }
        for absent in ["", "zzzzzzzzzzzzzzzzzzzz~", "!", "correct horse battery 1"] {
            assert!(!contains(absent), "{absent}");
        }
        assert!(contains("password1"));
        assert!(contains("qwerty123"));
    }
}
