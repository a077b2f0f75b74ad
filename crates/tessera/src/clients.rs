//! `tessera admin clients …` (OpenID Connect relying parties) and `tessera admin oidc-keys …`
//! (signing keys): the same flows as the back-office page, on the same data as `serve`.

use clap::Subcommand;
use serde_json::json;
use tessera_app::flows::oidc::clients::{self, NewClient};
use tessera_app::flows::oidc::keys;
use tessera_web::AppState;
use tessera_web::context::Ctx;

use crate::runtime::RunError;

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a relying party; prints its client_id (and client_secret, shown once).
    Add {
        #[arg(long)]
        name: String,
        /// Redirect URI, matched exactly (repeat for several).
        #[arg(long = "redirect-uri", required = true, num_args = 1..)]
        redirect_uris: Vec<String>,
        /// Where RP-initiated logout may return (repeat for several).
        #[arg(long = "post-logout-redirect-uri", num_args = 1..)]
        post_logout_redirect_uris: Vec<String>,
        /// A public client: no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// A first-party service: consent is not asked.
        #[arg(long)]
        no_consent: bool,
        /// May receive the national ID (for certificate / NHI-card sign-ins only).
        #[arg(long)]
        allow_national_id: bool,
        /// client_secret_basic (default), client_secret_post or private_key_jwt.
        #[arg(long)]
        auth_method: Option<String>,
        /// The client's public keys (a JWKS JSON file), for private_key_jwt.
        #[arg(long)]
        jwks_file: Option<std::path::PathBuf>,
        /// ID token algorithm: ES256 (default) or RS256.
        #[arg(long)]
        id_token_alg: Option<String>,
        /// Pairwise sector shared with other clients (default: the client itself).
        #[arg(long)]
        sector: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the registered relying parties.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a relying party with everything it was granted.
    Remove { client_id: String },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new signing key; the old one stays published until its tokens expired.
    Rotate {
        /// ES256 (default) or RS256.
        #[arg(long, default_value = "ES256")]
        alg: String,
    },
    /// List the published signing keys (never the private keys).
    List,
}

fn ctx() -> Ctx {
    Ctx {
        browser: None,
        ip: None,
        user_agent: Some("tessera admin".into()),
        lang: tessera_core::lang::Lang::En,
    }
}

fn failed(f: tessera_web::error::Failure) -> RunError {
    let fields: Vec<String> = f
        .fields
        .iter()
        .map(|x| format!("{}: {}", x.field, x.code))
        .collect();
    if fields.is_empty() {
        format!("refused: {}", f.code).into()
    } else {
        format!("refused: {}", fields.join(", ")).into()
    }
}

pub async fn clients(state: &AppState, cmd: ClientsCommand) -> Result<(), RunError> {
    match cmd {
        ClientsCommand::Add {
            name,
            redirect_uris,
            post_logout_redirect_uris,
            public,
            no_consent,
            allow_national_id,
            auth_method,
            jwks_file,
            id_token_alg,
            sector,
            json,
        } => {
            let jwks = match jwks_file {
                Some(p) => {
                    Some(std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?)
                }
                None => None,
            };
            let auth_method =
                auth_method.or_else(|| jwks.as_ref().map(|_| "private_key_jwt".into()));
            let input = NewClient {
                name,
                redirect_uris,
                post_logout_redirect_uris,
                public,
                no_consent,
                allow_national_id,
                auth_method,
                id_token_alg,
                jwks,
                sector,
            };
            let r = clients::register(state, &input, &ctx(), "operator-cli")
                .await
                .map_err(failed)?;
            if json {
                println!(
                    "{}",
                    json!({ "client_id": r.client.id, "client_secret": r.secret,
                            "token_endpoint_auth_method": r.client.auth_method })
                );
            } else {
                println!("client_id\t{}", r.client.id);
                if let Some(s) = r.secret {
                    println!("client_secret\t{s}");
                    println!("(the secret is shown only now; only its hash is stored)");
                }
            }
        }
        ClientsCommand::List { json } => {
            let all = clients::list(state).await.map_err(failed)?;
            if json {
                let v: Vec<_> = all
                    .iter()
                    .map(|c| {
                        json!({
                            "client_id": c.id, "name": c.name, "auth_method": c.auth_method,
                            "redirect_uris": c.redirect_uris,
                            "post_logout_redirect_uris": c.post_logout_redirect_uris,
                            "consent_required": c.consent_required,
                            "allow_national_id": c.allow_national_id,
                            "id_token_alg": c.id_token_alg, "sector": c.sector,
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(v));
            } else {
                for c in &all {
                    println!(
                        "{}\t{}\t{}\t{}",
                        c.id,
                        c.auth_method,
                        c.name,
                        c.redirect_uris.join(" ")
                    );
                }
                println!("{} client(s)", all.len());
            }
        }
        ClientsCommand::Remove { client_id } => {
            if clients::remove(state, &client_id, &ctx(), "operator-cli")
                .await
                .map_err(failed)?
            {
                println!("removed {client_id}");
            } else {
                return Err(format!("no client {client_id}").into());
            }
        }
    }
    Ok(())
}

pub async fn oidc_keys(state: &AppState, cmd: KeysCommand) -> Result<(), RunError> {
    let now = tessera_app::clock::now();
    match cmd {
        KeysCommand::Rotate { alg } => {
            if !keys::ALGS.contains(&alg.as_str()) {
                return Err(format!("unsupported algorithm {alg}: ES256 or RS256").into());
            }
            let (kid, retired) = tessera_app::flows::oidc::rotate_keys(state, &alg, &ctx())
                .await
                .map_err(failed)?;
            println!(
                "new {alg} key {kid}; retired (still published): {}",
                retired.join(" ")
            );
        }
        KeysCommand::List => {
            let jwks = state
                .oidc_keys
                .jwks(&state.store, now)
                .await
                .map_err(failed)?;
            for k in jwks["keys"].as_array().into_iter().flatten() {
                println!(
                    "{}\t{}",
                    k["kid"].as_str().unwrap_or(""),
                    k["alg"].as_str().unwrap_or("")
                );
            }
        }
    }
    Ok(())
}
