//! Reading request cookies: the `Cookie` headers as the use cases' plain [`Cookies`] value.
//! Building `Set-Cookie` values is the use cases' (`tessera_app::cookies::build`).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub use tessera_app::cookies::{Cookies, SameSite, build};

/// The request's cookies.
pub fn jar(headers: &HeaderMap) -> Cookies {
    Cookies::parse(
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    )
}

/// The value of the named cookie, if the request carries it.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    jar(headers).get(name)
}

/// Whether the request carries any cookie at all (ambient authority a forged request could use).
pub fn any(headers: &HeaderMap) -> bool {
    headers.get(COOKIE).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn finds_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        h.append(COOKIE, HeaderValue::from_static("c=3"));
        assert_eq!(get(&h, "b").as_deref(), Some("2"));
        assert_eq!(get(&h, "c").as_deref(), Some("3"));
        assert_eq!(get(&h, "d"), None);
        assert!(any(&h) && !any(&HeaderMap::new()));
    }
}
