//! OpenID Connect provider rules, free of IO: scopes Tessera knows, `prompt`, `max_age`,
//! `acr_values` against the levels of assurance, exact redirect URI matching and who may
//! receive the national ID. The web layer applies them; tests here pin them down.

use crate::loa::Loa;

/// Scopes Tessera serves. Others in a request are ignored (OpenID Connect Core 3.1.2.1).
pub const SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "phone",
    "offline_access",
    "tw_national_id",
    "organization",
];

/// Claims Tessera can release (discovery's `claims_supported`).
pub const CLAIMS: &[&str] = &[
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "name",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "tw_national_id",
    "organization",
];

/// The known scopes of a space-separated `scope` value, deduplicated, in Tessera's order.
pub fn known_scopes(scope: &str) -> Vec<&'static str> {
    let asked: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    SCOPES
        .iter()
        .copied()
        .filter(|s| asked.contains(s))
        .collect()
}

/// Whether every scope of `asked` is in `granted` (both space-separated).
pub fn scopes_covered(asked: &str, granted: &str) -> bool {
    let granted: Vec<&str> = granted.split(' ').collect();
    asked
        .split(' ')
        .filter(|s| !s.is_empty())
        .all(|s| granted.contains(&s))
}

/// The `prompt` parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Prompt {
    /// `none`: never show a page; fail if sign-in or consent is needed.
    pub none: bool,
    /// `login` (or `select_account`): sign in again.
    pub login: bool,
    /// `consent`: ask for consent again.
    pub consent: bool,
}

/// Why a `prompt` value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PromptError {
    #[error("unknown prompt value {0:?}")]
    Unknown(String),
    #[error("prompt=none cannot be combined with other values")]
    NoneWithOthers,
}

impl Prompt {
    /// Parses a space-separated `prompt` value.
    pub fn parse(value: &str) -> Result<Prompt, PromptError> {
        let mut p = Prompt::default();
        let mut count = 0;
        for v in value.split(' ').filter(|s| !s.is_empty()) {
            count += 1;
            match v {
                "none" => p.none = true,
                "login" | "select_account" => p.login = true,
                "consent" => p.consent = true,
                other => return Err(PromptError::Unknown(other.to_string())),
            }
        }
        if p.none && count > 1 {
            return Err(PromptError::NoneWithOthers);
        }
        Ok(p)
    }
}

/// The level a request asks for with `acr_values`: the weakest Tessera level it lists (any
/// listed level satisfies it), `None` when it lists none Tessera knows.
pub fn required_loa(acr_values: &str) -> Option<Loa> {
    acr_values
        .split(' ')
        .filter_map(|v| Loa::parse(v).ok())
        .min()
}

/// The level a request is held to where sign-ins reach only the `reachable` levels: the
/// weakest reachable level at or above the level `asked` (a stronger sign-in serves a weaker
/// request). `None` when no reachable level is that strong: `acr_values` asks for a voluntary
/// claim (OpenID Connect Core 3.1.2.1, 5.5.1.1), so the member signs in as they can and the
/// ID token's `acr` tells the client which level was reached — never a step-up to a level no
/// sign-in offers.
pub fn attainable_loa(asked: Option<Loa>, reachable: &[Loa]) -> Option<Loa> {
    let asked = asked?;
    reachable.iter().copied().filter(|l| *l >= asked).min()
}

/// The `acr` value of a level (the level's stable name).
pub fn acr_of(loa: Loa) -> &'static str {
    loa.as_str()
}

/// The `amr` values of a level (RFC 8176).
pub fn amr_of(loa: Loa) -> &'static [&'static str] {
    match loa {
        Loa::Password => &["pwd"],
        Loa::Otp => &["pwd", "otp"],
        Loa::NhiCard => &["sc", "pin"],
        Loa::Certificate => &["hwk", "sc", "pin"],
    }
}

/// What the current sign-in lacks for an authorization request, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInNeed {
    /// The sign-in is good enough.
    Satisfied,
    /// Sign in (again): none yet, too old for `max_age`, or `prompt=login`.
    SignIn,
    /// Signed in, but below the asked level: step up to `Loa`.
    StepUp(Loa),
}

/// Decides whether a session signed in at `auth_time` with `loa` serves a request asking
/// `max_age` (0 = always sign in again) and a level `required`, at time `now`.
/// `login_after` is set once the request sent the user to sign in: then only a sign-in at
/// or after that time counts (and it satisfies `max_age`).
pub fn sign_in_need(
    session: Option<(i64, Loa)>,
    now: i64,
    max_age: Option<i64>,
    login_after: Option<i64>,
    required: Option<Loa>,
) -> SignInNeed {
    let Some((auth_time, loa)) = session else {
        return SignInNeed::SignIn;
    };
    match login_after {
        // A request that already sent the user to sign in: only a sign-in made after it
        // counts, and such a fresh one satisfies `max_age` too.
        Some(t) if auth_time < t => return SignInNeed::SignIn,
        Some(_) => {}
        None if max_age.is_some_and(|m| m == 0 || now - auth_time > m) => {
            return SignInNeed::SignIn;
        }
        None => {}
    }
    match required {
        Some(r) if loa < r => SignInNeed::StepUp(r),
        _ => SignInNeed::Satisfied,
    }
}

/// Exact redirect URI matching (RFC 9700 §4.1.3): byte for byte, nothing normalised.
pub fn redirect_uri_registered(registered: &[String], asked: &str) -> bool {
    registered.iter().any(|r| r == asked)
}

/// Checks a redirect URI an operator registers: absolute `https://` (or `http://` on a
/// loopback host for development), no fragment, no user info.
pub fn valid_redirect_uri(uri: &str) -> Result<(), &'static str> {
    let rest = if let Some(r) = uri.strip_prefix("https://") {
        r
    } else if let Some(r) = uri.strip_prefix("http://") {
        let host = r.split(['/', '?']).next().unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, p)| {
            if p.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        });
        if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
            return Err("http:// is only allowed for loopback hosts; use https://");
        }
        r
    } else {
        return Err("must be an absolute https:// URI");
    };
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.is_empty() {
        return Err("has no host");
    }
    if authority.contains('@') {
        return Err("must not contain user information");
    }
    if uri.contains('#') {
        return Err("must not contain a fragment");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters");
    }
    Ok(())
}

/// Whether the national ID may be released: the client is allowed it AND the sign-in was at
/// level `nhi-card` or `certificate`.
pub fn national_id_releasable(client_allowed: bool, loa: Loa) -> bool {
    client_allowed && loa >= Loa::NhiCard
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_known_and_covered() {
        assert_eq!(
            known_scopes("email  openid bogus openid"),
            vec!["openid", "email"]
        );
        assert!(scopes_covered("openid email", "openid profile email"));
        assert!(!scopes_covered("openid phone", "openid email"));
        assert!(scopes_covered("", "openid"));
    }

    #[test]
    fn prompt_values() {
        assert_eq!(Prompt::parse("").unwrap(), Prompt::default());
        let p = Prompt::parse("login consent").unwrap();
        assert!(p.login && p.consent && !p.none);
        assert!(Prompt::parse("select_account").unwrap().login);
        assert_eq!(
            Prompt::parse("none login"),
            Err(PromptError::NoneWithOthers)
        );
        assert!(matches!(
            Prompt::parse("create"),
            Err(PromptError::Unknown(_))
        ));
    }

    #[test]
    fn acr_values_ask_for_the_weakest_listed_known_level() {
        assert_eq!(required_loa("certificate"), Some(Loa::Certificate));
        assert_eq!(required_loa("urn:x certificate otp"), Some(Loa::Otp));
        assert_eq!(required_loa("urn:x"), None);
        assert_eq!(required_loa(""), None);
    }

    #[test]
    fn only_reachable_levels_are_asked_for() {
        let password_only = [Loa::Password];
        let with_card = [Loa::Password, Loa::Certificate];
        assert_eq!(attainable_loa(None, &with_card), None);
        assert_eq!(
            attainable_loa(Some(Loa::Password), &password_only),
            Some(Loa::Password)
        );
        // Nothing offers these levels: the request goes on without a level to step up to.
        for asked in [Loa::Otp, Loa::NhiCard, Loa::Certificate] {
            assert_eq!(attainable_loa(Some(asked), &password_only), None, "{asked}");
        }
        // The card serves every level up to its own.
        for asked in [Loa::Otp, Loa::NhiCard, Loa::Certificate] {
            assert_eq!(
                attainable_loa(Some(asked), &with_card),
                Some(Loa::Certificate),
                "{asked}"
            );
        }
    }

    #[test]
    fn sign_in_need_follows_max_age_prompt_and_level() {
        let now = 10_000;
        let s = Some((now - 100, Loa::Password));
        assert_eq!(
            sign_in_need(None, now, None, None, None),
            SignInNeed::SignIn
        );
        assert_eq!(
            sign_in_need(s, now, None, None, None),
            SignInNeed::Satisfied
        );
        assert_eq!(
            sign_in_need(s, now, Some(60), None, None),
            SignInNeed::SignIn
        );
        assert_eq!(
            sign_in_need(s, now, Some(100), None, None),
            SignInNeed::Satisfied
        );
        assert_eq!(
            sign_in_need(s, now, None, Some(now - 50), None),
            SignInNeed::SignIn
        );
        assert_eq!(
            sign_in_need(s, now, Some(0), None, None),
            SignInNeed::SignIn
        );
        // Signed in after the request was sent to sign in: max_age is met, even 0.
        assert_eq!(
            sign_in_need(s, now, Some(0), Some(now - 100), None),
            SignInNeed::Satisfied
        );
        assert_eq!(
            sign_in_need(s, now, None, None, Some(Loa::Certificate)),
            SignInNeed::StepUp(Loa::Certificate)
        );
        let c = Some((now, Loa::Certificate));
        assert_eq!(
            sign_in_need(c, now, None, None, Some(Loa::NhiCard)),
            SignInNeed::Satisfied
        );
    }

    #[test]
    fn redirect_uris_match_exactly() {
        let reg = vec!["https://rp.example.tw/cb".to_string()];
        assert!(redirect_uri_registered(&reg, "https://rp.example.tw/cb"));
        for bad in [
            "https://rp.example.tw/cb/",
            "https://rp.example.tw/cb?x=1",
            "https://RP.example.tw/cb",
            "https://rp.example.tw/cb#",
            "https://rp.example.tw.evil.tw/cb",
            "https://rp.example.tw/CB",
        ] {
            assert!(!redirect_uri_registered(&reg, bad), "{bad}");
        }
    }

    #[test]
    fn registered_redirect_uris_are_checked() {
        for ok in [
            "https://rp.example.tw/cb",
            "http://127.0.0.1:3000/cb",
            "http://localhost/cb?x=1",
        ] {
            assert_eq!(valid_redirect_uri(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://rp.example.tw/cb",
            "https://rp.example.tw/cb#frag",
            "https://user@rp.example.tw/cb",
            "javascript:alert(1)",
            "/cb",
            "https:///cb",
            "http://127.0.0.1.evil.tw/cb",
            "https://rp.example.tw/c b",
        ] {
            assert!(valid_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn national_id_needs_permission_and_card_level() {
        assert!(national_id_releasable(true, Loa::Certificate));
        assert!(national_id_releasable(true, Loa::NhiCard));
        assert!(!national_id_releasable(true, Loa::Otp));
        assert!(!national_id_releasable(true, Loa::Password));
        assert!(!national_id_releasable(false, Loa::Certificate));
    }
}
