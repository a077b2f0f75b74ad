//! `tessera admin …`: operator tasks working on the same data as `tessera serve`.

use clap::Subcommand;

use crate::config::Config;
use crate::runtime::{self, RunError};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Warn, then delete, accounts not signed in for the configured time.
    PurgeInactive {
        /// Only list what would be warned or deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check the audit log's hash chain.
    VerifyAudit,
    /// The organization registry: import a CSV, list.
    #[command(subcommand)]
    Orgs(crate::orgs::OrgsCommand),
    /// Back-office staff accounts: add, list, set roles, reset password, remove.
    #[command(subcommand)]
    Staff(crate::staff::StaffCommand),
    /// OpenID Connect relying parties: add, list, remove.
    #[command(subcommand)]
    Clients(crate::clients::ClientsCommand),
    /// OpenID Connect signing keys: rotate, list.
    #[command(subcommand)]
    OidcKeys(crate::clients::KeysCommand),
}

async fn oidc_state(
    config: &Config,
    store: tessera_store::Store,
) -> Result<tessera_web::AppState, RunError> {
    let base = config
        .base_url
        .clone()
        .unwrap_or_else(|| "http://127.0.0.1:8080".into());
    runtime::app_state(config, store, &base).await
}

pub async fn run(config: &Config, cmd: AdminCommand) -> Result<(), RunError> {
    let store = runtime::open_store(config).await?;
    match cmd {
        AdminCommand::PurgeInactive { dry_run } => {
            let base = config
                .base_url
                .clone()
                .unwrap_or_else(|| "http://127.0.0.1:8080".into());
            let state = runtime::app_state(config, store, &base).await?;
            let actions = tessera_app::flows::inactive::run(&state, dry_run)
                .await
                .map_err(|f| format!("inactive-account job failed: {}", f.code))?;
            for a in &actions {
                let when = tessera_web::api::views::rfc3339(a.last_activity).unwrap_or_default();
                println!("{}\t{}\tlast activity {}", a.action, a.username, when);
            }
            let verb = if dry_run { "would act on" } else { "acted on" };
            println!("{verb} {} account(s)", actions.len());
        }
        AdminCommand::Orgs(cmd) => crate::orgs::run(&store, cmd).await?,
        AdminCommand::Staff(cmd) => {
            let state = runtime::app_state(config, store, "http://127.0.0.1:8080").await?;
            crate::staff::run(&state, cmd).await?
        }
        AdminCommand::Clients(c) => {
            crate::clients::clients(&oidc_state(config, store).await?, c).await?
        }
        AdminCommand::OidcKeys(c) => {
            crate::clients::oidc_keys(&oidc_state(config, store).await?, c).await?
        }
        AdminCommand::VerifyAudit => {
            let v = store.verify_audit_chain().await?;
            match v.first_bad_seq {
                None => println!("audit log intact: {} entries", v.entries),
                Some(seq) => {
                    return Err(format!(
                        "audit log TAMPERED: chain breaks at entry {seq} ({} entries checked)",
                        v.entries
                    )
                    .into());
                }
            }
        }
    }
    Ok(())
}
