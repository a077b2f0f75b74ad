//! Runtime settings of the web layer, built by the `tessera` binary from its configuration.

use std::path::PathBuf;
use std::time::Duration;

use tessera_core::lockout::LockoutPolicy;
use tessera_core::password::PasswordPolicy;

/// Argon2id cost parameters (OWASP defaults: m=19456 KiB, t=2, p=1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Everything the HTTP layer needs to know about its deployment and policies.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Public base URL without trailing slash, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    pub password_policy: PasswordPolicy,
    pub lockout: LockoutPolicy,
    pub hash: HashParams,
    /// Password lifetime; `None` means passwords never expire.
    pub password_max_age: Option<Duration>,
    /// Accounts not signed in for this long are deleted (after a warning 30 days before).
    pub inactive_after: Duration,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Version label of the terms of use and privacy policy a registrant accepts.
    pub terms_version: String,
    /// Secret for signing CAPTCHA challenges (HMAC). Never logged.
    pub captcha_secret: String,
    /// PBKDF2 iterations per attempt of a CAPTCHA challenge.
    pub captcha_cost: u32,
    /// The solution counter is drawn from `max/2..=max`: the expected number of attempts a
    /// browser makes, so cost × counter is the proof-of-work a form submission costs.
    pub captcha_max_counter: u32,
    /// Demo mode: banner on every page, demo data available.
    pub demo: bool,
    /// Origin of the local signing component the pages talk to (`tessera-signer` or HiPKI
    /// LocalSignServer), e.g. `http://127.0.0.1:61161`; the CSP lets pages connect to it.
    pub signer_url: String,
    /// How long the whole body of a request may take to arrive (`[http] body_timeout_seconds`,
    /// the web crate's `body_timeout`); past it the answer is 408 and the connection is closed.
    pub body_read_timeout: Duration,
    /// Bearer token `/metrics` asks for (`metrics_token`); `None`: no token. Never logged.
    pub metrics_token: Option<crate::metrics::MetricsToken>,
    /// `/metrics` is served on a listener of its own (`metrics_listen`, the web crate's `metrics_app`)
    /// and not on the main one.
    pub metrics_separate: bool,
    /// Organizations: permission tree, review wait, flow lifetimes.
    pub orgs: crate::flows::orgs::settings::OrgSettings,
    /// OpenID Connect provider lifetimes and key rotation.
    pub oidc: crate::flows::oidc::settings::OidcSettings,
    // Limits on issuing certificate challenges, per minute (0 = off).
    /// Challenges one browser (CSRF cookie) may ask for per minute.
    pub cert_challenges_per_browser: u32,
    /// Challenges one client address may ask for per minute.
    pub cert_challenges_per_ip: u32,
    /// Organization flows (機關憑證註冊, 憑證更換, 授權指派 …) and upstream sign-in requests one
    /// browser may start per minute (flows::limits).
    pub flow_starts_per_browser: u32,
    /// … and one client address.
    pub flow_starts_per_ip: u32,
    /// Sign-in attempts from one client address, per 15 minutes, that are not known good (wrong
    /// passwords, and those still being checked) before every attempt from that address needs
    /// a CAPTCHA, whatever the username (0 = off).
    pub login_failures_per_ip: u32,
    /// … and from one browser (CSRF cookie).
    pub login_failures_per_browser: u32,
    /// Password-reset requests per hour for one account; past it nothing more is sent and the
    /// answer stays the same (it must not tell whether the account exists).
    pub reset_requests_per_account: u32,
    /// Password-reset requests per hour from one browser (past it: 429 `rate_limited`).
    pub reset_requests_per_browser: u32,
    /// … and from one client address.
    pub reset_requests_per_ip: u32,
    /// SMS codes sent to one account per hour (password reset and mobile verification).
    pub sms_codes_per_account: u32,
    /// Reverse proxies whose `X-Forwarded-For` names the client (the web crate's `client_ip`); empty:
    /// the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The operator's folder of help pages (`help_dir`): a `<slug>.<lang>.md` file there
    /// replaces the shipped page (`crate::help`); `None`: the shipped pages only.
    pub help_dir: Option<PathBuf>,
    /// Test or production (`environment`): a test environment says so on every page and in
    /// every notice, and only there may simulators of outside services run (`demo` among them).
    pub environment: crate::operator::Environment,
    /// The operator's identity as citizens see it (`[operator]`).
    pub operator: std::sync::Arc<crate::operator::Operator>,
}

/// HiPKI LocalSignServer's address, which `tessera-signer` uses too.
pub const DEFAULT_SIGNER_URL: &str = "http://127.0.0.1:61161";

impl Settings {
    /// Settings with the product defaults for the given base URL and CAPTCHA secret.
    pub fn new(base_url: &str, captcha_secret: String) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            password_policy: PasswordPolicy::default(),
            lockout: LockoutPolicy::default(),
            hash: HashParams::default(),
            password_max_age: Some(Duration::from_secs(730 * 86_400)),
            inactive_after: Duration::from_secs(5 * 365 * 86_400),
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            terms_version: "2026-11".to_string(),
            captcha_secret,
            captcha_cost: 1_000,
            captcha_max_counter: 4_000,
            demo: false,
            signer_url: DEFAULT_SIGNER_URL.to_string(),
            body_read_timeout: Duration::from_secs(30),
            metrics_token: None,
            metrics_separate: false,
            orgs: crate::flows::orgs::settings::OrgSettings::default(),
            oidc: crate::flows::oidc::settings::OidcSettings::default(),
            cert_challenges_per_browser: 20,
            cert_challenges_per_ip: 300,
            flow_starts_per_browser: 20,
            flow_starts_per_ip: 300,
            login_failures_per_ip: 30,
            login_failures_per_browser: 10,
            reset_requests_per_account: 3,
            reset_requests_per_browser: 10,
            reset_requests_per_ip: 30,
            sms_codes_per_account: 3,
            trusted_proxies: Vec::new(),
            help_dir: None,
            environment: crate::operator::Environment::Production,
            operator: std::sync::Arc::default(),
        }
    }

    /// Cookies get the `Secure` flag when the site is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The scheme://host[:port] part of the base URL, compared against `Origin` headers.
    pub fn origin(&self) -> &str {
        let after_scheme = self.base_url.find("://").map(|i| i + 3).unwrap_or(0);
        match self.base_url[after_scheme..].find('/') {
            Some(slash) => &self.base_url[..after_scheme + slash],
            None => &self.base_url,
        }
    }
}

/// Checks a signing component address: a loopback origin, `http://127.0.0.1:PORT`,
/// `http://localhost:PORT` or `http://[::1]:PORT` (https too), nothing after it. Returns it
/// without a trailing slash, ready to name in the CSP.
pub fn signer_origin(url: &str) -> Result<String, String> {
    let url = url.trim_end_matches('/');
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| format!("`{url}` must start with http:// or https://"))?;
    let (host, port) = match rest.strip_prefix("[::1]") {
        Some(after) => ("[::1]", after),
        None => rest.find(':').map_or((rest, ""), |i| rest.split_at(i)),
    };
    if !matches!(host, "127.0.0.1" | "localhost" | "[::1]") {
        return Err(format!(
            "`{url}` must be a loopback origin (127.0.0.1, localhost or [::1]) and nothing more"
        ));
    }
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .and_then(|p| p.parse::<u16>().ok())
            .is_some_and(|p| p != 0);
    if !port_ok {
        return Err(format!("`{url}` has an invalid port"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_strips_path_and_secure_follows_scheme() {
        let s = Settings::new("https://id.example.gov.tw/tessera/", "k".into());
        assert_eq!(s.origin(), "https://id.example.gov.tw");
        assert!(s.secure_cookies());
        let s = Settings::new("http://127.0.0.1:8080", "k".into());
        assert_eq!(s.origin(), "http://127.0.0.1:8080");
        assert!(!s.secure_cookies());
    }

    #[test]
    fn signer_origin_is_a_loopback_origin_only() {
        assert_eq!(
            signer_origin("http://127.0.0.1:61161/").as_deref(),
            Ok("http://127.0.0.1:61161")
        );
        for ok in [
            "http://localhost:8443",
            "https://[::1]:61161",
            "http://127.0.0.1",
        ] {
            assert_eq!(signer_origin(ok).as_deref(), Ok(ok));
        }
        for bad in [
            "127.0.0.1:61161",
            "http://example.tw:61161",
            "http://127.0.0.1:61161/x",
            "http://127.0.0.1:0",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:1; script-src *",
            "http://127.0.0.1.evil.tw",
            "http://[::1]x",
        ] {
            assert!(signer_origin(bad).is_err(), "{bad}");
        }
    }
}
