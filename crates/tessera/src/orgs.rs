//! `tessera admin orgs …`: the organization registry on the same data as `tessera serve`.
//! `import FILE` reads the CSV (columns by header name: agency_code, name, organization_oid,
//! business_id, institution_code, kind), reports every bad row with its line number and then
//! imports nothing, or imports every row in one transaction (existing agency codes updated).
//! `list` prints the registry.

use std::path::PathBuf;

use clap::Subcommand;
use tessera_app::flows::orgs::import as registry;
use tessera_core::Lang;
use tessera_core::audit::AuditKind;
use tessera_store::orgs::{ImportSummary, OrgRecord};
use tessera_store::{NewAuditEvent, Store};

use crate::runtime::RunError;

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Import (or update) organizations from a CSV file: all rows or none.
    Import {
        /// The CSV file (UTF-8, header row first).
        file: PathBuf,
        /// Check the file and report, without importing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List the registry (agency code, registered or not, name).
    List,
}

/// Imports `records` in one transaction and audits it (`source` = the file, `agent` = who).
/// Shared by `tessera admin orgs import` and the demo's registry seeding.
pub async fn import(
    store: &Store,
    records: &[OrgRecord],
    source: &str,
    agent: &str,
) -> Result<ImportSummary, RunError> {
    let now = tessera_app::clock::now();
    let s = store.import_organizations(records, now).await?;
    let detail = serde_json::json!({
        "file": source, "rows": records.len(),
        "created": s.created, "updated": s.updated, "unchanged": s.unchanged,
    });
    store
        .append_audit(&NewAuditEvent {
            at: now,
            kind: AuditKind::OrgRegistryImported.as_str().to_owned(),
            account_id: None,
            username: None,
            ip: None,
            user_agent: Some(agent.to_owned()),
            outcome: "ok".to_owned(),
            detail: Some(detail.to_string()),
        })
        .await?;
    Ok(s)
}

pub async fn run(store: &Store, cmd: OrgsCommand) -> Result<(), RunError> {
    match cmd {
        OrgsCommand::Import { file, dry_run } => {
            let data =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let records = match registry::parse_csv(&data) {
                Ok(r) => r,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("{}: {}", file.display(), e.describe(Lang::ZhTw));
                    }
                    return Err(format!(
                        "{} error(s) in {}: nothing imported",
                        errors.len(),
                        file.display()
                    )
                    .into());
                }
            };
            if dry_run {
                println!(
                    "{} row(s) valid; nothing imported (--dry-run)",
                    records.len()
                );
                return Ok(());
            }
            let s = import(
                store,
                &records,
                &file.display().to_string(),
                "tessera admin orgs import",
            )
            .await?;
            println!(
                "imported {} row(s): {} created, {} updated, {} unchanged",
                records.len(),
                s.created,
                s.updated,
                s.unchanged
            );
        }
        OrgsCommand::List => {
            let mut offset = 0;
            loop {
                let (page, total) = store.search_organizations("", offset, 500).await?;
                for o in &page {
                    let state = if o.registered_at.is_some() {
                        "registered"
                    } else {
                        "-"
                    };
                    println!("{}\t{}\t{}", o.agency_code, state, o.name);
                }
                offset += page.len() as i64;
                if page.is_empty() || offset >= total {
                    println!("{total} organization(s)");
                    break;
                }
            }
        }
    }
    Ok(())
}
