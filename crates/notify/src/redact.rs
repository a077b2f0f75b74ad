//! Hiding credentials in URLs before they reach Debug output or logs.

/// The URL with any password (and query string, which may hold tokens) replaced by `***`.
pub(crate) fn url(raw: &str) -> String {
    let (scheme, rest) = raw.split_once("://").unwrap_or(("", raw));
    let (authority, tail) = match rest.find(['/', '?', '#']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{user}:***@{host}")
        }
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, _)) => format!("{path}?***"),
        None => tail.to_owned(),
    };
    if scheme.is_empty() {
        format!("{authority}{tail}")
    } else {
        format!("{scheme}://{authority}{tail}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hides_passwords_and_queries() {
        assert_eq!(
            super::url("smtps://me:s3cret@mail.example.tw:465"),
            "smtps://me:***@mail.example.tw:465"
        );
        assert_eq!(super::url("smtp://localhost:25"), "smtp://localhost:25");
        assert_eq!(
            super::url("https://gw.example/send?key=abc"),
            "https://gw.example/send?***"
        );
        assert_eq!(super::url("http://u:p@a@h/x"), "http://u:***@h/x");
    }
}
