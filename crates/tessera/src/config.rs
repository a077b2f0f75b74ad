//! Configuration: built-in defaults, then `tessera.toml` (`--config`), then `TESSERA_*`
//! environment variables and command-line flags (clap reads both; flags win).

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use serde::Deserialize;
use tessera_web::{HashParams, Settings};

/// Options every subcommand shares, so `admin` works on the same data as `serve`.
#[derive(Debug, Clone, Args, Default)]
pub struct CommonOpts {
    /// Configuration file (TOML).
    #[arg(long, global = true, env = "TESSERA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory: SQLite database, Maildir, SMS log. Default ./tessera-data.
    #[arg(long, global = true, env = "TESSERA_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://PATH` or `postgres://…`. Default: SQLite in the data directory.
    #[arg(long, global = true, env = "TESSERA_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Public base URL used in links and for the Origin check.
    #[arg(long, global = true, env = "TESSERA_BASE_URL")]
    pub base_url: Option<String>,
    /// `text` or `json`.
    #[arg(long, global = true, env = "TESSERA_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Loopback origin of the local signing component. Default http://127.0.0.1:61161.
    #[arg(long, global = true, env = "TESSERA_SIGNER_URL")]
    pub signer_url: Option<String>,
}

/// The file's shape; every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub base_url: Option<String>,
    pub log_format: Option<String>,
    pub signer_url: Option<String>,
    pub demo: Option<bool>,
    /// `test` or `production` (or `TESSERA_ENVIRONMENT`); left out: test with `demo`, else
    /// production. See README.md, "Operator and environment".
    pub environment: Option<String>,
    /// The operator's identity as citizens see it; see `operator_config.rs`.
    #[serde(default)]
    pub operator: crate::operator_config::OperatorSection,
    /// A folder of the operator's own help pages (`<slug>.<lang>.md`), which replace the
    /// shipped ones page by page; see README.md, "Help pages".
    pub help_dir: Option<PathBuf>,
    /// A folder of application types (`*.toml`, one per type); see docs/applications.md.
    /// Without it no application is offered, except the example (報備支援) in demo mode.
    pub applications_dir: Option<PathBuf>,
    /// A listener of its own for `/metrics` (or `TESSERA_METRICS_LISTEN`); the main listener
    /// then answers 404 there.
    pub metrics_listen: Option<String>,
    /// Bearer token `/metrics` asks for (or `TESSERA_METRICS_TOKEN`). Without it and without
    /// `metrics_listen` the main listener answers 404 for `/metrics`.
    pub metrics_token: Option<String>,
    /// Timeouts and the connection limit of the HTTP server (`crate::http_server`).
    #[serde(default)]
    pub http: HttpSection,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` names the client
    /// (or `TESSERA_TRUSTED_PROXIES`, comma-separated); see docs/architecture.md.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    #[serde(default)]
    pub password: PasswordSection,
    #[serde(default)]
    pub argon2: Argon2Section,
    #[serde(default)]
    pub lockout: LockoutSection,
    #[serde(default)]
    pub accounts: AccountsSection,
    #[serde(default)]
    pub mail: MailSection,
    #[serde(default)]
    pub sms: SmsSection,
    #[serde(default)]
    pub captcha: CaptchaSection,
    /// Certificate verification (trust directory, revocation); see docs/pki.md.
    #[serde(default)]
    pub pki: tessera_pki::PkiSettings,
    /// Upstream OpenID providers for 「使用 X 登入」 (`[[upstream]]`); see docs/upstream.md.
    #[serde(default)]
    pub upstream: Vec<tessera_app::flows::upstream::UpstreamConfig>,
    /// Organizations; see docs/organizations.md and `orgs_config.rs`.
    #[serde(default)]
    pub organizations: crate::orgs_config::OrganizationsSection,
    /// OpenID Connect provider; see docs/oidc.md.
    #[serde(default)]
    pub oidc: OidcSection,
    /// Limits on certificate challenges.
    #[serde(default)]
    pub cert: CertSection,
    #[serde(default)]
    pub limits: LimitsSection,
}

/// `[oidc]`: token lifetimes, key rotation, the back-office operator token.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcSection {
    pub access_token_seconds: Option<i64>,
    pub id_token_seconds: Option<i64>,
    pub refresh_token_days: Option<i64>,
    /// Rotate signing keys older than this; 0 = only by `tessera admin oidc-keys rotate`.
    pub key_rotation_days: Option<i64>,
    /// Opens /admin/oidc/clients to HTTP Basic `operator` + this token
    /// (or `TESSERA_OPERATOR_TOKEN`).
    pub operator_token: Option<String>,
}

/// `[cert]`: how many certificate challenges one browser / one client address may ask for
/// per minute (0 = no limit).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertSection {
    pub challenges_per_minute_per_browser: Option<u32>,
    pub challenges_per_minute_per_ip: Option<u32>,
}

/// `[limits]`: organization flows and upstream sign-in requests one browser / one address may
/// start per minute; sign-in failures per 15 minutes from one browser / address before a
/// CAPTCHA is needed whatever the name; password-reset requests and SMS codes per hour
/// (0 = no limit).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsSection {
    pub flow_starts_per_minute_per_browser: Option<u32>,
    pub flow_starts_per_minute_per_ip: Option<u32>,
    pub login_failures_per_browser: Option<u32>,
    pub login_failures_per_ip: Option<u32>,
    pub reset_requests_per_hour_per_account: Option<u32>,
    pub reset_requests_per_hour_per_browser: Option<u32>,
    pub reset_requests_per_hour_per_ip: Option<u32>,
    pub sms_codes_per_hour_per_account: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordSection {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    /// Days until a password expires; 0 = never.
    pub max_age_days: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Section {
    pub memory_kib: Option<u32>,
    pub iterations: Option<u32>,
    pub parallelism: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockoutSection {
    pub captcha_after: Option<u32>,
    pub disable_after: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsSection {
    /// Days without sign-in before deletion; 0 = never.
    pub inactive_days: Option<u64>,
    pub terms_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSection {
    pub smtp_url: Option<String>,
    pub from: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSection {
    pub gateway_url: Option<String>,
}

/// `[http]`: what slow or idle clients may cost (`crate::http_server`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSection {
    /// Time for a request's headers to arrive (also the keep-alive idle time); default 10.
    pub header_timeout_seconds: Option<u64>,
    /// Time for a request's whole body to arrive; default 30.
    pub body_timeout_seconds: Option<u64>,
    /// Time requests in progress get after SIGTERM / Ctrl-C before the rest is dropped;
    /// default 10.
    pub shutdown_timeout_seconds: Option<u64>,
    /// Client connections open at once; default: the open-file limit less a reserve.
    pub max_connections: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaptchaSection {
    pub secret: Option<String>,
    pub cost: Option<u32>,
    pub max_counter: Option<u32>,
}

pub use crate::config_error::ConfigError;

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub file: FileConfig,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub base_url: Option<String>,
    pub signer_url: Option<String>,
    pub json_logs: bool,
    pub smtp_url: Option<String>,
    pub sms_url: Option<String>,
    /// Address of the metrics listener, if any.
    pub metrics_listen: Option<String>,
}

impl Config {
    pub fn load(opts: &CommonOpts) -> Result<Self, ConfigError> {
        let file = match &opts.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        let data_dir = opts
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("./tessera-data"));
        let database_url = opts
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("tessera.db").display()));
        let log_format = opts
            .log_format
            .clone()
            .or_else(|| file.log_format.clone())
            .unwrap_or_else(|| "text".into());
        let json_logs = match log_format.as_str() {
            "json" => true,
            "text" => false,
            other => {
                return Err(ConfigError::Invalid {
                    key: "log_format",
                    message: format!("`{other}` is neither `text` nor `json`"),
                });
            }
        };
        let smtp_url = std::env::var("TESSERA_SMTP_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| file.mail.smtp_url.clone());
        let sms_url = std::env::var("TESSERA_SMS_URL")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| file.sms.gateway_url.clone());
        let metrics_listen = std::env::var("TESSERA_METRICS_LISTEN")
            .ok()
            .filter(|s| !s.is_empty())
            .or_else(|| file.metrics_listen.clone());
        Ok(Self {
            base_url: opts.base_url.clone().or_else(|| file.base_url.clone()),
            signer_url: opts.signer_url.clone().or_else(|| file.signer_url.clone()),
            file,
            data_dir,
            database_url,
            json_logs,
            smtp_url,
            sms_url,
            metrics_listen,
        })
    }

    /// The HTTP server's limits, the connection limit fitted under the open-file limit
    /// `nofile`; with a warning when a configured limit had to be lowered.
    pub fn http_limits(
        &self,
        nofile: Option<u64>,
    ) -> Result<(crate::http_server::Limits, Option<String>), ConfigError> {
        let h = &self.file.http;
        let seconds = |key: &'static str, v: Option<u64>, default: Duration| match v {
            Some(0) => Err(ConfigError::Invalid {
                key,
                message: "must be at least 1".into(),
            }),
            Some(v) => Ok(Duration::from_secs(v)),
            None => Ok(default),
        };
        if h.max_connections == Some(0) {
            return Err(ConfigError::Invalid {
                key: "http.max_connections",
                message: "must be at least 1".into(),
            });
        }
        let (max_connections, warning) =
            crate::http_server::connection_limit(h.max_connections, nofile);
        Ok((
            crate::http_server::Limits {
                header_timeout: seconds(
                    "http.header_timeout_seconds",
                    h.header_timeout_seconds,
                    crate::http_server::HEADER_TIMEOUT,
                )?,
                shutdown_timeout: seconds(
                    "http.shutdown_timeout_seconds",
                    h.shutdown_timeout_seconds,
                    crate::http_server::SHUTDOWN_TIMEOUT,
                )?,
                max_connections,
            },
            warning,
        ))
    }

    /// The web settings for a server reachable at `default_base` unless a base URL is set.
    pub fn settings(
        &self,
        default_base: &str,
        captcha_secret: String,
    ) -> Result<Settings, ConfigError> {
        let base = self
            .base_url
            .clone()
            .unwrap_or_else(|| default_base.to_string());
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                key: "base_url",
                message: format!("`{base}` must start with http:// or https://"),
            });
        }
        let mut s = Settings::new(&base, captcha_secret);
        let f = &self.file;
        if let Some(v) = f.password.min_length {
            s.password_policy.min_len = v;
        }
        if let Some(v) = f.password.max_length {
            s.password_policy.max_len = v;
        }
        if s.password_policy.min_len == 0 || s.password_policy.min_len > s.password_policy.max_len {
            return Err(ConfigError::Invalid {
                key: "password.min_length",
                message: "must be at least 1 and not above password.max_length".into(),
            });
        }
        if let Some(days) = f.password.max_age_days {
            s.password_max_age = (days > 0).then(|| Duration::from_secs(days * 86_400));
        }
        let d = HashParams::default();
        s.hash = HashParams {
            memory_kib: f.argon2.memory_kib.unwrap_or(d.memory_kib),
            iterations: f.argon2.iterations.unwrap_or(d.iterations),
            parallelism: f.argon2.parallelism.unwrap_or(d.parallelism),
        };
        if let Some(v) = f.lockout.captcha_after {
            s.lockout.captcha_after = v;
        }
        if let Some(v) = f.lockout.disable_after {
            s.lockout.disable_after = v;
        }
        if s.lockout.disable_after == 0 {
            return Err(ConfigError::Invalid {
                key: "lockout.disable_after",
                message: "must be at least 1".into(),
            });
        }
        if let Some(days) = f.accounts.inactive_days {
            // 0 = never: a lifetime no account reaches.
            s.inactive_after =
                Duration::from_secs(if days == 0 { 1000 * 365 } else { days } * 86_400);
        }
        if let Some(v) = &f.accounts.terms_version {
            s.terms_version = v.clone();
        }
        if let Some(v) = f.captcha.cost {
            s.captcha_cost = v.max(1);
        }
        if let Some(v) = f.captcha.max_counter {
            s.captcha_max_counter = v.max(2);
        }
        s.demo = f.demo.unwrap_or(false);
        s.environment = crate::operator_config::environment(f.environment.as_deref(), s.demo)?;
        s.operator = std::sync::Arc::new(crate::operator_config::operator(&f.operator)?);
        s.help_dir = f.help_dir.clone();
        crate::orgs_config::apply(&mut s.orgs, &f.organizations)?;
        // OpenID Connect provider.
        let o = &f.oidc;
        let positive = |key: &'static str, v: Option<i64>| match v {
            Some(v) if v <= 0 => Err(ConfigError::Invalid {
                key,
                message: "must be at least 1".into(),
            }),
            _ => Ok(v),
        };
        if let Some(v) = positive("oidc.access_token_seconds", o.access_token_seconds)? {
            s.oidc.access_token_ttl = v;
        }
        if let Some(v) = positive("oidc.id_token_seconds", o.id_token_seconds)? {
            s.oidc.id_token_ttl = v;
        }
        if let Some(v) = positive("oidc.refresh_token_days", o.refresh_token_days)? {
            s.oidc.refresh_ttl = v * 86_400;
        }
        if let Some(v) = o.key_rotation_days {
            s.oidc.key_rotation_days = v.max(0);
        }
        let token = std::env::var("TESSERA_OPERATOR_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| o.operator_token.clone());
        if token.as_ref().is_some_and(|t| t.chars().count() < 16) {
            return Err(ConfigError::Invalid {
                key: "oidc.operator_token",
                message: "must be at least 16 characters".into(),
            });
        }
        s.oidc.operator_token = token.map(tessera_app::flows::oidc::OperatorToken);
        match f.http.body_timeout_seconds {
            Some(0) => {
                return Err(ConfigError::Invalid {
                    key: "http.body_timeout_seconds",
                    message: "must be at least 1".into(),
                });
            }
            Some(v) => s.body_read_timeout = Duration::from_secs(v),
            None => {}
        }
        let metrics_token = std::env::var("TESSERA_METRICS_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| f.metrics_token.clone());
        if metrics_token.as_ref().is_some_and(|t| {
            t.chars().count() < 16 || t.chars().any(|c| c.is_whitespace() || c.is_control())
        }) {
            return Err(ConfigError::Invalid {
                key: "metrics_token",
                message: "must be at least 16 characters, without spaces".into(),
            });
        }
        s.metrics_token = metrics_token.map(tessera_web::metrics::MetricsToken);
        s.metrics_separate = self.metrics_listen.is_some();
        if let Some(v) = f.cert.challenges_per_minute_per_browser {
            s.cert_challenges_per_browser = v;
        }
        if let Some(v) = f.cert.challenges_per_minute_per_ip {
            s.cert_challenges_per_ip = v;
        }
        if let Some(v) = f.limits.flow_starts_per_minute_per_browser {
            s.flow_starts_per_browser = v;
        }
        if let Some(v) = f.limits.flow_starts_per_minute_per_ip {
            s.flow_starts_per_ip = v;
        }
        let l = &f.limits;
        for (value, field) in [
            (
                l.login_failures_per_browser,
                &mut s.login_failures_per_browser,
            ),
            (l.login_failures_per_ip, &mut s.login_failures_per_ip),
            (
                l.reset_requests_per_hour_per_account,
                &mut s.reset_requests_per_account,
            ),
            (
                l.reset_requests_per_hour_per_browser,
                &mut s.reset_requests_per_browser,
            ),
            (
                l.reset_requests_per_hour_per_ip,
                &mut s.reset_requests_per_ip,
            ),
            (
                l.sms_codes_per_hour_per_account,
                &mut s.sms_codes_per_account,
            ),
        ] {
            if let Some(v) = value {
                *field = v;
            }
        }
        let proxies = match std::env::var("TESSERA_TRUSTED_PROXIES") {
            Ok(v) if !v.trim().is_empty() => v.split(',').map(str::to_string).collect(),
            _ => f.trusted_proxies.clone(),
        };
        s.trusted_proxies = tessera_web::client_ip::parse_trusted(&proxies).map_err(|message| {
            ConfigError::Invalid {
                key: "trusted_proxies",
                message,
            }
        })?;
        if let Some(v) = &self.signer_url {
            s.signer_url = tessera_app::settings::signer_origin(v).map_err(|message| {
                ConfigError::Invalid {
                    key: "signer_url",
                    message,
                }
            })?;
        }
        Ok(s)
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_put_sqlite_in_data_dir() {
        let c = Config::load(&CommonOpts::default()).unwrap();
        assert_eq!(c.database_url, "sqlite://./tessera-data/tessera.db");
        assert!(!c.json_logs);
    }

    #[test]
    fn flags_win_over_file_and_file_over_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tessera.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/t\"\nbase_url = \"https://id.example.tw\"\n[password]\nmin_length = 10\nmax_age_days = 0\n[lockout]\ndisable_after = 7\n",
        )
        .unwrap();
        let opts = CommonOpts {
            config: Some(path),
            base_url: Some("https://override.example.tw".into()),
            ..Default::default()
        };
        let c = Config::load(&opts).unwrap();
        assert_eq!(c.database_url, "sqlite:///srv/t/tessera.db");
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert_eq!(s.base_url, "https://override.example.tw");
        assert_eq!(s.password_policy.min_len, 10);
        assert_eq!(s.password_max_age, None);
        assert_eq!(s.lockout.disable_after, 7);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        let opts = CommonOpts {
            config: Some(path),
            ..Default::default()
        };
        assert!(matches!(
            Config::load(&opts),
            Err(ConfigError::Parse { .. })
        ));
        let opts = CommonOpts {
            log_format: Some("xml".into()),
            ..Default::default()
        };
        assert!(matches!(
            Config::load(&opts),
            Err(ConfigError::Invalid { .. })
        ));
    }

    #[test]
    fn oidc_section_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "[oidc]\naccess_token_seconds = 120\nkey_rotation_days = 0\noperator_token = \"0123456789abcdef\"\n",
        )
        .unwrap();
        let opts = CommonOpts {
            config: Some(path.clone()),
            ..Default::default()
        };
        let s = Config::load(&opts)
            .unwrap()
            .settings("http://127.0.0.1:8080", "k".into())
            .unwrap();
        assert_eq!(s.oidc.access_token_ttl, 120);
        assert_eq!(s.oidc.key_rotation_days, 0);
        assert!(s.oidc.operator_token.is_some());
        assert!(
            !format!("{s:?}").contains("0123456789abcdef"),
            "token never printed"
        );
        std::fs::write(&path, "[oidc]\noperator_token = \"short\"\n").unwrap();
        assert!(matches!(
            Config::load(&opts)
                .unwrap()
                .settings("http://127.0.0.1:8080", "k".into()),
            Err(ConfigError::Invalid {
                key: "oidc.operator_token",
                ..
            })
        ));
    }

    #[test]
    fn trusted_proxies_are_ranges_or_addresses() {
        let mut c = Config::load(&CommonOpts::default()).unwrap();
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert!(s.trusted_proxies.is_empty(), "nothing trusted by default");
        c.file.trusted_proxies = vec!["10.0.0.0/8".into(), "::1".into()];
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert_eq!(s.trusted_proxies.len(), 2);
        c.file.trusted_proxies = vec!["nginx.internal".into()];
        assert!(matches!(
            c.settings("http://127.0.0.1:8080", "k".into()),
            Err(ConfigError::Invalid {
                key: "trusted_proxies",
                ..
            })
        ));
    }

    #[test]
    fn signer_url_defaults_to_hipki_and_must_be_a_loopback_origin() {
        let c = Config::load(&CommonOpts::default()).unwrap();
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert_eq!(s.signer_url, "http://127.0.0.1:61161");
        let opts = CommonOpts {
            signer_url: Some("http://127.0.0.1:40001/".into()),
            ..Default::default()
        };
        let s = Config::load(&opts)
            .unwrap()
            .settings("http://127.0.0.1:8080", "k".into())
            .unwrap();
        assert_eq!(s.signer_url, "http://127.0.0.1:40001");
        let opts = CommonOpts {
            signer_url: Some("https://signer.example.tw".into()),
            ..Default::default()
        };
        let c = Config::load(&opts).unwrap();
        assert!(matches!(
            c.settings("http://127.0.0.1:8080", "k".into()),
            Err(ConfigError::Invalid {
                key: "signer_url",
                ..
            })
        ));
    }

    #[test]
    fn http_limits_and_metrics_access_are_read_and_checked() {
        let c = Config::load(&CommonOpts::default()).unwrap();
        let (l, warning) = c.http_limits(Some(1024)).unwrap();
        assert_eq!(l.header_timeout, Duration::from_secs(10));
        assert_eq!(l.shutdown_timeout, Duration::from_secs(10));
        assert_eq!(l.max_connections, 768, "1024 less 256 kept for the rest");
        assert!(warning.is_none());
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert_eq!(s.body_read_timeout, Duration::from_secs(30));
        assert!(s.metrics_token.is_none() && !s.metrics_separate);

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "metrics_listen = \"127.0.0.1:9464\"\nmetrics_token = \"0123456789abcdef\"\n\
             [http]\nheader_timeout_seconds = 5\nbody_timeout_seconds = 7\n\
             shutdown_timeout_seconds = 3\nmax_connections = 50\n",
        )
        .unwrap();
        let opts = CommonOpts {
            config: Some(path.clone()),
            ..Default::default()
        };
        let c = Config::load(&opts).unwrap();
        assert_eq!(c.metrics_listen.as_deref(), Some("127.0.0.1:9464"));
        let (l, _) = c.http_limits(Some(1024)).unwrap();
        assert_eq!(
            (l.header_timeout, l.shutdown_timeout, l.max_connections),
            (Duration::from_secs(5), Duration::from_secs(3), 50)
        );
        // More than the open files allow: lowered, with a warning.
        let (l, warning) = c.http_limits(Some(64)).unwrap();
        assert_eq!(l.max_connections, 48);
        assert!(warning.is_some());
        let s = c.settings("http://127.0.0.1:8080", "k".into()).unwrap();
        assert_eq!(s.body_read_timeout, Duration::from_secs(7));
        assert!(s.metrics_token.is_some() && s.metrics_separate);
        assert!(
            !format!("{s:?}").contains("0123456789abcdef"),
            "token never printed"
        );

        for (text, key) in [
            (
                "[http]\nheader_timeout_seconds = 0\n",
                "http.header_timeout_seconds",
            ),
            (
                "[http]\nshutdown_timeout_seconds = 0\n",
                "http.shutdown_timeout_seconds",
            ),
            ("[http]\nmax_connections = 0\n", "http.max_connections"),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Config::load(&opts).unwrap().http_limits(Some(1024));
            assert!(
                matches!(err, Err(ConfigError::Invalid { key: k, .. }) if k == key),
                "{text}"
            );
        }
        for (text, key) in [
            (
                "[http]\nbody_timeout_seconds = 0\n",
                "http.body_timeout_seconds",
            ),
            ("metrics_token = \"short\"\n", "metrics_token"),
            (
                "metrics_token = \"with a space 0123456789\"\n",
                "metrics_token",
            ),
        ] {
            std::fs::write(&path, text).unwrap();
            let err = Config::load(&opts)
                .unwrap()
                .settings("http://127.0.0.1:8080", "k".into());
            assert!(
                matches!(err, Err(ConfigError::Invalid { key: k, .. }) if k == key),
                "{text}"
            );
        }
    }
}
