//! The `tessera-signer` binary: parses the command line, sets up logging (to stderr, never
//! with a PIN) and runs the signer.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = tessera_signer::cli::Args::parse();
    match tessera_signer::run(args).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tessera-signer: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
