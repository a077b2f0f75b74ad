//! Reading request cookies and writing `Set-Cookie` headers with Tessera's security flags
//! (HttpOnly, SameSite, Secure on https, `__Host-` prefix where it applies).

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use cookie::{Cookie, SameSite};

/// The value of the named cookie, if the request carries it.
pub fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Whether the request carries any cookie at all (ambient authority a forged request could use).
pub fn any(headers: &HeaderMap) -> bool {
    headers.get(COOKIE).is_some()
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
    use axum::http::HeaderValue;

    #[test]
    fn finds_cookie_among_several_headers() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        h.append(COOKIE, HeaderValue::from_static("c=3"));
        assert_eq!(get(&h, "b").as_deref(), Some("2"));
        assert_eq!(get(&h, "c").as_deref(), Some("3"));
        assert_eq!(get(&h, "d"), None);
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
