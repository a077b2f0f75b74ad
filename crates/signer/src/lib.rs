//! Tessera's local signing component (`tessera-signer`): a small HTTP server on the loopback
//! interface that speaks HiPKI LocalSignServer's protocol (`/popupForm`, `/sign`,
//! `/pkcs11info`) so existing government pages and Tessera's own pages can have a smart card
//! (PKCS#11) or a PKCS#12 soft token sign a challenge after the user's PIN.
//!
//! Entry points: [`cli::Args`] and [`run`]; the protocol in [`protocol`], the codes in
//! [`codes`], key stores in [`backend`], CMS assembly in [`cms`].

pub mod backend;
pub mod certinfo;
pub mod cli;
pub mod cms;
pub mod codes;
pub mod der;
pub mod error;
pub mod ops;
pub mod origins;
pub mod pin;
pub mod protocol;
pub mod server;

use std::sync::Arc;

pub use error::{PinState, SignerError};

/// Starts the signer from parsed arguments and serves until Ctrl-C / SIGTERM.
pub async fn run(args: cli::Args) -> Result<(), cli::StartError> {
    cli::check_listen(args.listen)?;
    if let Some(v) = &args.report_version {
        protocol::set_reported_version(v.clone());
    }
    let backend = cli::backend(&args)?;
    let origins = cli::origins(&args)?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| {
            cli::StartError::Token(SignerError::Session(format!("{}: {e}", args.listen)))
        })?;
    let addr = listener
        .local_addr()
        .map_err(|e| cli::StartError::Token(SignerError::Session(e.to_string())))?;
    let state = Arc::new(server::AppState::new(backend, origins, addr));
    // Tests and service managers read this line to learn the port.
    println!("tessera-signer listening on http://{addr}");
    tracing::info!(%addr, version = protocol::VERSION, "listening");
    server::serve(listener, state, shutdown_signal())
        .await
        .map_err(|e| cli::StartError::Token(SignerError::Session(e.to_string())))
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
        () = ctrl_c => {},
        () = term => {},
    }
}
