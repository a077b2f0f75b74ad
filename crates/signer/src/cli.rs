//! Command line: `tessera-signer [--listen 127.0.0.1:61161] (--pkcs11-module PATH | --pkcs12
//! FILE [--pkcs12-password-env VAR]) [--allow-origin ORIGIN]…`. The listener must be a
//! loopback address: the signer is for the browser on the same computer only.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{ArgGroup, Parser};

use crate::backend::Backend;
use crate::backend::pkcs11::Pkcs11Backend;
use crate::backend::pkcs12::Pkcs12Backend;
use crate::error::SignerError;
use crate::origins::{OriginError, Origins};
use crate::pin::Pin;

/// Well-known PKCS#11 modules, tried in order when none is given.
#[cfg(target_os = "linux")]
pub const DEFAULT_MODULES: &[&str] = &[
    "/usr/local/lib/libHicos_p11v1.so",
    "/usr/lib/libHicos_p11v1.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
];
#[cfg(target_os = "macos")]
pub const DEFAULT_MODULES: &[&str] = &[
    "/usr/local/lib/libHicos_p11v1.dylib",
    "/Library/OpenSC/lib/opensc-pkcs11.so",
    "/opt/homebrew/lib/opensc-pkcs11.so",
];
#[cfg(not(any(target_os = "linux", target_os = "macos")))]
pub const DEFAULT_MODULES: &[&str] = &[];

/// Tessera's local signing component, compatible with HiPKI LocalSignServer.
#[derive(Debug, Parser)]
#[command(name = "tessera-signer", version, about)]
#[command(group(ArgGroup::new("store").args(["pkcs11_module", "pkcs12"])))]
pub struct Args {
    /// Loopback address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:61161")]
    pub listen: SocketAddr,
    /// PKCS#11 module of the card reader middleware (HiCOS, HCA, OpenSC, SoftHSM2).
    #[arg(long, value_name = "PATH")]
    pub pkcs11_module: Option<PathBuf>,
    /// A PKCS#12 file used as a soft token (development and demo mode).
    #[arg(long, value_name = "FILE")]
    pub pkcs12: Option<PathBuf>,
    /// Environment variable holding the PKCS#12 password, to list its certificate at start.
    #[arg(long, value_name = "VAR", requires = "pkcs12")]
    pub pkcs12_password_env: Option<String>,
    /// Pre-approve a site (scheme://host[:port]); repeatable.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Version to report in `version`/`serverVersion`, for pages that refuse anything below
    /// HiPKI's version numbers (e.g. `1.3.4.103328`); `product` still says tessera-signer.
    #[arg(long, value_name = "VERSION")]
    pub report_version: Option<String>,
    /// Where approvals are remembered (default: the per-user configuration directory).
    #[arg(long, value_name = "FILE")]
    pub approvals_file: Option<PathBuf>,
}

/// Start-up failures.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("--listen must be a loopback address, not {0}")]
    NotLoopback(SocketAddr),
    #[error("no PKCS#11 module found; give --pkcs11-module PATH or --pkcs12 FILE")]
    NoModule,
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
    #[error(transparent)]
    Origins(#[from] OriginError),
    #[error(transparent)]
    Token(#[from] SignerError),
}

/// The back end the arguments ask for.
pub fn backend(args: &Args) -> Result<Arc<dyn Backend>, StartError> {
    if let Some(p12) = &args.pkcs12 {
        let password = match &args.pkcs12_password_env {
            Some(var) => {
                let value = std::env::var(var).map_err(|_| StartError::MissingEnv(var.clone()))?;
                Pin::from_request(&percent_safe(zeroize::Zeroizing::new(value)))
            }
            None => None,
        };
        return Ok(Arc::new(Pkcs12Backend::open(p12, password.as_ref())?));
    }
    let module = match &args.pkcs11_module {
        Some(m) => m.clone(),
        None => DEFAULT_MODULES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .ok_or(StartError::NoModule)?,
    };
    Ok(Arc::new(Pkcs11Backend::new(&module)))
}

/// A password from the environment is literal: escape `%` so PIN decoding leaves it as is.
fn percent_safe(value: zeroize::Zeroizing<String>) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(value.replace('%', "%25"))
}

/// The approvals store the arguments ask for.
pub fn origins(args: &Args) -> Result<Arc<Origins>, StartError> {
    let file = args
        .approvals_file
        .clone()
        .or_else(crate::origins::default_file);
    Ok(Arc::new(Origins::new(&args.allow_origins, file)?))
}

/// Checks the listen address.
pub fn check_listen(addr: SocketAddr) -> Result<(), StartError> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(StartError::NotLoopback(addr))
    }
}
