//! Start-up pieces shared by the subcommands: logging, the store, the notifiers, the app state.

use tessera_notify::{Mailer, SmsSender};
use tessera_store::Store;
use tessera_web::AppState;
use tracing_subscriber::EnvFilter;

use crate::config::Config;

/// A start-up failure, said in one line.
pub type RunError = Box<dyn std::error::Error + Send + Sync>;

pub fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_env("TESSERA_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// The database URL without any password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***@{}", &url[..s + 3], user, &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// Connects to the database and applies the migrations.
pub async fn open_store(config: &Config) -> Result<Store, RunError> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)?;
    }
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Builds the application state for a server at `default_base`.
pub async fn app_state(
    config: &Config,
    store: Store,
    default_base: &str,
) -> Result<AppState, RunError> {
    let secret = match config.file.captcha.secret.clone() {
        Some(s) if !s.is_empty() => s,
        // Shared through the database so that every node accepts every node's challenges.
        _ => store.shared_secret("captcha").await?,
    };
    let settings = config.settings(default_base, secret)?;
    let mailer = match &config.smtp_url {
        Some(url) => Mailer::smtp(url)?,
        None => Mailer::maildir(config.data_dir.join("mail")),
    };
    let mailer = match &config.file.mail.from {
        Some(from) => mailer.with_from(from)?,
        None => mailer,
    };
    let sms = match &config.sms_url {
        Some(url) => SmsSender::http(url)?,
        None => SmsSender::file(config.data_dir.join("sms.jsonl")),
    };
    let applications = match &config.file.applications_dir {
        Some(dir) => tessera_app::apply::Applications::from_dir(dir)
            .map_err(|e| format!("application types: {e}"))?,
        None => tessera_app::apply::Applications::none(),
    };
    AppState::new(store, settings, mailer, sms)
        .map(|s| s.with_applications(applications))
        .map_err(|f| format!("cannot build the application: {}", f.code).into())
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/tessera"),
            "postgres://app:***@db:5432/tessera"
        );
        assert_eq!(redact("sqlite://./x.db"), "sqlite://./x.db");
    }
}
