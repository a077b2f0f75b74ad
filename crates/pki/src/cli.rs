//! The `tessera pki …` command line as a library module: `verify` (prints the identity or the
//! failure code; `--json` for machines) and `init-test` (writes the test PKI). The `tessera`
//! binary embeds [`PkiCommand`] as a subcommand and calls [`run`].

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::VerifyError;
use crate::revocation::RevocationMode;
use crate::signature::DigestAlg;
use crate::trust::TrustStore;
use crate::verifier::{SignatureFormat, Verifier, VerifierConfig, VerifyRequest};

/// `tessera pki` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum PkiCommand {
    /// Verify a CMS/PKCS#7 or raw PKCS#1 signature and print the signer's identity.
    Verify(VerifyArgs),
    /// Write a test PKI (root, five CA kinds, end entities, CRLs, OCSP index, manifest).
    InitTest(InitTestArgs),
}

/// Signature format on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CliFormat {
    /// CMS/PKCS#7 SignedData (attached or detached).
    Cms,
    /// Raw PKCS#1 v1.5 signature (needs --cert).
    Pkcs1,
}

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Signature file: DER, PEM or base64.
    #[arg(long, value_name = "FILE")]
    pub signature: PathBuf,
    /// The expected signed content (required for detached signatures).
    #[arg(long, value_name = "FILE")]
    pub content: Option<PathBuf>,
    /// Signer certificate (DER, PEM or base64) if not bundled in the signature.
    #[arg(long, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// Trust directory: root and CA certificates, CRLs, kinds.toml.
    #[arg(long, value_name = "DIR", env = "TESSERA_PKI_TRUST_DIR")]
    pub trust_dir: PathBuf,
    /// Revocation checking.
    #[arg(
        long,
        value_enum,
        env = "TESSERA_PKI_REVOCATION",
        default_value = "ocsp"
    )]
    pub revocation: RevocationMode,
    /// Verification time (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Signature format.
    #[arg(long, value_enum, default_value = "cms")]
    pub format: CliFormat,
    /// Digest of a raw signature.
    #[arg(long, default_value = "sha256", value_parser = parse_digest)]
    pub digest: DigestAlg,
    /// OCSP responder to use instead of the certificate's AIA.
    #[arg(long, value_name = "URL")]
    pub ocsp_url: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct InitTestArgs {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

fn parse_digest(s: &str) -> Result<DigestAlg, String> {
    match s.to_ascii_lowercase().as_str() {
        "sha256" => Ok(DigestAlg::Sha256),
        "sha384" => Ok(DigestAlg::Sha384),
        "sha512" => Ok(DigestAlg::Sha512),
        _ => Err(format!("unknown digest {s}")),
    }
}

/// Exit codes: 0 verified / written, 1 refused (failure code printed), 2 usage or setup error.
pub fn run(cmd: PkiCommand) -> i32 {
    run_to(cmd, &mut std::io::stdout().lock())
}

/// Like [`run`], writing the result to `out` (warnings and setup errors go to stderr).
pub fn run_to(cmd: PkiCommand, out: &mut dyn Write) -> i32 {
    match cmd {
        PkiCommand::Verify(args) => run_verify(&args, out),
        PkiCommand::InitTest(args) => run_init_test(&args.out, out),
    }
}

fn run_init_test(dir: &Path, w: &mut dyn Write) -> i32 {
    let out = dir;
    match crate::testpki::init_test(out) {
        Ok(m) => {
            let _ = writeln!(
                w,
                "test PKI written to {}: {} CAs, {} end entities; trust dir {}/{}; PKCS#12 password {:?}",
                out.display(),
                m.cas.len(),
                m.entities.len(),
                out.display(),
                m.trust_dir,
                m.p12_password
            );
            0
        }
        Err(e) => {
            eprintln!("init-test failed: {e}");
            2
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn run_verify(args: &VerifyArgs, w: &mut dyn Write) -> i32 {
    if args.revocation == RevocationMode::None {
        eprintln!(
            "WARNING: revocation checking is OFF (--revocation none); revoked certificates will be accepted"
        );
    }
    let setup = || -> Result<(Verifier, VerifyRequest), String> {
        let trust = TrustStore::load(&args.trust_dir).map_err(|e| e.to_string())?;
        let mut config = VerifierConfig::default();
        config.revocation.mode = args.revocation;
        config.revocation.ocsp_responder = args.ocsp_url.clone();
        let at = match &args.at {
            Some(t) => Some(
                OffsetDateTime::parse(t, &Rfc3339)
                    .map_err(|e| format!("--at: {e}"))?
                    .unix_timestamp(),
            ),
            None => None,
        };
        let format = match args.format {
            CliFormat::Cms => SignatureFormat::Cms,
            CliFormat::Pkcs1 => SignatureFormat::Raw {
                digest: args.digest,
                padding: crate::signature::RsaPadding::Pkcs1,
            },
        };
        let req = VerifyRequest {
            signature: read(&args.signature)?,
            format,
            cert: args.cert.as_deref().map(read).transpose()?,
            expected_content: args
                .content
                .as_deref()
                .map(read)
                .transpose()?
                .unwrap_or_default(),
            purpose: None,
            at,
        };
        Ok((Verifier::new(trust, config), req))
    };
    let (verifier, mut req) = match setup() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let result = if args.content.is_none() {
        attached_content(&req.signature).and_then(|c| {
            req.expected_content = c;
            verifier.verify(&req)
        })
    } else {
        verifier.verify(&req)
    };
    match result {
        Ok(v) => {
            if args.json {
                let _ = writeln!(
                    w,
                    "{}",
                    json!({"ok": true, "identity": v.identity, "revocation": v.revocation})
                );
            } else {
                let i = &v.identity;
                let _ = writeln!(w, "ok: {} ({})", i.name, i.kind.as_str());
                let _ = writeln!(w, "serial: {}", i.serial);
                for (label, value) in [
                    ("card_number", &i.card_number),
                    ("national_id_last4", &i.national_id_last4),
                    ("business_id", &i.business_id),
                    ("organization_oid", &i.organization_oid),
                    ("institution_code", &i.institution_code),
                ] {
                    if let Some(value) = value {
                        let _ = writeln!(w, "{label}: {value}");
                    }
                }
                let _ = writeln!(w, "not_after: {}", i.not_after);
                let _ = writeln!(w, "subject: {}", i.subject);
                let _ = writeln!(w, "issuer: {}", i.issuer);
            }
            0
        }
        Err(e) => {
            if args.json {
                let _ = writeln!(
                    w,
                    "{}",
                    json!({"ok": false, "code": e.code(), "message": e.message(), "detail": e.to_string()})
                );
            } else {
                let _ = writeln!(w, "refused: {} — {} ({e})", e.code(), e.message());
            }
            1
        }
    }
}

/// Without `--content`, a CMS signature must carry its content, which is then what is checked.
fn attached_content(signature: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let der = crate::input::decode_blob(signature)?;
    let info = crate::cms::parse(&der).map_err(VerifyError::Malformed)?;
    info.content
        .map(<[u8]>::to_vec)
        .ok_or_else(|| VerifyError::malformed("detached signature: --content is required"))
}
