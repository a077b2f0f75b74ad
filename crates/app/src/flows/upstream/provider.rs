//! One configured upstream OpenID provider at run time: its discovery document and JWKS,
//! fetched only from the configured issuer's URLs (never from anything a request or a token
//! names), with timeouts, a size limit, no redirects followed, and per-node caches (an hour;
//! the JWKS once more at most every ten seconds when a token names an unknown key, for
//! rotation);
//! the code-for-tokens exchange and the userinfo request.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use josekit::jwk::JwkSet;
use serde_json::{Map, Value};

use super::config::{ProviderConfig, TokenAuth};
use super::fetch::{FetchError, MAX_BODY, endpoint, invalid, json_object};
use crate::clock::now;
use crate::outbound::{Method, Outbound, Request};

/// How long discovery documents and key sets are used before being fetched again.
const CACHE_SECS: i64 = 3600;
/// An unknown `kid` refreshes the key set at most this often.
const KEY_REFRESH_SECS: i64 = 10;

/// The endpoints Tessera uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    /// RFC 9207: the provider says it sends `iss` with every authorization response.
    pub iss_parameter_supported: bool,
}

/// What the token endpoint answered.
pub struct Tokens {
    pub id_token: String,
    pub access_token: Option<String>,
}

type Cached<T> = Mutex<Option<(Arc<T>, i64)>>;

/// A provider with its caches. Its requests go through the [`Outbound`] client the caller
/// passes (the web layer's: timeouts, no redirects followed, Tessera's user agent).
pub struct Provider {
    pub config: ProviderConfig,
    meta: Cached<Metadata>,
    keys: Cached<JwkSet>,
    last_key_fetch: AtomicI64,
}

fn get<T>(c: &Cached<T>) -> Option<(Arc<T>, i64)> {
    c.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

fn put<T>(c: &Cached<T>, v: Arc<T>) {
    *c.lock().unwrap_or_else(|p| p.into_inner()) = Some((v, now()));
}

impl Provider {
    pub fn new(config: ProviderConfig) -> Result<Self, String> {
        Ok(Self {
            config,
            meta: Mutex::new(None),
            keys: Mutex::new(None),
            last_key_fetch: AtomicI64::new(0),
        })
    }

    /// The endpoints: from the configuration when it names all three, otherwise from the
    /// issuer's discovery document (cached; a stale copy serves while the issuer is down).
    pub async fn metadata(&self, http: &dyn Outbound) -> Result<Arc<Metadata>, FetchError> {
        let c = &self.config;
        if let (Some(a), Some(t), Some(j)) =
            (&c.authorization_endpoint, &c.token_endpoint, &c.jwks_uri)
        {
            return Ok(Arc::new(Metadata {
                authorization_endpoint: a.clone(),
                token_endpoint: t.clone(),
                jwks_uri: j.clone(),
                userinfo_endpoint: c.userinfo_endpoint.clone(),
                iss_parameter_supported: false,
            }));
        }
        let cached = get(&self.meta);
        if let Some((m, at)) = &cached
            && now() - at < CACHE_SECS
        {
            return Ok(m.clone());
        }
        match self.discover(http).await {
            Ok(m) => {
                let m = Arc::new(m);
                put(&self.meta, m.clone());
                Ok(m)
            }
            Err(e) => match cached {
                Some((m, _)) => {
                    tracing::warn!(provider = %c.id, error = %e, "discovery failed; using the cached document");
                    Ok(m)
                }
                None => Err(e),
            },
        }
    }

    async fn discover(&self, http: &dyn Outbound) -> Result<Metadata, FetchError> {
        const WHAT: &str = "discovery";
        let c = &self.config;
        let url = format!(
            "{}/.well-known/openid-configuration",
            c.issuer.trim_end_matches('/')
        );
        let doc = json_object(WHAT, http.send(Request::get_json(&url, MAX_BODY)).await)?;
        // OpenID Connect Discovery 4.3: the document's issuer is exactly the configured one.
        if doc.get("issuer").and_then(Value::as_str) != Some(c.issuer.as_str()) {
            return Err(invalid(WHAT, "its issuer is not the configured issuer"));
        }
        let need = |key: &str, explicit: &Option<String>| {
            endpoint(WHAT, explicit, &doc, key)?.ok_or_else(|| invalid(WHAT, format!("no {key}")))
        };
        Ok(Metadata {
            authorization_endpoint: need("authorization_endpoint", &c.authorization_endpoint)?,
            token_endpoint: need("token_endpoint", &c.token_endpoint)?,
            jwks_uri: need("jwks_uri", &c.jwks_uri)?,
            userinfo_endpoint: endpoint(WHAT, &c.userinfo_endpoint, &doc, "userinfo_endpoint")?,
            iss_parameter_supported: doc
                .get("authorization_response_iss_parameter_supported")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The provider's signing keys. `refresh` asks for a fresh copy (a token named a key not
    /// in the cached set), granted at most once every `KEY_REFRESH_SECS`.
    pub async fn keys(
        &self,
        http: &dyn Outbound,
        meta: &Metadata,
        refresh: bool,
    ) -> Result<Arc<JwkSet>, FetchError> {
        let cached = get(&self.keys);
        let t = now();
        if let Some((k, at)) = &cached {
            let fresh = t - at < CACHE_SECS;
            let may_refresh = t - self.last_key_fetch.load(Ordering::Relaxed) >= KEY_REFRESH_SECS;
            if fresh && !(refresh && may_refresh) {
                return Ok(k.clone());
            }
        }
        self.last_key_fetch.store(t, Ordering::Relaxed);
        let fetched = json_object(
            "jwks",
            http.send(Request::get_json(&meta.jwks_uri, MAX_BODY)).await,
        )
        .and_then(|m| JwkSet::from_map(m).map_err(|e| invalid("jwks", e.to_string())));
        match (fetched, cached) {
            (Ok(k), _) => {
                let k = Arc::new(k);
                put(&self.keys, k.clone());
                Ok(k)
            }
            (Err(e), Some((k, _))) => {
                tracing::warn!(provider = %self.config.id, error = %e, "JWKS fetch failed; using the cached keys");
                Ok(k)
            }
            (Err(e), None) => Err(e),
        }
    }

    /// Exchanges an authorization code (with its PKCE verifier) for tokens.
    pub async fn exchange(
        &self,
        http: &dyn Outbound,
        meta: &Metadata,
        code: &str,
        code_verifier: &str,
    ) -> Result<Tokens, FetchError> {
        const WHAT: &str = "token_endpoint";
        let c = &self.config;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &c.redirect_uri),
            ("code_verifier", code_verifier),
        ];
        let secret = c.client_secret.as_ref().map(|s| s.0.as_str()).unwrap_or("");
        let mut req = Request {
            method: Method::Post,
            url: meta.token_endpoint.clone(),
            headers: vec![("accept", "application/json".to_owned())],
            body: None,
            max_body: MAX_BODY,
        };
        match c.token_auth {
            TokenAuth::ClientSecretBasic => {
                // RFC 6749 2.3.1: both parts form-urlencoded before Basic encoding.
                let enc =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                let basic = base64::engine::general_purpose::STANDARD.encode(format!(
                    "{}:{}",
                    enc(&c.client_id),
                    enc(secret)
                ));
                req = req.header("authorization", format!("Basic {basic}"));
            }
            TokenAuth::ClientSecretPost => {
                form.push(("client_id", &c.client_id));
                form.push(("client_secret", secret));
            }
            TokenAuth::None => form.push(("client_id", &c.client_id)),
        }
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        req = req.header("content-type", "application/x-www-form-urlencoded");
        req.body = Some(body.into_bytes());
        let answer = json_object(WHAT, http.send(req).await)?;
        let text = |k: &str| answer.get(k).and_then(Value::as_str).map(str::to_owned);
        Ok(Tokens {
            id_token: text("id_token").ok_or_else(|| invalid(WHAT, "no id_token"))?,
            access_token: text("access_token"),
        })
    }

    /// The userinfo claims for `access_token`.
    pub async fn userinfo(
        &self,
        http: &dyn Outbound,
        url: &str,
        access_token: &str,
    ) -> Result<Map<String, Value>, FetchError> {
        json_object(
            "userinfo",
            http.send(
                Request::get_json(url, MAX_BODY)
                    .header("authorization", format!("Bearer {access_token}")),
            )
            .await,
        )
    }
}
