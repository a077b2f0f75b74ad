//! The `[[upstream]]` entries of `tessera.toml`: one upstream OpenID provider each (Google,
//! Facebook, any issuer), checked at start-up. Configuration is trusted, and it is the only
//! thing that names hosts Tessera talks to: issuer and endpoints must be https (plain http
//! only on a loopback address, for tests and local development).

use serde::Deserialize;

/// A client secret; never printed.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct ClientSecret(pub String);

impl std::fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientSecret(***)")
    }
}

/// How Tessera authenticates to the upstream's token endpoint.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// HTTP Basic with client_id and client_secret (the OpenID default).
    #[default]
    ClientSecretBasic,
    /// client_id and client_secret in the form body (Facebook).
    ClientSecretPost,
    /// A public client: PKCE only.
    None,
}

/// One `[[upstream]]` entry as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpstreamConfig {
    /// Short id used in URLs (`/upstream/ID/…`): lower-case letters, digits and `-`.
    pub id: String,
    /// Name on the buttons, zh-TW (「使用 Google 登入」) and English.
    pub name_zh: String,
    pub name_en: String,
    /// Issuer identifier, exactly as in the provider's ID tokens.
    pub issuer: String,
    pub client_id: String,
    /// The client secret, or better `client_secret_env`.
    #[serde(default)]
    pub client_secret: Option<ClientSecret>,
    /// Name of the environment variable holding the client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    #[serde(default)]
    pub token_auth: TokenAuth,
    /// ID-token signature algorithms accepted (never `none`, never HMAC).
    #[serde(default = "default_algs")]
    pub id_token_algs: Vec<String>,
    /// Explicit endpoints, for providers without (complete) discovery such as Facebook.
    /// With authorization, token and JWKS endpoints all given, discovery is not fetched.
    #[serde(default)]
    pub authorization_endpoint: Option<String>,
    #[serde(default)]
    pub token_endpoint: Option<String>,
    #[serde(default)]
    pub jwks_uri: Option<String>,
    #[serde(default)]
    pub userinfo_endpoint: Option<String>,
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

fn default_algs() -> Vec<String> {
    ["RS256", "ES256"].map(String::from).to_vec()
}

/// Signature algorithms an ID token may use: asymmetric only.
pub const SUPPORTED_ALGS: [&str; 10] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
];

/// A checked provider configuration.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<ClientSecret>,
    pub scopes: Vec<String>,
    pub token_auth: TokenAuth,
    pub algs: Vec<String>,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub userinfo_endpoint: Option<String>,
    /// `{base_url}/upstream/{id}/callback`, registered at the provider.
    pub redirect_uri: String,
}

/// Whether `url` is one Tessera may fetch from or send people to: https, or http on a
/// loopback address; no credentials, no fragment.
pub fn url_allowed(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    let host = u.host_str().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let scheme_ok = u.scheme() == "https" || (u.scheme() == "http" && loopback);
    if !scheme_ok {
        return Err(format!(
            "`{url}` must use https (plain http only on 127.0.0.1, [::1] or localhost)"
        ));
    }
    if !u.username().is_empty() || u.password().is_some() || u.fragment().is_some() {
        return Err(format!("`{url}` must not carry credentials or a fragment"));
    }
    Ok(())
}

fn id_ok(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

impl UpstreamConfig {
    /// Checks the entry for a Tessera reachable at `base_url`; `env` looks up environment
    /// variables (the secret). The message names what is wrong, never the secret.
    pub fn check(
        &self,
        base_url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ProviderConfig, String> {
        let id = self.id.as_str();
        if !id_ok(id) {
            return Err(format!(
                "upstream id `{id}`: use 1-32 lower-case letters, digits or `-`"
            ));
        }
        let ctx = |m: String| format!("upstream `{id}`: {m}");
        for (key, v) in [("name_zh", &self.name_zh), ("name_en", &self.name_en)] {
            let n = v.trim().chars().count();
            if n == 0 || n > 40 || v.chars().any(char::is_control) {
                return Err(ctx(format!("{key} must be 1-40 printable characters")));
            }
        }
        url_allowed(&self.issuer).map_err(ctx)?;
        if self.issuer.contains('?') {
            return Err(ctx("issuer must not have a query".into()));
        }
        if self.client_id.trim().is_empty() {
            return Err(ctx("client_id is required".into()));
        }
        let secret = match (&self.client_secret_env, &self.client_secret) {
            (Some(var), _) => Some(ClientSecret(
                env(var).filter(|s| !s.is_empty()).ok_or_else(|| {
                    ctx(format!(
                        "environment variable {var} (client_secret_env) is not set"
                    ))
                })?,
            )),
            (None, Some(s)) if !s.0.is_empty() => Some(s.clone()),
            _ => None,
        };
        if secret.is_none() && self.token_auth != TokenAuth::None {
            return Err(ctx(
                "client_secret or client_secret_env is required (or token_auth = \"none\")".into(),
            ));
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err(ctx("scopes must include `openid`".into()));
        }
        if self.scopes.iter().any(|s| s.is_empty() || s.contains(' ')) {
            return Err(ctx("a scope is empty or has a space".into()));
        }
        if self.id_token_algs.is_empty() {
            return Err(ctx("id_token_algs must name at least one algorithm".into()));
        }
        for alg in &self.id_token_algs {
            if !SUPPORTED_ALGS.contains(&alg.as_str()) {
                return Err(ctx(format!(
                    "id_token_algs: `{alg}` is not accepted (asymmetric algorithms only: {})",
                    SUPPORTED_ALGS.join(", ")
                )));
            }
        }
        for url in [
            &self.authorization_endpoint,
            &self.token_endpoint,
            &self.jwks_uri,
            &self.userinfo_endpoint,
        ]
        .into_iter()
        .flatten()
        {
            url_allowed(url).map_err(ctx)?;
        }
        Ok(ProviderConfig {
            id: id.to_owned(),
            name_zh: self.name_zh.trim().to_owned(),
            name_en: self.name_en.trim().to_owned(),
            issuer: self.issuer.clone(),
            client_id: self.client_id.trim().to_owned(),
            client_secret: secret,
            scopes: self.scopes.clone(),
            token_auth: self.token_auth,
            algs: self.id_token_algs.clone(),
            authorization_endpoint: self.authorization_endpoint.clone(),
            token_endpoint: self.token_endpoint.clone(),
            jwks_uri: self.jwks_uri.clone(),
            userinfo_endpoint: self.userinfo_endpoint.clone(),
            redirect_uri: format!("{}/upstream/{id}/callback", base_url.trim_end_matches('/')),
        })
    }
}

/// Checks every entry; ids must be unique.
pub fn check_all(
    entries: &[UpstreamConfig],
    base_url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<ProviderConfig>, String> {
    let mut out: Vec<ProviderConfig> = Vec::with_capacity(entries.len());
    for e in entries {
        let p = e.check(base_url, &env)?;
        if out.iter().any(|o| o.id == p.id) {
            return Err(format!("upstream id `{}` is used twice", p.id));
        }
        out.push(p);
    }
    Ok(out)
}
