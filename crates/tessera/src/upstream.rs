//! `[[upstream]]` for `tessera serve`: checks every configured upstream OpenID provider
//! (client secrets may come from the environment) and hands them to the web layer. Nothing is
//! fetched here: discovery happens at the first sign-in, so a provider that is down does not
//! stop Tessera from starting.

use tessera_app::flows::upstream::{Upstreams, config};

use crate::config::Config;
use crate::runtime::RunError;

/// The providers configured for a Tessera reachable at `base_url`.
pub fn providers(config: &Config, base_url: &str) -> Result<Upstreams, RunError> {
    providers_with(config, base_url, |var| std::env::var(var).ok())
}

/// [`providers`] with the environment looked up by `env`.
fn providers_with(
    config: &Config,
    base_url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Upstreams, RunError> {
    let checked = config::check_all(&config.file.upstream, base_url, env)
        .map_err(|m| format!("invalid setting upstream: {m}"))?;
    for p in &checked {
        tracing::info!(provider = %p.id, issuer = %p.issuer, redirect_uri = %p.redirect_uri, "upstream sign-in offered");
    }
    Ok(Upstreams::new(checked)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommonOpts;

    fn load(toml: &str) -> Result<Config, crate::config::ConfigError> {
        let dir = tempfile::tempdir().map_err(|e| crate::config::ConfigError::Invalid {
            key: "test",
            message: e.to_string(),
        })?;
        let path = dir.path().join("tessera.toml");
        std::fs::write(&path, toml).map_err(|e| crate::config::ConfigError::Invalid {
            key: "test",
            message: e.to_string(),
        })?;
        Config::load(&CommonOpts {
            config: Some(path),
            ..Default::default()
        })
    }

    #[test]
    fn google_and_facebook_examples_are_accepted() {
        let c = load(
            r#"
[[upstream]]
id = "google"
name_zh = "Google"
name_en = "Google"
issuer = "https://accounts.google.com"
client_id = "123.apps.googleusercontent.com"
client_secret = "g-secret"

[[upstream]]
id = "facebook"
name_zh = "Facebook"
name_en = "Facebook"
issuer = "https://www.facebook.com"
client_id = "456"
client_secret_env = "TESSERA_TEST_UPSTREAM_FB_SECRET"
token_auth = "client_secret_post"
scopes = ["openid", "email"]
authorization_endpoint = "https://www.facebook.com/v21.0/dialog/oauth"
token_endpoint = "https://graph.facebook.com/v21.0/oauth/access_token"
jwks_uri = "https://www.facebook.com/.well-known/oauth/openid/jwks/"
"#,
        )
        .expect("config loads");
        let env = |v: &str| (v == "TESSERA_TEST_UPSTREAM_FB_SECRET").then(|| "fb-secret".into());
        let u = providers_with(&c, "https://id.example.gov.tw", env).expect("providers");
        let ids: Vec<&str> = u.all().iter().map(|p| p.config.id.as_str()).collect();
        assert_eq!(ids, ["google", "facebook"]);
        let fb = u.get("facebook").expect("facebook");
        assert_eq!(
            fb.config.redirect_uri,
            "https://id.example.gov.tw/upstream/facebook/callback"
        );
        assert_eq!(
            fb.config.client_secret.as_ref().map(|s| s.0.as_str()),
            Some("fb-secret")
        );
        // The secret never shows in debug output (logs).
        assert!(!format!("{:?}", fb.config).contains("fb-secret"));
    }

    #[test]
    fn unsafe_or_incomplete_entries_are_refused() {
        let base = r#"
[[upstream]]
id = "x"
name_zh = "X"
name_en = "X"
client_id = "c"
client_secret = "s"
"#;
        for (extra, why) in [
            (
                "issuer = \"http://idp.example.tw\"",
                "plain http off loopback",
            ),
            (
                "issuer = \"https://idp.example.tw\"\nid_token_algs = [\"none\"]",
                "alg none",
            ),
            (
                "issuer = \"https://idp.example.tw\"\nid_token_algs = [\"HS256\"]",
                "HMAC",
            ),
            (
                "issuer = \"https://idp.example.tw\"\nscopes = [\"email\"]",
                "no openid scope",
            ),
            (
                "issuer = \"https://idp.example.tw\"\ntoken_endpoint = \"http://10.0.0.1/t\"",
                "http endpoint",
            ),
            (
                "issuer = \"https://idp.example.tw\"\nclient_secret_env = \"TESSERA_TEST_NO_SUCH_VAR_7B\"",
                "missing env",
            ),
        ] {
            let c = load(&format!("{base}{extra}\n")).expect("parses");
            assert!(providers(&c, "https://id.example.gov.tw").is_err(), "{why}");
        }
        let c = load(&format!("{base}issuer = \"http://127.0.0.1:9999\"\n")).expect("parses");
        assert!(
            providers(&c, "http://127.0.0.1:8080").is_ok(),
            "loopback http is fine"
        );
        let twice = format!(
            "{base}issuer = \"https://a.example.tw\"\n{base}issuer = \"https://b.example.tw\"\n"
        );
        assert!(
            providers(&load(&twice).expect("parses"), "https://t.tw").is_err(),
            "same id twice"
        );
        assert!(
            load(&format!(
                "{base}issuer = \"https://a.tw\"\nclient_sekret = \"x\"\n"
            ))
            .is_err(),
            "unknown key"
        );
    }
}
