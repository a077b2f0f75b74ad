//! Cookies as plain values: the ones a request carried (parsed by the web layer from its
//! `Cookie` headers) and the `Set-Cookie` values the use cases hand back, with Tessera's
//! security flags (HttpOnly, SameSite, Secure on https).

use cookie::Cookie;
pub use cookie::SameSite;

/// The cookies a request carried, by name (the first of a repeated name wins).
#[derive(Clone, Default)]
pub struct Cookies(Vec<(String, String)>);

impl std::fmt::Debug for Cookies {
    // Cookie values are credentials: only their names are ever printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, _)| n))
            .finish()
    }
}

impl Cookies {
    /// Parses the values of a request's `Cookie` headers; malformed pairs are skipped.
    pub fn parse<'a>(headers: impl IntoIterator<Item = &'a str>) -> Self {
        Self(
            headers
                .into_iter()
                .flat_map(|v| Cookie::split_parse(v.to_string()))
                .filter_map(Result::ok)
                .map(|c| (c.name().to_string(), c.value().to_string()))
                .collect(),
        )
    }

    /// The value of the named cookie, if the request carries it.
    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    /// Whether the request carried any cookie at all.
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// A `Set-Cookie` value: HttpOnly, Path=/, the given SameSite, Secure when `secure`.
/// `max_age_secs = Some(0)` deletes the cookie; `None` makes a browser-session cookie.
pub fn build(
    name: &str,
    value: &str,
    same_site: SameSite,
    secure: bool,
    max_age_secs: Option<i64>,
) -> String {
    let mut c = Cookie::new(name.to_string(), value.to_string());
    c.set_http_only(true);
    c.set_path("/");
    c.set_same_site(same_site);
    c.set_secure(secure);
    if let Some(age) = max_age_secs {
        c.set_max_age(cookie::time::Duration::seconds(age));
    }
    c.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cookie_among_several_headers() {
        let c = Cookies::parse(["a=1; b=2", "c=3"]);
        assert_eq!(c.get("b").as_deref(), Some("2"));
        assert_eq!(c.get("c").as_deref(), Some("3"));
        assert_eq!(c.get("d"), None);
        assert!(c.any());
        assert!(!Cookies::parse([]).any());
    }

    #[test]
    fn values_never_printed() {
        let c = Cookies::parse(["tessera_session=s3cret"]);
        let shown = format!("{c:?}");
        assert!(shown.contains("tessera_session") && !shown.contains("s3cret"));
    }

    #[test]
    fn built_cookie_has_security_flags() {
        let s = build("s", "v", SameSite::Lax, true, None);
        assert!(s.contains("HttpOnly"));
        assert!(s.contains("SameSite=Lax"));
        assert!(s.contains("Secure"));
        assert!(s.contains("Path=/"));
        let d = build("s", "", SameSite::Lax, false, Some(0));
        assert!(d.contains("Max-Age=0"));
        assert!(!d.contains("Secure"));
    }
}
