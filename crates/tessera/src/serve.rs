//! `tessera serve`: migrations, the HTTP server (`crate::http_server`), the optional
//! metrics listener, background jobs, graceful shutdown.

use std::time::Duration;

use clap::Args;
use tessera_web::AppState;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::runtime::{self, RunError};

#[derive(Debug, Clone, Args)]
pub struct ServeOpts {
    /// Address to listen on.
    #[arg(long, env = "TESSERA_LISTEN")]
    pub listen: Option<String>,
    /// Demo mode: test certificates and a soft signer, no card reader needed.
    #[arg(long, env = "TESSERA_DEMO")]
    pub demo: bool,
}

pub async fn run(config: &Config, opts: ServeOpts) -> Result<(), RunError> {
    let listen = opts
        .listen
        .clone()
        .or_else(|| config.file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".to_string());
    let nofile = crate::http_server::open_file_limit();
    let (mut limits, warning) = config.http_limits(nofile)?;
    let listener = TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let metrics_listener = match &config.metrics_listen {
        Some(m) => Some(
            TcpListener::bind(m)
                .await
                .map_err(|e| format!("cannot listen on {m} (metrics_listen): {e}"))?,
        ),
        None => None,
    };
    let store = runtime::open_store(config).await?;
    let mut state = runtime::app_state(config, store, &format!("http://{addr}")).await?;
    if opts.demo {
        // The demo's simulators run only in a test environment: a configuration that says
        // production refuses to start with them.
        let mut s = (*state.settings).clone();
        s.demo = true;
        s.environment =
            crate::operator_config::environment(config.file.environment.as_deref(), true)?;
        state.settings = std::sync::Arc::new(s);
    }
    let demo = state.settings.demo;
    if demo {
        if state.applications.is_empty() {
            let shipped = tessera_app::apply::Applications::shipped()
                .map_err(|e| format!("application types: {e}"))?;
            state = state.with_applications(shipped);
        }
        crate::demo_apply::seed(&state).await?;
    }
    if let Some(verifier) = crate::certs::verifier(config, demo, &state.settings.base_url)? {
        if demo {
            crate::demo::start(config, &mut state, &verifier).await?;
        }
        state = state.with_pki(verifier);
    }
    let upstream = crate::upstream::providers(config, &state.settings.base_url)?;
    state = state.with_upstream(upstream);
    spawn_jobs(state.clone());
    let app = tessera_web::app(state.clone());
    if let Some(w) = warning {
        tracing::warn!("{w}");
    }
    // The metrics listener's few connections come out of the main listener's share.
    let metrics_limits = crate::http_server::Limits {
        max_connections: METRICS_CONNECTIONS,
        ..limits
    };
    if metrics_listener.is_some() {
        limits.max_connections = limits
            .max_connections
            .saturating_sub(METRICS_CONNECTIONS)
            .max(1);
    }
    // Watching for the signal from before the address is announced.
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    println!("Tessera listening on {}", state.settings.base_url);
    tracing::info!(
        listen = %addr,
        database = %runtime::redact(&config.database_url),
        demo = state.settings.demo,
        environment = state.settings.environment.as_str(),
        max_connections = limits.max_connections,
        open_file_limit = nofile,
        header_timeout_s = limits.header_timeout.as_secs(),
        body_timeout_s = state.settings.body_read_timeout.as_secs(),
        shutdown_timeout_s = limits.shutdown_timeout.as_secs(),
        "serving"
    );
    let main = crate::http_server::serve(listener, app, limits, stop.clone());
    match metrics_listener {
        Some(m) => {
            tracing::info!(listen = %m.local_addr()?, "serving /metrics");
            let metrics = tessera_web::metrics_app(state.clone());
            let (a, b) = tokio::join!(
                main,
                crate::http_server::serve(m, metrics, metrics_limits, stop)
            );
            a?;
            b?;
        }
        None => main.await?,
    }
    tracing::info!("stopped");
    state.store.close().await;
    Ok(())
}

/// Connections the metrics listener takes at once (a scraper or two).
const METRICS_CONNECTIONS: usize = 16;

/// The provider's signing keys, made now if missing; hourly clean-up of expired rows;
/// daily inactive-account job.
fn spawn_jobs(state: AppState) {
    // Mail due in the outbox, every few seconds: what a stopped node left, failed sends.
    tessera_app::flows::outbox::spawn_worker(state.clone());
    // Application deadlines (corrections not sent in time, supports whose period ended),
    // every five minutes.
    if !state.applications.is_empty() {
        let apps = state.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(300));
            loop {
                tick.tick().await;
                match tessera_app::apply::deadlines::run(&apps, tessera_app::clock::now()).await {
                    Ok(n) if n > 0 => tracing::info!(moved = n, "application deadlines applied"),
                    Ok(_) => {}
                    Err(f) => tracing::error!(code = f.code, "application deadlines failed"),
                }
            }
        });
    }
    // An RSA 2048 key takes 0.1 s and more to make: at start, not inside the first token
    // request (which would hold every other one up while it waits).
    let keys = state.clone();
    tokio::spawn(async move {
        let now = tessera_app::clock::now();
        if let Err(f) = keys.oidc_keys.jwks(&keys.store, now).await {
            tracing::error!(
                code = f.code,
                "OpenID provider signing keys could not be loaded"
            );
        }
    });
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        let mut hours = 0u32;
        loop {
            tick.tick().await;
            match state.store.purge_expired(tessera_app::clock::now()).await {
                Ok(n) if n > 0 => {
                    tracing::info!(removed = n, "expired sessions and tokens removed")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "purge of expired rows failed"),
            }
            if let Err(e) = state
                .store
                .purge_cert_challenges(tessera_app::clock::now())
                .await
            {
                tracing::error!(error = %e, "purge of expired certificate challenges failed");
            }
            if let Err(e) = state.store.purge_upstream(tessera_app::clock::now()).await {
                tracing::error!(error = %e, "purge of expired upstream sign-ins failed");
            }
            // Organization flows, organization and staff sessions.
            if let Err(e) = state.store.purge_org_state(tessera_app::clock::now()).await {
                tracing::error!(error = %e, "purge of expired organization flows and sessions failed");
            }
            // OpenID Connect: expired requests, codes, tokens and keys; scheduled rotation.
            if let Err(e) = state.store.purge_oidc(tessera_app::clock::now()).await {
                tracing::error!(error = %e, "purge of expired OIDC rows failed");
            }
            match tessera_app::flows::oidc::rotate_due_keys(&state).await {
                Ok(kids) if !kids.is_empty() => tracing::info!(?kids, "OIDC signing keys rotated"),
                Ok(_) => {}
                Err(f) => tracing::error!(code = f.code, "OIDC key rotation failed"),
            }
            if hours.is_multiple_of(24) {
                match tessera_app::flows::inactive::run(&state, false).await {
                    Ok(actions) => {
                        tracing::info!(count = actions.len(), "inactive-account job ran")
                    }
                    Err(f) => tracing::error!(code = f.code, "inactive-account job failed"),
                }
            }
            hours = hours.wrapping_add(1);
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing requests in progress");
}
