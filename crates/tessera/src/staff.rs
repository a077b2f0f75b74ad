//! `tessera admin staff …`: back-office staff accounts on the same data as `tessera serve`.
//! `add` creates one with roles (`reviewer`, `operator`); the password comes from stdin
//! (`--password-stdin`) or is generated and printed once. `reset-password` sets a new one,
//! unlocks the account and ends its sessions (staff passwords are never reset by mail).

use std::io::BufRead;

use clap::Subcommand;
use tessera_app::flows::orgs::staff::ROLES;
use tessera_core::audit::AuditKind;
use tessera_core::ids::{Email, PersonName, Username};
use tessera_core::password::PasswordContext;
use tessera_store::{Account, NewAccount, NewAuditEvent, Store, StoreError, kind};
use tessera_web::AppState;

use crate::runtime::RunError;

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Create a staff account.
    Add {
        username: String,
        /// `reviewer` (review queue), `operator` (organization registry), or an application
        /// type's reviewer role (e.g. `medical_support_reviewer`); repeatable.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// A county (縣市) whose applications the account reviews, e.g. 臺北市; repeatable.
        #[arg(long = "county")]
        counties: Vec<String>,
        /// Read the password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Replace a staff account's counties (the jurisdiction of its reviews).
    SetCounties {
        username: String,
        #[arg(long = "county")]
        counties: Vec<String>,
    },
    /// List staff accounts and their roles.
    List,
    /// Replace a staff account's roles.
    SetRoles {
        username: String,
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Set a new password (unlocks the account, ends its sessions).
    ResetPassword {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete a staff account (the username stays reserved).
    Remove { username: String },
}

pub fn check_roles(state: &AppState, roles: &[String]) -> Result<Vec<String>, RunError> {
    let mut out: Vec<String> = Vec::new();
    let mut known: Vec<String> = ROLES.iter().map(|r| (*r).to_owned()).collect();
    for t in state.applications.all() {
        if !known.contains(&t.review.role) {
            known.push(t.review.role.clone());
        }
    }
    for r in roles {
        let r = r.trim().to_ascii_lowercase();
        if !known.contains(&r) {
            return Err(format!("unknown role `{r}`: use {}", known.join(", ")).into());
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

/// The counties named, by their official names (台北市 is read as 臺北市).
pub fn check_counties(counties: &[String]) -> Result<Vec<String>, RunError> {
    let mut out: Vec<String> = Vec::new();
    for c in counties {
        let county = tessera_core::apply::county::County::parse(c)
            .map_err(|_| format!("unknown county `{c}`: use one of the 22 (e.g. 臺北市)"))?;
        let name = county.name_zh().to_owned();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    Ok(out)
}

/// The password from stdin, or a generated one (printed once).
fn password(
    state: &AppState,
    username: &str,
    from_stdin: bool,
) -> Result<(String, bool), RunError> {
    let ctx = PasswordContext {
        username: Some(username),
        national_id: None,
        birthday: None,
    };
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        state
            .settings
            .password_policy
            .check(&pw, &ctx)
            .map_err(|e| {
                format!(
                    "password refused: {} ({})",
                    e.code,
                    e.message(tessera_core::Lang::En)
                )
            })?;
        return Ok((pw, false));
    }
    loop {
        let pw = tessera_app::secrets::token();
        if state.settings.password_policy.check(&pw, &ctx).is_ok() {
            return Ok((pw, true));
        }
    }
}

async fn staff_account(store: &Store, username: &str) -> Result<Account, RunError> {
    store
        .account_by_username(username)
        .await?
        .filter(|a| a.kind == kind::STAFF)
        .ok_or_else(|| format!("no staff account `{username}`").into())
}

async fn audit(
    store: &Store,
    kind: AuditKind,
    a: &Account,
    detail: serde_json::Value,
) -> Result<(), RunError> {
    store
        .append_audit(&NewAuditEvent {
            at: tessera_app::clock::now(),
            kind: kind.as_str().to_owned(),
            account_id: Some(a.id.clone()),
            username: Some(a.username.clone()),
            ip: None,
            user_agent: Some("tessera admin staff".to_owned()),
            outcome: "ok".to_owned(),
            detail: Some(detail.to_string()),
        })
        .await?;
    Ok(())
}

/// Creates a staff account with `roles` (already checked) and an accepted password, and
/// audits it. Shared by `tessera admin staff add` and the demo's staff account.
pub async fn create(
    state: &AppState,
    username: &str,
    roles: &[String],
    name: &str,
    email: &str,
    pw: &str,
) -> Result<Account, RunError> {
    let store = &state.store;
    let username = Username::parse(username).map_err(|e| format!("username: {}", e.code))?;
    let name = PersonName::parse(name).map_err(|e| format!("name: {}", e.code))?;
    let email = Email::parse(email).map_err(|e| format!("email: {}", e.code))?;
    let hash = state
        .hasher
        .hash(pw)
        .await
        .map_err(|f| format!("hashing failed: {}", f.code))?;
    let now = tessera_app::clock::now();
    let new = NewAccount {
        username: username.to_string(),
        name: name.to_string(),
        email: email.to_string(),
        mobile: None,
        national_id: None,
        birthday: None,
        landline: None,
        password_hash: hash,
        terms_version: "staff".to_owned(),
        terms_accepted_at: now,
        created_at: now,
    };
    let a = match store.create_staff(&new, roles).await {
        Ok(a) => a,
        Err(StoreError::UsernameTaken) => {
            return Err(format!("username `{username}` is not available").into());
        }
        Err(e) => return Err(e.into()),
    };
    audit(
        store,
        AuditKind::StaffCreated,
        &a,
        serde_json::json!({ "roles": roles }),
    )
    .await?;
    Ok(a)
}

pub async fn run(state: &AppState, cmd: StaffCommand) -> Result<(), RunError> {
    let store = &state.store;
    match cmd {
        StaffCommand::Add {
            username,
            roles,
            name,
            email,
            counties,
            password_stdin,
        } => {
            let roles = check_roles(state, &roles)?;
            let counties = check_counties(&counties)?;
            let (pw, generated) = password(state, &username, password_stdin)?;
            let a = create(state, &username, &roles, &name, &email, &pw).await?;
            if !counties.is_empty() {
                store.set_staff_counties(&a.id, &counties).await?;
            }
            println!(
                "staff account {} created with role(s) {}",
                a.username,
                roles.join(", ")
            );
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        StaffCommand::SetCounties { username, counties } => {
            let a = staff_account(store, &username).await?;
            let counties = check_counties(&counties)?;
            store.set_staff_counties(&a.id, &counties).await?;
            println!(
                "staff account {} reviews {}",
                a.username,
                counties.join(", ")
            );
        }
        StaffCommand::List => {
            for a in store.staff_accounts().await? {
                let roles = store.staff_roles(&a.id).await?;
                let locked = if a.disabled { "locked" } else { "-" };
                println!(
                    "{}\t{}\t{}\t{}",
                    a.username,
                    roles.join(","),
                    locked,
                    a.name
                );
            }
        }
        StaffCommand::SetRoles { username, roles } => {
            let a = staff_account(store, &username).await?;
            let roles = check_roles(state, &roles)?;
            store.set_staff_roles(&a.id, &roles).await?;
            audit(
                store,
                AuditKind::StaffRolesChanged,
                &a,
                serde_json::json!({ "roles": roles }),
            )
            .await?;
            println!("{}: role(s) {}", a.username, roles.join(", "));
        }
        StaffCommand::ResetPassword {
            username,
            password_stdin,
        } => {
            let a = staff_account(store, &username).await?;
            let (pw, generated) = password(state, &a.username, password_stdin)?;
            let hash = state
                .hasher
                .hash(&pw)
                .await
                .map_err(|f| format!("hashing failed: {}", f.code))?;
            store
                .set_password(&a.id, &hash, tessera_app::clock::now())
                .await?;
            let ended = store.delete_staff_sessions_for(&a.id).await?;
            audit(
                store,
                AuditKind::StaffPasswordReset,
                &a,
                serde_json::json!({ "sessions_ended": ended, "was_disabled": a.disabled }),
            )
            .await?;
            println!(
                "{}: password set, account unlocked, {ended} session(s) ended",
                a.username
            );
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        StaffCommand::Remove { username } => {
            let a = staff_account(store, &username).await?;
            store
                .delete_account(&a.id, tessera_app::clock::now())
                .await?;
            audit(store, AuditKind::StaffRemoved, &a, serde_json::json!({})).await?;
            println!("{} removed", a.username);
        }
    }
    Ok(())
}
